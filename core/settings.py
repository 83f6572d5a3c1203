"""One frozen settings object per program, read from ``GONGZHI_*`` environment variables.

A missing or malformed variable fails at start with the variable's name
(:class:`SettingsError`), never later at first use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

SEARCH_BACKENDS = ("embedded", "elasticsearch")
CONTENT_CHECKS = ("wechat", "off")


class SettingsError(ValueError):
    """A ``GONGZHI_*`` variable is missing or malformed; ``name`` says which."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("./var")
    db_url: str = ""
    redis_url: str | None = None
    search_backend: str = "embedded"
    es_url: str | None = None
    exchange_token: str | None = None
    workers: int = 1
    max_body_bytes: int = 64 * 1024 * 1024
    public_base_url: str = ""
    wechat_appid: str = "wx0000000000000000"
    wechat_secret: str = "gongzhi-demo-secret"
    wechat_api_url: str | None = None
    trace_depth: int = 3
    # More official hosts of trace URLs and Digital Links, beside the serving host and the host
    # of public_base_url; a code naming any other host is shown with a warning
    trace_hosts: tuple[str, ...] = ()
    view_cache_ttl: int = 3600  # seconds a trace view stays cached; 0 disables the cache
    scan_rate_limit: int = 120  # scans per client per scan_rate_window seconds
    scan_rate_window: int = 60
    auth_rate_limit: int = 10  # logins per client per auth_rate_window seconds
    auth_rate_window: int = 60
    session_ttl: int = 7 * 24 * 3600
    proxies_count: int = 0  # trusted reverse proxies in front (X-Forwarded-For hops)
    # Cold-chain limits of GB 31605-2020: chilled food 0-8 °C, frozen food at or below -18 °C.
    chilled_max_celsius: float = 8.0  # cold-chain excursion above this for chilled goods
    chilled_min_celsius: float = 0.0  # and below this (the food froze)
    frozen_max_celsius: float = -18.0  # and above this for frozen goods
    expiry_warning_days: int = 3  # warn this many days before the expiry date
    scan_flush_ms: int = 1000  # scan records are written in batches this often
    # Counterfeit suspicion from trusted scans (tracing.scans.suspicion): a quiet notice from
    # suspect_notice_people witnesses suspect_distance_km apart within suspect_window_hours;
    # the alert from suspect_alert_people witnesses in suspect_alert_cities cities
    suspect_notice_people: int = 2
    suspect_alert_people: int = 3
    suspect_alert_cities: int = 2
    suspect_distance_km: float = 300.0
    suspect_window_hours: float = 24.0
    suspect_max_speed_kmh: float = 1000.0  # one person's faster travel is that person's noise
    suspect_max_item_people: int = 5  # more witnesses of one item: a notice
    # enterprise profiles, notices, product pages, exports (profiles/)
    profile_cache_ttl: int = 600  # seconds a public profile stays cached; 0 disables
    binding_code_days: int = 7  # days an enterprise binding code stays usable
    recall_template_id: str = "TPL_RECALL_NOTICE"  # subscribe message of recall warnings
    wxacode_page: str = "pages/trace/trace"  # mini-program page a printed code opens
    media_max_bytes: int = 10 * 1024 * 1024  # one label image sent to the exchange
    media_max_pixels: int = 40_000_000  # width x height of one label image
    export_page_batches: int = 10_000  # matched batches per trace export answer (then paged)
    shutdown_timeout: float = 15.0  # seconds a stopping server gives requests in flight
    cors_origins: tuple[str, ...] = ("*",)  # origins whose pages may read the public API
    acceptance_days: int = 7  # working days to accept or refuse a complaint or report
    mediation_days: int = 45  # working days to mediate an accepted complaint
    verification_days: int = 15  # working days to verify an accepted report
    due_soon_days: int = 2  # a case is "due soon" this many working days before its deadline
    holiday_files: tuple[Path, ...] = ()  # official calendars for years chinesecalendar lacks
    complaint_rate_limit: int = 20  # submissions per client per complaint_rate_window seconds
    complaint_rate_window: int = 3600
    upload_max_bytes: int = 10 * 1024 * 1024  # one photo
    upload_max_pixels: int = 50_000_000  # width x height of one photo (decompression bombs)
    max_photos: int = 9  # photos attached to one case
    upload_ttl: int = 86400  # seconds an upload never attached to a case is kept
    content_check: str = "wechat"  # wechat (msgSecCheck v2 + mediaCheckAsync v2) | off
    moderation_words_file: Path | None = None  # the service's own word list (filers w/o WeChat)
    refusal_reasons_file: Path | None = None  # statutory refusal reasons, when the law changes
    wechat_push_token: str = "gongzhi-push-token"  # signs WeChat's event pushes (media checks)
    complaint_template_id: str = "TPL_COMPLAINT_STATUS"  # subscribe message of status changes
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file behind ``db_url``, or ``None`` for a server database."""
        if self.db_url.startswith("sqlite://"):
            return Path(self.db_url[len("sqlite://"):])
        return None

    @property
    def is_postgres(self) -> bool:
        return self.db_url.startswith(("postgres://", "postgresql://", "asyncpg://"))

    def with_(self, **changes) -> "Settings":
        """A copy with some values changed (tests and the CLI use this)."""
        return replace(self, **changes)


def _number(name: str, raw: str, low, high, cast=int):
    """``raw`` as ``cast`` (int or float) within [low, high]; NaN is out of range."""
    try:
        value = cast(raw)
    except ValueError:
        kind = "an integer" if cast is int else "a number"
        raise SettingsError(name, f"expected {kind}, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low:g} and {high:g}, got {value:g}")
    return value


def _int(name: str, raw: str, low: int, high: int) -> int:
    return _number(name, raw, low, high, int)


def _float(name: str, raw: str, low: float, high: float) -> float:
    return _number(name, raw, low, high, float)


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        raise SettingsError(name, f"scheme must be one of {', '.join(schemes)}, got {raw!r}")
    if parts.scheme != "sqlite" and not parts.hostname:
        raise SettingsError(name, f"no host in {raw!r}")
    return raw


def _origins(name: str, raw: str) -> tuple[str, ...]:
    """``*`` or a comma-separated list of web origins (scheme://host[:port], no path)."""
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin == "*":
            continue
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path \
                or parts.query or parts.fragment or parts.username:
            raise SettingsError(name, f"expected * or origins like https://h5.example.cn, "
                                      f"got {origin!r}")
    return origins or ("*",)


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise SettingsError(name, f"must be one of {', '.join(choices)}, got {raw!r}")
    return raw


_PARSERS: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "GONGZHI_HOST": ("host", lambda n, v: v.strip() or Settings.host),
    "GONGZHI_PORT": ("port", lambda n, v: _int(n, v, 0, 65535)),
    "GONGZHI_DATA_DIR": ("data_dir", lambda n, v: Path(v)),
    "GONGZHI_DB_URL": (
        "db_url",
        lambda n, v: _url(n, v, ("sqlite", "postgres", "postgresql", "asyncpg")),
    ),
    "GONGZHI_REDIS_URL": ("redis_url", lambda n, v: _url(n, v, ("redis", "rediss", "unix"))),
    "GONGZHI_SEARCH_BACKEND": ("search_backend", lambda n, v: _choice(n, v, SEARCH_BACKENDS)),
    "GONGZHI_ES_URL": ("es_url", lambda n, v: _url(n, v, ("http", "https"))),
    "GONGZHI_EXCHANGE_TOKEN": ("exchange_token", lambda n, v: v),
    "GONGZHI_WORKERS": ("workers", lambda n, v: _int(n, v, 1, 64)),
    "GONGZHI_MAX_BODY_BYTES": ("max_body_bytes", lambda n, v: _int(n, v, 1024, 2**40)),
    "GONGZHI_PUBLIC_BASE_URL": ("public_base_url", lambda n, v: v.rstrip("/")),
    "GONGZHI_WECHAT_APPID": ("wechat_appid", lambda n, v: v),
    "GONGZHI_WECHAT_SECRET": ("wechat_secret", lambda n, v: v),
    "GONGZHI_WECHAT_API_URL": ("wechat_api_url", lambda n, v: _url(n, v, ("http", "https"))),
    "GONGZHI_TRACE_DEPTH": ("trace_depth", lambda n, v: _int(n, v, 0, 10)),
    "GONGZHI_TRACE_HOSTS": ("trace_hosts", lambda n, v: tuple(
        h.strip().lower() for h in v.split(",") if h.strip())),
    "GONGZHI_VIEW_CACHE_TTL": ("view_cache_ttl", lambda n, v: _int(n, v, 0, 30 * 86400)),
    "GONGZHI_SCAN_RATE_LIMIT": ("scan_rate_limit", lambda n, v: _int(n, v, 1, 10**6)),
    "GONGZHI_SCAN_RATE_WINDOW": ("scan_rate_window", lambda n, v: _int(n, v, 1, 86400)),
    "GONGZHI_AUTH_RATE_LIMIT": ("auth_rate_limit", lambda n, v: _int(n, v, 1, 10**6)),
    "GONGZHI_AUTH_RATE_WINDOW": ("auth_rate_window", lambda n, v: _int(n, v, 1, 86400)),
    "GONGZHI_SESSION_TTL": ("session_ttl", lambda n, v: _int(n, v, 60, 90 * 86400)),
    "GONGZHI_PROXIES_COUNT": ("proxies_count", lambda n, v: _int(n, v, 0, 10)),
    "GONGZHI_CHILLED_MAX_CELSIUS": ("chilled_max_celsius", lambda n, v: _float(n, v, -30, 30)),
    "GONGZHI_CHILLED_MIN_CELSIUS": ("chilled_min_celsius", lambda n, v: _float(n, v, -30, 30)),
    "GONGZHI_FROZEN_MAX_CELSIUS": ("frozen_max_celsius", lambda n, v: _float(n, v, -60, 0)),
    "GONGZHI_EXPIRY_WARNING_DAYS": ("expiry_warning_days", lambda n, v: _int(n, v, 0, 365)),
    "GONGZHI_SCAN_FLUSH_MS": ("scan_flush_ms", lambda n, v: _int(n, v, 10, 60000)),
    "GONGZHI_SUSPECT_NOTICE_PEOPLE": ("suspect_notice_people", lambda n, v: _int(n, v, 2, 1000)),
    "GONGZHI_SUSPECT_ALERT_PEOPLE": ("suspect_alert_people", lambda n, v: _int(n, v, 2, 1000)),
    "GONGZHI_SUSPECT_ALERT_CITIES": ("suspect_alert_cities", lambda n, v: _int(n, v, 2, 100)),
    "GONGZHI_SUSPECT_DISTANCE_KM": ("suspect_distance_km", lambda n, v: _float(n, v, 10, 5000)),
    "GONGZHI_SUSPECT_WINDOW_HOURS": ("suspect_window_hours",
                                     lambda n, v: _float(n, v, 1, 24 * 30)),
    "GONGZHI_SUSPECT_MAX_SPEED_KMH": ("suspect_max_speed_kmh",
                                      lambda n, v: _float(n, v, 50, 5000)),
    "GONGZHI_SUSPECT_MAX_ITEM_PEOPLE": ("suspect_max_item_people",
                                        lambda n, v: _int(n, v, 1, 10**6)),
    "GONGZHI_PROFILE_CACHE_TTL": ("profile_cache_ttl", lambda n, v: _int(n, v, 0, 86400)),
    "GONGZHI_BINDING_CODE_DAYS": ("binding_code_days", lambda n, v: _int(n, v, 1, 90)),
    "GONGZHI_RECALL_TEMPLATE_ID": ("recall_template_id", lambda n, v: v.strip()),
    "GONGZHI_WXACODE_PAGE": ("wxacode_page", lambda n, v: v.strip().strip("/")),
    "GONGZHI_MEDIA_MAX_BYTES": ("media_max_bytes", lambda n, v: _int(n, v, 1024, 2**30)),
    "GONGZHI_MEDIA_MAX_PIXELS": ("media_max_pixels", lambda n, v: _int(n, v, 1, 2**31)),
    "GONGZHI_EXPORT_PAGE_BATCHES": ("export_page_batches", lambda n, v: _int(n, v, 1, 10**6)),
    "GONGZHI_SHUTDOWN_TIMEOUT": ("shutdown_timeout", lambda n, v: _float(n, v, 0, 600)),
    "GONGZHI_CORS_ORIGINS": ("cors_origins", _origins),
    "GONGZHI_ACCEPTANCE_DAYS": ("acceptance_days", lambda n, v: _int(n, v, 1, 60)),
    "GONGZHI_MEDIATION_DAYS": ("mediation_days", lambda n, v: _int(n, v, 1, 365)),
    "GONGZHI_VERIFICATION_DAYS": ("verification_days", lambda n, v: _int(n, v, 1, 365)),
    "GONGZHI_DUE_SOON_DAYS": ("due_soon_days", lambda n, v: _int(n, v, 0, 30)),
    "GONGZHI_HOLIDAY_FILES": ("holiday_files", lambda n, v: tuple(
        Path(p.strip()) for p in v.split(",") if p.strip())),
    "GONGZHI_COMPLAINT_RATE_LIMIT": ("complaint_rate_limit", lambda n, v: _int(n, v, 1, 10**9)),
    "GONGZHI_COMPLAINT_RATE_WINDOW": ("complaint_rate_window", lambda n, v: _int(n, v, 1, 86400)),
    "GONGZHI_UPLOAD_MAX_BYTES": ("upload_max_bytes", lambda n, v: _int(n, v, 1024, 2**30)),
    "GONGZHI_UPLOAD_MAX_PIXELS": ("upload_max_pixels", lambda n, v: _int(n, v, 1, 2**31)),
    "GONGZHI_MAX_PHOTOS": ("max_photos", lambda n, v: _int(n, v, 0, 50)),
    "GONGZHI_UPLOAD_TTL": ("upload_ttl", lambda n, v: _int(n, v, 60, 30 * 86400)),
    "GONGZHI_CONTENT_CHECK": ("content_check", lambda n, v: _choice(n, v, CONTENT_CHECKS)),
    "GONGZHI_MODERATION_WORDS": ("moderation_words_file", lambda n, v: Path(v.strip())),
    "GONGZHI_REFUSAL_REASONS": ("refusal_reasons_file", lambda n, v: Path(v.strip())),
    "GONGZHI_WECHAT_PUSH_TOKEN": ("wechat_push_token", lambda n, v: v),
    "GONGZHI_COMPLAINT_TEMPLATE_ID": ("complaint_template_id", lambda n, v: v),
}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``); raise :class:`SettingsError`."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (attr, parse) in _PARSERS.items():
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        values[attr] = parse(name, raw)
    settings = Settings(**values)  # type: ignore[arg-type]
    if not settings.db_url:
        settings = replace(settings, db_url=f"sqlite://{settings.data_dir / 'gongzhi.sqlite3'}")
    if settings.search_backend == "elasticsearch" and not settings.es_url:
        raise SettingsError("GONGZHI_ES_URL", "required when GONGZHI_SEARCH_BACKEND=elasticsearch")
    if settings.suspect_alert_people < settings.suspect_notice_people:
        raise SettingsError("GONGZHI_SUSPECT_ALERT_PEOPLE",
                            f"must be at least GONGZHI_SUSPECT_NOTICE_PEOPLE "
                            f"({settings.suspect_notice_people}), got "
                            f"{settings.suspect_alert_people}")
    if not settings.public_base_url:
        settings = replace(settings, public_base_url=f"http://{settings.host}:{settings.port}")
    return settings

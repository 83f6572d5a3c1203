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


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low} and {high}, got {value}")
    return value


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        raise SettingsError(name, f"scheme must be one of {', '.join(schemes)}, got {raw!r}")
    if parts.scheme != "sqlite" and not parts.hostname:
        raise SettingsError(name, f"no host in {raw!r}")
    return raw


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
    if not settings.public_base_url:
        settings = replace(settings, public_base_url=f"http://{settings.host}:{settings.port}")
    return settings

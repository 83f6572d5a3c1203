"""Public profiles served from the trace-view cache: built once, then read as JSON bytes.

An entry ``profile:<credit code>`` lives in the same :class:`~tracing.view.cache.ViewCache`
as the trace views (same store, same cross-process invalidation, same guard against storing
a profile built across an invalidation), tagged ``profile:<credit code>``. The profiles'
outbox handler (:mod:`profiles.changes`) drops it when anything it shows changes, and so does
the complaints feature's provider of figures when it commits a case or a move of one
(``ComplaintFigures.on_change``); the 12-month window and the licence state change with time
alone, so an entry lives at most ``settings.profile_cache_ttl`` seconds and never past
midnight (Asia/Shanghai).

The same bytes answer ``GET /api/v1/enterprises/{uscc}``, the profile part of the
enterprise's own view and the scan of its own code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

import orjson

from core.clock import SHANGHAI
from core.complaint_figures import ComplaintFigures
from core.i18n import DEFAULT, translate_tree
from core.kv import KeyValueStore
from core.settings import Settings
from profiles.lookup import parse_uscc
from profiles.profile import build_profile, scan_alerts
from profiles.profile_rows import profile_rows
from tracing.service import seconds_to_midnight
from tracing.view import rules
from tracing.view.cache import ViewCache, entry_key

COMPLAINT_MONTHS = 12


def cache_key(uscc: str) -> str:
    return "profile:" + uscc


def language_key(uscc: str, lang: str) -> str:
    """The cache key of the profile in ``lang`` (Chinese: :func:`cache_key`)."""
    return cache_key(uscc) if lang == DEFAULT else f"{cache_key(uscc)}@{lang}"


def code_url(settings: Settings, uscc: str) -> str:
    """The enterprise's own code (主体码) as printed: ``<public base URL>/e/<credit code>``."""
    return f"{settings.public_base_url}/e/{uscc}"


class ProfileService:
    """Builds, caches and invalidates public profiles for one process."""

    def __init__(self, settings: Settings, store: KeyValueStore, cache: ViewCache, *,
                 figures: ComplaintFigures, clock: Callable[[], datetime]):
        self.settings = settings
        self.store = store
        self.cache = cache
        self.figures = figures
        self.clock = clock

    def today(self):
        return self.clock().astimezone(SHANGHAI).date()

    async def public(self, raw_uscc: str, lang: str = DEFAULT) -> bytes:
        """The public profile of a credit code as JSON bytes (400 malformed, 404 unknown),
        its sentences in ``lang`` (cached per language, tagged alike)."""
        uscc = parse_uscc(raw_uscc)
        if self.settings.profile_cache_ttl and self.cache.enabled:
            await self.cache.sync()
            stored = await self.store.get(entry_key(language_key(uscc, lang)))
            if stored is not None:
                return stored
        return await self.build(uscc, lang)

    async def build(self, uscc: str, lang: str = DEFAULT) -> bytes:
        """Read, build and cache one profile (a cache miss)."""
        version = await self.cache.version()
        now = self.clock()
        today = now.astimezone(SHANGHAI).date()
        rows = await profile_rows(uscc)
        counts = await self.figures.counts(uscc=uscc, since=complaints_since(today),
                                           until=today)
        profile = build_profile(rows, counts=counts, today=today,
                                code_url=code_url(self.settings, uscc))
        body = orjson.dumps(translate_tree(profile, lang))
        ttl = min(self.settings.profile_cache_ttl, seconds_to_midnight(now))
        if self.settings.profile_cache_ttl:
            await self.cache.put(language_key(uscc, lang), body, tags={cache_key(uscc)},
                                 version=version, ttl=ttl)
        return body

    async def scan_answer(self, uscc: str, form: str, extra: list[dict] = (),
                          lang: str = DEFAULT) -> bytes:
        """The scan of an enterprise's own code: status, alerts (``extra``: the scan's own,
        e.g. a URL on another host), then the profile, in ``lang``."""
        body = await self.public(uscc, lang)
        alerts = translate_tree(rules.sort_alerts([*extra, *scan_alerts(orjson.loads(body))]),
                                lang)
        head = {"status": rules.status_of(alerts), "alerts": alerts, "scans": None,
                "code": None, "level": "enterprise",
                "resolved": {"subject": f"enterprise:{uscc}", "form": form}}
        return orjson.dumps(head)[:-1] + b',"enterprise":' + body + b"}"

    async def invalidate(self, usccs: set[str]) -> int:
        """Drop the cached profiles of these enterprises."""
        return await self.cache.invalidate({cache_key(u) for u in usccs})


def complaints_since(today):
    """The first day of the complaint figures' period (the last 12 months, today included)."""
    return _months_before(today, COMPLAINT_MONTHS)


def _months_before(day, months: int):
    """The same day ``months`` earlier, plus one (a period of whole months ending ``day``)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last)) \
                + timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("unreachable")

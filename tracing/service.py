"""The consumer scan use case: any code in, the trace view out, in one store round trip.

:class:`TraceService` holds the view cache and the scan recorder of one process. Its
:meth:`~TraceService.scan` parses the code, counts the request against the client's
sliding-window limit and reads the cached view and the scan counters together
(``KeyValueStore.hit_and_get``: one round trip on Redis), builds the view only on a miss
(``tracing.view``: resolve the code, fetch the rows in six queries for a batch code, seven for
a cold-chain batch seen in a store or vehicle, build the view without I/O), queues the scan
for the batched writer and answers JSON bytes.
The cached part is stored as bytes and spliced with the per-scan part (status, alerts, scans)
without parsing it again.

Each stored entry starts with a random stamp. A process keeps the entries it decoded and sends
the stamp with the read; when the stored entry still starts with it the store answers the stamp
alone (Redis does not send the view again, nothing is decoded again). The store stays the only
authority: an entry invalidated or rebuilt is never matched by an old stamp.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, time, timedelta
from typing import Awaitable, Callable

import orjson

from core.clock import SHANGHAI
from core.errors import NotFound, RateLimited
from core.i18n import DEFAULT, T, translate_tree
from core.kv import KeyValueStore
from core.settings import Settings
from tracing.view import rules
from tracing.codes import hosts
from tracing.codes.parse import ParsedCode, parse_scan
from tracing.model.models import Batch, CodeAlias
from tracing.scans.client import ScanClient, kiosk_scan_meta
from tracing.scans.kiosks import KioskRegistry
from tracing.scans.recorder import ScanRecorder, scan_stats, stat_keys
from tracing.scans.suspicion import Thresholds, verdict_alert
from tracing.scans.viewers import anonymous_id, day_of, viewer_of
from tracing.view.build import build_view
from tracing.view.cache import InvalidationBus, ViewCache, entry_key
from tracing.view.queries import fetch_view_rows
from tracing.view.resolve import resolve


def cache_key(parsed: ParsedCode) -> str:
    """The cache key of what a parsed code asks for (no database needed)."""
    if parsed.code is not None:
        return "c:" + parsed.code
    return f"g:{parsed.gtin}:{parsed.lot or ''}:{parsed.serial or ''}"


STAMP_BYTES = 16
#: The answer to an enterprise's own code (主体码): ``(credit code, form, alerts of the scan,
#: language)`` -> JSON bytes, raising ``NotFound`` for an unknown enterprise. Provided by the
#: profiles feature.
EnterpriseAnswer = Callable[[str, str, list, str], Awaitable[bytes]]
NO_ENTERPRISE_VIEW = T("本平台暂不提供主体码查询。")


@dataclass(frozen=True)
class Found:
    """What the resolver learns of a code: the parsed code, its alerts, the item's name."""

    parsed: ParsedCode
    alerts: list[dict]
    name: str | None


def new_stamp() -> bytes:
    return os.urandom(STAMP_BYTES // 2).hex().encode()


@dataclass(frozen=True)
class Entry:
    """A cached view: per-code facts, static status, alerts and body as JSON bytes."""

    subject: str
    level: str
    batch_id: str | None
    quantity: float | None
    status: str
    alerts: bytes
    body: bytes
    stamp: bytes = field(default_factory=new_stamp, compare=False)

    def encode(self) -> bytes:
        head = orjson.dumps([self.subject, self.level, self.batch_id, self.quantity,
                             self.status])
        return self.stamp + head + b"\x00" + self.alerts + b"\x00" + self.body

    @classmethod
    def decode(cls, raw: bytes) -> "Entry":
        stamp = b""  # an entry written before stamps (it starts with the head's "[")
        if raw[:1] != b"[":
            stamp, raw = raw[:STAMP_BYTES], raw[STAMP_BYTES:]
        head, alerts, body = raw.split(b"\x00", 2)
        subject, level, batch_id, quantity, status = orjson.loads(head)
        return cls(subject, level, batch_id, quantity, status, alerts, body, stamp)

    @cached_property
    def tail(self) -> bytes:
        """The body as it follows the per-scan part of the answer."""
        return b"," + self.body[1:]


class TraceService:
    """Scan resolution, view cache and scan recording for one process."""

    def __init__(self, settings: Settings, store: KeyValueStore, *,
                 clock: Callable[[], datetime], bus: InvalidationBus | None = None):
        self.settings = settings
        self.store = store
        self.clock = clock
        self.cache = ViewCache(store, ttl=settings.view_cache_ttl, bus=bus)
        self.recorder = ScanRecorder(store, flush_ms=settings.scan_flush_ms,
                                     thresholds=thresholds(settings))
        self.kiosks = KioskRegistry()
        self.official_hosts = hosts.official_hosts(public_base_url=settings.public_base_url,
                                                   trace_hosts=settings.trace_hosts)
        self.limits = rules.Limits(
            chilled_max_celsius=settings.chilled_max_celsius,
            frozen_max_celsius=settings.frozen_max_celsius,
            expiry_warning_days=settings.expiry_warning_days,
            chilled_min_celsius=settings.chilled_min_celsius)
        self._parsed: dict[str, ParsedCode] = {}  # parse_scan is pure; codes repeat
        self._entries: dict[str, Entry] = {}  # decoded entries by cache key (see the module)
        self.enterprise_answer: EnterpriseAnswer | None = None

    @classmethod
    def from_settings(cls, settings: Settings, store: KeyValueStore, *,
                      clock: Callable[[], datetime]) -> "TraceService":
        """The in-process store needs the cross-process invalidation bus; Redis does not."""
        bus = None
        if store.name == "memory" and settings.view_cache_ttl > 0:
            bus = InvalidationBus(settings.data_dir / "view-cache-bus.sqlite3")
        return cls(settings, store, clock=clock, bus=bus)

    async def scan(self, *, raw: str, client: ScanClient, rate_key: str,
                   serving_host: Callable[[], str | None] | None = None,
                   kiosk_key: str | None = None, scan_id: str | None = None,
                   scanned_at: str | None = None, lang: str = DEFAULT) -> bytes:
        """The trace view of one scan as JSON bytes (the scan is recorded). ``serving_host``
        reads the request's host (an official host; read only for a code naming a host);
        ``kiosk_key`` is a kiosk's proof of its id; ``scan_id`` and ``scanned_at`` its id of
        the scan and when it saw the code (:func:`kiosk_scan_meta`; a proved kiosk's only);
        ``lang`` the language of its sentences (``core.i18n``: views are cached per language,
        the Chinese one under the plain key)."""
        now = self.clock()
        scan_id, seen_at = kiosk_scan_meta(scan_id, scanned_at, now=now)
        parsed = self.parse(raw)
        unknown_enterprise = None
        if parsed.enterprise is not None:
            try:
                return await self._scan_enterprise(parsed, rate_key, serving_host, lang)
            except NotFound as error:  # a bare credit code: maybe a trace code of that shape
                if parsed.form != "enterprise_code":
                    raise
                unknown_enterprise = error
                parsed = ParsedCode("trace_code", code=parsed.enterprise)
        key = cache_key(parsed) if lang == DEFAULT else f"{cache_key(parsed)}@{lang}"
        await self.cache.sync()
        guess = parsed.code
        anonymous = anonymous_id(rate_key)
        claimed = "kiosk" if client.kiosk_id and kiosk_key else client.source
        viewer = viewer_of(client, anonymous=anonymous, day=day_of(now), source=claimed)
        keys = [entry_key(key), *(stat_keys(guess, viewer) if guess else [])]
        held = self._entries.get(key)
        allowed, wait, values = await self.store.hit_and_get(
            f"rate:scan:{rate_key}", window=self.settings.scan_rate_window,
            limit=self.settings.scan_rate_limit, keys=keys, known=held and held.stamp)
        if not allowed:
            raise RateLimited(T("扫码过于频繁，请稍后再试。"),
                              retry_after=max(1, math.ceil(wait)))
        stored = values[0] if self.cache.enabled else None
        if stored is None:
            try:
                entry = await self.build(parsed, key, lang)
            except NotFound:
                if unknown_enterprise is not None:  # neither an enterprise nor a trace code
                    raise unknown_enterprise from None
                raise
        elif held is not None and stored == held.stamp:
            entry = held
        else:
            entry = self._hold(key, Entry.decode(stored))
        if entry.subject == guess:
            stats = values[1:]
        else:
            stats = await self.store.get_many(stat_keys(entry.subject, viewer))
        if client.kiosk_id and kiosk_key:
            client = client.at_kiosk(await self.kiosks.place(client.kiosk_id, kiosk_key))
        scans, verdict = scan_stats(stats, client=client, now=now, viewer=viewer)
        kiosk = client.source == "kiosk"
        self.recorder.record(subject=entry.subject, level=entry.level, batch_id=entry.batch_id,
                             quantity=entry.quantity, at=seen_at if kiosk else now,
                             client=client, scan_id=scan_id if kiosk else None,
                             anonymous=anonymous,
                             viewer=None if kiosk or client.source != claimed else viewer)
        extra = []
        if parsed.host and not hosts.is_official(
                parsed.host, self.official_hosts, serving_host() if serving_host else None):
            extra.append(hosts.unofficial_host_alert(parsed.host, parsed.form))
        suspicion = verdict_alert(verdict) if verdict else None
        if suspicion:
            extra.append(suspicion)
        return render(entry, scans, translate_tree(extra, lang) if extra else extra)

    def parse(self, raw: str) -> ParsedCode:
        """:func:`parse_scan` of ``raw`` with the official hosts (remembered: codes repeat)."""
        parsed = self._parsed.get(raw)
        if parsed is None:
            parsed = parse_scan(raw, trace_hosts=self.official_hosts)
            if len(self._parsed) >= 10_000:
                self._parsed.clear()
            self._parsed[raw] = parsed
        return parsed

    async def lookup(self, *, raw: str, rate_key: str) -> Found:
        """What a code names, as the resolver needs it (alerts and the item's name), without
        recording a scan: the page it leads to scans. Counted against the client's scan
        limit; raises as :meth:`scan` does (``code_not_found``, ``code_withdrawn``...)."""
        parsed = self.parse(raw)
        if parsed.enterprise is not None:
            return await self._lookup_enterprise(parsed, rate_key)
        key = cache_key(parsed)
        await self.cache.sync()
        held = self._entries.get(key)
        allowed, wait, values = await self.store.hit_and_get(
            f"rate:scan:{rate_key}", window=self.settings.scan_rate_window,
            limit=self.settings.scan_rate_limit, keys=[entry_key(key)],
            known=held and held.stamp)
        if not allowed:
            raise RateLimited(T("扫码过于频繁，请稍后再试"), retry_after=max(1, math.ceil(wait)))
        stored = values[0] if self.cache.enabled else None
        if stored is None:
            entry = await self.build(parsed, key)
        elif held is not None and stored == held.stamp:
            entry = held
        else:
            entry = self._hold(key, Entry.decode(stored))
        body = orjson.loads(entry.body)
        return Found(parsed, orjson.loads(entry.alerts), (body.get("product") or {}).get("name"))

    async def _lookup_enterprise(self, parsed: ParsedCode, rate_key: str) -> Found:
        allowed, wait = await self.store.hit(
            f"rate:scan:{rate_key}", window=self.settings.scan_rate_window,
            limit=self.settings.scan_rate_limit)
        if not allowed:
            raise RateLimited(T("扫码过于频繁，请稍后再试"), retry_after=max(1, math.ceil(wait)))
        if self.enterprise_answer is None:
            raise NotFound(NO_ENTERPRISE_VIEW, field="code", code="enterprise_code_unsupported")
        answer = orjson.loads(await self.enterprise_answer(parsed.enterprise, parsed.form, []))
        return Found(parsed, answer["alerts"], answer["enterprise"].get("name"))

    async def _scan_enterprise(self, parsed: ParsedCode, rate_key: str,
                               serving_host: Callable[[], str | None] | None,
                               lang: str) -> bytes:
        """An enterprise's own code: its public profile (rate-limited like any scan), warned
        about like a trace URL when its URL names another host."""
        allowed, wait = await self.store.hit(
            f"rate:scan:{rate_key}", window=self.settings.scan_rate_window,
            limit=self.settings.scan_rate_limit)
        if not allowed:
            raise RateLimited(T("扫码过于频繁，请稍后再试。"),
                              retry_after=max(1, math.ceil(wait)))
        if self.enterprise_answer is None:
            raise NotFound(NO_ENTERPRISE_VIEW, field="code", code="enterprise_code_unsupported")
        extra = []
        if parsed.host and not hosts.is_official(
                parsed.host, self.official_hosts, serving_host() if serving_host else None):
            extra.append(hosts.unofficial_host_alert(parsed.host, parsed.form))
        return await self.enterprise_answer(parsed.enterprise, parsed.form, extra, lang)

    async def build(self, parsed: ParsedCode, key: str, lang: str = DEFAULT) -> Entry:
        """Build the view from the database, its sentences in ``lang``, and cache it (cache
        miss)."""
        version = await self.cache.version()
        now = self.clock()
        rows = await fetch_view_rows(await resolve(parsed), depth=self.settings.trace_depth)
        view = build_view(rows, today=now.astimezone(SHANGHAI).date(), limits=self.limits)
        batch = view.body.get("batch") or {}
        alerts, body = view.alerts, view.body
        if lang != DEFAULT:
            alerts, body = translate_tree(alerts, lang), translate_tree(body, lang)
        entry = Entry(view.subject, view.level, batch.get("batch_id"), view.quantity,
                      view.status, orjson.dumps(alerts), orjson.dumps(body))
        if await self.cache.put(key, entry.encode(), tags=view.tags, version=version,
                                ttl=seconds_to_midnight(now)):
            self._hold(key, entry)
        return entry

    def _hold(self, key: str, entry: Entry) -> Entry:
        if len(self._entries) >= 1000 and key not in self._entries:
            self._entries.clear()
        self._entries[key] = entry
        return entry

    async def on_change(self, touched: dict[str, set[str]]) -> None:
        """Outbox handler: drop every cached view that shows something an import touched."""
        tags = {f"{kind}:{key}" for kind, keys in touched.items() for key in keys}
        batches = list(touched.get("batch", ()))
        for start in range(0, len(batches), 1000):
            products = await Batch.filter(batch_id__in=batches[start:start + 1000]) \
                .values_list("product_id", flat=True)
            tags.update(f"batches-of:{p}" for p in products)
        codes = list(touched.get("code", ()))
        for start in range(0, len(codes), 1000):
            aliases = await CodeAlias.filter(code_id__in=codes[start:start + 1000]) \
                .values_list("alias", flat=True)
            tags.update(f"code:{a}" for a in aliases)
        await self.cache.invalidate(tags)

    async def close(self) -> None:
        try:
            await self.recorder.flush()
        finally:
            self.cache.close()


def seconds_to_midnight(now: datetime) -> float:
    """Seconds until the next midnight in Asia/Shanghai: date-based alerts change there."""
    local = now.astimezone(SHANGHAI)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    return max(1.0, (midnight - local).total_seconds())


def thresholds(settings: Settings) -> Thresholds:
    """The counterfeit-suspicion thresholds of the ``GONGZHI_SUSPECT_*`` settings."""
    return Thresholds(
        notice_people=settings.suspect_notice_people,
        alert_people=settings.suspect_alert_people,
        alert_cities=settings.suspect_alert_cities,
        min_distance_km=settings.suspect_distance_km,
        window=timedelta(hours=settings.suspect_window_hours),
        max_speed_kmh=settings.suspect_max_speed_kmh,
        max_item_people=settings.suspect_max_item_people)


def render(entry: Entry, scans: dict, extra: list[dict] = ()) -> bytes:
    """The answer: per-scan status, alerts and scans spliced before the cached body. The
    per-scan alerts (``extra``: an unofficial host, counterfeit suspicion) join the cached
    ones in severity order."""
    status, alerts = entry.status, entry.alerts
    if extra:
        status = rules.worse_status(status, rules.status_of(extra))
        alerts = orjson.dumps(rules.sort_alerts([*orjson.loads(alerts), *extra]))
    return b"".join((b'{"status":"', status.encode(), b'","alerts":', alerts, b',"scans":',
                     orjson.dumps(scans), entry.tail))

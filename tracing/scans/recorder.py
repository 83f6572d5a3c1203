"""Scan recording and scan statistics, kept off the answer's path.

Every scan is appended to an in-memory buffer (no I/O); :class:`ScanRecorder` writes the buffer
in one bulk insert every ``flush_ms`` (or at once when it holds ``max_batch`` scans) and then
updates the cheap counters the view shows, in the KeyValueStore:

- ``scan:n:<subject>`` scans so far; ``scan:first:<subject>`` the first scan (time, city);
- ``scan:me:<subject>:<user_hash>`` scans by one logged-in person;
- ``scan:sus:<subject>`` counterfeit-suspicion reasons, re-assessed from the database rows
  (``tracing.scans.suspicion``) after each flush, only when the counters make a rule reachable: an
  item code scanned twice, a case code scanned more than its packs allow, a batch code scanned
  more than three times its quantity (so a batch code on every pack never pays for it).

The database rows are authoritative: when a counter is missing (Redis restarted) it is rebuilt
from them. A scan shows counters up to ``flush_ms`` old, plus itself. When the database is
unreachable the buffer keeps at most ``max_buffer`` scans and drops the oldest.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson
from tortoise import connections

from core.clock import SHANGHAI, aware, parse_instant
from core.db import is_postgres, param_marks
from core.errors import InvalidInput
from core.kv import KeyValueStore
from tracing.scans import places
from tracing.scans.models import Scan
from tracing.scans.suspicion import ScanRecord, Thresholds, assess_suspicion

log = logging.getLogger("gongzhi.scans")
CHANNELS = ("miniapp", "h5", "kiosk")
KIOSK_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class ScanClient:
    """Who scanned, as far as the public view may know: channel, kiosk, city-level place."""

    channel: str = "h5"
    kiosk_id: str | None = None
    city: str | None = None
    lat: float | None = None  # rounded to 0.1 degree
    lng: float | None = None
    user_hash: str | None = None


def scan_client(*, channel: str | None, kiosk: str | None, lat: str | None, lng: str | None,
                city: str | None, user_hash: str | None = None) -> ScanClient:
    """Validate what the client says about the scan; bad values are 400 with their field."""
    return _scan_client(channel, kiosk, lat, lng, city, user_hash)


@functools.lru_cache(maxsize=4096)
def _scan_client(channel, kiosk, lat, lng, city, user_hash) -> ScanClient:
    """:func:`scan_client`, cached: kiosks and apps send the same values scan after scan."""
    channel = (channel or "h5").strip().lower()
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel",
                           code="invalid_channel")
    if kiosk is not None and kiosk != "":
        if channel != "kiosk":
            raise InvalidInput("kiosk is only given with channel=kiosk", field="kiosk",
                               code="invalid_kiosk")
        if not KIOSK_RE.match(kiosk):
            raise InvalidInput("kiosk must be 1-64 letters, digits, '.', '_' or '-'",
                               field="kiosk", code="invalid_kiosk")
    elif channel == "kiosk":
        raise InvalidInput("a kiosk scan names its kiosk", field="kiosk", code="invalid_kiosk")
    position = None
    if lat not in (None, "") or lng not in (None, ""):
        try:
            flat, flng = float(lat), float(lng)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidInput("lat and lng are decimal degrees, given together",
                               field="lat" if lat in (None, "") or not _is_float(lat) else "lng",
                               code="invalid_location") from None
        if not places.valid_position(flat, flng):
            raise InvalidInput("lat must be within ±90 and lng within ±180", field="lat",
                               code="invalid_location")
        position = places.coarse(flat, flng)
    named = places.clean_city(city) if city else None
    if city and named is None:
        raise InvalidInput("city is a place name of at most 40 characters", field="city",
                           code="invalid_location")
    if named is None and position is not None:
        named = places.nearest_city(*position)
    return ScanClient(channel=channel, kiosk_id=kiosk or None, city=named,
                      lat=position[0] if position else None,
                      lng=position[1] if position else None, user_hash=user_hash)


def _is_float(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def stat_keys(subject: str, user_hash: str | None) -> list[str]:
    """The counters a scan reads, in the order :func:`scan_stats` expects them."""
    keys = [f"scan:n:{subject}", f"scan:first:{subject}", f"scan:sus:{subject}"]
    if user_hash:
        keys.append(f"scan:me:{subject}:{user_hash}")
    return keys


def scan_stats(values: list[bytes | None], *, client: ScanClient,
               now: datetime) -> tuple[dict, list[str]]:
    """The ``scans`` block (this scan included) and the suspicion reasons, from counters."""
    count = int(values[0] or 0)
    first = orjson.loads(values[1]) if values[1] else None
    reasons = orjson.loads(values[2]) if values[2] else []
    mine = int(values[3] or 0) if len(values) > 3 else None
    if first is None:
        first = {"at": now.astimezone(SHANGHAI).isoformat(), "city": client.city}
    block = {"count": count + 1, "first": first,
             "you_before": mine, "others": max(0, count - (mine or 0))}
    return block, reasons


@dataclass
class _Pending:
    subject: str
    level: str
    batch_id: str | None
    quantity: float | None
    at: datetime
    client: ScanClient


class ScanRecorder:
    """Buffer scans and write them in batches (see the module docstring)."""

    def __init__(self, store: KeyValueStore, *, flush_ms: int = 1000, max_batch: int = 2000,
                 max_buffer: int = 100_000, thresholds: Thresholds = Thresholds()):
        self.store = store
        self.interval = flush_ms / 1000
        self.max_batch = max_batch
        self.max_buffer = max_buffer
        self.thresholds = thresholds
        self._buffer: list[_Pending] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.dropped = 0
        self._assessed: dict[str, tuple[int, float]] = {}

    def record(self, *, subject: str, level: str, batch_id: str | None,
               quantity: float | None, at: datetime, client: ScanClient) -> None:
        """Queue one scan (no I/O)."""
        self._buffer.append(_Pending(subject, level, batch_id, quantity, at, client))
        if len(self._buffer) > self.max_buffer:
            excess = len(self._buffer) - self.max_buffer
            del self._buffer[:excess]
            self.dropped += excess
            log.warning("scan buffer full: dropped %d oldest scans", excess)
        if len(self._buffer) >= self.max_batch:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    async def run(self) -> None:
        """Flush forever (the background task of a serving process)."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("writing scans failed; %d stay buffered", len(self._buffer))

    async def flush(self) -> int:
        """Write everything buffered; return how many scans were written."""
        written = 0
        async with self._lock:
            while self._buffer:
                batch, self._buffer = self._buffer[:self.max_batch], self._buffer[self.max_batch:]
                try:
                    await _insert(batch)
                except Exception:
                    self._buffer[:0] = batch
                    raise
                written += len(batch)
                await self._count(batch)
        return written

    async def _count(self, batch: list[_Pending]) -> None:
        per_subject = Counter(p.subject for p in batch)
        per_user = Counter((p.subject, p.client.user_hash) for p in batch if p.client.user_hash)
        last = {p.subject: p for p in batch}
        firsts = {}
        for p in batch:
            firsts.setdefault(p.subject, p)
        for subject, n in per_subject.items():
            total = await self.store.incr(f"scan:n:{subject}", n)
            if total == n:  # a new counter: rebuild it from the authoritative rows
                total = await self._rebuild(subject, total, firsts[subject])
            if _worth_assessing(last[subject], total, self.thresholds) and self._due(
                    last[subject], total):
                await self._assess(last[subject])
        for (subject, user), n in per_user.items():
            await self.store.incr(f"scan:me:{subject}:{user}", n)

    def _due(self, p: _Pending, total: int) -> bool:
        """Items every flush (few rows); busy batch and case codes when their count grew by a
        quarter or five minutes passed, so a code scanned all day is not re-read each second."""
        if p.level == "item":
            return True
        now = time.monotonic()
        seen = self._assessed.get(p.subject)
        if seen and total < seen[0] * 1.25 and now - seen[1] < 300:
            return False
        if len(self._assessed) > 100_000:
            self._assessed.clear()
        self._assessed[p.subject] = (total, now)
        return True

    async def _rebuild(self, subject: str, total: int, first: _Pending) -> int:
        stored = await Scan.filter(subject=subject).count()
        if stored > total:
            total = await self.store.incr(f"scan:n:{subject}", stored - total)
            if first.client.user_hash:
                mine = await Scan.filter(subject=subject, user_hash=first.client.user_hash).count()
                await self.store.set(f"scan:me:{subject}:{first.client.user_hash}",
                                     str(max(0, mine - 1)).encode())
        earliest = await Scan.filter(subject=subject).order_by("scanned_at", "id").first()
        at, city = (earliest.scanned_at, earliest.city) if earliest else (first.at,
                                                                          first.client.city)
        await self.store.set(f"scan:first:{subject}", orjson.dumps(
            {"at": aware(at).astimezone(SHANGHAI).isoformat(), "city": city}))
        return total

    async def _assess(self, p: _Pending) -> None:
        records = await _recent_scans(p.subject, limit=5000)
        level = p.level if p.level in ("batch", "case", "item") else "batch"
        quantity = int(p.quantity) if p.quantity else None
        verdict = assess_suspicion(records, level=level, quantity=quantity,
                                   thresholds=self.thresholds)
        key = f"scan:sus:{p.subject}"
        if verdict.suspect:
            await self.store.set(key, orjson.dumps(verdict.reasons))
        else:
            await self.store.delete(key)


def _worth_assessing(p: _Pending, total: int, limits: Thresholds) -> bool:
    if p.level == "item":
        return total >= 2
    if p.level == "case":
        return total > limits.case_people_factor * limits.default_case_packs
    if p.level == "batch":
        return bool(p.quantity) and total > limits.batch_people_factor * p.quantity
    return False


async def _recent_scans(subject: str, *, limit: int) -> list[ScanRecord]:
    """The latest ``limit`` scans of one code, read without ORM objects or per-field
    conversion (a busy code's assessment reads thousands of rows beside live scans)."""
    conn = connections.get(Scan._meta.default_connection or "default")
    subject_mark, limit_mark = param_marks(conn, 2)
    sql = ("SELECT scanned_at, city, lat, lng, user_hash, channel FROM scan "
           f"WHERE subject = {subject_mark} ORDER BY scanned_at DESC LIMIT {limit_mark}")
    _, rows = await conn.execute_query(sql, [subject, limit])
    return [ScanRecord(at=parse_instant(r[0]), city=r[1], lat=r[2], lng=r[3], user_hash=r[4],
                       channel=r[5]) for r in rows]


_COLUMNS = ("subject", "level", "batch_id", "scanned_at", "channel", "kiosk_id", "city", "lat",
            "lng", "user_hash")


async def _insert(batch: list[_Pending]) -> None:
    """One multi-row insert without building ORM objects (the flush runs beside scans)."""
    conn = connections.get(Scan._meta.default_connection or "default")
    postgres = is_postgres(conn)
    marks = ", ".join(param_marks(conn, len(_COLUMNS)))
    rows = []
    for p in batch:
        c = p.client
        at = p.at.astimezone(timezone.utc)
        rows.append([p.subject[:128], p.level, p.batch_id, at if postgres else str(at),
                     c.channel, c.kiosk_id, c.city, c.lat, c.lng, c.user_hash])
    await conn.execute_many(f"INSERT INTO scan ({', '.join(_COLUMNS)}) VALUES ({marks})", rows)

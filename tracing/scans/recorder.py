"""Scan recording and scan statistics, kept off the answer's path.

Every scan is appended to an in-memory buffer (no I/O); :class:`ScanRecorder` writes the buffer
in one bulk insert every ``flush_ms`` (or at once when it holds ``max_batch`` scans) and then
updates the cheap counters the view shows, in the KeyValueStore:

- ``scan:v:<subject>`` the public count: distinct viewers so far (``tracing.scans.viewers``:
  a logged-in person once, a registered kiosk or an anonymous client once a day), from the
  rows marked ``counted``; ``scan:seen:<subject>:<viewer>`` marks a kiosk's or an anonymous
  client's day as counted (expires);
- ``scan:n:<subject>`` scans so far (requests: what the suspicion rules read, never shown);
  ``scan:first:<subject>`` the first scan: its time and
  the city-level division the server derived for it, kept only when that scan was trusted
  (``tracing.scans.client``); the city is named when shown, never stored as text;
- ``scan:me:<subject>:<user_hash>`` scans by one logged-in person (a person is counted as a
  viewer when it first becomes non-zero and no earlier row of theirs is in the database);
- ``scan:sus:<subject>`` the counterfeit-suspicion verdict (``Suspicion.as_dict``: a notice or
  the alert), re-assessed from the database rows (``tracing.scans.suspicion``, trusted scans
  only) after each flush, only when the counters make a rule reachable: an item code scanned
  twice, a case code scanned more than its packs allow, a batch code scanned more than three
  times its quantity (so a batch code on every pack never pays for it). A value of another
  shape (an older release's list of reasons) shows nothing.

A registered kiosk's scan carries the kiosk's id of it (``scan_id``, the same on every resend
from its offline queue): a scan whose id is already recorded for that kiosk, or repeated in the
batch, is dropped before the insert and not counted (the unique index of migration 0012 keeps a
race between two processes out of the rows as well).

The database rows are authoritative: when a counter is missing (Redis restarted) it is rebuilt
from them (the viewer count from the rows marked ``counted``; a lost day mark may count an
anonymous client or kiosk a second time that day). A scan shows counters up to ``flush_ms`` old, plus itself. When the database is
unreachable the buffer keeps at most ``max_buffer`` scans and drops the oldest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson
from tortoise import connections

from core.clock import SHANGHAI, aware, parse_instant
from core.db import is_postgres, param_marks
from core.kv import KeyValueStore
from tracing.scans import places
from tracing.scans.client import ScanClient
from tracing.scans.models import Scan
from tracing.scans.suspicion import ScanRecord, Thresholds, assess_suspicion
from tracing.scans.viewers import SEEN_TTL, day_of, seen_key, viewer_of

log = logging.getLogger("gongzhi.scans")


def stat_keys(subject: str, viewer: str | None) -> list[str]:
    """The counters a scan reads, in the order :func:`scan_stats` expects them; ``viewer``
    (``tracing.scans.viewers.viewer_of``) adds whether it is counted already."""
    keys = [f"scan:v:{subject}", f"scan:first:{subject}", f"scan:sus:{subject}"]
    if viewer:
        keys.append(seen_key(subject, viewer))
    return keys


def scan_stats(values: list[bytes | None], *, client: ScanClient, now: datetime,
               viewer: str | None = None) -> tuple[dict, object]:
    """The ``scans`` block and the stored suspicion verdict, from counters. ``count`` is the
    number of distinct viewers, this one included (counted at most once, however often it
    asks); ``you_before`` a logged-in person's own earlier scans. The first scan's city is
    named from its server-derived division, and only when that scan was trusted
    (``ScanClient.shown_division``)."""
    viewers = int(values[0] or 0)
    mark = values[3] if viewer and len(values) > 3 else None
    person = bool(viewer and viewer.startswith("p:"))
    mine = int(mark or 0) if person else None
    count = viewers + (0 if mark is not None and int(mark or 0) > 0 else 1)
    if values[1]:
        first = orjson.loads(values[1])
        at, division = first.get("at"), first.get("division")
    else:
        at, division = now.astimezone(SHANGHAI).isoformat(), client.shown_division
    block = {"count": count, "first": {"at": at, "city": places.city_name(division)},
             "you_before": mine, "others": count - 1}
    return block, orjson.loads(values[2]) if values[2] else None


@dataclass
class _Pending:
    subject: str
    level: str
    batch_id: str | None
    quantity: float | None
    at: datetime
    client: ScanClient
    viewer: str = ""
    scan_id: str | None = None
    counted: bool | None = None  # decided once, when first written (kept on a retry)


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
               quantity: float | None, at: datetime, client: ScanClient,
               scan_id: str | None = None, anonymous: str = "-",
               viewer: str | None = None) -> None:
        """Queue one scan (no I/O); ``anonymous`` names the client when it is neither a person
        nor a registered kiosk (``tracing.scans.viewers.anonymous_id``); ``viewer``, when the
        caller knows it already, is ``viewer_of`` the client."""
        viewer = viewer or viewer_of(client, anonymous=anonymous, day=day_of(at))
        self._buffer.append(_Pending(subject, level, batch_id, quantity, at, client, viewer,
                                     scan_id))
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
                    fresh = await _unseen(batch)
                    await self._decide(fresh)
                    await _insert(fresh)
                except Exception:
                    self._buffer[:0] = batch
                    raise
                written += len(fresh)
                if fresh:
                    await self._count(fresh)
        return written

    async def _decide(self, batch: list[_Pending]) -> None:
        """Mark the scans that bring a new viewer (``counted``): the first of each viewer not
        yet seen; a person already in the database is not new, whatever the counters say."""
        groups: dict[tuple[str, str], list[_Pending]] = {}
        for p in batch:
            if p.counted is None:
                groups.setdefault((p.subject, p.viewer), []).append(p)
        for (subject, viewer), pending in groups.items():
            person = viewer.startswith("p:")
            total = await self.store.incr(seen_key(subject, viewer), len(pending),
                                          ttl=None if person else SEEN_TTL)
            new = total == len(pending)
            if new and person:
                earlier = await Scan.filter(subject=subject, user_hash=viewer[2:]).count()
                if earlier:
                    new = False
                    await self.store.incr(seen_key(subject, viewer), earlier)
            for i, p in enumerate(pending):
                p.counted = new and i == 0

    async def _count(self, batch: list[_Pending]) -> None:
        per_subject = Counter(p.subject for p in batch)
        viewers = Counter(p.subject for p in batch if p.counted)
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
            added = viewers[subject]
            shown = await self.store.incr(f"scan:v:{subject}", added)
            if shown == added:  # a new counter (or a new code): the counted rows decide
                stored = await Scan.filter(subject=subject, counted=True).count()
                if stored > shown:
                    await self.store.incr(f"scan:v:{subject}", stored - shown)

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
        earliest = await Scan.filter(subject=subject).order_by("scanned_at", "id").first()
        if earliest is not None:
            at = earliest.scanned_at
            division = earliest.division if earliest.source != "anonymous" else None
        else:
            at, division = first.at, first.client.shown_division
        await self.store.set(f"scan:first:{subject}", orjson.dumps(
            {"at": aware(at).astimezone(SHANGHAI).isoformat(), "division": division}))
        return total

    async def _assess(self, p: _Pending) -> None:
        records = await _recent_scans(p.subject, limit=5000)
        level = p.level if p.level in ("batch", "case", "item") else "batch"
        quantity = int(p.quantity) if p.quantity else None
        verdict = assess_suspicion(records, level=level, quantity=quantity,
                                   thresholds=self.thresholds)
        key = f"scan:sus:{p.subject}"
        if verdict.level is not None:
            await self.store.set(key, orjson.dumps(verdict.as_dict()))
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
    sql = ("SELECT scanned_at, division, lat, lng, user_hash, kiosk_id, source FROM scan "
           f"WHERE subject = {subject_mark} ORDER BY scanned_at DESC LIMIT {limit_mark}")
    _, rows = await conn.execute_query(sql, [subject, limit])
    return [ScanRecord(at=parse_instant(r[0]), city=r[1], city_name=places.city_name(r[1]),
                       lat=r[2], lng=r[3], user_hash=r[4] if r[6] == "person" else None,
                       kiosk_id=r[5] if r[6] == "kiosk" else None) for r in rows]


_COLUMNS = ("subject", "level", "batch_id", "scanned_at", "channel", "kiosk_id", "source",
            "division", "lat", "lng", "user_hash", "scan_id", "counted")


async def _unseen(batch: list[_Pending]) -> list[_Pending]:
    """``batch`` without the kiosk scans already recorded (same kiosk, same scan id) and
    without the repeats within it."""
    ids = sorted({p.scan_id for p in batch if p.scan_id})
    if not ids:
        return batch
    conn = connections.get(Scan._meta.default_connection or "default")
    _, rows = await conn.execute_query(
        f"SELECT kiosk_id, scan_id FROM scan WHERE scan_id IN "
        f"({', '.join(param_marks(conn, len(ids)))})", ids)
    seen = {(r[0], r[1]) for r in rows}
    fresh = []
    for p in batch:
        if p.scan_id:
            key = (p.client.kiosk_id, p.scan_id)
            if key in seen:
                continue
            seen.add(key)
        fresh.append(p)
    return fresh


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
                     c.channel, c.kiosk_id, c.source, c.division, c.lat, c.lng, c.user_hash,
                     p.scan_id, bool(p.counted)])
    if rows:
        await conn.execute_many(f"INSERT INTO scan ({', '.join(_COLUMNS)}) VALUES ({marks}) "
                                "ON CONFLICT DO NOTHING", rows)

"""The kiosk's local SQLite file: trace views of recently and frequently scanned codes (shown,
marked as offline data with their age, when the server is unreachable) and the durable queue
of scans not yet delivered to the server.

A scan is queued before it is sent and deleted only when the server has handled it, so a crash
or a power cut loses none (``synchronous=FULL``); each queued scan keeps its id, sent with
every retry, so a server can recognise a repeat. ``next_at`` keeps the live request and the
background sender off the same row: the live path claims a new scan for ``claim_seconds``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS view (
    code TEXT PRIMARY KEY, status INTEGER NOT NULL, body BLOB NOT NULL,
    fetched_at REAL NOT NULL, hits INTEGER NOT NULL DEFAULT 0, last_scan REAL NOT NULL);
CREATE INDEX IF NOT EXISTS view_last ON view (last_scan);
CREATE INDEX IF NOT EXISTS view_hits ON view (hits);
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, scan_id TEXT NOT NULL UNIQUE, code TEXT NOT NULL,
    scanned_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL,
    last_error TEXT);
CREATE INDEX IF NOT EXISTS queue_due ON queue (next_at, id);
"""


@dataclass(frozen=True)
class CachedView:
    code: str
    status: int  # the HTTP status it came with: 200, 404 or 410
    body: dict
    fetched_at: float  # epoch seconds
    hits: int


@dataclass(frozen=True)
class QueuedScan:
    id: int
    scan_id: str
    code: str
    scanned_at: datetime
    attempts: int


class OfflineStore:
    """Thread-safe (one connection behind a lock; the kiosk writes a few rows a minute)."""

    def __init__(self, path: str | Path, *, max_views: int = 2000, max_queue: int = 100_000,
                 claim_seconds: float = 30.0, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_views, self.max_queue, self.claim = max_views, max_queue, claim_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------ views

    def save_view(self, code: str, status: int, body: dict) -> None:
        """Keep the server's answer for ``code``; trims the table past ``max_views``."""
        now = self.clock()
        with self._lock:
            self._db.execute(
                "INSERT INTO view (code, status, body, fetched_at, hits, last_scan) "
                "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT(code) DO UPDATE SET status = "
                "excluded.status, body = excluded.body, fetched_at = excluded.fetched_at, "
                "hits = view.hits + 1, last_scan = excluded.last_scan",
                (code, status, orjson.dumps(body), now, now))
            self._trim()

    def _trim(self) -> None:
        """Past ``max_views``: keep the most recently scanned half and the most often scanned
        half, drop the rest."""
        (count,) = self._db.execute("SELECT count(*) FROM view").fetchone()
        if count <= self.max_views:
            return
        keep = self.max_views // 2
        self._db.execute(
            "DELETE FROM view WHERE code NOT IN (SELECT code FROM view ORDER BY last_scan DESC "
            "LIMIT ?) AND code NOT IN (SELECT code FROM view ORDER BY hits DESC, last_scan DESC "
            "LIMIT ?)", (keep, self.max_views - keep))

    def view(self, code: str, *, note_scan: bool = True) -> CachedView | None:
        """The kept answer for ``code`` (counted as a scan of it), or None."""
        with self._lock:
            row = self._db.execute("SELECT code, status, body, fetched_at, hits FROM view "
                                   "WHERE code = ?", (code,)).fetchone()
            if row is None:
                return None
            if note_scan:
                self._db.execute("UPDATE view SET hits = hits + 1, last_scan = ? WHERE code = ?",
                                 (self.clock(), code))
        try:
            body = orjson.loads(row[2])
        except orjson.JSONDecodeError:
            return None
        return CachedView(row[0], row[1], body, row[3], row[4])

    def view_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM view").fetchone()[0]

    # ------------------------------------------------------------ queue

    def enqueue(self, code: str, *, scanned_at: datetime | None = None,
                claimed: bool = True) -> QueuedScan:
        """Queue a scan durably; ``claimed``: the caller sends it now (the background sender
        leaves it alone for ``claim_seconds``)."""
        scan_id = str(uuid.uuid4())
        scanned_at = scanned_at or datetime.now(UTC)
        now = self.clock()
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO queue (scan_id, code, scanned_at, next_at) VALUES (?, ?, ?, ?)",
                (scan_id, code, scanned_at.isoformat(), now + self.claim if claimed else now))
            self._cap()
        return QueuedScan(cur.lastrowid, scan_id, code, scanned_at, 0)

    def _cap(self) -> None:
        (count,) = self._db.execute("SELECT count(*) FROM queue").fetchone()
        if count > self.max_queue:  # weeks offline: the oldest go first, and are logged
            import logging

            logging.getLogger("kiosk.store").error(
                "scan queue over %d: dropping the %d oldest", self.max_queue,
                count - self.max_queue)
            self._db.execute("DELETE FROM queue WHERE id IN (SELECT id FROM queue ORDER BY id "
                             "LIMIT ?)", (count - self.max_queue,))

    def claim_due(self, limit: int = 50) -> list[QueuedScan]:
        """Up to ``limit`` scans whose time has come, oldest first, claimed for the caller."""
        now = self.clock()
        with self._lock:
            rows = self._db.execute(
                "SELECT id, scan_id, code, scanned_at, attempts FROM queue WHERE next_at <= ? "
                "ORDER BY id LIMIT ?", (now, limit)).fetchall()
            if rows:
                self._db.execute(
                    f"UPDATE queue SET next_at = ? WHERE id IN ({','.join('?' * len(rows))})",
                    (now + self.claim, *[r[0] for r in rows]))
        return [QueuedScan(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4]) for r in rows]

    def delivered(self, scan_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM queue WHERE scan_id = ?", (scan_id,))

    def retry_later(self, scan_id: str, *, delay: float, error: str | None = None) -> None:
        with self._lock:
            self._db.execute("UPDATE queue SET attempts = attempts + 1, next_at = ?, "
                             "last_error = ? WHERE scan_id = ?",
                             (self.clock() + delay, error, scan_id))

    def unclaim(self, scan_ids: list[str]) -> None:
        """Hand claimed scans back, due now (a batch cut short)."""
        if not scan_ids:
            return
        with self._lock:
            self._db.execute(f"UPDATE queue SET next_at = ? WHERE scan_id IN "
                             f"({','.join('?' * len(scan_ids))})", (self.clock(), *scan_ids))

    def pending(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM queue").fetchone()[0]

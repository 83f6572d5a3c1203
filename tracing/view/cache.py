"""Trace views cached in the KeyValueStore, invalidated by tag when an import commits.

An entry ``view:<key>`` is added to the set ``vtag:<tag>`` of each tag it depends on
(``code:X``, ``batch:X``, ``product:X``, ``enterprise:X``); :meth:`ViewCache.invalidate`
pops those sets and deletes their entries. A view read before an import commits must not be
stored after the import invalidated: a version counter is read before the view is built and
checked before it is stored (a view built across an invalidation is served, not cached).

Redis is shared by every worker and by ``gongzhi import``. The in-process ``MemoryStore`` of
the embedded default is not, so there :class:`InvalidationBus` carries the invalidated tags
between processes through a small SQLite file in the data directory: publishing appends rows
and then writes the newest row id into an 8-byte memory-mapped file beside it; each process
compares that number with the last one it saw before every cached read (a plain memory read:
no query, no system call, the GIL kept) and reads the rows only when it moved.
"""

from __future__ import annotations

import logging
import mmap
import os
import sqlite3
import threading
import time
from pathlib import Path

from core.kv import KeyValueStore

log = logging.getLogger("gongzhi.view_cache")
VERSION_KEY = "view:version"


def entry_key(key: str) -> str:
    return "view:" + key


def tag_key(tag: str) -> str:
    return "vtag:" + tag


class InvalidationBus:
    """Invalidated tags shared between the processes of one data directory (embedded mode)."""

    KEEP_SECONDS = 3600

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=10, check_same_thread=False,
                                   isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS invalidation "
                         "(id INTEGER PRIMARY KEY AUTOINCREMENT, tag TEXT NOT NULL, at REAL)")
        self._seq = _shared_counter(path.with_name(path.name + ".seq"))
        self._seen = self._read_seq()
        self._last = self._max_id()

    def _max_id(self) -> int:
        return self._db.execute("SELECT COALESCE(MAX(id), 0) FROM invalidation").fetchone()[0]

    def _read_seq(self) -> int:
        return int.from_bytes(self._seq[:8], "little")

    def publish(self, tags: list[str]) -> None:
        """Tell the other processes (this one has already dropped the tags itself)."""
        if not tags:
            return
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                # Rows others published since our last poll must still reach our poll.
                caught_up = self._max_id() == self._last
                self._db.executemany("INSERT INTO invalidation (tag, at) VALUES (?, ?)",
                                     [(t, now) for t in tags])
                newest = self._max_id()
                self._db.execute("DELETE FROM invalidation WHERE at < ?",
                                 (now - self.KEEP_SECONDS,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            # Only after the commit: a reader that sees the number finds the rows.
            self._seq[:8] = newest.to_bytes(8, "little")
            if caught_up:  # our own rows are not news to us
                self._last, self._seen = newest, newest

    def poll(self) -> list[str]:
        """Tags other processes invalidated since the last poll (usually none, cheaply)."""
        if self._read_seq() == self._seen:
            return []
        with self._lock:
            self._seen = self._read_seq()
            rows = self._db.execute("SELECT id, tag FROM invalidation WHERE id > ? ORDER BY id",
                                    (self._last,)).fetchall()
            if rows:
                self._last = rows[-1][0]
            return [tag for _, tag in rows]

    def close(self) -> None:
        self._seq.close()
        self._db.close()


def _shared_counter(path: Path) -> mmap.mmap:
    """An 8-byte file mapped shared, so a write by one process is seen by every other."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if os.fstat(fd).st_size < 8:
            os.ftruncate(fd, 8)
        return mmap.mmap(fd, 8, access=mmap.ACCESS_WRITE)
    finally:
        os.close(fd)


class ViewCache:
    """Tagged trace-view entries over a KeyValueStore; ``ttl`` 0 turns caching off."""

    def __init__(self, store: KeyValueStore, *, ttl: float, bus: InvalidationBus | None = None):
        self.store = store
        self.ttl = ttl
        self.bus = bus

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    async def version(self) -> bytes | None:
        return await self.store.get(VERSION_KEY) if self.enabled else None

    async def put(self, key: str, value: bytes, *, tags: set[str], version: bytes | None,
                  ttl: float | None = None) -> bool:
        """Store unless an invalidation happened since ``version`` was read; True if stored."""
        if not self.enabled:
            return False
        if await self.store.get(VERSION_KEY) != version:
            return False
        await self.store.set_tagged(entry_key(key), value, ttl=min(self.ttl, ttl or self.ttl),
                                    tags=[tag_key(t) for t in sorted(tags)])
        return True

    async def sync(self) -> None:
        """Drop what other processes invalidated (embedded mode; nothing to do on Redis)."""
        if self.bus is not None:
            tags = self.bus.poll()
            if tags:
                await self._drop(tags)

    async def invalidate(self, tags: set[str]) -> int:
        """Delete every entry depending on any of ``tags``; return how many."""
        if not tags:
            return 0
        await self.store.incr(VERSION_KEY)
        dropped = await self._drop(sorted(tags))
        if self.bus is not None:
            self.bus.publish(sorted(tags))
        return dropped

    async def _drop(self, tags: list[str]) -> int:
        await self.store.incr(VERSION_KEY)
        keys: set[str] = set()
        for tag in tags:
            keys |= await self.store.spop_all(tag_key(tag))
        return await self.store.delete(*keys) if keys else 0

    def close(self) -> None:
        if self.bus is not None:
            self.bus.close()

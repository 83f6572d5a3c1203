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

import asyncio
import logging
import mmap
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from core.db import bump_generation, read_generation
from core.kv import KeyValueStore

log = logging.getLogger("gongzhi.view_cache")
VERSION_KEY = "view:version"
GENERATION_KEY = "view:generation"  # the database generation the store's views are true to
GENERATION = "view_cache"  # its name in the database's generation table
CHECK_EVERY = 0.5  # seconds between a process's checks of the generation


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
    """Tagged trace-view entries over a KeyValueStore; ``ttl`` 0 turns caching off.

    Over a store that fails over (Redis, then this process's memory while Redis is down) the
    database's view generation (``core.db``, bumped by every invalidation, that is by every
    import commit that changes data) keeps the shared store honest: the store records the
    generation its invalidations reached (``GENERATION_KEY``); when Redis answers again, or
    when this process sees the gap persist across two checks ``CHECK_EVERY`` seconds apart
    (Redis restarted without this process noticing), a store behind the database loses every
    view before it serves one. While serving from memory, a generation that moved (an import
    in another process) drops this process's views.
    """

    def __init__(self, store: KeyValueStore, *, ttl: float, bus: InvalidationBus | None = None):
        self.store = store
        self.ttl = ttl
        self.bus = bus
        self._watch = store.on_reconnect(self.reconcile)
        self._seen: int | None = None  # the database generation last acted upon
        self._gap: int | None = None  # a generation the shared store was behind at last check
        self._next_check = 0.0
        self._checking: asyncio.Task | None = None

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
        """Drop what other processes invalidated: the bus (embedded mode), the database's
        generation (a store that fails over; checked in the background every
        ``CHECK_EVERY`` seconds, before the first read)."""
        if self.bus is not None:
            tags = self.bus.poll()
            if tags:
                await self._drop(tags)
        if self._watch and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + CHECK_EVERY
            if self._checking is None:
                self._checking = asyncio.ensure_future(self._check())
                if self._seen is None:
                    await asyncio.shield(self._checking)

    async def invalidate(self, tags: set[str]) -> int:
        """Delete every entry depending on any of ``tags``; return how many."""
        if not tags:
            return 0
        store = self.store
        was_degraded, outages = store.degraded, store.outages
        await store.incr(VERSION_KEY)
        dropped = await self._drop(sorted(tags))
        if self.bus is not None:
            self.bus.publish(sorted(tags))
        if self._watch:
            generation = await bump_generation(GENERATION)
            if not (was_degraded or store.degraded or store.outages != outages):
                await self._mark(store, generation)  # the shared store saw every drop
            elif not store.degraded:  # it came back while we dropped from memory
                await self.reconcile(store)
        return dropped

    async def _mark(self, store: KeyValueStore, generation: int) -> None:
        """Record in ``store`` that its invalidations reached ``generation``."""
        await store.set(GENERATION_KEY, str(generation).encode())

    async def _drop(self, tags: list[str]) -> int:
        await self.store.incr(VERSION_KEY)
        keys: set[str] = set()
        for tag in tags:
            keys |= await self.store.spop_all(tag_key(tag))
        return await self.store.delete(*keys) if keys else 0

    async def reconcile(self, store: KeyValueStore) -> None:
        """Before ``store`` serves views again: empty it if it is behind the database's
        generation (an import's invalidation missed it); the reconnect hook of a store that
        fails over."""
        current = await read_generation(GENERATION)
        stored = await store.get(GENERATION_KEY)
        if stored is None or int(stored) < current:
            await self.forget_all(store)
            await self._mark(store, current)
            if stored is not None:  # (none: a new or emptied store, nothing was stale)
                log.warning("the view cache in %s was behind the database (generation %s < "
                            "%s): emptied", store.name, int(stored), current)
        self._seen, self._gap = current, None

    async def forget_all(self, store: KeyValueStore) -> None:
        """Delete every view in ``store``; builds in flight will not store theirs."""
        await store.incr(VERSION_KEY)
        await store.delete_prefix(entry_key(""))  # the version counter goes too: renew it
        await store.delete_prefix(tag_key(""))
        await store.set(VERSION_KEY, str(secrets.randbits(62)).encode())

    async def _check(self) -> None:
        """Act on the database's generation (see the class docstring)."""
        try:
            current = await read_generation(GENERATION)
            if self.store.degraded:
                if current != self._seen:  # another process imported: our views may be stale
                    await self.forget_all(self.store)
                    self._seen = current
                return
            if current == self._seen and self._gap is None:
                return
            stored = await self.store.get(GENERATION_KEY)
            behind = stored is None or int(stored) < current
            if behind and self._gap == current:
                await self.reconcile(self.store)  # behind twice in a row: not in flight
                return
            self._gap = current if behind else None
            self._seen = current
        except Exception as exc:  # noqa: BLE001 - retried at the next check
            log.warning("checking the view cache generation failed: %s: %s",
                        type(exc).__name__, exc)
        finally:
            self._checking = None

    def close(self) -> None:
        if self.bus is not None:
            self.bus.close()

"""EmbeddedSearchBackend: SQLite FTS5 (trigram) + short-gram index + R*Tree, no server.

Tables and ids: :mod:`search.embedded_sql`; writing: :mod:`search.embedded_write`; ranking:
:mod:`search.embedded_ranking`. A rebuild writes a fresh file without a journal
(``journal_mode=OFF``, ``synchronous=OFF``: a crash loses only the unfinished new file),
each distinct name and other text once, the secondary indexes at the end; then WAL, swap.

Files: the live index is a versioned SQLite file ``<stem>-<n>.sqlite3`` beside ``path``;
``path`` itself is a one-line pointer naming the live file, replaced atomically
(``os.replace``) on rebuild. Every operation checks the pointer and reopens when another
process (another Sanic worker) swapped it, so no connection ever sees a file renamed under it.
The previous version is kept one generation for readers still finishing; older ones are removed.
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import AsyncIterable, Iterable

from .base import (DEFAULT_RADIUS_KM, SearchBackend, SearchDoc, SearchHit, SearchQuery,
                   SearchResult)
from core.geo import haversine_km
from .embedded_ranking import Ranked, rank
from .embedded_sources import Stats
from .embedded_sql import FTS_AUTOMERGE, FTS_TABLES, finish_indexes, prepare, set_automerge
from .embedded_bulk import BulkLoader
from .embedded_write import Writer, delete_docs, write_docs
from .match import TIER_MATCH, highlight, plan_query

BATCH = 10000


def _distance(lat1, lng1, lat2, lng2):
    if lat2 is None or lng2 is None:
        return None
    return haversine_km(lat1, lng1, lat2, lng2)


def _connect(path: Path, bulk: bool = False) -> sqlite3.Connection:
    """A connection to ``path``; ``bulk``: a fresh file no reader sees yet, without journal."""
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.execute(f"PRAGMA journal_mode={'OFF' if bulk else 'WAL'}")
    conn.execute(f"PRAGMA synchronous={'OFF' if bulk else 'NORMAL'}")
    conn.execute("PRAGMA cache_size=-65536")
    conn.create_function("distance_km", 4, _distance, deterministic=True)
    prepare(conn)
    if bulk:  # segments stay unmerged while loading: the rebuild's end merges each once
        set_automerge(conn, 0)
    else:
        finish_indexes(conn)
    return conn


@functools.cache
def _has_math() -> bool:
    """SQLite was built with its math functions (asin, radians...): distances in SQL, not Python."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("SELECT asin(sqrt(power(sin(radians(1)), 2)))").fetchone()
        return True
    except sqlite3.OperationalError:  # built without SQLITE_ENABLE_MATH_FUNCTIONS
        return False
    finally:
        conn.close()


async def _aiter(docs: Iterable[SearchDoc] | AsyncIterable[SearchDoc]):
    if hasattr(docs, "__aiter__"):
        async for doc in docs:  # type: ignore[union-attr]
            yield doc
    else:
        for doc in docs:  # type: ignore[union-attr]
            yield doc


class EmbeddedSearchBackend(SearchBackend):
    """Search in a local SQLite file (``<data_dir>/search.sqlite3``), separate from the main DB."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pointer_stamp: tuple | None = None
        self._pending: list[tuple[str, tuple]] | None = None  # writes made during a rebuild
        self._stats: Stats | None = None

    # -- files -----------------------------------------------------------------------------
    def _stamp(self):
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _new_physical(self) -> Path:
        return self.path.with_name(f"{self.path.stem}-{time.time_ns()}.sqlite3")

    def _point_to(self, physical: Path) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(physical.name + "\n")
        os.replace(tmp, self.path)
        self._pointer_stamp = self._stamp()

    def _connection(self) -> sqlite3.Connection:
        """The live connection, reopened when the pointer changed; created on first use."""
        stamp = self._stamp()
        if self._conn is not None and stamp == self._pointer_stamp:
            return self._conn
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if stamp is None:
            physical = self._new_physical()
            _connect(physical).close()
            self._point_to(physical)
        physical = self.path.with_name(self.path.read_text().strip())
        self._pointer_stamp = self._stamp()
        self._conn = _connect(physical)
        return self._conn

    def _cleanup(self, keep: set[str]) -> None:
        for old in self.path.parent.glob(f"{self.path.stem}-*.sqlite3*"):
            if old.name.split(".sqlite3")[0] + ".sqlite3" not in keep:
                old.unlink(missing_ok=True)

    async def _run(self, fn, *args):
        def locked():
            with self._lock:
                return fn(self._connection(), *args)
        return await asyncio.to_thread(locked)

    # -- writes ----------------------------------------------------------------------------
    @staticmethod
    def _write(conn: sqlite3.Connection, op: str, args: tuple) -> int:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if op in ("index", "append"):
                done = write_docs(conn, args, replace=op == "index")
            else:
                kind, keys = args
                done = delete_docs(conn, kind, keys)
            conn.execute("COMMIT")
            return done
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _write_live(self, conn: sqlite3.Connection, op: str, args: tuple) -> int:
        if self._pending is not None:
            self._pending.append((op, args))
        return self._write(conn, op, args)

    @staticmethod
    def _finish(writer: Writer) -> None:
        """A rebuild's end: names and others, late indexes, merged FTS segments, WAL."""
        conn = writer.conn
        conn.execute("BEGIN")
        writer.finish()
        finish_indexes(conn)
        conn.execute("COMMIT")
        for table in FTS_TABLES:
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        set_automerge(conn, FTS_AUTOMERGE)  # live writes merge as they go again
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")

    async def index(self, docs: Iterable[SearchDoc]) -> int:
        docs = tuple(docs)
        return await self._run(self._write_live, "index", docs) if docs else 0

    async def remove(self, kind: str, keys: Iterable[str]) -> int:
        return await self._run(self._write_live, "remove", (kind, tuple(keys)))

    async def drop(self) -> None:
        def drop_all(conn):
            self._conn = None
            conn.close()
            self.path.unlink(missing_ok=True)
            self._cleanup(keep=set())
        await self._run(drop_all)

    async def rebuild(self, docs) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)  # a first rebuild into a new folder
        physical = self._new_physical()
        with self._lock:  # before any await: a write racing the start must be replayed too
            self._pending = []
        try:
            fresh = await asyncio.to_thread(_connect, physical, True)
        except BaseException:
            with self._lock:
                self._pending = None
            raise
        count = 0
        loader = BulkLoader(fresh)
        try:
            batch: list[SearchDoc] = []
            async for doc in _aiter(docs):
                batch.append(doc)
                if len(batch) >= BATCH:
                    count += await loader.add(batch)
                    batch = []
            if batch:
                count += await loader.add(batch)
            await loader.finish(self._finish)

            def swap(conn):
                for op, args in self._pending or ():
                    self._write(fresh, op, args)
                previous = self.path.read_text().strip()
                fresh.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._point_to(physical)
                self._conn, old = fresh, conn
                old.close()
                self._cleanup(keep={physical.name, previous})
            await self._run(swap)
            loader.done()
            return count
        except BaseException:
            loader.discard()
            physical.unlink(missing_ok=True)
            raise
        finally:
            with self._lock:
                self._pending = None

    # -- reads -----------------------------------------------------------------------------
    async def search(self, query: SearchQuery) -> SearchResult:
        query = query.validate()
        started = time.perf_counter()
        plan = plan_query(query.q, query.fuzzy) if query.text else None
        ranked: Ranked = await self._run(self._rank, query, plan)
        hits = [
            SearchHit(kind=kind, key=key, title=title, subtitle=subtitle,
                      highlight=highlight(title, plan) if plan else html.escape(title),
                      risk_grade=risk, alerts=tuple(json.loads(alerts)), status=status,
                      distance_km=None if dist is None else round(dist, 3),
                      match=TIER_MATCH[tier] if plan else "")
            for kind, key, title, subtitle, risk, alerts, status, dist, tier in ranked.rows
        ]
        return SearchResult(total=ranked.total, hits=hits, total_is_lower_bound=ranked.lower_bound,
                            took_ms=(time.perf_counter() - started) * 1e3)

    def _rank(self, conn: sqlite3.Connection, query: SearchQuery, plan) -> Ranked:
        if self._stats is None or self._stats.conn is not conn:
            self._stats = Stats(conn)  # token counts of this connection's file
        return rank(conn, query, plan, _has_math(), self._stats)

    async def suggest(self, q: str, size: int = 8) -> list[SearchHit]:
        query = SearchQuery(q=q[:100], size=max(1, min(size, 50)))
        if not query.text:
            return []
        return (await self.search(query)).hits

    async def nearby(self, lat: float, lng: float, radius_km: float = DEFAULT_RADIUS_KM,
                     kind: str = "all", size: int = 20) -> list[SearchHit]:
        query = SearchQuery(near=(lat, lng), radius_km=radius_km, kind=kind, size=size)
        return (await self.search(query)).hits

    async def count(self, kind: str | None = None) -> int:
        def counted(conn):
            if kind is None:
                return conn.execute("SELECT count(*) FROM docs").fetchone()[0]
            return conn.execute("SELECT count(*) FROM docs WHERE kind = ?", (kind,)).fetchone()[0]
        return await self._run(counted)

    async def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    async def ping(self) -> bool:
        try:
            return await self._run(lambda conn: conn.execute("SELECT 1").fetchone()[0] == 1)
        except sqlite3.Error:
            return False

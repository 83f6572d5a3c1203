"""A rebuild's load into a fresh file (:mod:`search.embedded`), batch by batch: each batch's
rows (new names' sound strings, grams and full-text rows, new places' R*Tree rows included)
prepared in Python, then written in one transaction.

Preparing batch *n + 1* overlaps with writing batch *n*: in bulk mode preparing touches no
connection, and SQLite runs without the GIL. For the overlap to pay, the writer must not ask
for the GIL back once a row (each of 10,000 rows would wait up to the interpreter's switch
interval, 5 ms, for the preparing thread): rows go in many per statement, statements and
their parameters built by the preparing thread (:func:`search.embedded_write.inserts`).
Every use of the fresh connection runs on the loader's own single worker thread (writes,
the rebuild's finish, closing after a failure), so they are ordered without locks.
Measured: ``docs/search.md`` (1.2× the sequential build on 2 idle cores, about the same CPU).
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor

from .base import SearchDoc
from .embedded_write import Statement, Writer, execute, write_docs


def _in_transaction(conn: sqlite3.Connection, fn, *args):
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(*args)
        conn.execute("COMMIT")
        return result
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class BulkLoader:
    """A rebuild's documents into a fresh file: plain inserts, replacing only keys this
    rebuild already wrote."""

    def __init__(self, conn: sqlite3.Connection):
        self.writer = Writer(conn, bulk=True)
        self.seen: set[tuple[str, str]] = set()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="search-rebuild")
        self._writing: Future | None = None  # the previous batch's write, maybe running

    def _on_conn(self, fn, *args) -> Future:
        """Run ``fn(*args)`` on the connection's thread (after whatever was queued there)."""
        self._writing = self._pool.submit(fn, *args)
        return self._writing

    async def settle(self) -> None:
        """Wait for the write in flight; its error is raised here."""
        if self._writing is not None:
            await asyncio.wrap_future(self._writing)

    def _prepare(self, batch: list[SearchDoc]) -> list[Statement]:
        for doc in batch:
            self.writer.add(doc)
        return self.writer.take_statements()

    async def add(self, batch: list[SearchDoc]) -> int:
        keys = [(d.kind, d.key) for d in batch]
        again = len(set(keys)) < len(keys) or not self.seen.isdisjoint(keys)
        self.seen.update(keys)
        conn = self.writer.conn
        if again:  # replacing reads the rows written so far: after them, not beside them
            await self.settle()
            await asyncio.wrap_future(self._on_conn(_in_transaction, conn, write_docs, conn,
                                                    batch, True, self.writer))
            return len(batch)
        statements = await asyncio.to_thread(self._prepare, batch)  # beside the last write
        await self.settle()
        self._on_conn(_in_transaction, conn, execute, conn, statements)
        return len(batch)

    async def finish(self, fn) -> None:
        """The last write, then ``fn(writer)`` on the connection's thread."""
        await self.settle()
        await asyncio.wrap_future(self._on_conn(fn, self.writer))

    def done(self) -> None:
        """The connection is handed over: the loader's thread ends."""
        self._pool.shutdown(wait=False)

    def discard(self) -> None:
        """Close the connection once nothing runs on it (now, or after the write in flight)."""
        self._pool.submit(self.writer.conn.close)
        self._pool.shutdown(wait=False)

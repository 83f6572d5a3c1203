"""A rebuild's load into a fresh file (:mod:`search.embedded`): batch by batch, each batch's
rows prepared in Python (new names' sound strings and grams included) while the previous
batch is written (sqlite3 releases the GIL while SQLite works, so both cores are busy).
"""

from __future__ import annotations

import asyncio
import sqlite3

from .base import SearchDoc
from .embedded_write import Writer, write_docs


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
    """A rebuild's documents into a fresh file, batch by batch, prepare and write overlapped."""

    def __init__(self, conn: sqlite3.Connection):
        self.writer = Writer(conn, bulk=True)
        self.seen: set[tuple[str, str]] = set()
        self.writing: asyncio.Task | None = None

    async def add(self, batch: list[SearchDoc]) -> int:
        keys = [(d.kind, d.key) for d in batch]
        again = not self.seen.isdisjoint(keys)
        self.seen.update(keys)
        if again:  # keys this rebuild wrote already: replace them, in order
            await self.drain()
            await asyncio.to_thread(_in_transaction, self.writer.conn, write_docs,
                                    self.writer.conn, batch, True, self.writer)
            return len(batch)
        rows = await asyncio.to_thread(self._prepare, batch)
        await self.drain()
        self.writing = asyncio.create_task(asyncio.to_thread(
            _in_transaction, self.writer.conn, self.writer.write_rows, rows))
        return len(batch)

    def _prepare(self, batch: list[SearchDoc]) -> tuple[list, list, list]:
        for doc in {(d.kind, d.key): d for d in batch}.values():
            self.writer.add(doc)
        return self.writer.take_rows()

    async def drain(self) -> None:
        """Wait for the batch being written (its error, if any, is raised here)."""
        task, self.writing = self.writing, None
        if task is not None:
            await task

    async def abort(self) -> None:
        try:
            await self.drain()
        except BaseException:  # the rebuild failed already; the file is discarded
            pass

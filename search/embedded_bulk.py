"""A rebuild's load into a fresh file (:mod:`search.embedded`), batch by batch: each batch's
rows (new names' sound strings, grams and full-text rows, new places' R*Tree rows included)
prepared in Python and written in one transaction, in a worker thread.

Overlapping one batch's preparation with the previous batch's write (sqlite3 releases the
GIL inside SQLite) was measured on the shared 2-core machine (load ~7.5): 10-15 % more CPU
and no faster, so batches run one after the other.
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
    """A rebuild's documents into a fresh file: plain inserts, replacing only keys this
    rebuild already wrote."""

    def __init__(self, conn: sqlite3.Connection):
        self.writer = Writer(conn, bulk=True)
        self.seen: set[tuple[str, str]] = set()

    async def add(self, batch: list[SearchDoc]) -> int:
        keys = [(d.kind, d.key) for d in batch]
        again = not self.seen.isdisjoint(keys)
        self.seen.update(keys)
        await asyncio.to_thread(_in_transaction, self.writer.conn, write_docs,
                                self.writer.conn, batch, again, self.writer)
        return len(batch)

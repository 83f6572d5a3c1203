"""Reading one tier of :mod:`search.embedded_ranking` only as far as the page needs.

Within a tier (and score) documents rank by status rank, then the name's length, then
*round robin* over the names: the first document of each name (in name id order), then the
second of each… (``doc_order``). So a page of a tier whose names are shared by hundreds of
shops shows several names, not one name's shops. A document's place in its name is its id's
sequence number (:mod:`search.embedded_sql`).

For a broad tier, status by status and length band by length band: the first document of
each name is read with a LIMIT of what the page still needs (usually the page); only when a
band has fewer first documents than that are later ones read, in growing windows of
sequence numbers, each complete, so the sorted result is a true prefix.
"""

from __future__ import annotations

import json
import sqlite3
from itertools import groupby

from .embedded_query import Builder
from .embedded_sql import LEN_SHIFT, MAX_STATUS, NAME_SHIFT, STATUS_SHIFT

SMALL = 64  # names read before deciding how to walk a tier
BIG = 400  # documents of those names read at once (else status by status, band by band)
SEQ_MASK = (1 << STATUS_SHIFT) - 1
LISTED = "SELECT value AS id FROM json_each(:names)"
_BAND_DOCS = (f"d.id >= (n.value << {NAME_SHIFT}) + (:s << {STATUS_SHIFT}) + :k0 AND"
              f" d.id < (n.value << {NAME_SHIFT}) + (:s << {STATUS_SHIFT}) + :k1")


def doc_order(doc_id: int) -> tuple[int, int, int, int]:
    """(status rank, name length, place in its name, name id): the order inside a tier."""
    name = doc_id >> NAME_SHIFT
    return (doc_id >> STATUS_SHIFT) & 7, name >> LEN_SHIFT, doc_id & SEQ_MASK, name


def id_order(doc_id: int) -> tuple[int, int]:
    """(status rank, doc id): the order of tiers read in id order (other text, identifiers)."""
    return (doc_id >> STATUS_SHIFT) & 7, doc_id


class Walk:
    """The documents found so far: id -> (tier, score, order, distance)."""

    def __init__(self, conn: sqlite3.Connection, b: Builder, params: dict, need: int | None):
        self.conn, self.b, self.params, self.need = conn, b, params, need
        self.found: dict[int, tuple] = {}
        self.heads: dict[str, list[tuple]] = {}  # names SQL -> all its (id, ndocs, nent)
        cond = (" WHERE " + " AND ".join(b.where)) if b.where else ""
        self._band_sql = (f"SELECT d.id, {b.distance} FROM json_each(:band) AS n CROSS JOIN"
                          f" docs AS d ON {_BAND_DOCS}{cond}")

    @property
    def full(self) -> bool:
        return self.need is not None and len(self.found) >= self.need

    @property
    def left(self) -> int | None:
        return None if self.need is None else self.need - len(self.found)

    def add(self, rows, tier: int, score: tuple = (), order=doc_order) -> bool:
        """Add (id, distance) rows, sorted by ``order`` here; True once the page is full."""
        for doc_id, dist in sorted(rows, key=lambda r: order(r[0])):
            if doc_id not in self.found:
                self.found[doc_id] = (tier, score, order(doc_id), dist)
                if self.full:
                    return True
        return False

    def names(self, names_sql: str, tier: int, score: tuple = (), extra: dict | None = None):
        """Walk the documents of the names ``names_sql`` gives (ascending ids)."""
        params = {**self.params, **(extra or {})}
        head = None if extra else self.heads.get(names_sql)
        if head is None:
            head = self.conn.execute(f"SELECT n.id, n.ndocs, n.nent FROM ({names_sql}) AS s"
                                     f" CROSS JOIN names AS n ON n.id = s.id LIMIT {SMALL + 1}",
                                     params).fetchall()
        if len(head) <= SMALL and not extra:
            self.heads[names_sql] = head
        if not head:
            return
        if len(head) <= SMALL and (self.need is None or sum(r[1] for r in head) <= BIG):
            listed = {**params, "names": json.dumps([r[0] for r in head])}
            self.add(self.conn.execute(self.b.docs_of_names(LISTED), listed), tier, score)
            return
        for rank in range(MAX_STATUS + 1):
            names = self.conn.execute(names_sql, params)
            for _, band in groupby((r[0] for r in names), key=lambda i: i >> LEN_SHIFT):
                if self._band(list(band), rank, params, tier, score):
                    return

    def _band(self, band: list[int], rank: int, params: dict, tier: int, score: tuple) -> bool:
        """One status and length band of a broad tier; True once the page is full."""
        p = {**params, "band": json.dumps(band), "s": rank}
        left = self.left
        if left is None:
            return self.add(self.conn.execute(self._band_sql, {**p, "k0": 0, "k1": SEQ_MASK + 1}),
                            tier, score)
        rows = self.conn.execute(self._band_sql + " LIMIT :lim",
                                 {**p, "k0": 0, "k1": 2, "lim": left}).fetchall()
        if len(rows) == left:  # the first documents of the first names: the page, unless
            if self.add(rows, tier, score):  # some were found by a better tier already
                return True
            rows = self.conn.execute(self._band_sql, {**p, "k0": 0, "k1": 2}).fetchall()
        k = 2
        while k <= SEQ_MASK:
            new = sum(1 for r in rows if r[0] not in self.found)
            more = self.conn.execute(self._band_sql + " LIMIT 1",
                                     {**p, "k0": k, "k1": SEQ_MASK + 1}).fetchone()
            if new >= left or more is None:
                break
            rows += self.conn.execute(self._band_sql, {**p, "k0": k, "k1": min(k * 4, SEQ_MASK + 1)})
            k *= 4
        return self.add(rows, tier, score)

    def others(self, others_sql: str, tier: int) -> None:
        """Walk the documents whose other text ``others_sql`` finds (tier 4 of one term)."""
        head = self.conn.execute(f"SELECT o.id, o.ndocs FROM ({others_sql}) AS s CROSS JOIN"
                                 f" others AS o ON o.id = s.id LIMIT {SMALL + 1}",
                                 self.params).fetchall()
        if not head:
            return
        if len(head) <= SMALL and (self.need is None or sum(r[1] for r in head) <= BIG * 4):
            listed = {**self.params, "names": json.dumps([r[0] for r in head])}
            self.add(self.conn.execute(self.b.docs_of_others(LISTED), listed), tier,
                     order=id_order)
            return
        cond = " AND ".join([f"+d.other_id IN ({others_sql})",
                             f"((d.id >> {STATUS_SHIFT}) & 7) = :s", *self.b.where])
        sql = f"SELECT d.id, {self.b.distance} FROM docs AS d WHERE {cond}"
        for rank in range(MAX_STATUS + 1):
            cursor = self.conn.execute(sql, {**self.params, "s": rank})
            while rows := cursor.fetchmany(64):
                if self.add(rows, tier, order=id_order):
                    return

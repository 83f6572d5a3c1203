"""Writing documents into the embedded index (:mod:`search.embedded_sql` describes the tables).

A :class:`Writer` serves one write transaction, or a whole rebuild (``bulk``): in bulk mode the
file is fresh and nothing else writes to it, so names, others and id counters live in memory
and the names and others (with their full-text rows) are written once, by :meth:`finish`.
:mod:`search.embedded_bulk` drives a rebuild with it.
Everything derived from a name is computed once per distinct name (cached).
"""

from __future__ import annotations

import json
import sqlite3
from itertools import chain

from .base import STATUS_RANK, SearchDoc
from .embedded_sql import (_DOC_INSERT, LEN_SHIFT, MAX_STATUS, NAME_SHIFT, STATUS_SHIFT,
                           name_band, name_of, other_grams, other_text, title_parts)

_NAME_INSERTS = (
    "INSERT INTO names (id, title, norm, fz, ex, ndocs, nent) VALUES (?,?,?,?,?,?,?)",
    "INSERT INTO name_fts (rowid, norm, fz) VALUES (?,?,?)",
    "INSERT INTO name_grams (rowid, t, p) VALUES (?,?,?)",
)
_GEO_INSERT = ("INSERT INTO geo (id, min_lat, max_lat, min_lng, max_lng, lat, lng)"
               " VALUES (?,?,?,?,?,?,?)")
_OTHER_INSERTS = (
    "INSERT INTO others (id, text, ndocs) VALUES (?,?,?)",
    "INSERT INTO other_fts (rowid, text) VALUES (?,?)",
    "INSERT INTO other_grams (rowid, o) VALUES (?,?)",
)


PARAMS = 250_000  # most parameters per INSERT statement (what SQLite allows, if fewer)
Statement = tuple[str, list]  # (SQL, its parameters)


def inserts(sql: str, rows: list[tuple], params: int) -> list[Statement]:
    """Statements inserting ``rows`` by ``sql`` (``INSERT … VALUES (?,…)``), many rows a
    statement, up to ``params`` parameters (the connection's limit, at most :data:`PARAMS`):
    whoever runs them takes the GIL back once a statement, not once a row
    (:mod:`search.embedded_bulk` prepares the next batch meanwhile)."""
    head, _sep, one = sql.rpartition(" VALUES ")
    chunk = max(1, params // one.count("?"))
    out = []
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        out.append((f"{head} VALUES {','.join([one] * len(part))}",
                    list(chain.from_iterable(part))))
    return out


def execute(conn: sqlite3.Connection, statements: list[Statement]) -> None:
    for sql, params in statements:
        conn.execute(sql, params)


def _geo_row(place_id: int, lat: float, lng: float) -> tuple:
    """A place's R*Tree row: a point is a box of no size."""
    return place_id, lat, lat, lng, lng, lat, lng


def _name_fts(name_id: int, title: str) -> tuple[int, str, str, str, str]:
    """(id, norm, fz, grams t, grams p) of a name's full-text rows."""
    norm, t, p, fz, _ex = title_parts(title)
    return name_id, norm, fz, t, p


class Writer:
    def __init__(self, conn: sqlite3.Connection, bulk: bool = False):
        self.conn, self.bulk = conn, bulk
        self.params = min(PARAMS, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        self.name_ids: dict[str, int] = {}  # title -> id
        self.name_counts: dict[int, list[int]] = {}  # id -> [documents, enterprises] delta
        self.new_names: dict[int, str] = {}  # id -> title, not yet written
        self.other_ids: dict[str, int] = {}  # other text -> id
        self.other_counts: dict[int, int] = {}
        self.new_others: dict[int, str] = {}
        self.other_keys: dict[tuple, str] = {}  # (subtitle, keywords) -> other text
        self.other_by_key: dict[tuple, int] = {}  # (subtitle, keywords) -> other id
        self.doc_last: dict[int, int] = {}  # doc id band -> last id used in it
        self.place_ids: dict[tuple[float, float], int] = {}
        self.place_counts: dict[int, list[int]] = {}
        self.new_places: dict[int, tuple[float, float]] = {}
        self.last: dict[tuple, int] = {}  # id band -> last id used in it
        self.rows: tuple[list, list] = ([], [])  # docs, ids
        # bulk: new names' and others' full-text rows, new places' R*Tree rows
        self.text_rows: tuple[list, list, list] = ([], [], [])

    # -- ids ---------------------------------------------------------------------------
    def _last(self, table: str, lo: int, hi: int) -> int:
        """The last id used in [lo, hi) of ``table`` (``lo`` if none)."""
        found = None if self.bulk else self.conn.execute(
            f"SELECT max(id) FROM {table} WHERE id >= ? AND id < ?", (lo, hi)).fetchone()[0]
        return found if found is not None else lo

    def _next(self, table: str, lo: int, hi: int) -> int:
        last = self.last.get((table, lo))
        if last is None:
            last = self._last(table, lo, hi)
        if last + 1 >= hi:
            raise RuntimeError(f"search index: no id left in a band of {table};"
                               " run `gongzhi reindex`")
        self.last[(table, lo)] = last + 1
        return last + 1

    def _name(self, title: str) -> int:
        found = self.name_ids.get(title)
        if found is None:
            row = None if self.bulk else self.conn.execute(
                "SELECT id FROM names WHERE title = ?", (title,)).fetchone()
            if row:
                found = row[0]
            else:
                band = name_band(title)
                found = self._next("names", band, band + (1 << LEN_SHIFT))
                self.new_names[found] = title
                if self.bulk:  # its full-text rows go with this batch's documents
                    self.text_rows[0].append(_name_fts(found, title))
            self.name_ids[title] = found
        return found

    def _other(self, subtitle: str, keywords: tuple[str, ...]) -> int:
        text = self.other_keys.get((subtitle, keywords))
        if text is None:
            text = self.other_keys[(subtitle, keywords)] = other_text(subtitle, keywords)
        found = self.other_ids.get(text)
        if found is None:
            row = None if self.bulk else self.conn.execute(
                "SELECT id FROM others WHERE text = ?", (text,)).fetchone()
            if row:
                found = row[0]
            else:
                found = self._next("others", 0, 1 << 62)
                self.new_others[found] = text
                if self.bulk:
                    self.text_rows[1].append((found, text, other_grams(text)))
            self.other_ids[text] = found
        return found

    def _place(self, lat: float, lng: float) -> int:
        found = self.place_ids.get((lat, lng))
        if found is None:
            row = None if self.bulk else self.conn.execute(
                "SELECT id FROM places WHERE lat = ? AND lng = ?", (lat, lng)).fetchone()
            if row:
                found = row[0]
            else:
                found = self._next("places", 0, 1 << 62)
                self.new_places[found] = (lat, lng)
                if self.bulk:
                    self.text_rows[2].append(_geo_row(found, lat, lng))
            self.place_ids[(lat, lng)] = found
        return found

    # -- documents ----------------------------------------------------------------------
    def add(self, doc: SearchDoc) -> None:
        """Buffer one document's rows (the hot loop of a rebuild: dictionary hits mostly)."""
        name_id = self.name_ids.get(doc.title) or self._name(doc.title)
        okey = (doc.subtitle, doc.keywords)
        other_id = self.other_by_key.get(okey) or self._other_by(okey)
        rank = STATUS_RANK.get(doc.status, MAX_STATUS)
        band = name_id << NAME_SHIFT | (rank if rank < MAX_STATUS else MAX_STATUS) << STATUS_SHIFT
        doc_id = self.doc_last.get(band) or self._last("docs", band, band + (1 << STATUS_SHIFT))
        doc_id += 1
        if doc_id >= band + (1 << STATUS_SHIFT):
            raise RuntimeError("search index: no id left for a name's documents;"
                               " run `gongzhi reindex`")
        self.doc_last[band] = doc_id
        idents = doc.all_identifiers()
        lat, lng = doc.lat, doc.lng
        place_id = None
        if lat is not None and lng is not None:
            place_id = self.place_ids.get((lat, lng)) or self._place(lat, lng)
        self.rows[0].append((doc_id, doc.kind, doc.key, doc.title, doc.subtitle, other_id,
                             place_id, doc.division_code or "", lat, lng, doc.risk_grade,
                             doc.status, json.dumps(list(doc.alerts)) if doc.alerts else "[]",
                             " ".join(idents)))
        ids = self.rows[1]
        for ident in idents:
            ids.append((ident, doc_id))
        self._count(name_id, other_id, place_id, doc.kind, 1)

    def _other_by(self, okey: tuple[str, tuple[str, ...]]) -> int:
        found = self.other_by_key[okey] = self._other(*okey)
        return found

    def _count(self, name_id: int, other_id: int, place_id: int | None, kind: str,
               delta: int) -> None:
        ent = delta if kind == "enterprise" else 0
        counts = self.name_counts.get(name_id)
        if counts is None:
            self.name_counts[name_id] = [delta, ent]
        else:
            counts[0] += delta
            counts[1] += ent
        others = self.other_counts
        others[other_id] = others.get(other_id, 0) + delta
        if place_id is not None:
            counts = self.place_counts.get(place_id)
            if counts is None:
                self.place_counts[place_id] = [delta, ent]
            else:
                counts[0] += delta
                counts[1] += ent

    def delete(self, kind: str, key: str) -> bool:
        """Delete one document (written rows only: call :meth:`flush` first)."""
        found = self.conn.execute("SELECT id, other_id, place_id, idents FROM docs WHERE"
                                  " kind = ? AND key = ?", (kind, key)).fetchone()
        if not found:
            return False
        doc_id, other_id, place_id, idents = found
        self.conn.execute("DELETE FROM docs WHERE id = ?", (doc_id,))
        self.conn.executemany("DELETE FROM ids WHERE ident = ? AND id = ?",
                              [(i, doc_id) for i in idents.split()])
        self._count(name_of(doc_id), other_id, place_id, kind, -1)
        return True

    def take_statements(self) -> list[Statement]:
        """The statements writing the buffered rows (documents, identifiers, names' and others'
        full-text rows), which leave the buffer. Pure Python: no connection used."""
        docs, ids = self.rows
        docs.sort()  # in id order: fewer b-tree pages touched
        names, others, places = self.text_rows
        places.sort(key=lambda r: (r[1], r[3]))  # by point: a tighter R*Tree
        out = self._statements([(_DOC_INSERT, docs),
                                ("INSERT INTO ids (ident, id) VALUES (?,?)", ids),
                                *self._texts(names, others), (_GEO_INSERT, places)])
        self.rows, self.text_rows = ([], []), ([], [], [])
        return out

    def _statements(self, tables: list[tuple[str, list[tuple]]]) -> list[Statement]:
        """The statements of (SQL, rows) pairs, as large as the connection allows."""
        return [s for sql, rows in tables for s in inserts(sql, rows, self.params)]

    @staticmethod
    def _texts(names: list[tuple], others: list[tuple]) -> list[tuple[str, list[tuple]]]:
        """(SQL, rows) of full-text rows: names (id, norm, fz, t, p), others (id, text, grams)."""
        return [(_NAME_INSERTS[1], [r[:3] for r in names]),
                (_NAME_INSERTS[2], [(r[0], r[3], r[4]) for r in names]),
                (_OTHER_INSERTS[1], [r[:2] for r in others]),
                (_OTHER_INSERTS[2], [(r[0], r[2]) for r in others])]

    def flush(self) -> None:
        """Write the buffered document rows."""
        execute(self.conn, self.take_statements())

    # -- names and others ---------------------------------------------------------------
    def finish(self) -> None:
        """Write new names and others, apply count changes, drop the ones no document bears."""
        self.flush()
        # in bulk mode every new name and other has its full-text rows already: all are
        # written (a count of 0 only if its documents were replaced within the rebuild)
        keep = 0 if self.bulk else 1
        names = [(i, t, *self.name_counts.get(i, (0, 0))) for i, t in sorted(self.new_names.items())]
        names = [(i, t, n, e) for i, t, n, e in names if n >= keep]
        self.conn.executemany(_NAME_INSERTS[0], [(i, t, *_name_fts(i, t)[1:3], title_parts(t)[4],
                                                  n, e) for i, t, n, e in names])
        others = [(i, t, self.other_counts.get(i, 0)) for i, t in sorted(self.new_others.items())]
        others = [o for o in others if o[2] >= keep]
        self.conn.executemany(_OTHER_INSERTS[0], others)
        if not self.bulk:
            execute(self.conn, self._statements(self._texts(
                [_name_fts(i, t) for i, t, _, _ in names],
                [(i, t, other_grams(t)) for i, t, _ in others])))
        places = [(i, la, ln, *self.place_counts.get(i, (0, 0)))  # by point: a tighter R*Tree
                  for i, (la, ln) in sorted(self.new_places.items(), key=lambda kv: kv[1])]
        places = [p for p in places if p[3] > 0]
        kept = {p[0] for p in places}
        self.conn.executemany("INSERT INTO places (id, lat, lng, ndocs, nent) VALUES (?,?,?,?,?)",
                              places)
        if self.bulk:  # their R*Tree rows went with their batch (a point no document kept: out)
            self.conn.executemany("DELETE FROM geo WHERE id = ?",
                                  [(i,) for i in self.new_places if i not in kept])
        else:
            execute(self.conn, self._statements(
                [(_GEO_INSERT, [_geo_row(i, la, ln) for i, la, ln, _, _ in places])]))
            self._apply_counts()
        self.name_counts, self.other_counts, self.new_names, self.new_others = {}, {}, {}, {}
        self.name_ids, self.other_ids = {}, {}
        self.place_counts, self.new_places, self.place_ids = {}, {}, {}
        self.other_by_key, self.doc_last = {}, {}

    def _apply_counts(self) -> None:
        old = [(n, e, i) for i, (n, e) in self.name_counts.items()
               if i not in self.new_names and (n or e)]
        self.conn.executemany("UPDATE names SET ndocs = ndocs + ?, nent = nent + ? WHERE id = ?",
                              old)
        for n, _e, i in old:
            if n < 0:
                self._drop_name(i)
        old = [(n, i) for i, n in self.other_counts.items() if i not in self.new_others and n]
        self.conn.executemany("UPDATE others SET ndocs = ndocs + ? WHERE id = ?", old)
        for n, i in old:
            if n < 0:
                self._drop_other(i)
        old = [(n, e, i) for i, (n, e) in self.place_counts.items()
               if i not in self.new_places and (n or e)]
        self.conn.executemany("UPDATE places SET ndocs = ndocs + ?, nent = nent + ? WHERE id = ?",
                              old)
        for n, _e, i in old:
            if n < 0 and self.conn.execute("DELETE FROM places WHERE id = ? AND ndocs <= 0",
                                           (i,)).rowcount:
                self.conn.execute("DELETE FROM geo WHERE id = ?", (i,))

    def _drop_name(self, name_id: int) -> None:
        row = self.conn.execute("SELECT norm, fz FROM names WHERE id = ? AND ndocs <= 0",
                                (name_id,)).fetchone()
        if row:
            self.conn.execute("INSERT INTO name_fts (name_fts, rowid, norm, fz)"
                              " VALUES ('delete', ?, ?, ?)", (name_id, *row))
            self.conn.execute("DELETE FROM name_grams WHERE rowid = ?", (name_id,))
            self.conn.execute("DELETE FROM names WHERE id = ?", (name_id,))

    def _drop_other(self, other_id: int) -> None:
        row = self.conn.execute("SELECT text FROM others WHERE id = ? AND ndocs <= 0",
                                (other_id,)).fetchone()
        if row:
            self.conn.execute("INSERT INTO other_fts (other_fts, rowid, text)"
                              " VALUES ('delete', ?, ?)", (other_id, row[0]))
            self.conn.execute("DELETE FROM other_grams WHERE rowid = ?", (other_id,))
            self.conn.execute("DELETE FROM others WHERE id = ?", (other_id,))


def write_docs(conn: sqlite3.Connection, docs, replace: bool = True,
               writer: Writer | None = None) -> int:
    """Insert (or, with ``replace``, replace) ``docs``; the last of several documents with one
    (kind, key) wins. Without ``writer``, one of its own, finished here."""
    docs = list(docs)
    if len({(d.kind, d.key) for d in docs}) < len(docs):  # the last of a repeated key wins
        docs = list({(d.kind, d.key): d for d in docs}.values())
    own = writer is None
    writer = writer or Writer(conn)
    if replace:
        for doc in docs:
            writer.delete(doc.kind, doc.key)
    for doc in docs:
        writer.add(doc)
    if own:
        writer.finish()
    else:
        writer.flush()
    return len(docs)


def delete_docs(conn: sqlite3.Connection, kind: str, keys) -> int:
    writer = Writer(conn)
    done = sum(writer.delete(kind, key) for key in keys)
    writer.finish()
    return done

"""SQL and row building for :mod:`search.embedded`. Pure apart from the sqlite3 calls it is given.

One SQLite file holds:

- ``docs``: one row per (kind, key) with what a hit shows and what ranking needs; its id
  encodes the static rank (:func:`static_rank`: status, then name length) in the high bits,
  so ``ORDER BY id`` is "best first" within a tier and every candidate stream below can be
  read in rowid order and stopped after the first N (no sort over all matches);
- ``ids``: every normalised identifier (key, credit code, licence number, GTIN) → doc id;
- ``fts``: FTS5 with the trigram tokenizer over the name and the other text (keywords — brand,
  category — then ``|``, then the subtitle — address), both folded
  (:func:`search.normalise.fold`) and without spaces — any substring of 3+ characters;
- ``fts_py``: the name's sound strings (:func:`search.pinyin.sound_strings`): ``fz`` the fuzzy
  forms, trigram-indexed, ``ex`` the exact forms in the same order, stored unindexed (a sound
  match is found by ``fz`` and checked against ``ex``);
- ``grams``: FTS5 (unicode61, ``detail=column``): ``t`` the 1- and 2-character grams of the
  name plus its first one and two characters marked with :data:`PREFIX`, ``o`` those of the
  keywords and the subtitle, ``p`` the 2-letter grams of the fuzzy initials — the short-query path trigram
  lacks, and the characters a partial match looks for;
- ``geo``: an R*Tree over (lat, lng) for the bounding-box prefilter of nearby searches, with
  the exact point, kind and status as auxiliary columns so nearby needs no ``docs`` row until
  the page is chosen.

Everything derived from a name is computed once per distinct name (cached), the pinyin of
each distinct character once per process.
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache

from .base import STATUS_RANK, SearchDoc
from .normalise import compact
from .pinyin import sound_strings

SCHEMA_VERSION = 4  # PRAGMA user_version; an older index is emptied and must be rebuilt
PREFIX = "\ue000"  # private-use character: marks a name's first characters in grams.t
OTHER_SEP = "|"  # in fts.other between keywords and subtitle (never in folded text)
RANK_SHIFT = 32  # docs.id = static_rank << RANK_SHIFT | insertion sequence
TABLES = ("docs", "ids", "fts", "fts_py", "grams", "geo")
SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL,
    subtitle TEXT NOT NULL, norm_title TEXT NOT NULL, division_code TEXT NOT NULL,
    lat REAL, lng REAL, risk_grade TEXT, status TEXT NOT NULL, status_rank INTEGER NOT NULL,
    alerts TEXT NOT NULL, UNIQUE (kind, key));
CREATE INDEX IF NOT EXISTS docs_norm_title ON docs (norm_title);
CREATE TABLE IF NOT EXISTS ids (ident TEXT NOT NULL, id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ids_ident ON ids (ident);
CREATE INDEX IF NOT EXISTS ids_id ON ids (id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, other, tokenize='trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_py USING fts5(fz, ex UNINDEXED, tokenize='trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5(
    t, o, p, tokenize='unicode61 remove_diacritics 0', detail=column);
CREATE VIRTUAL TABLE IF NOT EXISTS geo USING rtree(
    id, min_lat, max_lat, min_lng, max_lng, +lat REAL, +lng REAL, +kind TEXT, +status_rank INT);
"""


def fts_phrase(term: str) -> str:
    """``term`` as one FTS5 string literal: every character literal, quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def short_grams(text: str) -> set[str]:
    """1- and 2-character grams of a compact folded text."""
    grams = set(text)
    grams.update(text[i:i + 2] for i in range(len(text) - 1))
    return grams


def static_rank(doc: SearchDoc) -> int:
    """Query-independent order within a tier: active licences first, then the shorter name."""
    return STATUS_RANK.get(doc.status, 9) * 256 + min(len(doc.title), 255)


@lru_cache(maxsize=65536)
def title_parts(title: str) -> tuple[str, str, str, str, str]:
    """(folded name, grams.t, grams.p, fuzzy sounds, exact sounds) of one name."""
    name = compact(title)
    t = short_grams(name)
    t.update(PREFIX + name[:n] for n in (1, 2) if len(name) >= n)
    exact, fuzzy = sound_strings(name)
    p = {w[i:i + 2] for w in fuzzy.split() for i in range(len(w) - 1) if w[i:i + 2].isalpha()}
    return name, " ".join(sorted(t)), " ".join(sorted(p)), fuzzy, exact


@lru_cache(maxsize=16384)
def _other_parts(subtitle: str, keywords: tuple[str, ...]) -> tuple[str, str]:
    """(fts.other: keywords, ``|``, subtitle; grams.o: their short grams)."""
    words, sub = compact(" ".join(keywords)), compact(subtitle)
    return f"{words}{OTHER_SEP}{sub}", " ".join(sorted(short_grams(words) | short_grams(sub)))


def doc_rows(doc: SearchDoc) -> tuple[tuple, tuple, tuple, tuple, list[str]]:
    """(docs row without id, fts row, fts_py row, grams row, identifiers), rows without rowid."""
    name, t, p, fuzzy, exact = title_parts(doc.title)
    other, o = _other_parts(doc.subtitle, doc.keywords)
    row = (doc.kind, doc.key, doc.title, doc.subtitle, name, doc.division_code or "",
           doc.lat, doc.lng, doc.risk_grade, doc.status, STATUS_RANK.get(doc.status, 9),
           json.dumps(list(doc.alerts)) if doc.alerts else "[]")
    return row, (name, other), (fuzzy, exact), (t, o, p), list(doc.all_identifiers())


def prepare(conn: sqlite3.Connection) -> None:
    """Create the tables; empty an index written by an older schema (``gongzhi reindex``)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.executescript(SCHEMA)


def delete_doc(conn: sqlite3.Connection, kind: str, key: str) -> bool:
    found = conn.execute("SELECT id FROM docs WHERE kind = ? AND key = ?", (kind, key)).fetchone()
    if not found:
        return False
    (doc_id,) = found
    for table in ("docs", "ids", "geo"):
        conn.execute(f"DELETE FROM {table} WHERE id = ?", (doc_id,))
    for table in ("fts", "fts_py", "grams"):
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (doc_id,))
    return True


class IdAllocator:
    """Next document ids by static-rank band, read from the table once per band (use one
    per write transaction)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.last: dict[int, int] = {}

    def next(self, doc: SearchDoc) -> int:
        band = static_rank(doc) << RANK_SHIFT
        last = self.last.get(band)
        if last is None:
            (last,) = self.conn.execute("SELECT max(id) FROM docs WHERE id >= ? AND id < ?",
                                        (band, band + (1 << RANK_SHIFT))).fetchone()
            last = last or band
        self.last[band] = last + 1
        return last + 1


_INSERTS = (
    "INSERT INTO docs (id, kind, key, title, subtitle, norm_title, division_code, lat, lng,"
    " risk_grade, status, status_rank, alerts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO fts (rowid, title, other) VALUES (?,?,?)",
    "INSERT INTO fts_py (rowid, fz, ex) VALUES (?,?,?)",
    "INSERT INTO grams (rowid, t, o, p) VALUES (?,?,?,?)",
)


def insert_docs(conn: sqlite3.Connection, docs, replace: bool = True) -> int:
    """Insert (or, with ``replace``, replace) ``docs``: one ``executemany`` per table. The
    last of several documents with one (kind, key) wins."""
    docs = list({(d.kind, d.key): d for d in docs}.values())
    if replace:
        for doc in docs:
            delete_doc(conn, doc.kind, doc.key)
    ids = IdAllocator(conn)
    tables: tuple[list, ...] = ([], [], [], [])
    idents: list[tuple[str, int]] = []
    points: list[tuple] = []
    for doc in docs:
        doc_id = ids.next(doc)
        row, fts_row, py_row, grams, doc_idents = doc_rows(doc)
        for out, values in zip(tables, (row, fts_row, py_row, grams)):
            out.append((doc_id, *values))
        idents += [(i, doc_id) for i in doc_idents]
        if doc.has_point:
            points.append((doc_id, doc.lat, doc.lat, doc.lng, doc.lng, doc.lat, doc.lng,
                           doc.kind, row[10]))
    for sql, rows in zip(_INSERTS, tables):
        conn.executemany(sql, rows)
    conn.executemany("INSERT INTO ids (ident, id) VALUES (?,?)", idents)
    conn.executemany("INSERT INTO geo (id, min_lat, max_lat, min_lng, max_lng, lat, lng, kind,"
                     " status_rank) VALUES (?,?,?,?,?,?,?,?,?)", points)
    return len(docs)

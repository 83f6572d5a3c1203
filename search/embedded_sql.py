"""SQL and row building for :mod:`search.embedded`. Pure apart from the sqlite3 calls it is given.

One SQLite file holds:

- ``docs``: one row per (kind, key) with what a hit shows and what ranking needs; its id
  encodes the static rank (:func:`static_rank`: status, then name length) in the high bits,
  so ``ORDER BY id`` is "best first" within a tier and every candidate stream below can be
  read in rowid order and stopped after the first N (no sort over all matches);
- ``ids``: every normalised identifier (key, credit code, licence number, GTIN) → doc id;
- ``fts``: FTS5 with the trigram tokenizer over the lower-cased name and the other text
  (address, brand, category, kind) — any substring of 3+ characters; ``fts_py`` the same over
  the pinyin readings, apart so that Latin trigrams of readings ("luo", "zho") do not swell
  the name index that every query reads;
- ``grams``: FTS5 (unicode61, ``detail=column``): ``t`` the 1- and 2-character grams of the
  name plus its first one and two characters marked with :data:`PREFIX`, ``o`` those of the
  keywords, ``p`` the 2-letter grams of the pinyin initials — the short-query path trigram
  lacks;
- ``geo``: an R*Tree over (lat, lng) for the bounding-box prefilter of nearby searches, with
  the exact point, kind and status as auxiliary columns so nearby needs no ``docs`` row until
  the page is chosen.
"""

from __future__ import annotations

import json
import sqlite3

from .base import STATUS_RANK, SearchDoc, normalise_text
from .pinyin import readings

SCHEMA_VERSION = 3  # PRAGMA user_version; an older index is emptied and must be rebuilt
PREFIX = "\ue000"  # private-use character: marks a name's first characters in grams.t
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
CREATE VIRTUAL TABLE IF NOT EXISTS fts_py USING fts5(pinyin, tokenize='trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5(
    t, o, p, tokenize='unicode61 remove_diacritics 0', detail=column);
CREATE VIRTUAL TABLE IF NOT EXISTS geo USING rtree(
    id, min_lat, max_lat, min_lng, max_lng, +lat REAL, +lng REAL, +kind TEXT, +status_rank INT);
"""


def fts_phrase(term: str) -> str:
    """``term`` as one FTS5 string literal: every character literal, quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def short_grams(text: str) -> set[str]:
    """1- and 2-character grams of alphanumeric runs (CJK characters count as alphanumeric)."""
    grams: set[str] = set()
    for run in "".join(c if c.isalnum() else " " for c in normalise_text(text)).split():
        grams.update(run)
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def static_rank(doc: SearchDoc) -> int:
    """Query-independent order within a tier: active licences first, then the shorter name."""
    return STATUS_RANK.get(doc.status, 9) * 256 + min(len(doc.title), 255)


def _grams_row(doc: SearchDoc, title: str, pys: list[tuple[str, str]]) -> tuple[str, str, str]:
    t = short_grams(doc.title)
    t.update(PREFIX + title[:n] for n in (1, 2) if len(title) >= n and title[:n].isalnum())
    p = {initials[i:i + 2] for _, initials in pys for i in range(len(initials) - 1)}
    return tuple(" ".join(sorted(g)) for g in (t, short_grams(" ".join(doc.keywords)), p))


def doc_rows(doc: SearchDoc) -> tuple[tuple, tuple, tuple, list[str]]:
    """(docs row without id, fts row without rowid, grams row, identifiers) for one doc."""
    title = normalise_text(doc.title)
    other = normalise_text(" ".join((doc.subtitle, *doc.keywords)))
    pys = readings(doc.title)
    pinyin = " ".join(dict.fromkeys(p for pair in pys for p in pair))
    row = (doc.kind, doc.key, doc.title, doc.subtitle, title, doc.division_code or "",
           doc.lat, doc.lng, doc.risk_grade, doc.status, STATUS_RANK.get(doc.status, 9),
           json.dumps(list(doc.alerts)))
    return row, (title, other, pinyin), _grams_row(doc, title, pys), list(doc.all_identifiers())


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
    for sql in ("DELETE FROM docs WHERE id = ?", "DELETE FROM ids WHERE id = ?",
                "DELETE FROM fts WHERE rowid = ?", "DELETE FROM fts_py WHERE rowid = ?",
                "DELETE FROM grams WHERE rowid = ?",
                "DELETE FROM geo WHERE id = ?"):
        conn.execute(sql, (doc_id,))
    return True


def insert_doc(conn: sqlite3.Connection, doc: SearchDoc, replace: bool = True) -> None:
    if replace:
        delete_doc(conn, doc.kind, doc.key)
    row, fts_row, grams, idents = doc_rows(doc)
    band = static_rank(doc) << RANK_SHIFT
    (last,) = conn.execute("SELECT max(id) FROM docs WHERE id >= ? AND id < ?",
                           (band, band + (1 << RANK_SHIFT))).fetchone()
    doc_id = (last or band) + 1
    conn.execute(
        "INSERT INTO docs (id, kind, key, title, subtitle, norm_title, division_code, lat, lng,"
        " risk_grade, status, status_rank, alerts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (doc_id, *row))
    conn.execute("INSERT INTO fts (rowid, title, other) VALUES (?,?,?)", (doc_id, *fts_row[:2]))
    conn.execute("INSERT INTO fts_py (rowid, pinyin) VALUES (?,?)", (doc_id, fts_row[2]))
    conn.execute("INSERT INTO grams (rowid, t, o, p) VALUES (?,?,?,?)", (doc_id, *grams))
    conn.executemany("INSERT INTO ids (ident, id) VALUES (?,?)", [(i, doc_id) for i in idents])
    if doc.has_point:
        conn.execute("INSERT INTO geo (id, min_lat, max_lat, min_lng, max_lng, lat, lng, kind,"
                     " status_rank) VALUES (?,?,?,?,?,?,?,?,?)",
                     (doc_id, doc.lat, doc.lat, doc.lng, doc.lng, doc.lat, doc.lng, doc.kind,
                      row[10]))

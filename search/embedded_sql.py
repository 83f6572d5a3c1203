"""SQL and row building for :mod:`search.embedded`. Pure apart from the sqlite3 calls it is given.

One SQLite file holds:

- ``docs``: one row per (kind, key) with what a hit shows and what ranking needs;
- ``ids``: every normalised identifier (key, credit code, licence number, GTIN) → doc id;
- ``fts``: FTS5 with the trigram tokenizer over the lower-cased name, the other text
  (address, brand, category, kind) and the pinyin readings — any substring of 3+ characters;
- ``grams``: FTS5 (unicode61, ``detail=none``) over the 1- and 2-character grams of name and
  keywords plus the 2-letter grams of the pinyin initials — the short-query path trigram lacks;
- ``geo``: an R*Tree over (lat, lng) for the bounding-box prefilter of nearby searches.
"""

from __future__ import annotations

import json
import sqlite3

from .base import STATUS_RANK, SearchDoc, normalise_text
from .pinyin import readings

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
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, other, pinyin, tokenize='trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5(
    g, tokenize='unicode61 remove_diacritics 0', detail=none);
CREATE VIRTUAL TABLE IF NOT EXISTS geo USING rtree(id, min_lat, max_lat, min_lng, max_lng);
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


def doc_rows(doc: SearchDoc) -> tuple[tuple, tuple, str, list[str]]:
    """(docs row without id, fts row without rowid, grams text, identifiers) for one doc."""
    title = normalise_text(doc.title)
    other = normalise_text(" ".join((doc.subtitle, *doc.keywords)))
    pys = readings(doc.title)
    pinyin = " ".join(dict.fromkeys(p for pair in pys for p in pair))
    grams = short_grams(" ".join((doc.title, *doc.keywords)))
    for _, initials in pys:
        grams.update(initials[i:i + 2] for i in range(len(initials) - 1))
    row = (doc.kind, doc.key, doc.title, doc.subtitle, title, doc.division_code or "",
           doc.lat, doc.lng, doc.risk_grade, doc.status, STATUS_RANK.get(doc.status, 9),
           json.dumps(list(doc.alerts)))
    return row, (title, other, pinyin), " ".join(sorted(grams)), list(doc.all_identifiers())


def delete_doc(conn: sqlite3.Connection, kind: str, key: str) -> bool:
    found = conn.execute("SELECT id FROM docs WHERE kind = ? AND key = ?", (kind, key)).fetchone()
    if not found:
        return False
    (doc_id,) = found
    for sql in ("DELETE FROM docs WHERE id = ?", "DELETE FROM ids WHERE id = ?",
                "DELETE FROM fts WHERE rowid = ?", "DELETE FROM grams WHERE rowid = ?",
                "DELETE FROM geo WHERE id = ?"):
        conn.execute(sql, (doc_id,))
    return True


def insert_doc(conn: sqlite3.Connection, doc: SearchDoc, replace: bool = True) -> None:
    if replace:
        delete_doc(conn, doc.kind, doc.key)
    row, fts_row, grams, idents = doc_rows(doc)
    cur = conn.execute(
        "INSERT INTO docs (kind, key, title, subtitle, norm_title, division_code, lat, lng,"
        " risk_grade, status, status_rank, alerts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
    doc_id = cur.lastrowid
    conn.execute("INSERT INTO fts (rowid, title, other, pinyin) VALUES (?,?,?,?)",
                 (doc_id, *fts_row))
    conn.execute("INSERT INTO grams (rowid, g) VALUES (?,?)", (doc_id, grams))
    conn.executemany("INSERT INTO ids (ident, id) VALUES (?,?)", [(i, doc_id) for i in idents])
    if doc.has_point:
        conn.execute("INSERT INTO geo (id, min_lat, max_lat, min_lng, max_lng) VALUES (?,?,?,?,?)",
                     (doc_id, doc.lat, doc.lat, doc.lng, doc.lng))

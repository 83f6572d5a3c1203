"""Schema and row building for :mod:`search.embedded`. Pure apart from the sqlite3 calls it is given.

Names and the other text (keywords, address) repeat: 400,000 documents of the demo data have
about 47,000 distinct names. So every text index holds each distinct text once:

- ``names``: one row per distinct name (``title`` as given; ``norm`` folded and compact, see
  :func:`search.normalise.compact`; ``ex`` and ``fz`` its exact and fuzzy sound strings,
  :func:`search.pinyin.sound_strings`; ``ndocs``/``nent`` how many documents, enterprises
  bear it). Its id encodes the name's length: ``len << LEN_SHIFT | seq``;
- ``name_fts``: FTS5 trigram over ``norm`` and ``fz`` (external content: ``names``) —
  substrings of 3+ characters, fuzzy sounds of 3+ letters (an exact sound is a fuzzy one
  whose ``ex`` also holds it);
- ``name_grams``: FTS5 (unicode61, ``detail=column``): ``t`` the 1- and 2-character grams of
  the name plus its first one and two characters marked with :data:`PREFIX`, ``p`` the
  letter pairs of the fuzzy initials — short queries, and the characters a partial
  match looks for;
- ``others``, ``other_fts`` (trigram, external content), ``other_grams``: the same for each
  distinct other text (keywords, ``|``, subtitle);
- ``docs``: one row per (kind, key) with what a hit shows; its id is
  ``name_id << NAME_SHIFT | status_rank << STATUS_SHIFT | seq``, so a name's documents are one
  id range, one sub-range per status rank (:func:`doc_band`), ``seq`` its place in the name;
- ``ids``: every normalised identifier (key, credit code, licence number, GTIN) → doc id;
- ``places``: each distinct point once (a producer's products stand at its place), with how
  many documents, enterprises stand there; ``geo``: an R*Tree over the places.

The counts let a total be summed per name (or place) without reading documents. Writing:
:mod:`search.embedded_write`.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from operator import add

from .base import STATUS_RANK
from .normalise import compact
from .pinyin import sound_parts

SCHEMA_VERSION = 7  # PRAGMA user_version; an older index is emptied and must be rebuilt
PREFIX = "\ue000"  # private-use character: marks a name's first characters in grams.t
OTHER_SEP = "|"  # in the other text between keywords and subtitle (never in folded text)
LEN_SHIFT = 24  # names.id = min(len(title), 255) << LEN_SHIFT | seq
NAME_SHIFT = 31  # docs.id = name_id << NAME_SHIFT | status_rank << STATUS_SHIFT | seq
STATUS_SHIFT = 28
MAX_STATUS = 4  # status ranks above (unknown statuses) count as this
TABLES = ("docs", "ids", "names", "others", "name_fts", "name_grams", "other_fts",
          "other_grams", "geo", "places", "fts", "fts_py", "grams")
SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL,
    subtitle TEXT NOT NULL, other_id INTEGER NOT NULL, place_id INTEGER, division_code TEXT NOT NULL,
    lat REAL, lng REAL, risk_grade TEXT, status TEXT NOT NULL, alerts TEXT NOT NULL,
    idents TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS names (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
    norm TEXT NOT NULL, fz TEXT NOT NULL, ex TEXT NOT NULL, ndocs INTEGER NOT NULL,
    nent INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS others (id INTEGER PRIMARY KEY, text TEXT NOT NULL,
    ndocs INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ids (ident TEXT NOT NULL, id INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS name_fts USING fts5(norm, fz, tokenize='trigram',
    content='names', content_rowid='id');
CREATE VIRTUAL TABLE IF NOT EXISTS name_grams USING fts5(
    t, p, tokenize='unicode61 remove_diacritics 0', detail=column);
CREATE VIRTUAL TABLE IF NOT EXISTS other_fts USING fts5(text, tokenize='trigram',
    content='others', content_rowid='id');
CREATE VIRTUAL TABLE IF NOT EXISTS other_grams USING fts5(
    o, tokenize='unicode61 remove_diacritics 0', detail=none);
CREATE TABLE IF NOT EXISTS places (id INTEGER PRIMARY KEY, lat REAL NOT NULL, lng REAL NOT NULL,
    ndocs INTEGER NOT NULL, nent INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS geo USING rtree(
    id, min_lat, max_lat, min_lng, max_lng, +lat REAL, +lng REAL);
"""
LATE_INDEXES = ("CREATE UNIQUE INDEX IF NOT EXISTS docs_key ON docs (kind, key)",
                "CREATE UNIQUE INDEX IF NOT EXISTS names_title ON names (title)",
                "CREATE INDEX IF NOT EXISTS names_norm ON names (norm)",
                "CREATE UNIQUE INDEX IF NOT EXISTS others_text ON others (text)",
                "CREATE UNIQUE INDEX IF NOT EXISTS places_point ON places (lat, lng)",
                "CREATE INDEX IF NOT EXISTS ids_ident ON ids (ident)",
                "CREATE INDEX IF NOT EXISTS docs_other ON docs (other_id)",
                "CREATE INDEX IF NOT EXISTS docs_place ON docs (place_id) WHERE place_id IS NOT NULL")
FTS_TABLES = ("name_fts", "name_grams", "other_fts", "other_grams")
FTS_AUTOMERGE = 4  # FTS5's default: merge once 4 segments of a level pile up


def fts_phrase(term: str) -> str:
    """``term`` as one FTS5 string literal: every character literal, quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def short_grams(text: str) -> set[str]:
    """1- and 2-character grams of a compact folded text."""
    grams = set(text)
    grams.update(map(add, text, text[1:]))
    return grams


def status_rank(status: str) -> int:
    return min(STATUS_RANK.get(status, MAX_STATUS), MAX_STATUS)


def name_band(title: str) -> int:
    """The first name id of names as long as ``title``: shorter names rank first."""
    return min(len(title), 255) << LEN_SHIFT


def doc_band(name_id: int, rank: int) -> int:
    """The first doc id of a name's documents of one status rank."""
    return name_id << NAME_SHIFT | rank << STATUS_SHIFT


def name_of(doc_id: int) -> int:
    return doc_id >> NAME_SHIFT


@lru_cache(maxsize=65536)
def title_parts(title: str) -> tuple[str, str, str, str, str]:
    """(folded name, grams.t, grams.p, fuzzy sounds, exact sounds) of one name; grams.p are the
    letter pairs of its fuzzy initials (``lzsf`` → ``lz zs sf``)."""
    name = compact(title)
    t = short_grams(name)
    t.update(PREFIX + name[:n] for n in (1, 2) if len(name) >= n)
    exact, fuzzy, initials = sound_parts(name)
    p = {w[i:i + 2] for w in initials for i in range(len(w) - 1)}
    return name, " ".join(t), " ".join(x for x in p if x.isalpha()), fuzzy, exact


def other_text(subtitle: str, keywords: tuple[str, ...]) -> str:
    """The other text of a document: keywords, ``|``, subtitle, each folded and compact."""
    return f"{compact(' '.join(keywords))}{OTHER_SEP}{compact(subtitle)}"


def other_grams(text: str) -> str:
    """The 1- and 2-character grams of an other text (none across its separator)."""
    keywords, _sep, subtitle = text.partition(OTHER_SEP)
    return " ".join(short_grams(keywords) | short_grams(subtitle))


def prepare(conn: sqlite3.Connection) -> None:
    """Create the tables; empty an index written by an older schema (``gongzhi reindex``)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.executescript(SCHEMA)


def set_automerge(conn: sqlite3.Connection, segments: int) -> None:
    """FTS5's ``automerge`` of every full-text table (kept in the file; 0: never merge)."""
    for table in FTS_TABLES:
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', ?)", (segments,))


def finish_indexes(conn: sqlite3.Connection) -> None:
    """The indexes a bulk load creates once at its end (cheaper than row by row; a rebuild
    writes each (kind, key), name, other text and place once, so the unique ones hold)."""
    for sql in LATE_INDEXES:
        conn.execute(sql)


_DOC_INSERT = ("INSERT INTO docs (id, kind, key, title, subtitle, other_id, place_id,"
               " division_code, lat, lng, risk_grade, status, alerts, idents)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")

"""Name sources of :mod:`search.embedded`: which names a query part matches, as SQL giving
their ids ascending.

A source is a small tuple, rendered by :class:`Render`:

- ``("exact", )`` names whose folded text equals the query;
- ``("sub", text)`` / ``("pre", text)`` names holding / starting with ``text``;
- ``("snd", strings)`` names whose fuzzy sound strings hold one of ``strings``;
- ``("exs", fuzzy, exact)`` the same whose exact sound strings also hold one of ``exact``;
- ``("chars", text)`` names holding every character of ``text`` (a superset is fine: Python
  checks these);
- ``("listed", )`` the names of the ``:names`` parameter (a JSON list, ascending).

Long texts are not matched as an FTS5 phrase of every trigram (each trigram's whole doclist
is read): the :data:`PICK` rarest trigrams (or characters) are matched and the text itself
checked with ``instr``. How rare a token is comes from FTS5's vocabulary, cached per
connection by :class:`Stats` (a stale count only costs speed, never a match).
"""

from __future__ import annotations

import sqlite3

from .embedded_sql import PREFIX, fts_phrase

PICK = 3  # trigrams matched for a long text
PICK_CHARS = 5  # characters matched for "every character of" a text
LONG = 6  # characters from which a text is matched by its rarest trigrams and checked
LISTED = "SELECT value AS id FROM json_each(:names)"


class Stats:
    """Rows per token of the FTS tables (fts5vocab), cached."""

    def __init__(self, conn: sqlite3.Connection | None = None):
        self.conn = conn
        self.cache: dict[tuple[str, str], int] = {}
        self._ready = False

    def count(self, table: str, token: str) -> int:
        if self.conn is None:
            return 0
        key = (table, token)
        found = self.cache.get(key)
        if found is None:
            if not self._ready:
                for t in ("name_fts", "name_grams", "other_fts", "other_grams"):
                    self.conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{t}_v USING"
                                      f" fts5vocab(main, '{t}', 'row')")
                self._ready = True
            row = self.conn.execute(f"SELECT doc FROM temp.{table}_v WHERE term = ?",
                                    (token,)).fetchone()
            found = self.cache[key] = row[0] if row else 0
        return found

    def rarest(self, table: str, tokens: list[str], k: int = PICK) -> list[str]:
        return sorted(dict.fromkeys(tokens), key=lambda t: self.count(table, t))[:k]


def trigrams(text: str) -> list[str]:
    return [text[i:i + 3] for i in range(len(text) - 2)]


def sub(text: str) -> tuple:
    return ("sub", text)


def sound(strings: tuple[str, ...]) -> tuple | None:
    """Fuzzy sound strings of 3+ letters, else initial pairs; None if neither."""
    if any(len(s) >= 3 for s in strings) or any(len(s) == 2 for s in strings):
        return ("snd", tuple(strings))
    return None


class Render:
    """SQL of a source, parameters bound through ``param``."""

    def __init__(self, param, stats: Stats):
        self.param, self.stats = param, stats

    def sql(self, source) -> str:
        kind = source[0]
        if kind == "exact":
            return "SELECT id FROM names WHERE norm = :q ORDER BY id"
        if kind == "listed":
            return LISTED
        if kind in ("sub", "pre"):
            return self._text(kind, source[1])
        if kind == "chars":
            chars = list(dict.fromkeys(source[1]))
            if len(chars) > PICK_CHARS:
                chars = self.stats.rarest("name_grams", chars, PICK_CHARS)
            match = " AND ".join("{t} : " + fts_phrase(c) for c in chars)
            return self._fts("name_grams", match)
        return self._sound(source[1], source[2] if kind == "exs" else ())

    def _fts(self, table: str, match: str, checks: list[str] = ()) -> str:
        if not checks:
            return (f"SELECT rowid AS id FROM {table} WHERE {table} MATCH {self.param(match)}"
                    " ORDER BY rowid")
        return (f"SELECT g.rowid AS id FROM {table} AS g JOIN names AS x ON x.id = g.rowid"
                f" WHERE {table} MATCH {self.param(match)} AND " + " AND ".join(checks)
                + " ORDER BY g.rowid")

    def _long(self, column: str, text: str) -> str:
        grams = self.stats.rarest("name_fts", trigrams(text))
        return "(" + " AND ".join(f"{{{column}}} : " + fts_phrase(g) for g in grams) + ")"

    def _text(self, kind: str, text: str) -> str:
        if len(text) < 3:
            token = PREFIX + text if kind == "pre" else text
            return self._fts("name_grams", "{t} : " + fts_phrase(token))
        caret = "^" if kind == "pre" else ""
        if len(text) < LONG:
            return self._fts("name_fts", "{norm} : " + caret + fts_phrase(text))
        p = self.param(text)
        check = (f"substr(x.norm, 1, length({p})) = {p}" if kind == "pre"
                 else f"instr(x.norm, {p}) > 0")
        return self._fts("name_fts", self._long("norm", text), [check])

    def _sound(self, fuzzy: tuple[str, ...], exact: tuple[str, ...]) -> str:
        long = [s for s in fuzzy if len(s) >= 3]
        checks = []
        if exact:
            checks.append("(" + " OR ".join(f"instr(x.ex, {self.param(e)}) > 0" for e in exact)
                          + ")")
        if not long:
            pairs = [s for s in fuzzy if len(s) == 2]
            return self._fts("name_grams", " OR ".join("{p} : " + fts_phrase(s) for s in pairs),
                             checks)
        match = " OR ".join(self._long("fz", s) if len(s) >= LONG else "{fz} : " + fts_phrase(s)
                            for s in long)
        if any(len(s) >= LONG for s in long):
            checks.append("(" + " OR ".join(f"instr(x.fz, {self.param(s)}) > 0" for s in long)
                          + ")")
        return self._fts("name_fts", match, checks)

"""The matches of :mod:`search.embedded` that Python decides (:func:`search.match.classify`):
partial matches of one term (per name) and several terms (per document: a term may be in
the name or in the other text). Candidates are capped (:data:`EXAMINE` names or others,
:data:`EXAMINE_DOCS` documents); the caller flags the total when a cap was reached.
"""

from __future__ import annotations

import json
import sqlite3

from .embedded_query import (ALL_STATUSES, EXAMINE, EXAMINE_DOCS, Builder, other_substring,
                             term_sources)
from .embedded_sources import sub
from .embedded_sql import NAME_SHIFT, OTHER_SEP
from .match import PARTIAL_TIER, Fields, Plan, Term, classify

_NAME_FIELDS = "SELECT n.id, n.norm, n.fz, n.ex FROM ({}) AS s CROSS JOIN names AS n ON n.id = s.id"


def _union(b: Builder, sources: list) -> str:
    return " UNION ".join(f"SELECT id FROM ({b.names(s)})" for s in sources)


def python_names(conn: sqlite3.Connection, plan: Plan, b: Builder) -> tuple[dict, bool]:
    """{name id: (tier, score)} of names matching one term partially (characters in order,
    others between; all but one of four or more only when no name has them all)."""
    term = plan.terms[0]
    if not term.partial:
        return {}, False
    text = term.text
    chars = list(dict.fromkeys(text))
    rare = b.render.stats.rarest("name_grams", chars, 4)
    # a name lacking at most one character holds 3 of the 4 rarest
    loose = [("chars", "".join(c for c in rare if c != skip)) for skip in rare]
    for allowed, sources in ((0, [("chars", text)]), (1, loose if len(text) >= 4 else [])):
        if not sources:
            continue
        whole = b.names(sub(text))  # names holding the term whole rank better
        sql = _NAME_FIELDS.format(f"SELECT id FROM ({_union(b, sources)}) WHERE id NOT IN"
                                  f" ({whole}) ORDER BY id LIMIT {EXAMINE}")
        rows = conn.execute(sql, b.params).fetchall()
        kept = [r for r in rows if sum(c not in r[1] for c in chars) <= allowed]
        if not kept:
            continue
        out = {}
        for name_id, norm, fz, ex in kept:
            found = classify(plan, Fields(norm, "", ex, fz))
            if found and found[0] == PARTIAL_TIER:
                out[name_id] = found
        return out, len(rows) >= EXAMINE
    return {}, False


def driver(conn: sqlite3.Connection, plan: Plan, b: Builder) -> Term:
    """The term of several with the fewest names and others holding it (counted to 1000)."""
    def estimate(term: Term) -> tuple[int, int]:
        table, match = other_substring(term.text)
        names = f"SELECT count(*) FROM (SELECT 1 FROM ({_union(b, term_sources(term))}) LIMIT 1000)"
        others = (f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH"
                  f" {b.param(match)} LIMIT 1000)")
        return (conn.execute(names, b.params).fetchone()[0]
                + conn.execute(others, b.params).fetchone()[0], -len(term.text))
    return min(plan.terms, key=estimate)


def several_terms(conn: sqlite3.Connection, plan: Plan, b: Builder) -> tuple[dict, bool]:
    """{doc id: (tier, score, distance)} of documents matching several terms in tiers 4-7."""
    term = driver(conn, plan, b)
    table, match = other_substring(term.text)
    names = f"SELECT id FROM ({_union(b, term_sources(term))}) ORDER BY id LIMIT {EXAMINE}"
    others = (f"SELECT rowid AS id FROM {table} WHERE {table} MATCH {b.param(match)}"
              f" ORDER BY rowid LIMIT {EXAMINE}")
    cond = (" WHERE " + " AND ".join(b.where)) if b.where else ""
    docs = (f"SELECT d.id, {b.distance}, d.other_id FROM ({names}) AS n CROSS JOIN docs AS d"
            f" ON {ALL_STATUSES}{cond} LIMIT {EXAMINE_DOCS}")
    by_other = (f"SELECT d.id, {b.distance}, d.other_id FROM ({others}) AS o CROSS JOIN docs AS d"
                f" ON d.other_id = o.id{cond} LIMIT {EXAMINE_DOCS}")
    rows = conn.execute(docs, b.params).fetchall()
    more = conn.execute(by_other, b.params).fetchall()
    capped = EXAMINE_DOCS in (len(rows), len(more))
    rows += more
    fields = _fields(conn, {r[0] >> NAME_SHIFT for r in rows}, {r[2] for r in rows})
    cache: dict[tuple, tuple | None] = {}
    out: dict[int, tuple] = {}
    for doc_id, dist, other_id in rows:
        name = fields[0].get(doc_id >> NAME_SHIFT)
        if name is None:
            continue
        other = fields[1].get(other_id, "")
        mask = tuple(t.text in other for t in plan.terms)
        key = (doc_id >> NAME_SHIFT, mask)
        if key not in cache:
            proxy = OTHER_SEP.join(t.text for t, m in zip(plan.terms, mask) if m)
            cache[key] = classify(plan, Fields(name[0], proxy, name[2], name[1]))
        found = cache[key]
        if found and found[0] >= 4:
            out[doc_id] = (found[0], found[1], dist)
    return out, capped


def _fields(conn, name_ids: set[int], other_ids: set[int]) -> tuple[dict, dict]:
    """({name id: (norm, fz, ex)}, {other id: text})."""
    names = {r[0]: r[1:] for r in conn.execute(
        "SELECT id, norm, fz, ex FROM names WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(name_ids)),))}
    others = dict(conn.execute("SELECT id, text FROM others WHERE id IN"
                               " (SELECT value FROM json_each(?))", (json.dumps(sorted(other_ids)),)))
    return names, others

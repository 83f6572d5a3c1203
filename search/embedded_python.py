"""The matches of :mod:`search.embedded` that Python decides (:func:`search.match.classify`):
partial matches of one term (per name) and several terms (per document: a term may be in
the name or in the other text). Candidates are capped (:data:`EXAMINE` names for a partial
match; :data:`EXAMINE_TERMS` names and others, :data:`EXAMINE_DOCS` documents for several
terms); the caller flags the total when a cap was reached.
"""

from __future__ import annotations

import json
import sqlite3

from .embedded_query import (ALL_STATUSES, EXAMINE, EXAMINE_DOCS, EXAMINE_TERMS, Builder,
                             other_substring,
                             term_sources)
from .embedded_sources import sub, trigrams
from .embedded_sql import NAME_SHIFT, OTHER_SEP
from .match import PARTIAL_TIER, Fields, Plan, Term, classify

def _union(b: Builder, sources: list, limit: int | None = None) -> str:
    """The ids of several name sources; with ``limit``, the first ``limit`` of each (the
    first ``limit`` of the union are among them) and of the union."""
    if limit is None:
        return " UNION ".join(f"SELECT id FROM ({b.names(s)})" for s in sources)
    parts = " UNION ".join(f"SELECT * FROM (SELECT id FROM ({b.names(s)}) LIMIT {limit})"
                           for s in sources)
    return f"SELECT id FROM ({parts}) ORDER BY id LIMIT {limit}"


def python_names(conn: sqlite3.Connection, plan: Plan, b: Builder) -> tuple[dict, bool]:
    """({name id: (tier, score)}, cut) of names matching one term partially (characters in
    order, others between; all but one of four or more only when no name has them all)."""
    term = plan.terms[0]
    if not term.partial:
        return {}, False
    text = term.text
    chars = list(dict.fromkeys(text))
    rare = b.render.stats.rarest("name_grams", chars, 6)
    # a name lacking at most one character holds all but one of the 6 rarest
    others = [("chars", "".join(c for c in rare if c != skip)) for skip in rare]
    for allowed, sources in ((0, [("chars", text)]), (1, others if len(text) >= 4 else [])):
        if not sources:
            continue
        whole = b.names(sub(text))  # names holding the term whole rank better
        held = " + ".join(f"(instr(x.norm, {b.param(c)}) > 0)" for c in chars)
        sql = (f"SELECT x.id, x.norm, x.fz, x.ex FROM ({_union(b, sources)}) AS s CROSS JOIN"
               f" names AS x ON x.id = s.id WHERE {held} >= {len(chars) - allowed} AND x.id"
               f" NOT IN ({whole}) ORDER BY x.id LIMIT {EXAMINE}")
        rows = conn.execute(sql, b.params).fetchall()
        if not rows:
            continue
        out = {}
        for name_id, norm, fz, ex in rows:
            found = classify(plan, Fields(norm, "", ex, fz))
            if found and found[0] == PARTIAL_TIER:
                out[name_id] = found
        return out, len(rows) >= EXAMINE
    return {}, False


def _estimate(stats, term: Term) -> int:
    """About how many names and others hold ``term`` or sound like it (FTS5 vocabulary
    counts: the rarest trigram of each string bounds its matches)."""
    def count(short: str, long: str) -> int:
        if len(term.text) < 3:
            return stats.count(short, term.text)
        return min(stats.count(long, g) for g in trigrams(term.text))
    sounds = [s for s in (term.sounds.fuzzy if term.sounds else ()) if len(s) >= 3]
    sound = sum(min(stats.count("name_fts", g) for g in trigrams(s)) for s in sounds)
    return max(count("name_grams", "name_fts"), sound) + count("other_grams", "other_fts")


def _name_holds(b: Builder, term: Term) -> str:
    """SQL: the name (``x``) could match ``term`` (literally, by sound, or its characters)."""
    conds = [f"instr(x.norm, {b.param(term.text)}) > 0"]
    conds += [f"instr(x.fz, {b.param(s)}) > 0" for s in (term.sounds.fuzzy if term.sounds else ())]
    if term.partial:
        conds.append("(" + " AND ".join(f"instr(x.norm, {b.param(c)}) > 0"
                                        for c in dict.fromkeys(term.text)) + ")")
    return "(" + " OR ".join(conds) + ")"


def _other_holds(b: Builder, term: Term) -> str:
    return f"instr(o.text, {b.param(term.text)}) > 0"


def several_terms(conn: sqlite3.Connection, plan: Plan, b: Builder) -> tuple[dict, bool]:
    """{doc id: (tier, score, distance)} of documents matching several terms in tiers 4-7:
    candidates hold the rarest term (the *driver*) in the name or the other text, and could
    hold each other term in one or the other (:func:`_name_holds`); Python classifies them."""
    stats = b.render.stats
    term = min(plan.terms, key=lambda t: (_estimate(stats, t), -len(t.text)))
    table, match = other_substring(term.text)
    name_ids = [r[0] for r in conn.execute(_union(b, term_sources(term), EXAMINE_TERMS),
                                           b.params)]
    other_ids = [r[0] for r in conn.execute(
        f"SELECT rowid FROM {table} WHERE {table} MATCH {b.param(match)} ORDER BY rowid"
        f" LIMIT {EXAMINE_TERMS}", b.params)]
    b.params["driver_names"], b.params["driver_others"] = map(json.dumps, (name_ids, other_ids))
    names = "SELECT value AS id FROM json_each(:driver_names)"
    others = "SELECT value AS id FROM json_each(:driver_others)"
    rest = [t for t in plan.terms if t is not term]
    # per name once: could it hold each other term itself; per document only the other text
    flags = ", ".join(f"{_name_holds(b, t)} AS h{i}" for i, t in enumerate(rest))
    held = " AND ".join([*b.where, *(f"(c.h{i} OR {_other_holds(b, t)})"
                                     for i, t in enumerate(rest))])
    by_name = (f"WITH c AS MATERIALIZED (SELECT x.id, x.norm, x.fz, x.ex, {flags} FROM ({names})"
               f" AS n CROSS JOIN names AS x ON x.id = n.id) SELECT d.id, {b.distance}, c.id,"
               f" c.norm, c.fz, c.ex, o.text FROM c CROSS JOIN docs AS d ON"
               f" {ALL_STATUSES.replace('n.id', 'c.id')} JOIN others AS o ON o.id = d.other_id"
               f" WHERE {held} LIMIT {EXAMINE_DOCS}")
    where = " AND ".join([*b.where, *(f"({_name_holds(b, t)} OR {_other_holds(b, t)})"
                                      for t in rest)])
    cols = f"d.id, {b.distance}, x.id, x.norm, x.fz, x.ex, o.text"
    by_other = (f"SELECT {cols} FROM ({others}) AS s CROSS JOIN docs AS d ON d.other_id = s.id"
                f" JOIN others AS o ON o.id = s.id JOIN names AS x ON x.id = (d.id >> {NAME_SHIFT})"
                f" WHERE {where} LIMIT {EXAMINE_DOCS}")
    rows = conn.execute(by_name, b.params).fetchall()
    more = conn.execute(by_other, b.params).fetchall()
    capped = EXAMINE_DOCS in (len(rows), len(more)) or EXAMINE_TERMS in (len(name_ids),
                                                                         len(other_ids))
    cache: dict[tuple, tuple | None] = {}
    out: dict[int, tuple] = {}
    for doc_id, dist, name_id, norm, fz, ex, other in rows + more:
        mask = tuple(t.text in other for t in plan.terms)
        key = (name_id, mask)
        if key not in cache:
            proxy = OTHER_SEP.join(t.text for t, m in zip(plan.terms, mask) if m)
            cache[key] = classify(plan, Fields(norm, proxy, ex, fz))
        found = cache[key]
        if found and found[0] >= 4:
            out[doc_id] = (found[0], found[1], dist)
    return out, capped

"""Run a search on one SQLite connection of :mod:`search.embedded`: the tiers in order, each
read only as far as the page needs, then the total.

A document ranks by (tier, score, status rank, shorter name, round robin over names — see
:mod:`search.embedded_walk`). Tiers are walked best first, each only until ``offset + size``
documents are found: every document left unread ranks after them. With ``near`` nothing is
cut (distance orders inside a status; the radius bounds the candidates).

Partial matches and several terms are checked in Python (:func:`search.match.classify`) over
candidates: at most :data:`EXAMINE` names (and others), :data:`EXAMINE_DOCS` documents; past
that the total is a flagged lower bound. Totals are exact up to :data:`TOTAL_CAP`.
Synchronous: the backend calls :func:`rank` in a thread.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field

from .base import SearchQuery
from .embedded_python import python_names, several_terms
from .embedded_query import (DISPLAY, KM_PER_DEG_LAT, TOTAL_CAP, Builder, base_params,
                             bounding_box, count_sources, name_tiers, nearby_sql,
                             other_substring)
from .embedded_sql import NAME_SHIFT
from .embedded_sources import Stats
from .embedded_walk import LISTED, SMALL, Walk, doc_order, id_order
from .match import Plan


@dataclass
class Ranked:
    """Page rows (kind, key, title, subtitle, risk, alerts, status, distance, tier), total."""

    rows: list[tuple] = field(default_factory=list)
    total: int = 0
    lower_bound: bool = False


def rank(conn: sqlite3.Connection, query: SearchQuery, plan: Plan | None,
         native_math: bool, stats: Stats | None = None) -> Ranked:
    """The page and total of ``query``; ``stats``: token counts cached across searches."""
    params = base_params(query, plan)
    b = Builder(query, params, native_math, stats)
    if plan is None:
        return _nearby(conn, query, b, params) if query.near is not None else Ranked()
    if not plan.text:  # only punctuation or emoji: nothing to look for
        return Ranked()
    walk = Walk(conn, b, params, None if query.near is not None else query.offset + query.size)
    if plan.ident:
        walk.add(conn.execute(b.docs_of_idents(), params), 0, order=id_order)
    tiers = name_tiers(plan)
    for tier, source in tiers:
        if walk.full:
            break
        if source[0] == "exs" and _exact_sounds(conn, b, walk, source):
            continue
        walk.names(b.names(source), tier)
        if tier == 3 and len(plan.terms) == 1 and not walk.full:
            walk.others(_others_sql(b, plan), 4)
    extra = _Python(conn, plan, b)
    if not walk.full:
        extra.into(walk)
    total, lower = _total(conn, plan, b, walk, extra)
    order = sorted(walk.found, key=_sort_key(walk.found, query.near is not None))
    page = order[query.offset:query.offset + query.size]
    return Ranked(_display(conn, page, walk.found), total, lower or extra.capped)


def _exact_sounds(conn, b: Builder, walk: Walk, source: tuple) -> bool:
    """Tier 5 from the fuzzy sound names when they are few (read once, kept for tier 6 and
    the count): those whose exact strings hold the query's. False: walk it as usual."""
    fuzzy = b.names(("snd", source[1]))
    head = conn.execute(f"SELECT n.id, n.ndocs, n.nent, n.ex FROM ({fuzzy}) AS s CROSS JOIN"
                        f" names AS n ON n.id = s.id LIMIT {SMALL + 1}", b.params).fetchall()
    if len(head) > SMALL:
        return False
    walk.heads[fuzzy] = [r[:3] for r in head]
    exact = sorted(r[0] for r in head if any(e in r[3] for e in source[2]))
    if exact:
        walk.names(LISTED, 5, (), {"names": json.dumps(exact)})
    return True


def _others_sql(b: Builder, plan: Plan) -> str:
    table, match = other_substring(plan.terms[0].text)
    return f"SELECT rowid AS id FROM {table} WHERE {table} MATCH {b.param(match)}"


class _Python:
    """The matches Python decides, computed once when first needed: names matching one term
    partially, or documents matching several terms."""

    def __init__(self, conn, plan: Plan, b: Builder):
        self.conn, self.plan, self.b = conn, plan, b
        self._done = False
        self.names: dict[int, tuple] = {}
        self.docs: dict[int, tuple] = {}
        self.capped = False

    def run(self) -> "_Python":
        if not self._done:
            self._done = True
            if len(self.plan.terms) == 1:
                self.names, self.capped = python_names(self.conn, self.plan, self.b)
            elif self.plan.terms:
                self.docs, self.capped = several_terms(self.conn, self.plan, self.b)
        return self

    def into(self, walk: Walk) -> None:
        self.run()
        for doc_id, (tier, score, dist) in self.docs.items():
            if doc_id not in walk.found:
                walk.found[doc_id] = (tier, score, doc_order(doc_id), dist)
        groups: dict[tuple, list[int]] = {}
        for name_id, key in self.names.items():
            groups.setdefault(key, []).append(name_id)
        for (tier, score), ids in sorted(groups.items()):
            if walk.full:
                break
            walk.names(LISTED, tier, score, {"names": json.dumps(sorted(ids))})


def _total(conn, plan: Plan, b: Builder, walk: Walk, extra: _Python) -> tuple[int, bool]:
    """The number of matches, counted only when the page is full: names' document counts
    (the cheap part) first, then the matches Python decides, then the other text's."""
    if not walk.full:
        return len(walk.found), False
    if b.filtered:
        return _count_filtered(conn, plan, b, walk, extra.run())
    counter = _Counter(b)
    for src in count_sources(plan):
        sql = b.names(src)
        if counter.names(walk.heads[sql] if sql in walk.heads else conn.execute(
                f"SELECT n.id, n.ndocs, n.nent FROM ({sql}) AS s CROSS JOIN names AS n"
                f" ON n.id = s.id", b.params)):
            return TOTAL_CAP, True
    extra.run()
    if extra.names and counter.names(conn.execute(
            "SELECT id, ndocs, nent FROM names WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(extra.names)),))):
        return TOTAL_CAP, True
    seen = counter.seen
    if len(plan.terms) == 1:
        counter.total += _count_others(conn, plan, b, seen, TOTAL_CAP + 1 - counter.total)
    else:
        counter.total += sum(1 for k in extra.docs if (k >> NAME_SHIFT) not in seen)
    counter.total += sum(1 for k, v in walk.found.items()
                         if v[0] == 0 and (k >> NAME_SHIFT) not in seen)
    return (TOTAL_CAP, True) if counter.total > TOTAL_CAP else (counter.total, False)


class _Counter:
    """Documents of distinct names, by their counts (of the query's kind)."""

    def __init__(self, b: Builder):
        self.kind = b.params.get("kind")
        self.seen: set[int] = set()
        self.total = 0

    def names(self, rows) -> bool:
        """Add (id, ndocs, nent) rows; True once past the cap."""
        for name_id, ndocs, nent in rows:
            if name_id not in self.seen:
                self.seen.add(name_id)
                self.total += (ndocs if self.kind is None else nent if self.kind == "enterprise"
                               else ndocs - nent)
                if self.total > TOTAL_CAP:
                    return True
        return False


def _count_others(conn, plan: Plan, b: Builder, seen: set[int], limit: int) -> int:
    """Documents whose other text holds the term, of names not counted yet."""
    cond = " AND ".join([f"(d.id >> {NAME_SHIFT}) NOT IN (SELECT value FROM json_each(:seen))",
                         *b.where])
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM ({_others_sql(b, plan)}) AS o CROSS JOIN docs"
           f" AS d ON d.other_id = o.id WHERE {cond} LIMIT {limit})")
    return conn.execute(sql, {**b.params, "seen": json.dumps(sorted(seen))}).fetchone()[0]


def _count_filtered(conn, plan: Plan, b: Builder, walk: Walk, extra: _Python) -> tuple[int, bool]:
    parts = [b.docs_of_names(b.names(src)) for src in count_sources(plan)]
    if extra.names:
        parts.append(b.docs_of_names(LISTED))
    if len(plan.terms) == 1:
        parts.append(b.docs_of_others(_others_sql(b, plan)))
    union = " UNION ".join(f"SELECT id FROM ({p})" for p in parts)
    params = {**b.params, "names": json.dumps(sorted(extra.names))}
    ids = {r[0] for r in conn.execute(f"SELECT id FROM ({union}) LIMIT {TOTAL_CAP + 1}", params)}
    ids.update(extra.docs)
    ids.update(k for k, v in walk.found.items() if v[0] == 0)
    return (TOTAL_CAP, True) if len(ids) > TOTAL_CAP else (len(ids), False)


def _sort_key(found: dict, near: bool):
    if near:
        return lambda k: (found[k][0], found[k][1], found[k][2][0], found[k][3], found[k][2])
    return lambda k: found[k][:3]


def _display(conn: sqlite3.Connection, page: list[int], found: dict) -> list[tuple]:
    if not page:
        return []
    marks = ",".join("?" * len(page))
    rows = {r[0]: r[1:] for r in conn.execute(
        f"SELECT {DISPLAY} FROM docs AS d WHERE d.id IN ({marks})", page)}
    return [(*rows[k], found[k][3], found[k][0]) for k in page if k in rows]


def _nearby(conn: sqlite3.Connection, query: SearchQuery, b: Builder, params: dict) -> Ranked:
    page_sql, count_sql, counts_sql = nearby_sql(query, b)
    rows = _nearby_page(conn, query, page_sql, params)
    rows = [(*r[1:], 0) for r in rows]
    if len(rows) < query.size and (rows or query.offset == 0):
        return Ranked(rows, query.offset + len(rows))
    if query.division:
        total = conn.execute(count_sql, params).fetchone()[0]
    else:  # the places' counts: in a square inside the circle first (no distances)
        total = _sum_places(conn.execute(_INNER, {**params, **_inner_box(query)}), query.kind)
        if total <= TOTAL_CAP:
            total = _sum_places(conn.execute(counts_sql, params), query.kind)
    if total > TOTAL_CAP:
        return Ranked(rows, max(TOTAL_CAP, query.offset + len(rows)), True)
    return Ranked(rows, total)


_INNER = ("SELECT pl.ndocs, pl.nent FROM geo AS g JOIN places AS pl ON pl.id = g.id WHERE"
          " g.min_lat >= :ilat0 AND g.max_lat <= :ilat1 AND g.min_lng >= :ilng0"
          " AND g.max_lng <= :ilng1")


def _sum_places(rows, kind: str) -> int:
    """Documents (of ``kind``) at the places of ``rows`` (ndocs, nent), up to past the cap."""
    total = 0
    for ndocs, nent in rows:
        total += ndocs if kind == "all" else nent if kind == "enterprise" else ndocs - nent
        if total > TOTAL_CAP:
            break
    return total


def _inner_box(query: SearchQuery) -> dict:
    """A square inside the circle: every point in it is within the radius."""
    lat, lng = query.near
    half = query.radius_km * 0.69  # < r / sqrt(2), with room for the degree approximations
    dlat = half / KM_PER_DEG_LAT
    cos_lat = math.cos(math.radians(max(abs(lat) - dlat, 0.0)))  # the widest degree: safe
    dlng = half / (KM_PER_DEG_LAT * cos_lat)
    return {"ilat0": lat - dlat, "ilat1": lat + dlat, "ilng0": lng - dlng, "ilng1": lng + dlng}


def _nearby_page(conn: sqlite3.Connection, query: SearchQuery, page_sql: str, params: dict):
    """Try circles of 1/16 and 1/4 of the radius first: a page that fills inside a smaller
    circle is the page (everything outside it is farther), and costs far fewer rows."""
    ring = query.radius_km / 16
    while ring < query.radius_km:
        box = dict(zip(("lat0", "lat1", "lng0", "lng1"), bounding_box(*query.near, ring)))
        rows = conn.execute(page_sql, {**params, **box, "radius": ring}).fetchall()
        if len(rows) == query.size:
            return rows
        ring *= 4
    return conn.execute(page_sql, params).fetchall()

"""Run a search on one SQLite connection of :mod:`search.embedded`: the SQL tiers, the
Python-checked partial and multi-term matches, the merged page and its total.

Sound and partial ranks follow :mod:`search.match`; the SQL comes from
:mod:`search.embedded_query`. Synchronous: the backend calls :func:`rank` in a thread.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from .base import SearchQuery
from .embedded_query import (DISPLAY, EXAMINE, TOTAL_CAP, Builder, base_params, bounding_box,
                             nearby_sql, python_sources, ranked_sql)
from .match import PARTIAL_TIER, Fields, Plan, classify, sound_tier


@dataclass
class Ranked:
    """Page rows (kind, key, title, subtitle, risk, alerts, status, distance, tier), total."""

    rows: list[tuple] = field(default_factory=list)
    total: int = 0
    lower_bound: bool = False


def rank(conn: sqlite3.Connection, query: SearchQuery, plan: Plan | None,
         native_math: bool) -> Ranked:
    params = base_params(query, plan)
    b = Builder(query, params, native_math)
    if plan is None:
        return _nearby(conn, query, b, params) if query.near is not None else Ranked()
    if not plan.text:  # only punctuation or emoji: nothing to look for
        return Ranked()
    page_sql, count_sql = ranked_sql(query, plan, b)
    window = query.offset + query.size
    found = {row[0]: (row[1], (), row[2], row[3]) for row in conn.execute(page_sql, params)}
    sql_full = len(found) >= window
    extra, capped = ({}, False) if sql_full else python_matches(conn, plan, b, params)
    if sql_full:
        total = conn.execute(count_sql, params).fetchone()[0]
        lower = total > TOTAL_CAP
        if not lower:
            extra_count, capped = python_matches(conn, plan, b, params)
            total += sum(1 for k in extra_count if k not in found)
    else:
        total, lower = len(found) + sum(1 for k in extra if k not in found), False
    for key, value in extra.items():
        found.setdefault(key, value)
    order = sorted(found, key=_sort_key(found, query.near is not None))
    page = order[query.offset:window]
    return Ranked(_display(conn, page, found), min(total, TOTAL_CAP) if lower else total,
                  lower or capped)


def _sort_key(found: dict, near: bool):
    if near:
        return lambda k: (found[k][0], found[k][1], found[k][2], found[k][3], k)
    return lambda k: (found[k][0], found[k][1], k)


def python_matches(conn: sqlite3.Connection, plan: Plan, b: Builder,
                   params: dict) -> tuple[dict, bool]:
    """{id: (tier, score, status_rank, distance)} of the matches only Python finds (partial;
    sound or partial over several terms), and whether a candidate list was cut."""
    out: dict[int, tuple] = {}
    capped, rows = False, []
    for full in (True, False):
        sources = python_sources(plan, full)
        if not sources or rows:  # all but one character: only when no document has all
            continue
        rows = conn.execute(b.candidates(sources), params).fetchall()
        capped = capped or len(rows) >= EXAMINE
        for doc_id, title, other, fz, ex, status_rank, dist in rows:
            fields = Fields(title, other or "", ex or "", fz or "")
            found = classify(plan, fields)
            if found and _python_only(plan, fields, found[0]):
                out[doc_id] = (found[0], found[1], status_rank, dist)
    return out, capped


def _python_only(plan: Plan, fields: Fields, tier: int) -> bool:
    if len(plan.terms) == 1:
        return tier == PARTIAL_TIER
    sound = plan.sound
    return tier >= 5 and not (sound and sound_tier(sound, fields.exact, fields.fuzzy, plan.fuzzy))


def _display(conn: sqlite3.Connection, page: list[int], found: dict) -> list[tuple]:
    if not page:
        return []
    marks = ",".join("?" * len(page))
    rows = {r[0]: r[1:] for r in conn.execute(
        f"SELECT {DISPLAY} FROM docs AS d WHERE d.id IN ({marks})", page)}
    return [(*rows[k], found[k][3], found[k][0]) for k in page if k in rows]


def _nearby(conn: sqlite3.Connection, query: SearchQuery, b: Builder, params: dict) -> Ranked:
    page_sql, count_sql = nearby_sql(query, b)
    rows = _nearby_page(conn, query, page_sql, params)
    rows = [(*r[1:], 0) for r in rows]
    if len(rows) < query.size and (rows or query.offset == 0):
        return Ranked(rows, query.offset + len(rows))
    total = conn.execute(count_sql, params).fetchone()[0]
    if total > TOTAL_CAP:
        return Ranked(rows, max(TOTAL_CAP, query.offset + len(rows)), True)
    return Ranked(rows, total)


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

"""Turn a :class:`SearchQuery` into SQLite SQL for :mod:`search.embedded`. Pure.

Everything the user typed goes in as a bound parameter; text bound for ``MATCH`` is wrapped
as FTS5 string literals (:func:`fts_phrase`), so ``"``, ``*``, ``NEAR``, ``(``, ``:``,
``AND``/``OR`` and emoji are matched as plain characters and never parsed as syntax.

Tiers are those of :mod:`search.match`. Tiers 0-6 are found in SQL: each has its own
candidate *stream* whose members all reach that tier or a better one, read in id order (the
id encodes the static rank, see :mod:`search.embedded_sql`) and cut after the first
``offset + size``: the best ``offset + size`` of the union (each re-tiered exactly) are the
true best ones, because any document left out of its stream has that many documents before
it. So a broad query ("螺", "lsf") reads a few hundred index entries, not every match.

Tier 7 (partial) and the sound and partial matches of several terms are checked in Python
(:func:`search.match.classify`) over *candidates* — the first :data:`EXAMINE` documents, in
id order, holding every character of the term (or of its longest term) — and ranked by how
well they match. These run only when tiers 0-6 do not fill the page, or to count.
Totals are exact up to :data:`TOTAL_CAP`, then a lower bound.
"""

from __future__ import annotations

import math

from .base import SearchQuery, division_prefix
from .embedded_sql import PREFIX, fts_phrase
from .match import Plan, Term

KM_PER_DEG_LAT = 111.32
EARTH_KM = 6371.0088
TOTAL_CAP = 10_000
EXAMINE = 400  # candidates checked in Python per partial or multi-term stream
SOUND_EXAMINE = 2000  # fuzzy sound candidates checked for an exact sound match
DISPLAY = "d.id, d.kind, d.key, d.title, d.subtitle, d.risk_grade, d.alerts, d.status"
HAVERSINE_SQL = (
    f"(2 * {EARTH_KM} * asin(min(1.0, sqrt(power(sin(radians(T.lat - :lat) / 2), 2)"
    " + :coslat * cos(radians(T.lat)) * power(sin(radians(T.lng - :lng) / 2), 2)))))")
DISTANCE_UDF = "distance_km(:lat, :lng, T.lat, T.lng)"


def _substring_source(text: str, columns: str):
    """Where ``text`` (compact, alphanumeric) is a substring of the columns, or None."""
    if len(text) >= 3:
        cols = "{title other}" if columns == "t o" else "{title}"
        return ("fts", f"{cols} : " + fts_phrase(text))
    return ("grams", "{" + columns + "} : " + fts_phrase(text))


def _sound_match(strings: tuple[str, ...]):
    """A MATCH over the fuzzy sound strings: trigram for 3+ letters, initial pairs for 2."""
    long = [s for s in strings if len(s) >= 3]
    if long:
        return ("fts_py", " OR ".join("{fz} : " + fts_phrase(s) for s in long))
    pairs = [s for s in strings if len(s) == 2]
    return ("grams", " OR ".join("{p} : " + fts_phrase(s) for s in pairs)) if pairs else None


def _chars_source(text: str):
    """Documents whose name holds every character of ``text``."""
    return ("grams", " AND ".join("{t} : " + fts_phrase(c) for c in dict.fromkeys(text)))


def text_streams(plan: Plan) -> list[tuple[int, object]]:
    """(tier, source) of the SQL tiers 0-6."""
    q, streams = plan.text, []
    if plan.ident:
        streams.append((0, "ident"))
    streams.append((1, "exact"))
    if len(q) >= 3:
        streams += [(2, ("fts", "{title} : ^" + fts_phrase(q))), (3, _substring_source(q, "t"))]
    else:
        streams += [(2, ("grams", "{t} : " + fts_phrase(PREFIX + q))),
                    (3, _substring_source(q, "t"))]
    parts = [_substring_source(t.text, "t o") for t in plan.terms]
    streams.append((4, parts[0] if len(parts) == 1 else ("intersect", parts)))
    exact, fuzzy = plan.sound_strings()
    match = _sound_match(fuzzy)
    if match:
        streams.append((5, ("sound_exact", match, exact)))
        if plan.fuzzy:
            streams.append((6, match))
    return streams


def python_sources(plan: Plan, full: bool = True) -> list[object]:
    """Candidate sources checked in Python: the partial characters of a single term
    (``full``: all of them, else each leaving one out), or the ways the longest term of
    several can match."""
    if len(plan.terms) == 1:
        term = plan.terms[0]
        if not term.partial:
            return []
        if full:
            return [_chars_source(term.text)]
        if len(term.text) < 4:
            return []
        return [_chars_source(term.text[:i] + term.text[i + 1:]) for i in range(len(term.text))]
    if len(plan.terms) < 2 or not full:
        return []
    driver = max(plan.terms, key=_selectivity)
    return _term_sources(driver)


def _selectivity(term: Term) -> tuple[int, int]:
    return (any("\u3400" <= c for c in term.text), len(term.text))


def _term_sources(term: Term) -> list[object]:
    sources = [_substring_source(term.text, "t o")]
    match = _sound_match(term.sounds.fuzzy) if term.sounds else None
    if match:
        sources.append(match)
    if term.partial:
        sources.append(_chars_source(term.text))
    return sources


class Builder:
    """Stream SQL over ``docs AS d`` with the query's filters applied before any LIMIT."""

    def __init__(self, query: SearchQuery, params: dict, native_math: bool):
        self.params = params
        self.where: list[str] = []
        self.distance = "NULL"
        if query.kind != "all":
            params["kind"] = query.kind
            self.where.append("d.kind = :kind")
        if query.division:
            params["division"] = division_prefix(query.division) + "%"
            self.where.append("d.division_code LIKE :division")
        if query.near is not None:
            lat, lng = query.near
            params.update(lat=lat, lng=lng, radius=query.radius_km,
                          coslat=math.cos(math.radians(lat)))
            box = bounding_box(lat, lng, query.radius_km)
            params.update(zip(("lat0", "lat1", "lng0", "lng1"), box))
            formula = HAVERSINE_SQL if native_math else DISTANCE_UDF
            self.distance = formula.replace("T.", "d.")
            self.geo_distance = formula.replace("T.", "g.")
            self.where.append(f"{self.distance} <= :radius")
        self.n = 0

    def param(self, value) -> str:
        self.n += 1
        self.params[f"m{self.n}"] = value
        return f":m{self.n}"

    def _filters(self) -> list[str]:
        where = list(self.where)
        if self.distance != "NULL":
            where.insert(0, "d.id IN (SELECT id FROM geo WHERE min_lat >= :lat0 AND max_lat"
                            " <= :lat1 AND min_lng >= :lng0 AND max_lng <= :lng1)")
        return where

    def stream(self, source, limit: str | None) -> str:
        """``SELECT id`` of one stream, in id order, cut at ``limit`` (a parameter name)."""
        where = self._filters()
        tail = f" ORDER BY d.id LIMIT {limit}" if limit else ""
        if source == "exact":
            cond = " AND ".join(["d.norm_title = :q", *where])
            return f"SELECT d.id AS id FROM docs AS d WHERE {cond}{tail}"
        if source == "ident":
            cond = " AND ".join(["i.ident = :ident", *where])
            return f"SELECT d.id AS id FROM ids AS i JOIN docs AS d ON d.id = i.id WHERE {cond}"
        if source[0] == "intersect":
            inner = " INTERSECT ".join(
                f"SELECT rowid FROM {table} WHERE {table} MATCH {self.param(match)}"
                for table, match in source[1])
            return self._joined(f"({inner})", "x.rowid", where, tail)
        if source[0] == "sound_exact":
            return self._sound_exact(source[1], source[2], where, tail)
        table, match = source
        if not where:
            tail = f" ORDER BY rowid LIMIT {limit}" if limit else ""
            return f"SELECT rowid AS id FROM {table} WHERE {table} MATCH {self.param(match)}{tail}"
        return self._joined(f"(SELECT rowid FROM {table} WHERE {table} MATCH "
                            f"{self.param(match)})", "x.rowid", where, tail)

    @staticmethod
    def _joined(inner: str, key: str, where: list[str], tail: str) -> str:
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        return f"SELECT d.id AS id FROM {inner} AS x JOIN docs AS d ON d.id = {key}{cond}{tail}"

    def _sound_exact(self, match, exact: tuple[str, ...], where: list[str], tail: str) -> str:
        """The first :data:`SOUND_EXAMINE` fuzzy sound candidates that also sound exactly so."""
        table, expr = match
        fuzzy = (f"SELECT rowid FROM {table} WHERE {table} MATCH {self.param(expr)}"
                 f" ORDER BY rowid LIMIT {SOUND_EXAMINE}")
        checks = " OR ".join(f"instr(p.ex, {self.param(e)}) > 0" for e in exact) or "0"
        inner = f"(SELECT x.rowid AS rowid FROM ({fuzzy}) AS x JOIN fts_py AS p" \
                f" ON p.rowid = x.rowid WHERE {checks})"
        return self._joined(inner, "x.rowid", where, tail)

    def candidates(self, sources: list[object]) -> str:
        """Rows (id, name, other, fuzzy, exact, status_rank, distance) of the first
        :data:`EXAMINE` documents of the union of ``sources``, in id order."""
        union = " UNION ".join(f"SELECT id FROM ({self.stream(s, ':examine')})" for s in sources)
        return (f"SELECT d.id, d.norm_title, f.other, p.fz, p.ex, d.status_rank,"
                f" {self.distance} FROM (SELECT id FROM ({union}) ORDER BY id LIMIT :examine)"
                " AS c JOIN docs AS d ON d.id = c.id JOIN fts AS f ON f.rowid = c.id"
                " JOIN fts_py AS p ON p.rowid = c.id")


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle; clamped, no antimeridian wrap."""
    dlat = radius_km / KM_PER_DEG_LAT
    cos_lat = math.cos(math.radians(lat))
    dlng = 180.0 if cos_lat < 1e-6 else min(180.0, radius_km / (KM_PER_DEG_LAT * cos_lat))
    return max(-90.0, lat - dlat), min(90.0, lat + dlat), max(-180.0, lng - dlng), min(180.0, lng + dlng)


def ranked_sql(query: SearchQuery, plan: Plan, b: Builder) -> tuple[str, str]:
    """(ranked SQL, count SQL) of tiers 0-6: rows (id, tier, status_rank, distance), best
    first, the first ``:window``; the count stops at ``:cap``."""
    streams = text_streams(plan)
    # With near, the radius bounds the candidates and distance orders inside a tier: no cut.
    limit = None if query.near is not None else ":window"
    union = " UNION ALL ".join(f"SELECT id, {tier} AS tier FROM ({b.stream(src, limit)})"
                               for tier, src in streams)
    tier = ("CASE WHEN m.tier = 0 THEN 0 WHEN d.norm_title = :q THEN 1"
            " WHEN substr(d.norm_title, 1, length(:q)) = :q THEN 2"
            " WHEN instr(d.norm_title, :q) > 0 THEN 3 ELSE m.tier END")
    order = "tier, d.status_rank, distance_km, d.id" if query.near else "tier, d.id"
    page = (f"SELECT d.id, {tier} AS tier, d.status_rank, {b.distance} AS distance_km FROM"
            f" (SELECT id, min(tier) AS tier FROM ({union}) GROUP BY id) AS m"
            f" JOIN docs AS d ON d.id = m.id ORDER BY {order} LIMIT :window")
    # Tiers 1-3 are inside tier 4's stream, 5 inside 6 (fuzzy on): count the others.
    counted = [src for t, src in streams if t in (0, 4, 6) or (t == 5 and not plan.fuzzy)]
    count_union = " UNION ".join(f"SELECT id FROM ({b.stream(src, ':cap')})" for src in counted)
    count = f"SELECT count(*) FROM (SELECT id FROM ({count_union}) LIMIT :cap)"
    return page, count


def nearby_sql(query: SearchQuery, b: Builder) -> tuple[str, str]:
    """Nearest first from the R*Tree alone (point, kind and status are in it); ``docs`` rows
    are read for the page only, or for every candidate when filtering by division."""
    cond = ["g.min_lat >= :lat0", "g.max_lat <= :lat1", "g.min_lng >= :lng0",
            "g.max_lng <= :lng1", f"{b.geo_distance} <= :radius"]
    if query.kind != "all":
        cond.append("g.kind = :kind")
    source = "geo AS g"
    if query.division:
        source += " JOIN docs AS d ON d.id = g.id"
        cond.append("d.division_code LIKE :division")
    source += " WHERE " + " AND ".join(cond)
    near = (f"SELECT g.id AS id, {b.geo_distance} AS dist, g.status_rank AS status_rank"
            f" FROM {source} ORDER BY dist, g.status_rank, g.id LIMIT :size OFFSET :offset")
    page = (f"SELECT {DISPLAY}, n.dist AS distance_km FROM ({near}) AS n"
            " JOIN docs AS d ON d.id = n.id ORDER BY n.dist, n.status_rank, n.id")
    count = f"SELECT count(*) FROM (SELECT 1 FROM {source} LIMIT :cap)"
    return page, count


def base_params(query: SearchQuery, plan: Plan | None) -> dict:
    return {"q": plan.text if plan else "", "ident": plan.ident if plan else "",
            "size": query.size, "offset": query.offset, "window": query.offset + query.size,
            "cap": TOTAL_CAP + 1, "examine": EXAMINE}

"""Turn a :class:`SearchQuery` into SQLite SQL for :mod:`search.embedded`. Pure.

Everything the user typed goes in as a bound parameter; text bound for ``MATCH`` is wrapped
as FTS5 string literals (:func:`fts_phrase`), so ``"``, ``*``, ``NEAR``, ``(``, ``:``,
``AND``/``OR`` and emoji are matched as plain characters and never parsed as syntax.

Tiers (lower ranks first): 0 identifier, 1 exact name, 2 name prefix, 3 name substring,
4 other-field substring (address, brand, category), 5 pinyin or initials. Within a tier the
document id orders (it encodes the static rank, see :mod:`search.embedded_sql`).

Each tier has its own candidate *stream* whose members all reach that tier or a better one,
read in id order and cut after the first ``offset + size``: the best ``offset + size`` of the
union (each re-tiered exactly) are the true best ones, because any document left out of its
stream has that many documents before it. So a broad query ("螺", "lsf") reads a few hundred
index entries, not every match. Totals are exact up to :data:`TOTAL_CAP`, then a lower bound.
"""

from __future__ import annotations

import math

from .base import SearchQuery, division_prefix, normalise_identifier
from .embedded_sql import PREFIX, fts_phrase
from .pinyin import looks_like_pinyin, normalise_pinyin_query

KM_PER_DEG_LAT = 111.32
EARTH_KM = 6371.0088
TOTAL_CAP = 10_000
_COLUMNS = "d.kind, d.key, d.title, d.subtitle, d.risk_grade, d.alerts, d.status"
HAVERSINE_SQL = (
    f"(2 * {EARTH_KM} * asin(min(1.0, sqrt(power(sin(radians(T.lat - :lat) / 2), 2)"
    " + :coslat * cos(radians(T.lat)) * power(sin(radians(T.lng - :lng) / 2), 2)))))")
DISTANCE_UDF = "distance_km(:lat, :lng, T.lat, T.lng)"


def _text_streams(q: str, params: dict) -> list[tuple[int, object]]:
    """(tier, source) for tiers 1-4; a source is ("sql", ...) or (table, match expression)."""
    streams: list[tuple[int, object]] = [(1, "exact")]
    phrase = fts_phrase(q)
    if len(q) >= 3:
        streams += [(2, ("fts", "{title} : ^" + phrase)), (3, ("fts", "{title} : " + phrase))]
    elif q.isalnum():
        streams += [(2, ("grams", "{t} : " + fts_phrase(PREFIX + q))),
                    (3, ("grams", "{t} : " + phrase))]
    terms = q.split()
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    if any(not t.isalnum() for t in short_terms):
        return streams  # a 1-2 character term of punctuation or emoji is in no name
    parts = []
    if long_terms:
        parts.append(("fts", " AND ".join("{title other} : " + fts_phrase(t) for t in long_terms)))
    if short_terms:
        parts.append(("grams", " AND ".join("{t o} : " + fts_phrase(t) for t in short_terms)))
    streams.append((4, parts[0] if len(parts) == 1 else ("intersect", parts)))
    return streams


def _pinyin_stream(q: str) -> tuple[str, str] | None:
    if not looks_like_pinyin(q):
        return None
    py = normalise_pinyin_query(q)
    if len(py) >= 3:
        return ("fts_py", fts_phrase(py))
    if len(py) == 2:
        return ("grams", "{p} : " + fts_phrase(py))
    return None


class _Builder:
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

    def _param(self, value: str) -> str:
        self.n += 1
        self.params[f"m{self.n}"] = value
        return f":m{self.n}"

    def _geo(self) -> str:
        return ("d.id IN (SELECT id FROM geo WHERE min_lat >= :lat0 AND max_lat <= :lat1"
                " AND min_lng >= :lng0 AND max_lng <= :lng1)")

    def stream(self, source, limit: str | None) -> str:
        """``SELECT id`` of one stream, in id order, cut at ``limit`` (a parameter name)."""
        where = list(self.where)
        if self.distance != "NULL":
            where.insert(0, self._geo())
        tail = f" ORDER BY d.id LIMIT {limit}" if limit else ""
        if source == "exact":
            cond = " AND ".join(["d.norm_title = :q", *where])
            return f"SELECT d.id AS id FROM docs AS d WHERE {cond}{tail}"
        if source == "ident":
            cond = " AND ".join(["i.ident = :ident", *where])
            return f"SELECT d.id AS id FROM ids AS i JOIN docs AS d ON d.id = i.id WHERE {cond}"
        if source[0] == "intersect":
            inner = " INTERSECT ".join(
                f"SELECT rowid FROM {table} WHERE {table} MATCH {self._param(match)}"
                for table, match in source[1])
            cond = (" WHERE " + " AND ".join(where)) if where else ""
            return f"SELECT d.id AS id FROM ({inner}) AS x JOIN docs AS d ON d.id = x.rowid{cond}{tail}"
        table, match = source
        tail = f" ORDER BY {table}.rowid LIMIT {limit}" if limit else ""
        cond = " AND ".join([f"{table} MATCH {self._param(match)}", *where])
        if not where:
            return f"SELECT rowid AS id FROM {table} WHERE {cond}{tail}"
        return (f"SELECT {table}.rowid AS id FROM {table} JOIN docs AS d"
                f" ON d.id = {table}.rowid WHERE {cond}{tail}")


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle; clamped, no antimeridian wrap."""
    dlat = radius_km / KM_PER_DEG_LAT
    cos_lat = math.cos(math.radians(lat))
    dlng = 180.0 if cos_lat < 1e-6 else min(180.0, radius_km / (KM_PER_DEG_LAT * cos_lat))
    return max(-90.0, lat - dlat), min(90.0, lat + dlat), max(-180.0, lng - dlng), min(180.0, lng + dlng)


def _text_sql(query: SearchQuery, b: _Builder, params: dict) -> tuple[str, str]:
    streams: list[tuple[int, object]] = []
    ident = normalise_identifier(query.q)
    if ident:
        params["ident"] = ident
        streams.append((0, "ident"))
    streams += _text_streams(query.text, params)
    py = _pinyin_stream(query.q)
    if py:
        streams.append((5, py))
    # With near, the radius bounds the candidates and distance orders inside a tier: no cut.
    limit = None if query.near is not None else ":window"
    union = " UNION ALL ".join(f"SELECT id, {tier} AS tier FROM ({b.stream(src, limit)})"
                               for tier, src in streams)
    tier = ("CASE WHEN m.tier = 0 THEN 0 WHEN d.norm_title = :q THEN 1"
            " WHEN substr(d.norm_title, 1, length(:q)) = :q THEN 2"
            " WHEN instr(d.norm_title, :q) > 0 THEN 3 ELSE m.tier END")
    order = "tier, d.status_rank, distance_km, d.id" if query.near else "tier, d.id"
    page = (f"SELECT {_COLUMNS}, {b.distance} AS distance_km, {tier} AS tier FROM"
            f" (SELECT id, min(tier) AS tier FROM ({union}) GROUP BY id) AS m"
            f" JOIN docs AS d ON d.id = m.id ORDER BY {order} LIMIT :size OFFSET :offset")
    # Tiers 1-3 are inside tier 4's stream when there is one: count 0, (1), 4 and 5 only.
    counted = [src for t, src in streams
               if t in (0, 4, 5) or (t == 1 and not any(t4 == 4 for t4, _ in streams))]
    count_union = " UNION ".join(f"SELECT id FROM ({b.stream(src, ':cap')})" for src in counted)
    count = f"SELECT count(*) FROM (SELECT id FROM ({count_union}) LIMIT :cap)"
    return page, count


def _nearby_sql(query: SearchQuery, b: _Builder) -> tuple[str, str]:
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
    page = (f"SELECT {_COLUMNS}, n.dist AS distance_km, 0 AS tier FROM ({near}) AS n"
            " JOIN docs AS d ON d.id = n.id ORDER BY n.dist, n.status_rank, n.id")
    count = f"SELECT count(*) FROM (SELECT 1 FROM {source} LIMIT :cap)"
    return page, count


def build_search_sql(query: SearchQuery, *, native_math: bool = True) -> tuple[str, str, dict]:
    """(page SQL, count SQL, params). Columns: kind, key, title, subtitle, risk_grade, alerts,
    status, distance_km, tier. The count stops at ``TOTAL_CAP + 1``.

    ``native_math``: SQLite has its math functions (3.35+, SQLITE_ENABLE_MATH_FUNCTIONS);
    otherwise distances come from the ``distance_km`` function the connection registers.
    """
    params: dict = {"q": query.text, "size": query.size, "offset": query.offset,
                    "window": query.offset + query.size, "cap": TOTAL_CAP + 1}
    b = _Builder(query, params, native_math)
    if query.text:
        page, count = _text_sql(query, b, params)
    else:
        page, count = _nearby_sql(query, b)
    return page, count, params

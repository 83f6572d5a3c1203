"""Turn a :class:`SearchQuery` into SQLite SQL for :mod:`search.embedded`. Pure.

Everything the user typed goes in as a bound parameter; text bound for ``MATCH`` is wrapped
as FTS5 string literals (:func:`fts_phrase`), so ``"``, ``*``, ``NEAR``, ``(``, ``:``,
``AND``/``OR`` and emoji are matched as plain characters and never parsed as syntax.

Tiers (lower ranks first): 0 identifier, 1 exact name, 2 name prefix, 3 name substring,
4 other-field substring (address, brand, category), 5 pinyin or initials.
"""

from __future__ import annotations

import math

from .base import SearchQuery, division_prefix, normalise_identifier
from .embedded_sql import fts_phrase
from .pinyin import looks_like_pinyin, normalise_pinyin_query

KM_PER_DEG_LAT = 111.32
_COLUMNS = "d.kind, d.key, d.title, d.subtitle, d.risk_grade, d.alerts, d.status"


def _text_candidates(text: str, params: dict) -> str | None:
    terms = text.split()
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    if any(not t.isalnum() for t in short_terms):
        return None  # a 1-2 character term of punctuation or emoji cannot be in any name
    selects = []
    if long_terms:
        params["text_long"] = " AND ".join("{title other} : " + fts_phrase(t) for t in long_terms)
        selects.append("SELECT rowid AS id FROM fts WHERE fts MATCH :text_long")
    if short_terms:
        params["text_short"] = " AND ".join(fts_phrase(t) for t in short_terms)
        selects.append("SELECT rowid AS id FROM grams WHERE grams MATCH :text_short")
    return " INTERSECT ".join(selects)


def _pinyin_candidates(q: str, params: dict) -> str | None:
    if not looks_like_pinyin(q):
        return None
    py = normalise_pinyin_query(q)
    if len(py) >= 3:
        params["py"] = "pinyin : " + fts_phrase(py)
        return "SELECT rowid AS id FROM fts WHERE fts MATCH :py"
    if len(py) == 2:
        params["py"] = fts_phrase(py)
        return "SELECT rowid AS id FROM grams WHERE grams MATCH :py"
    return None


def _matches(query: SearchQuery, params: dict) -> str:
    """A sub-select of (id, tier): the best tier each matching document reaches."""
    parts = []
    ident = normalise_identifier(query.q)
    if ident:
        params["ident"] = ident
        parts.append("SELECT id, 0 AS tier FROM ids WHERE ident = :ident")
    text_sql = _text_candidates(query.text, params)
    if text_sql:
        parts.append(f"SELECT id, 3 AS tier FROM ({text_sql})")
    py_sql = _pinyin_candidates(query.q, params)
    if py_sql:
        parts.append(f"SELECT id, 5 AS tier FROM ({py_sql})")
    if not parts:
        return "SELECT NULL AS id, 0 AS tier WHERE 0"
    return f"SELECT id, min(tier) AS tier FROM ({' UNION ALL '.join(parts)}) GROUP BY id"


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle; clamped, no antimeridian wrap."""
    dlat = radius_km / KM_PER_DEG_LAT
    cos_lat = math.cos(math.radians(lat))
    dlng = 180.0 if cos_lat < 1e-6 else min(180.0, radius_km / (KM_PER_DEG_LAT * cos_lat))
    return max(-90.0, lat - dlat), min(90.0, lat + dlat), max(-180.0, lng - dlng), min(180.0, lng + dlng)


def build_search_sql(query: SearchQuery) -> tuple[str, str, dict]:
    """(page SQL, count SQL, params). Columns: kind, key, title, subtitle, risk_grade, alerts,
    status, distance_km."""
    params: dict = {"q": query.text, "size": query.size, "offset": query.offset}
    where = []
    if query.kind != "all":
        params["kind"] = query.kind
        where.append("d.kind = :kind")
    if query.division:
        params["division"] = division_prefix(query.division) + "%"
        where.append("d.division_code LIKE :division")
    distance = "NULL"
    if query.near is not None:
        lat, lng = query.near
        params.update(lat=lat, lng=lng, radius=query.radius_km)
        params.update(zip(("lat0", "lat1", "lng0", "lng1"), bounding_box(lat, lng, query.radius_km)))
        where.append("d.id IN (SELECT id FROM geo WHERE min_lat >= :lat0 AND max_lat <= :lat1"
                     " AND min_lng >= :lng0 AND max_lng <= :lng1)")
        distance = "distance_km(:lat, :lng, d.lat, d.lng)"
        where.append(f"{distance} <= :radius")
    if query.text:
        source = f"({_matches(query, params)}) AS m JOIN docs AS d ON d.id = m.id"
        tier = ("CASE WHEN m.tier <> 3 THEN m.tier WHEN d.norm_title = :q THEN 1"
                " WHEN substr(d.norm_title, 1, length(:q)) = :q THEN 2"
                " WHEN instr(d.norm_title, :q) > 0 THEN 3 ELSE 4 END")
        order = f"tier, d.status_rank, {distance}, length(d.title), d.kind, d.key"
    else:
        source, tier = "docs AS d", "0"
        order = f"{distance}, d.status_rank, d.kind, d.key"
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    page_sql = (f"SELECT {_COLUMNS}, {distance} AS distance_km, {tier} AS tier FROM {source}"
                f"{where_sql} ORDER BY {order} LIMIT :size OFFSET :offset")
    count_sql = f"SELECT count(*) FROM {source}{where_sql}"
    return page_sql, count_sql, params

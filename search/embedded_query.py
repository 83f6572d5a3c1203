"""Turn a :class:`SearchQuery` into SQLite SQL for :mod:`search.embedded`. Pure.

Everything the user typed goes in as a bound parameter; text bound for ``MATCH`` is wrapped
as FTS5 string literals (:func:`fts_phrase`), so ``"``, ``*``, ``NEAR``, ``(``, ``:``,
``AND``/``OR`` and emoji are matched as plain characters and never parsed as syntax.

Tiers are those of :mod:`search.match`. Most are found per distinct *name*: a name *source*
is SQL giving the ids of matching names in ascending order (shorter names first, see
:mod:`search.embedded_sql`); a name's documents are then one id range per status, so "the
first N documents of a tier, active first, shorter names first" reads N rows and stops.
Tier 0 (identifiers) and tier 4 for one term (the term is in the keywords or the address)
are found per document; partial matches and several terms are checked in Python
(:func:`search.match.classify`) over candidates (:mod:`search.embedded_ranking`).
"""

from __future__ import annotations

import math

from .base import SearchQuery, division_prefix
from .embedded_sources import Render, Stats, sound, sub
from .embedded_sql import NAME_SHIFT, STATUS_SHIFT, fts_phrase
from .match import Plan, Term

KM_PER_DEG_LAT = 111.32
EARTH_KM = 6371.0088
TOTAL_CAP = 1_000  # matches counted exactly; past it the total is a flagged lower bound
EXAMINE = 400  # names (and others) checked in Python per partial or multi-term query
EXAMINE_TERMS = 200  # names and others holding the rarest of several terms, checked further
EXAMINE_DOCS = 2000  # documents checked in Python for several terms
DISPLAY = "d.id, d.kind, d.key, d.title, d.subtitle, d.risk_grade, d.alerts, d.status"
HAVERSINE_SQL = (
    f"(2 * {EARTH_KM} * asin(min(1.0, sqrt(power(sin(radians(T.lat - :lat) / 2), 2)"
    " + :coslat * cos(radians(T.lat)) * power(sin(radians(T.lng - :lng) / 2), 2)))))")
DISTANCE_UDF = "distance_km(:lat, :lng, T.lat, T.lng)"
# the documents of name n.id
ALL_STATUSES = f"d.id >= (n.id << {NAME_SHIFT}) AND d.id < ((n.id + 1) << {NAME_SHIFT})"


def fts(table: str, match: str) -> tuple[str, str]:
    return (table, match)


def other_substring(text: str) -> tuple[str, str]:
    """Others (keywords, address) holding ``text``: (FTS table, MATCH)."""
    if len(text) >= 3:
        return fts("other_fts", fts_phrase(text))
    return fts("other_grams", fts_phrase(text))


def name_tiers(plan: Plan) -> list[tuple[int, tuple]]:
    """(tier, name source) of tiers 1-3, 5 and 6 (sources: :mod:`search.embedded_sources`)."""
    q = plan.text
    out = [(1, ("exact",)), (2, ("pre", q)), (3, sub(q))]
    exact, fuzzy = plan.sound_strings()
    fuzzy_source = sound(fuzzy)
    if fuzzy_source:
        out.append((5, ("exs", fuzzy_source[1], exact)))
        if plan.fuzzy:
            out.append((6, fuzzy_source))
    return out


def count_sources(plan: Plan) -> list[tuple]:
    """Name sources whose union holds every name of :func:`name_tiers` (1-3 are in 3's,
    5 in 6's when fuzzy)."""
    return [src for tier, src in name_tiers(plan) if tier in (3, 6) or (tier == 5 and not plan.fuzzy)]


def term_sources(term: Term) -> list[tuple]:
    """Name sources of the ways one term of several can match a name."""
    out = [sub(term.text)]
    found = sound(term.sounds.fuzzy) if term.sounds else None
    if found:
        out.append(found)
    if term.partial:
        out.append(("chars", term.text))
    return out


class Builder:
    """SQL with the query's filters (kind, division, near) over ``docs AS d``."""

    def __init__(self, query: SearchQuery, params: dict, native_math: bool,
                 stats: Stats | None = None):
        self.params = params
        self.render = Render(self.param, stats or Stats())
        self._rendered: dict[tuple, str] = {}
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
            params.update(zip(("lat0", "lat1", "lng0", "lng1"),
                              bounding_box(lat, lng, query.radius_km)))
            formula = HAVERSINE_SQL if native_math else DISTANCE_UDF
            self.distance = formula.replace("T.", "d.")
            self.geo_distance = formula.replace("T.", "g.")
            self.where.append(f"{self.distance} <= :radius")
        self.n = 0

    def param(self, value) -> str:
        self.n += 1
        self.params[f"m{self.n}"] = value
        return f":m{self.n}"

    def names(self, source) -> str:
        """``SELECT id`` of the names of ``source``, ascending (rendered once per query)."""
        found = self._rendered.get(source)
        if found is None:
            found = self._rendered[source] = self.render.sql(source)
        return found

    def _cond(self, extra: str = "") -> str:
        where = [extra] if extra else []
        return " WHERE " + " AND ".join(where + self.where) if where or self.where else ""

    def docs_of_names(self, names_sql: str) -> str:
        """(id, distance) of the documents of the names ``names_sql`` gives, name by name."""
        return (f"SELECT d.id, {self.distance} FROM ({names_sql}) AS n CROSS JOIN docs AS d"
                f" ON {ALL_STATUSES}{self._cond()}")

    def docs_of_others(self, others_sql: str) -> str:
        return (f"SELECT d.id, {self.distance} FROM ({others_sql}) AS o CROSS JOIN docs AS d"
                f" ON d.other_id = o.id{self._cond()}")

    def docs_of_idents(self) -> str:
        return (f"SELECT d.id, {self.distance} FROM ids AS i JOIN docs AS d ON d.id = i.id"
                f"{self._cond('i.ident = :ident')}")

    @property
    def filtered(self) -> bool:
        """Filters other than kind (which names' counts answer)."""
        return any(not w.startswith("d.kind") for w in self.where)


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle; clamped, no antimeridian wrap."""
    dlat = radius_km / KM_PER_DEG_LAT
    cos_lat = math.cos(math.radians(lat))
    dlng = 180.0 if cos_lat < 1e-6 else min(180.0, radius_km / (KM_PER_DEG_LAT * cos_lat))
    return max(-90.0, lat - dlat), min(90.0, lat + dlat), max(-180.0, lng - dlng), min(180.0, lng + dlng)


def nearby_sql(query: SearchQuery, b: Builder) -> tuple[str, str, str]:
    """(page, count, place counts) of a nearby listing: the places in the circle from the
    R*Tree, nearest first, their documents by status rank and id."""
    cond = ["g.min_lat >= :lat0", "g.max_lat <= :lat1", "g.min_lng >= :lng0",
            "g.max_lng <= :lng1", f"{b.geo_distance} <= :radius"]
    places = (f"SELECT g.id AS pid, {b.geo_distance} AS dist FROM geo AS g"
              f" WHERE {' AND '.join(cond)}")
    where = []
    if query.kind != "all":
        where.append("d.kind = :kind")
    if query.division:
        where.append("d.division_code LIKE :division")
    filters = (" WHERE " + " AND ".join(where)) if where else ""
    docs = f"FROM ({places}) AS p CROSS JOIN docs AS d ON d.place_id = p.pid{filters}"
    page = (f"SELECT {DISPLAY}, p.dist AS distance_km {docs} ORDER BY p.dist,"
            f" (d.id >> {STATUS_SHIFT}) & 7, d.id LIMIT :size OFFSET :offset")
    count = f"SELECT count(*) FROM (SELECT 1 {docs} LIMIT :cap)"
    counts = f"SELECT pl.ndocs, pl.nent FROM ({places}) AS p JOIN places AS pl ON pl.id = p.pid"
    return page, count, counts


def base_params(query: SearchQuery, plan: Plan | None) -> dict:
    return {"q": plan.text if plan else "", "ident": plan.ident if plan else "",
            "size": query.size, "offset": query.offset, "window": query.offset + query.size,
            "cap": TOTAL_CAP + 1}

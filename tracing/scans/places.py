"""Where a scan was, as the server decides it. Pure lookups over shipped tables, no I/O at import.

A scan keeps no precise position: coordinates are rounded to 0.1 degree (about 11 km). The
place others may read is never text a client sent. It is a city-level division of GB/T 2260
(a prefecture-level city, a municipality, a county-level city directly under its province, or
Hong Kong, Macao, Taiwan as a whole), derived here:

- from coordinates: the nearest division seat of ``data/division_centres.tsv`` (county and
  prefecture seats, see ``scripts/gen_division_centres.py``) within :data:`RADIUS_KM`, then its
  city (:func:`city_of`); nearest-seat is an approximation near borders between cities, fine
  for a city-level name and for distances of hundreds of kilometres;
- from a registered kiosk's division code (``tracing.scans.kiosks``).

Names come from the GB/T 2260 list python-stdnum ships (``tracing.codes.divisions``), the
latest name of each code.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache
from importlib.resources import files

from core.geo import haversine_km
from tracing.codes import divisions

RADIUS_KM = 120.0  # farther than this from every seat (sea, abroad): no place
MUNICIPALITIES = ("11", "12", "31", "50")  # Beijing, Tianjin, Shanghai, Chongqing
WHOLE = ("71", "81", "82")  # Taiwan, Hong Kong, Macao: one place each


def coarse(lat: float, lng: float) -> tuple[float, float]:
    """A position rounded to 0.1 degree."""
    return round(lat, 1), round(lng, 1)


def valid_position(lat: float, lng: float) -> bool:
    return (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90
            and -180 <= lng <= 180)


@lru_cache(maxsize=8192)
def city_of(code: str | None) -> str | None:
    """The city-level division (see the module docstring) of a 6-digit code, or None."""
    if not code or len(code) != 6 or code not in divisions.table():
        return None
    if code[:2] in MUNICIPALITIES or code[:2] in WHOLE:
        return code[:2] + "0000"
    if code.endswith("0000"):
        return None  # a province is no city
    if code[2:4] == "90" or code.endswith("00"):
        return code  # directly under the province, or already a city
    city = code[:4] + "00"
    return city if city in divisions.table() else code


@lru_cache(maxsize=8192)
def city_name(code: str | None) -> str | None:
    """The name of a city-level code (``450200`` -> 柳州市), or None."""
    return divisions.name_of(code) if code and code != divisions.NATIONAL else None


@cache
def _seats() -> dict[tuple[int, int], list[tuple[str, float, float]]]:
    """Division seats by 1-degree cell, each with its city-level code."""
    cells: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    text = files("tracing.scans").joinpath("data/division_centres.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, lat, lng = line.split("\t")
        city = city_of(code)
        if city is not None:
            cells.setdefault((math.floor(float(lat)), math.floor(float(lng))), []).append(
                (city, float(lat), float(lng)))
    return cells


@lru_cache(maxsize=65536)
def locate(lat: float | None, lng: float | None) -> str | None:
    """The city-level division of the seat nearest to a position, within :data:`RADIUS_KM`."""
    if lat is None or lng is None or not valid_position(lat, lng):
        return None
    cells = _seats()
    reach = 2 if abs(lat) < 60 else 4  # cells of 1 degree; a degree of longitude shrinks north
    best, best_km = None, RADIUS_KM
    for dlat in range(-2, 3):
        for dlng in range(-reach, reach + 1):
            for city, clat, clng in cells.get((math.floor(lat) + dlat, math.floor(lng) + dlng),
                                              ()):
                km = haversine_km(lat, lng, clat, clng)
                if km <= best_km:
                    best, best_km = city, km
    return best

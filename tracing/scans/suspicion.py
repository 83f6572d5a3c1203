"""Counterfeit suspicion from the scan history of one code. Pure functions, no I/O.

A raw scan count gives false alarms (one shopper scanning thirty times, a batch code printed
on ten thousand packs), so suspicion rests on *people* and *places*:

People
    Scans with a ``user_hash`` count one person per distinct hash, however often they scan.
    Anonymous scans count one person per (channel, place, China calendar day), where the place
    is the city name, else the position rounded to half a degree: an anonymous shopper
    rescanning at home the same day stays one person.

Rules (defaults in :class:`Thresholds`)
    1. ``far_apart`` (item codes only). One item is one physical pack. It is suspect when
       scans by different people (two scans by the same ``user_hash`` never count: one person
       cannot be in two places, so that is a location error) lie at ``min_cities`` (2) places
       each more than ``min_distance_km`` (300 km) from the others, all within ``window``
       (24 h). Chosen over a speed rule (> 800 km/h): retail food does not change hands and
       travel 300 km in a day, while IP- and cell-based positions can be 100 km off, which a
       speed rule over short hops would turn into alarms. Scans without a usable position
       (missing, out of range, NaN, or exactly 0,0) are left out of this rule; city names
       alone never trigger it (neighbouring cities can be 20 km apart).
    2. ``many_people`` (item codes). More than ``max_item_people`` (5) people scanned it.
    3. ``case_overscanned`` (case codes). More than ``case_people_factor`` (3) × the packs in
       the case (``pack_count``, else ``default_case_packs``, 24) people scanned it. Cases
       travel through distribution, so rule 1 does not apply.
    4. ``batch_overscanned`` (batch codes, printed on every pack of the batch). Never from
       counts alone: only when more than ``batch_people_factor`` (3) × the batch ``quantity``
       people scanned it; never when the quantity is unknown.

Reasons start with the rule name and a colon, then a sentence, so the UI can translate them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import SHANGHAI
from core.geo import haversine_km

LEVELS = ("batch", "case", "item")


@dataclass(frozen=True)
class ScanRecord:
    """One scan: when (timezone-aware), where (any may be None), who (hashed), how."""

    at: datetime
    city: str | None = None
    lat: float | None = None
    lng: float | None = None
    user_hash: str | None = None
    channel: str = "unknown"


@dataclass(frozen=True)
class Thresholds:
    """Where suspicion starts; see the module docstring for each rule."""

    min_cities: int = 2
    min_distance_km: float = 300.0
    window: timedelta = timedelta(hours=24)
    max_item_people: int = 5
    case_people_factor: float = 3.0
    default_case_packs: int = 24
    batch_people_factor: float = 3.0
    max_located_scans: int = 500  # most recent positioned scans examined by rule 1

    def __post_init__(self):
        if self.min_cities < 2:
            raise ValueError("min_cities must be at least 2: one place alone is no evidence")


@dataclass(frozen=True)
class Suspicion:
    suspect: bool
    reasons: list[str]
    distinct_cities: int
    scan_count: int
    distinct_people: int = 0



def assess_suspicion(scans: Iterable[ScanRecord], *, level: str, quantity: int | None = None,
                     pack_count: int | None = None,
                     thresholds: Thresholds = Thresholds()) -> Suspicion:
    """Apply the rules of the module docstring to every scan of one code."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    scans = list(scans)
    for scan in scans:
        if scan.at.tzinfo is None or scan.at.utcoffset() is None:
            raise ValueError(f"scan time {scan.at.isoformat()} must be timezone-aware")
    people = count_people(scans)
    reasons = []
    if level == "item":
        far = _far_apart(scans, thresholds)
        if far:
            reasons.append(far)
        if people > thresholds.max_item_people:
            reasons.append(f"many_people: item code scanned by {people} different people "
                           f"(more than {thresholds.max_item_people})")
    elif level == "case":
        packs = pack_count if pack_count and pack_count > 0 else thresholds.default_case_packs
        if people > thresholds.case_people_factor * packs:
            reasons.append(f"case_overscanned: case code scanned by {people} different people, "
                           f"more than {thresholds.case_people_factor:g} × {packs} packs")
    elif quantity and quantity > 0 and people > thresholds.batch_people_factor * quantity:
        reasons.append(f"batch_overscanned: batch code scanned by {people} different people, "
                       f"more than {thresholds.batch_people_factor:g} × {quantity} packs")
    cities = {_city(s) for s in scans} - {None}
    return Suspicion(bool(reasons), reasons, len(cities), len(scans), people)


def count_people(scans: Iterable[ScanRecord]) -> int:
    """Distinct people behind the scans, as the module docstring defines them."""
    users, anonymous = set(), set()
    for scan in scans:
        if scan.user_hash:
            users.add(scan.user_hash)
        else:
            anonymous.add((scan.channel, _place(scan), scan.at.astimezone(SHANGHAI).date()))
    return len(users) + len(anonymous)


def _city(scan: ScanRecord) -> str | None:
    return scan.city.strip().casefold() or None if scan.city else None


def _located(scan: ScanRecord) -> bool:
    lat, lng = scan.lat, scan.lng
    if lat is None or lng is None:
        return False
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        return False
    return (-90 <= lat <= 90 and -180 <= lng <= 180 and (lat, lng) != (0.0, 0.0))


def _place(scan: ScanRecord) -> object:
    city = _city(scan)
    if city is not None:
        return city
    if _located(scan):
        return (round(float(scan.lat) * 2) / 2, round(float(scan.lng) * 2) / 2)
    return None


def _far(a: ScanRecord, b: ScanRecord, min_km: float) -> bool:
    if a.user_hash and a.user_hash == b.user_hash:
        return False
    return haversine_km(float(a.lat), float(a.lng), float(b.lat), float(b.lng)) > min_km


def _far_apart(scans: list[ScanRecord], limits: Thresholds) -> str | None:
    located = sorted((s for s in scans if _located(s)), key=lambda s: s.at)
    located = located[-limits.max_located_scans:]
    for i, first in enumerate(located):
        picks = [first]
        for scan in located[i + 1:]:
            if scan.at - first.at > limits.window:
                break
            if all(_far(scan, pick, limits.min_distance_km) for pick in picks):
                picks.append(scan)
                if len(picks) >= limits.min_cities:
                    return _far_reason(picks)
    return None


def _far_reason(picks: list[ScanRecord]) -> str:
    km = max(haversine_km(float(a.lat), float(a.lng), float(b.lat), float(b.lng))
             for a in picks for b in picks)
    hours = (picks[-1].at - picks[0].at).total_seconds() / 3600
    places = ", ".join(p.city or f"{float(p.lat):.2f},{float(p.lng):.2f}" for p in picks)
    return (f"far_apart: scanned by different people at {len(picks)} places up to {km:.0f} km "
            f"apart within {hours:.1f} h ({places})")

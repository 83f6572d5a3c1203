"""Counterfeit suspicion from the scan history of one code. Pure functions, no I/O.

What a consumer reads on a scan is a public statement by the regulator, and a client is
untrusted: nothing one anonymous client sends (a place, coordinates, how often it scans) ever
becomes an alert. Suspicion rests on *witnesses*:

Witnesses
    A logged-in consumer (``user_hash``) or a registered kiosk that proved its key
    (``kiosk_id``, placed at its registered market). Anonymous scans never count.
    One vote per witness per code, however often it scans. Within a time window a witness is
    at the place of its first positioned scan in that window.

Travel plausibility (per person)
    When two consecutive positioned scans of one person imply travel faster than
    ``max_speed_kmh`` (after ``position_slack_km`` for coarse or IP-based positions), every
    position of that person is discarded: it is that person's noise (or forgery), never
    evidence of a fake. They still count as one person who scanned.

Levels
    ``notice``: a quiet "请核对包装" (severity info; the status stays as it is).
    ``alert``: "可能是仿冒产品" (severity critical; status ``suspect``).

Rules (defaults in :class:`Thresholds`, set from ``GONGZHI_SUSPECT_*``)
    1. ``far_apart`` (item codes: one item is one physical pack). Within ``window`` (24 h):
       ``notice_people`` (2) witnesses two of whom were ``min_distance_km`` (300 km) apart
       give a notice; ``alert_people`` (3) witnesses in ``alert_cities`` (2) cities, two of
       them that far apart, give the alert. Retail food does not travel 300 km in a day
       between shoppers; one such pair can still be two honest position errors, three
       independent people in two cities rarely are.
    2. ``many_people`` (item codes): more than ``max_item_people`` (5) witnesses: notice.
    3. ``case_overscanned`` (case codes): more witnesses than ``case_people_factor`` (3) × the
       packs in the case (``pack_count``, else ``default_case_packs``, 24): notice.
    4. ``batch_overscanned`` (batch codes, printed on every pack): more witnesses than
       ``batch_people_factor`` (3) × the batch ``quantity``; never when it is unknown: notice.

Every finding carries its rule name and a Chinese sentence saying what was seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.geo import haversine_km
from core.i18n import T, dump, load

LEVELS = ("batch", "case", "item")
TRUSTED = T("已登录的消费者或登记的查询机")
ADVICE = T("请核对包装上的生产者、批号和生产日期；如有疑问，可拨打12315咨询。")


@dataclass(frozen=True)
class ScanRecord:
    """One scan: when (timezone-aware), where (server-derived; any may be None), by whom."""

    at: datetime
    lat: float | None = None
    lng: float | None = None
    city: str | None = None  # city-level GB/T 2260 code
    city_name: str | None = None
    user_hash: str | None = None  # a logged-in consumer
    kiosk_id: str | None = None  # a registered kiosk that proved its key

    @property
    def witness(self) -> str | None:
        if self.kiosk_id:
            return "k:" + self.kiosk_id
        return "u:" + self.user_hash if self.user_hash else None


@dataclass(frozen=True)
class Thresholds:
    """Where suspicion starts; see the module docstring for each rule."""

    notice_people: int = 2
    alert_people: int = 3
    alert_cities: int = 2
    min_distance_km: float = 300.0
    window: timedelta = timedelta(hours=24)
    max_speed_kmh: float = 1000.0
    position_slack_km: float = 100.0
    max_item_people: int = 5
    case_people_factor: float = 3.0
    default_case_packs: int = 24
    batch_people_factor: float = 3.0
    max_located_scans: int = 500  # most recent positioned trusted scans examined by rule 1

    def __post_init__(self):
        if self.notice_people < 2 or self.alert_cities < 2:
            raise ValueError("notice_people and alert_cities must be at least 2: one witness "
                             "or one place alone is no evidence")
        if self.alert_people < self.notice_people:
            raise ValueError("alert_people must be at least notice_people")


@dataclass(frozen=True)
class Finding:
    rule: str  # far_apart | many_people | case_overscanned | batch_overscanned
    level: str  # notice | alert
    message: str
    facts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "message": self.message,
                "text": dump(self.message), **self.facts}


@dataclass(frozen=True)
class Suspicion:
    level: str | None  # None | notice | alert
    findings: tuple[Finding, ...]
    people: int = 0  # witnesses
    discarded: int = 0  # people whose positions were discarded as implausible travel

    @property
    def suspect(self) -> bool:
        return self.level == "alert"

    def as_dict(self) -> dict | None:
        """What the scan counters keep (``None``: nothing to show)."""
        if self.level is None:
            return None
        return {"level": self.level, "findings": [f.as_dict() for f in self.findings]}


def assess_suspicion(scans: Iterable[ScanRecord], *, level: str, quantity: int | None = None,
                     pack_count: int | None = None,
                     thresholds: Thresholds = Thresholds()) -> Suspicion:
    """Apply the rules of the module docstring to the scans of one code."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    scans = list(scans)
    for scan in scans:
        if scan.at.tzinfo is None or scan.at.utcoffset() is None:
            raise ValueError(f"scan time {scan.at.isoformat()} must be timezone-aware")
    people = len({s.witness for s in scans} - {None})
    findings: list[Finding] = []
    discarded = 0
    if level == "item":
        located, discarded = plausible_positions(scans, thresholds)
        far = far_apart(located, thresholds)
        findings += [far] if far else []
        if people > thresholds.max_item_people:
            findings.append(Finding("many_people", "notice", T(
                "请核对包装：已有{people}位不同的{trusted}扫描过这件商品的码，多于一件商品通常的"
                "{usual}位。可能是商品在店内被多人查看，也可能是码被复制。{advice}", people=people,
                trusted=TRUSTED, usual=thresholds.max_item_people, advice=ADVICE),
                {"people": people}))
    elif level == "case":
        packs = pack_count if pack_count and pack_count > 0 else thresholds.default_case_packs
        if people > thresholds.case_people_factor * packs:
            findings.append(Finding("case_overscanned", "notice", T(
                "请核对包装：这个箱码已被{people}位不同的{trusted}扫描，超过箱内{packs}件的"
                "{factor:g}倍。{advice}", people=people, trusted=TRUSTED, packs=packs,
                factor=thresholds.case_people_factor, advice=ADVICE), {"people": people}))
    elif quantity and quantity > 0 and people > thresholds.batch_people_factor * quantity:
        findings.append(Finding("batch_overscanned", "notice", T(
            "请核对包装：这个批次码已被{people}位不同的{trusted}扫描，超过该批次{quantity}件的"
            "{factor:g}倍。{advice}", people=people, trusted=TRUSTED, quantity=quantity,
            factor=thresholds.batch_people_factor, advice=ADVICE), {"people": people}))
    findings.sort(key=lambda f: f.level != "alert")
    top = findings[0].level if findings else None
    return Suspicion(top, tuple(findings), people, discarded)


def _located(scan: ScanRecord) -> bool:
    lat, lng = scan.lat, scan.lng
    return (lat is not None and lng is not None and -90 <= lat <= 90 and -180 <= lng <= 180
            and (lat, lng) != (0.0, 0.0))


def _km(a: ScanRecord, b: ScanRecord) -> float:
    return haversine_km(a.lat, a.lng, b.lat, b.lng)


def plausible_positions(scans: list[ScanRecord],
                        limits: Thresholds) -> tuple[list[ScanRecord], int]:
    """Positioned witness scans, oldest first, without the people whose own scans imply
    impossible travel; and how many people were left out so."""
    own: dict[str, list[ScanRecord]] = {}
    for scan in scans:
        if scan.witness and _located(scan):
            own.setdefault(scan.witness, []).append(scan)
    kept, discarded = [], 0
    for witness, mine in own.items():
        mine.sort(key=lambda s: s.at)
        if witness.startswith("u:") and _impossible_travel(mine, limits):
            discarded += 1
            continue
        kept.extend(mine)
    kept.sort(key=lambda s: s.at)
    return kept[-limits.max_located_scans:], discarded


def _impossible_travel(mine: list[ScanRecord], limits: Thresholds) -> bool:
    for a, b in zip(mine, mine[1:]):
        hours = (b.at - a.at).total_seconds() / 3600
        if _km(a, b) > limits.position_slack_km + limits.max_speed_kmh * hours:
            return True
    return False


def far_apart(located: list[ScanRecord], limits: Thresholds) -> Finding | None:
    """Rule 1 over plausible positions: the alert if any window reaches it, else a notice."""
    notice = None
    for i, start in enumerate(located):
        at: dict[str, ScanRecord] = {}
        for scan in located[i:]:
            if scan.at - start.at > limits.window:
                break
            at.setdefault(scan.witness, scan)
        if len(at) < limits.notice_people:
            continue
        found = _judge(list(at.values()), limits)
        if found is not None and found.level == "alert":
            return found
        notice = notice or found
    return notice


def _place_key(scan: ScanRecord) -> object:
    return scan.city or (round(scan.lat * 2) / 2, round(scan.lng * 2) / 2)


def _judge(witnesses: list[ScanRecord], limits: Thresholds) -> Finding | None:
    places: dict[object, ScanRecord] = {}
    for scan in witnesses:
        places.setdefault(_place_key(scan), scan)
    pair = _far_pair(list(places.values()), limits.min_distance_km)
    if pair is None:
        return None
    a, b, km = pair
    n, cities = len(witnesses), len(places)
    hours = T("{hours:g}小时内", hours=limits.window.total_seconds() / 3600)
    facts = {"people": n, "cities": cities, "km": round(km),
             "places": [_name(a), _name(b)]}
    if n >= limits.alert_people and cities >= limits.alert_cities:
        return Finding("far_apart", "alert", T(
            "可能是仿冒产品：{hours}，{n}位不同的{trusted}在{cities}个城市扫描了这件商品的码，"
            "其中{a}与{b}相距约{km}公里。一件商品不会同时出现在相距这么远"
            "的地方，这个码很可能被复制到了别的包装上。请核对包装，保留购物凭证，并可拨打12315举报。",
            hours=hours, n=n, trusted=TRUSTED, cities=cities, a=_name(a), b=_name(b),
            km=round(km)), facts)
    return Finding("far_apart", "notice", T(
        "请核对包装：{hours}，有{n}位{trusted}分别在{a}和{b}（相距约{km}公里）"
        "扫描了这件商品的码。一件商品通常不会这么快出现在两地，但也可能是定位有误，目前不能据此认定"
        "为仿冒。{advice}", hours=hours, n=n, trusted=TRUSTED, a=_name(a), b=_name(b),
        km=round(km), advice=ADVICE), facts)


def _far_pair(places: list[ScanRecord], min_km: float):
    for i, a in enumerate(places):
        for b in places[i + 1:]:
            km = _km(a, b)
            if km >= min_km:
                return a, b, km
    return None


def _name(scan: ScanRecord) -> str:
    return scan.city_name or T("北纬{lat:g}°东经{lng:g}°附近", lat=scan.lat, lng=scan.lng)


def verdict_alert(verdict: object) -> dict | None:
    """The alert a stored verdict (:meth:`Suspicion.as_dict`) shows, or None. Anything else
    (an empty or older stored value) shows nothing."""
    if not isinstance(verdict, dict) or verdict.get("level") not in ("notice", "alert"):
        return None
    findings = [_public(f) for f in verdict.get("findings") or () if isinstance(f, dict)]
    if not findings:
        return None
    top = findings[0]
    if verdict["level"] == "alert":
        kind, severity = "counterfeit_suspicion", "critical"
    else:
        kind, severity = "check_packaging", "info"
    return {"kind": kind, "severity": severity, "message": top.get("message"),
            "reasons": [f.get("rule") for f in findings], "findings": findings}


def _public(finding: dict) -> dict:
    """A stored finding as shown: its message a translatable ``Text`` again (``text``, when
    stored), the stored ``text`` itself left out."""
    out = {k: v for k, v in finding.items() if k != "text"}
    if "text" in finding:
        out["message"] = load(finding["text"])
    return out

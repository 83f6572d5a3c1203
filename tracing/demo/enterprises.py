"""The enterprises and places of the Liuzhou luosifen chain: who sits where in a cluster.

Every cluster holds the ten :data:`CORE` roles (suppliers of each ingredient, a producer,
cold storage, a wholesaler, a market, a shop, a caterer) and extra members drawn from
:data:`EXTRAS`. In the first (special) cluster the core sits in fixed districts, so the
well-known credit codes of :data:`tracing.demo.keys.DEMO_KEYS` never change, and its caterer
is the suspended, grade-D subject of the enforcement story.
"""

from __future__ import annotations

from datetime import timedelta

from tracing.demo.context import Context
from tracing.demo.names import (
    COUNTIES,
    DIVISIONS,
    RETAIL,
    ROLES,
    SUPPLY_ROLES,
    SURNAMES,
    TRADE_FIRST,
    TRADE_SECOND,
    URBAN,
    uscc_for,
)

CORE = ("snail", "noodle", "bamboo", "sides", "producer", "cold_storage", "wholesaler",
        "market", "retailer", "caterer")
CORE_DIVISIONS = ("450206", "450204", "450224", "450203", "450204", "450203", "450205",
                  "450202", "450202", "450205")
EXTRAS = (("producer",) * 3 + ("retailer",) * 4 + ("caterer",) * 4
          + ("market", "wholesaler", "packaging", "yuba", "snail_proc", "noodle", "bamboo"))
# role -> food production licence (SC) category; other licensed kinds hold a JY licence
SC_CATEGORIES = {"producer": "107", "snail_proc": "122", "noodle": "101", "bamboo": "116",
                 "sides": "118", "yuba": "125"}
JY_KINDS = ("wholesaler", "retailer", "caterer", "cold_storage")


def roster(ctx: Context, size: int, special: bool) -> tuple[list[dict], list[dict]]:
    """The enterprise records of a cluster of ``size`` and the facts the chain needs of each."""
    r = ctx.rng
    roles = list(CORE) + [r.choice(EXTRAS) for _ in range(size - len(CORE))]
    records, ents = [], []
    for i, role in enumerate(roles):
        core = special and i < len(CORE)
        division = CORE_DIVISIONS[i] if core else draw_division(ctx, role)
        rec, info = draw_enterprise(ctx, role, division)
        if core:
            rec["status"] = "suspended" if role == "caterer" else "active"
            if role == "caterer":
                rec["risk_grade"] = "D"
        records.append(rec)
        ents.append(info)
    return records, ents


def draw_division(ctx: Context, role: str) -> str:
    """Farms and most suppliers sit in the counties, producers in the industrial parks."""
    r = ctx.rng
    if role in ("snail", "bamboo", "yuba") or (role in SUPPLY_ROLES and r.random() < 0.5):
        return r.choice(COUNTIES)
    if role == "producer":
        return r.choice(("450204", "450204", "450203", "450206", "450205"))
    return r.choice(URBAN) if r.random() < 0.8 else r.choice(COUNTIES)


def draw_enterprise(ctx: Context, role: str, division: str) -> tuple[dict, dict]:
    """The next enterprise's record and its facts (role, uscc, name, index, trade...)."""
    index = ctx.ent
    ctx.ent += 1
    rec, trade = _record(ctx, role, division, index)
    _licence(ctx, rec, role, index)
    roll = ctx.rng.random()
    if roll < 0.02:
        rec["status"] = "suspended"
    elif roll < 0.03:
        rec["status"] = "revoked"
    return rec, {"role": role, "uscc": rec["uscc"], "name": rec["name"], "index": index,
                 "trade": trade, "district": DIVISIONS[division][0], "risk": rec["risk_grade"]}


def _record(ctx: Context, role: str, division: str, index: int) -> tuple[dict, str]:
    r = ctx.rng
    kind, patterns = ROLES[role]
    dname, lat, lng, jitter, roads = DIVISIONS[division]
    road = r.choice(roads)
    trade = r.choice(TRADE_FIRST) + r.choice(TRADE_SECOND)
    rec = {"type": "enterprise", "uscc": uscc_for(index, division),
           "name": _name(ctx, patterns, trade, road, dname),
           "kind": kind, "address": f"柳州市{dname}{road}{r.randint(1, 399)}号",
           "division_code": division,
           "lat": round(lat + r.uniform(-jitter, jitter), 6),
           "lng": round(lng + r.uniform(-jitter, jitter), 6),
           "legal_representative": ctx.person(),
           "risk_grade": r.choices("ABCD", (30, 50, 15, 5))[0],
           "status": "active", "public_phone": ctx.phone(kind in RETAIL)}
    return rec, trade


def _name(ctx: Context, patterns: tuple, trade: str, road: str, dname: str) -> str:
    """A name from one of the role's ``patterns``: trade name, road or town, place, surname."""
    short = road.split("镇")[-1] or road
    place = dname.replace("苗族自治县", "").replace("侗族自治县", "")[:2]
    r = ctx.rng
    return r.choice(patterns).format(t=trade, r=short, p=place, s=r.choice(SURNAMES))


def _licence(ctx: Context, rec: dict, role: str, index: int) -> None:
    """A production (SC) or trading (JY) licence number and expiry, where the kind needs one."""
    county, kind, sc = rec["division_code"][4:], rec["kind"], SC_CATEGORIES.get(role)
    if sc:
        rec["licence_no"] = f"SC{sc}4502{county}{index % 10000:04d}{index % 7}"
    elif kind in JY_KINDS:
        jy = "2" if kind == "caterer" else "1"
        rec["licence_no"] = f"JY{jy}4502{county}{index % 10**6:06d}{index % 9}"
    else:
        return
    days = ctx.rng.randint(200, 1800)
    rec["licence_valid_until"] = (ctx.today + timedelta(days=days)).isoformat()

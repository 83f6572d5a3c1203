"""An enterprise's public profile, built from its rows without I/O (one serializer for the
public, the scan of its own code and its own account's view).

Shown: name, kind, licence with its state, address, district, map position, risk grade,
public phone, products, official sampling results (latest first, failures highlighted),
enforcement decisions, recalls still in force, complaint counts (never complainants) and
when its data last changed. Not shown: the legal representative (a natural person) and
anything an official record does not say publicly.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.clock import local_iso
from core.complaint_figures import ComplaintCounts
from core.i18n import T
from profiles import sql
from profiles.licence import licence_state
from profiles.profile_rows import ProfileRows
from tracing.codes import divisions
from tracing.view import masking, rules

KIND_LABELS = {
    "producer": T("食品生产企业"), "processor": T("食品加工企业"), "distributor": T("食品经销企业"),
    "wholesaler": T("批发商"), "retailer": T("零售商"), "market": T("农贸市场"), "caterer": T("餐饮服务"),
    "cold_storage": T("冷库"), "importer": T("进口商"), "farm": T("种植养殖基地"),
}
LICENCE_TYPES = {"SC": T("食品生产许可证"), "JY": T("食品经营许可证"), "YB": T("仅销售预包装食品备案")}
RESULT_LABELS = {"pass": T("合格"), "fail": T("不合格")}
LEVEL_LABELS = {1: T("一级"), 2: T("二级"), 3: T("三级")}


def district(code: str | None) -> str | None:
    """Province, city and county of a division code, as one name (广西壮族自治区柳州市柳南区)."""
    if not code or len(code) != 6:
        return None
    parts = [code[:2] + "0000", code[:4] + "00", code]
    names = [divisions.name_of(c) for c in dict.fromkeys(parts)]
    return "".join(n for n in names if n and n not in ("市辖区", "县")) or None


def licence(row: dict, today: date) -> dict:
    number = row.get("licence_no")
    until = sql.day(row.get("licence_valid_until"))
    state = licence_state(status=row.get("status"), valid_until=until, today=today)
    return {"number": number, "type": LICENCE_TYPES.get((number or "")[:2]),
            "valid_until": until.isoformat() if until else None, **state.as_dict()}


def sampling_item(row: dict) -> dict:
    failed = row["result"] == "fail"
    return {"sample_id": row["sample_id"], "product_name": row["product_name"],
            "lot": row["lot"], "sampled_at": sql.day(row["sampled_at"]).isoformat(),
            "result": row["result"], "result_label": RESULT_LABELS.get(row["result"]),
            "failed_items": masking.scrub_all(sql.json(row["failed_items"], [])),
            "authority": row["authority"],
            "report_no": row["report_no"], "highlight": failed}


def enforcement_item(row: dict) -> dict:
    return {"case_no": row["case_no"], "decided_at": sql.day(row["decided_at"]).isoformat(),
            "violation": masking.scrub(row["violation"]), "penalty": masking.scrub(row["penalty"]),
            "authority": row["authority"]}


def _in_force(recall: dict, batches: list[dict], today: date) -> bool:
    """Ongoing, or completed while food it named may still be within its shelf life."""
    if recall["status"] == "ongoing":
        return True
    if recall["status"] != "completed":
        return False  # withdrawn: issued by mistake
    ends = [sql.day(b["expires_at"]) for b in batches if b.get("expires_at")]
    if not batches and recall.get("shelf_life_days"):
        ends.append(sql.day(recall["started_at"]) + timedelta(days=recall["shelf_life_days"]))
    return any(end >= today for end in ends)


def recalls(rows: list[dict], today: date) -> list[dict]:
    """Recalls in force, newest first; each with its products, lots and notices."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["recall_id"], []).append(row)
    out = []
    for recall_id, group in grouped.items():
        first = group[0]
        batches = [r for r in group if r["batch_id"]]
        if not _in_force(first, batches, today):
            continue
        whole = any(r["batch_id"] is None for r in group)
        level = first["level"]
        out.append({
            "recall_id": recall_id, "level": level, "level_label": LEVEL_LABELS.get(level),
            "reason": masking.scrub(first["reason"]),
            "started_at": sql.day(first["started_at"]).isoformat(),
            "status": first["status"], "scope": "product" if whole else "batches",
            "products": sorted({(r["product_id"], r["product_name"]) for r in group}),
            "lots": sorted({r["lot"] for r in batches}),
            "batch_ids": sorted({r["batch_id"] for r in batches}),
            "notices": first.get("notices", [])})
    for item in out:
        item["products"] = [{"product_id": p, "name": n} for p, n in item["products"]]
    return sorted(out, key=lambda r: (r["started_at"], r["recall_id"]), reverse=True)


def complaints(counts: ComplaintCounts) -> dict:
    return {"since": counts.since.isoformat(), "until": counts.until.isoformat(),
            "total": counts.total, "by_category": dict(sorted(counts.by_category.items())),
            "by_outcome": dict(sorted(counts.by_outcome.items()))}


def data_updated_at(rows: ProfileRows) -> str | None:
    """When anything the profile shows last changed (complaint counts aside)."""
    moments: list[datetime] = [sql.instant(rows.enterprise["updated_at"])]
    moments += [sql.instant(rows.totals[k]) for k in
                ("products_updated", "samplings_updated", "enforcements_updated")]
    moments += [sql.instant(r["updated_at"]) for r in rows.recalls]
    present = [m for m in moments if m is not None]
    return local_iso(max(present)) if present else None


def build_profile(rows: ProfileRows, *, counts: ComplaintCounts, today: date,
                  code_url: str) -> dict:
    """The public profile (JSON-ready, deterministic for the same rows and day)."""
    e, totals = rows.enterprise, rows.totals
    position = None
    if e["lat"] is not None and e["lng"] is not None:
        position = {"lat": e["lat"], "lng": e["lng"], "datum": "WGS-84"}
    return {
        "uscc": e["uscc"], "name": e["name"], "kind": e["kind"],
        "kind_label": KIND_LABELS.get(e["kind"]), "status": e["status"],
        "licence": licence(e, today), "address": masking.scrub(e["address"]),
        "division_code": e["division_code"], "district": district(e["division_code"]),
        "position": position, "risk_grade": e["risk_grade"], "public_phone": e["public_phone"],
        "code_url": code_url,
        "products": {"total": totals["products"],
                     "items": [dict(p) for p in rows.products]},
        "sampling": {"total": totals["samplings"], "failed": totals["failed"],
                     "items": [sampling_item(s) for s in rows.samplings]},
        "enforcement": {"total": totals["enforcements"],
                        "items": [enforcement_item(x) for x in rows.enforcements]},
        "recalls": recalls(rows.recalls, today),
        "complaints": complaints(counts),
        "data_updated_at": data_updated_at(rows),
    }


def scan_alerts(profile: dict) -> list[dict]:
    """What a scan of the enterprise's own code warns about: its licence, its recalls."""
    out = []
    state = profile["licence"]
    if state["state"] in ("revoked", "closed", "suspended", "expired"):
        out.append(rules.alert("licence_suspended", "high",
                               T("{name}：{message}",
                                 name=profile['name'], message=state['message']),
                               uscc=profile["uscc"], status=state["state"]))
    elif state["state"] == "expiring":
        out.append(rules.alert("licence_expiring", "info", T("{name}：{message}",
                                                             name=profile['name'],
                                                             message=state['message']),
                               uscc=profile["uscc"]))
    for recall in profile["recalls"]:
        if recall["status"] == "ongoing":
            names = "、".join(p["name"] for p in recall["products"])
            out.append(rules.alert("recall_of_some_batches", "high",
                                   T("该主体的产品（{names}）正在{level_label}召回：{reason}。",
                                     names=names, level_label=recall['level_label'],
                                     reason=recall['reason']), recall_id=recall["recall_id"],
                                   notices=recall["notices"]))
    return rules.sort_alerts(out)

"""What only the enterprise itself sees: scans of its codes per day and city, its codes the
scan system flags as suspect (a notice or an alert, with the rules that found it), the
complaints about it (status and the statutory reason of each outcome, never who complained)
and its licence when it expires soon or has.

Scans carry no personal data (``tracing.scans.models``); complaints come through
:class:`core.complaint_figures.ComplaintFigures` and are serialised field by field here, so
nothing else a provider might hold can leak.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.complaint_figures import CaseSummary, ComplaintFigures
from core.kv import KeyValueStore
from profiles import sql
from profiles.profile import licence
from profiles.profile_rows import enterprise_row
from tracing.scans import places

SCAN_DAYS = 30
SUSPECT_DAYS = 90
SUSPECT_CANDIDATES = 200
CASES_SHOWN = 50

_OWN_BATCH_SCANS = ("FROM scan s JOIN batch b ON b.batch_id = s.batch_id "
                    "JOIN product p ON p.product_id = b.product_id "
                    "WHERE p.enterprise_uscc = ? AND s.scanned_at >= ?")
_OWN_PRODUCT_SCANS = ("FROM product p JOIN scan s ON s.subject = '01/' || p.gtin14 "
                      "WHERE p.enterprise_uscc = ? AND s.scanned_at >= ?")


def _day_sql(postgres: bool) -> str:
    """The Asia/Shanghai day of ``s.scanned_at`` (UTC) in each database's dialect."""
    if postgres:
        return "CAST(s.scanned_at AT TIME ZONE 'Asia/Shanghai' AS DATE)"
    return "date(s.scanned_at, '+8 hours')"


async def scans_per_day(uscc: str, *, now: datetime) -> list[dict]:
    """Scans of the enterprise's codes (batch, case and item codes, and its retail barcodes)
    per Asia/Shanghai day and city (the city-level division the server derived for each
    scan) over the last :data:`SCAN_DAYS` days."""
    since = sql.stamp(now - timedelta(days=SCAN_DAYS))
    day = _day_sql(sql.on_postgres())
    found = await sql.rows(
        f"SELECT day, division, SUM(n) AS n FROM ("
        f"SELECT {day} AS day, s.division AS division, COUNT(*) AS n {_OWN_BATCH_SCANS} "
        f"GROUP BY {day}, s.division UNION ALL "
        f"SELECT {day}, s.division, COUNT(*) {_OWN_PRODUCT_SCANS} "
        f"GROUP BY {day}, s.division) AS t "
        "GROUP BY day, division ORDER BY day, division", [uscc, since, uscc, since])
    return [{"day": sql.day(r["day"]).isoformat(), "division": r["division"],
             "city": places.city_name(r["division"]) or "未知", "scans": int(r["n"])}
            for r in found]


async def suspect_codes(uscc: str, *, store: KeyValueStore, now: datetime) -> list[dict]:
    """Its codes scanned twice or more lately that the scan system holds suspect (the
    reasons the scan view shows), most scanned first."""
    since = sql.stamp(now - timedelta(days=SUSPECT_DAYS))
    candidates = await sql.rows(
        "SELECT s.subject, s.level, b.batch_id, b.lot, p.name AS product_name, "
        f"COUNT(*) AS n {_OWN_BATCH_SCANS} "
        "GROUP BY s.subject, s.level, b.batch_id, b.lot, p.name HAVING COUNT(*) >= 2 "
        "ORDER BY n DESC, s.subject LIMIT ?", [uscc, since, SUSPECT_CANDIDATES])
    if not candidates:
        return []
    flags = await store.get_many([f"scan:sus:{c['subject']}" for c in candidates])
    out = []
    for row, flag in zip(candidates, flags):
        verdict = sql.json(flag, None) if flag else None
        if isinstance(verdict, dict) and verdict.get("level"):  # older shapes show nothing
            out.append({"code": row["subject"], "code_level": row["level"],
                        "batch_id": row["batch_id"], "lot": row["lot"],
                        "product_name": row["product_name"], "scans": int(row["n"]),
                        "suspicion": verdict["level"],
                        "findings": [{k: f.get(k) for k in ("rule", "level", "message")}
                                     for f in verdict.get("findings") or ()
                                     if isinstance(f, dict)]})
    return out


def case_item(case: CaseSummary) -> dict:
    """One complaint as the enterprise sees it (the fields of :class:`CaseSummary` only)."""
    return {"received_on": case.received_on.isoformat(), "kind": case.kind,
            "category": case.category, "status": case.status, "outcome": case.outcome,
            "reason_code": case.reason_code, "reason": case.reason,
            "decided_on": case.decided_on.isoformat() if case.decided_on else None}


async def private_view(uscc: str, *, store: KeyValueStore, figures: ComplaintFigures,
                       now: datetime, today: date, complaints_since: date) -> dict:
    """The private part of the enterprise's own view."""
    state = licence(await enterprise_row(uscc), today)
    cases = await figures.cases(uscc=uscc, since=complaints_since, limit=CASES_SHOWN)
    return {
        "scans_per_day": {"days": SCAN_DAYS, "rows": await scans_per_day(uscc, now=now)},
        "suspect_codes": await suspect_codes(uscc, store=store, now=now),
        "complaints": {"since": complaints_since.isoformat(),
                       "items": [case_item(c) for c in cases]},
        "expiring_licences": [state] if state["state"] in ("expiring", "expired") else [],
    }

"""What a trace view shows, decided without I/O: corrections, public events, alerts, status.

Rows come in as plain dicts (as ``tracing.view.queries`` reads them); everything here is a pure
function, tested in ``tests/unit/test_trace_rules.py``. People and numbers are masked by
:mod:`tracing.view.masking`.

Recalls, the cold chain, expired inputs, related risk and corrections have their own modules
(:mod:`tracing.view.recalls`, :mod:`tracing.view.coldchain`, :mod:`tracing.view.inputs`,
:mod:`tracing.view.related`, :mod:`tracing.view.corrections`).

Status, most serious first: ``recalled`` (a recall covers the batch within its shelf life,
whatever the recall's status, or covers the product; a withdrawn recall does not),
``suspect`` (counterfeit suspicion of this code, decided per scan), ``expired``, ``warning``
(any other high or medium alert), ``ok``. Alerts are sorted by severity (``critical``,
``high``, ``medium``, ``info``) and then by kind in :data:`KIND_ORDER`, so a recall is first.
"""

from __future__ import annotations

from datetime import date, datetime

from core.clock import aware, local_iso
from core.i18n import T
from tracing.view.coldchain import Limits  # the view's limits live with the cold chain
from tracing.view.corrections import correction_note, sampling_before
from tracing.view.masking import public_detail
from tracing.view.privacy import mask_person, scrub

SEVERITIES = ("critical", "high", "medium", "info")
KIND_ORDER = ("recall", "counterfeit_suspicion", "unofficial_host", "expired",
              "recall_of_some_batches", "failed_sampling", "input_expired",
              "temperature_excursion", "licence_suspended", "expiring", "related_risk",
              "input_failed_sampling", "input_temperature_excursion", "recall_withdrawn",
              "sampling_corrected", "recall_history", "check_packaging")
STATUS_ORDER = ("recalled", "suspect", "expired", "warning", "ok")


# ------------------------------------------------------------------ events

SHOWN_FIELDS = ("kind", "occurred_at", "place_uscc", "place", "place_name", "place_division",
                "actor", "quantity",
                "unit", "inputs", "detail")


def apply_corrections(rows: list[dict]) -> list[dict]:
    """Fold correction events into the events they correct, oldest first.

    Each row: ``event_id, seq, corrects`` and the :data:`SHOWN_FIELDS`. The result has one
    entry per original event with the latest correction's values, ``corrected_by`` (ids,
    in order) and ``history`` (the earlier versions, original first). Sorted by when the
    event happened, then by sequence. A correction whose target is unknown stays an event.
    """
    by_id = {row["event_id"]: row for row in rows}
    if any(row.get("corrects") in by_id for row in rows):
        shown = _folded(rows, by_id)
    else:  # the usual case: no corrections
        shown = [{"event_id": row["event_id"], "seq": row["seq"],
                  **{k: row.get(k) for k in SHOWN_FIELDS}, "corrected_by": [], "history": []}
                 for row in rows]
    shown.sort(key=lambda e: (_sort_time(e["occurred_at"]), e["seq"]))
    return shown


def _folded(rows: list[dict], by_id: dict[str, dict]) -> list[dict]:
    """One entry per original event, the values of its latest correction, its history."""
    chains: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: r["seq"]):
        chains.setdefault(_origin(row["event_id"], by_id), []).append(row)
    shown = []
    for origin, versions in chains.items():
        latest = versions[-1]
        shown.append({"event_id": origin, "seq": versions[0]["seq"],
                      **{k: latest.get(k) for k in SHOWN_FIELDS},
                      "corrected_by": [v["event_id"] for v in versions[1:]],
                      "history": [{"event_id": v["event_id"],
                                   **{k: v.get(k) for k in SHOWN_FIELDS}}
                                  for v in versions[:-1]]})
    return shown


def _origin(event_id: str, by_id: dict[str, dict]) -> str:
    """The event that the corrections from ``event_id`` on correct in the end."""
    seen = set()
    current = event_id
    while by_id[current].get("corrects") in by_id and current not in seen:
        seen.add(current)
        current = by_id[current]["corrects"]
    return current


def _sort_time(moment) -> float:
    if isinstance(moment, datetime):
        return aware(moment).timestamp()
    return float("inf")


def public_event(event: dict, *, compact: bool = False) -> dict:
    """One shown event as JSON-ready public data (a natural person as actor masked, detail
    whitelisted, free text scrubbed)."""
    place = event.get("place") or {}
    out = {
        "event_id": event["event_id"], "kind": event["kind"],
        "occurred_at": local_iso(event.get("occurred_at")),
        "place": {"name": event.get("place_name") or place.get("name"),
                  "uscc": event.get("place_uscc"),
                  "division_code": place.get("division_code") or event.get("place_division")},
        "quantity": event.get("quantity"), "unit": event.get("unit"),
    }
    if compact:  # only the result and the peak: no masked copy of the detail needed
        return _result_and_peak(out, event.get("detail") or {})
    detail = public_detail(event.get("detail"))
    out["actor"] = mask_person(event.get("actor"))
    out["place"]["name"] = scrub(out["place"]["name"])
    out["inputs"] = list(event.get("inputs") or [])
    out["detail"] = detail
    if "corrected_by" in event:
        out["corrected"] = bool(event["corrected_by"])
        out["corrected_by"] = event["corrected_by"]
        out["history"] = [public_event(dict(v), compact=False) | {"event_id": v["event_id"]}
                          for v in event.get("history", ())]
        for version in out["history"]:
            version.pop("history", None)
    return out


def _result_and_peak(out: dict, detail: dict) -> dict:
    if "inspection" in detail:
        out["result"] = detail["inspection"].get("result")
    temps = [t.get("celsius") for t in detail.get("temperatures", ()) if "celsius" in t]
    if temps:
        out["max_celsius"] = max(temps)
    return out


def certificates(events: list[dict], batch_id: str) -> list[dict]:
    """Certificates carried by shown events' ``detail.certificates``, with their source."""
    found = []
    for event in events:
        for cert in (event.get("detail") or {}).get("certificates", ()) or ():
            if isinstance(cert, dict):
                found.append({"kind": cert.get("kind"), "number": cert.get("number"),
                              "issuer": cert.get("issuer"), "batch_id": batch_id,
                              "event_id": event["event_id"]})
    return found


# ------------------------------------------------------------------ alerts

def alert(kind: str, severity: str, message: str, **data) -> dict:
    return {"kind": kind, "severity": severity, "message": message, **data}


def expiry_alerts(expires_at: date | None, today: date, limits: Limits) -> list[dict]:
    if expires_at is None:
        return []
    if expires_at < today:
        return [alert("expired", "high", T("该批次已于{date}过期，请勿食用。", date=expires_at.isoformat()),
                      expires_at=expires_at.isoformat())]
    left = (expires_at - today).days
    if left <= limits.expiry_warning_days:
        when = T("今天") if left == 0 else T("{days}天后", days=left)
        return [alert("expiring", "medium",
                      T("该批次将于{when}（{date}）到期。", when=when, date=expires_at.isoformat()),
                      expires_at=expires_at.isoformat())]
    return []


def sampling_alerts(samplings: list[dict], *, own: bool, batch_label: str = "") -> list[dict]:
    out = []
    for s in samplings:
        if s.get("result") != "fail":
            continue
        items = "；".join(scrub(str(i)) for i in s.get("failed_items") or ()) or T("不合格")
        note = correction_note(s.get("correction"), sampling_before(s))
        note = T("（{note}）", note=note) if note else ""
        if own:
            out.append(alert("failed_sampling", "high",
                             T("该批次在{date}的监督抽检中不合格：{items}。{note}",
                               date=iso_date(s.get("sampled_at")), items=items, note=note),
                             sample_id=s["sample_id"], report_no=s.get("report_no")))
        else:
            out.append(alert("input_failed_sampling", "medium",
                             T("原料{batch_label}在监督抽检中不合格：{items}。{note}",
                               batch_label=batch_label, items=items, note=note),
                             sample_id=s["sample_id"], report_no=s.get("report_no")))
    return out


def licence_alerts(enterprise: dict, today: date) -> list[dict]:
    status = enterprise.get("status")
    name = enterprise.get("name", "")
    if status in ("suspended", "revoked", "closed"):
        message = {"suspended": T("生产经营者{name}的许可被暂停。", name=name),
                   "revoked": T("生产经营者{name}的许可被吊销。", name=name),
                   "closed": T("生产经营者{name}的许可已注销。", name=name)}[status]
        return [alert("licence_suspended", "high", message,
                      uscc=enterprise.get("uscc"), status=status)]
    until = enterprise.get("licence_valid_until")
    if isinstance(until, date) and until < today:
        return [alert("licence_suspended", "high",
                      T("生产经营者{name}的许可证已于{date}过期。", name=name, date=until.isoformat()),
                      uscc=enterprise.get("uscc"), status="licence_expired")]
    return []


def sort_alerts(alerts: list[dict]) -> list[dict]:
    def key(a):
        kind = KIND_ORDER.index(a["kind"]) if a["kind"] in KIND_ORDER else len(KIND_ORDER)
        return SEVERITIES.index(a["severity"]), kind
    return sorted(alerts, key=key)


def status_of(alerts: list[dict], *, suspect: bool = False) -> str:
    kinds = {a["kind"] for a in alerts}
    if "recall" in kinds:
        return "recalled"
    if suspect or "counterfeit_suspicion" in kinds:
        return "suspect"
    if "expired" in kinds:
        return "expired"
    if any(a["severity"] in ("critical", "high", "medium") for a in alerts):
        return "warning"
    return "ok"


def worse_status(a: str, b: str) -> str:
    return min(a, b, key=STATUS_ORDER.index)


def iso_date(value) -> str | None:
    """A date (or any value with ``isoformat``) as ISO 8601 text; None stays None."""
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)

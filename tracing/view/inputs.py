"""Inputs used past their expiry date. Pure, no I/O.

Food Safety Law art. 34(3) forbids producing food with food materials past their shelf life
(《中华人民共和国食品安全法》第三十四条第（三）项). An input batch whose ``expires_at`` is before
the day (Asia/Shanghai) of the event that consumed it raises ``input_expired`` on the batch
made of it: high on the scanned batch, medium when it happened further down the input tree.
"""

from __future__ import annotations

from datetime import date, datetime

from core.clock import SHANGHAI

from core.i18n import T

LAW = T("《食品安全法》第三十四条第（三）项禁止用超过保质期的食品原料生产食品")


def _day(moment) -> date | None:
    return moment.astimezone(SHANGHAI).date() if isinstance(moment, datetime) else None


def expired_inputs(events: list[dict], batches: dict[str, dict]) -> list[dict]:
    """(input batch, consuming event, day) for each input of ``events`` (shown, with
    ``inputs``) that had expired before the day it was used; ``batches`` by id."""
    found, seen = [], set()
    for event in events:
        used_on = _day(event.get("occurred_at"))
        for batch_id in event.get("inputs") or ():
            batch = batches.get(batch_id)
            expires = batch.get("expires_at") if batch else None
            if used_on and expires and expires < used_on and batch_id not in seen:
                seen.add(batch_id)
                found.append({"batch": batch, "event_id": event["event_id"], "used_on": used_on})
    return found


def expired_input_alerts(found: list[dict], *, own: bool, batch_label: str = "") -> list[dict]:
    out = []
    for x in found:
        b = x["batch"]
        made = T("该批次") if own else T("原料{batch_label}", batch_label=batch_label)
        out.append({
            "kind": "input_expired", "severity": "high" if own else "medium",
            "message": T("{made}所用原料{product}（批号{lot}）已于{expired}过期，却在{used}投入生产。"
                         "{law}。", made=made, product=b.get("p_name") or "", lot=b.get("lot"),
                         expired=b["expires_at"].isoformat(), used=x["used_on"].isoformat(),
                         law=LAW),
            "batch_id": b["batch_id"], "event_id": x["event_id"],
            "expires_at": b["expires_at"].isoformat(), "used_on": x["used_on"].isoformat()})
    return out

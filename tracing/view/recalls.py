"""What a recall means for a batch, decided without I/O.

A recall covers a batch when it names the batch, or names its product: a product recall covers
every batch made up to the recall's start and, while it is ongoing, every later batch too.
``completed`` means the recall procedure ended, not that the food became safe: a covered batch
is shown as recalled (alert ``recall``, status ``recalled``) while the recall is ongoing and,
once it is completed, for the rest of the batch's shelf life, with a sentence that says
whether the recall is ongoing or ended and whether it concerns the batch or the whole
product. A completed recall of a batch past its shelf life stays in the view as history
(``recall_history``, info). Only a recall ``withdrawn`` as issued
by mistake, which the exchange accepts only with a reason, lifts it, and the view shows that
as a correction (``recall_withdrawn``, info).

Recall rows are those of the view's query: ``recall_id, level, reason, started_at, status,
product_id, correction`` and ``batch_id`` (the batch the row links, or None), one row per
recall and linked batch.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.i18n import T
from tracing.view.corrections import corrected_on, correction_note, recall_before
from tracing.view.privacy import scrub

LEVELS = {1: T("一级"), 2: T("二级"), 3: T("三级")}
ADVICE = T("可到购买处退货或拨打12315咨询。")


def _level(recall: dict) -> str:
    return LEVELS.get(recall.get("level"), "")


def covers(recall: dict, batch: dict) -> str | None:
    """``"batch"`` when ``recall`` names ``batch``, ``"product"`` when it covers the batch as
    part of its product, else None. ``recall`` is merged (``batch_ids`` listed)."""
    if batch["batch_id"] in recall.get("batch_ids", ()):
        return "batch"
    if recall.get("product_id") and recall["product_id"] == batch.get("product_id"):
        produced, started = batch.get("produced_at"), recall.get("started_at")
        if recall.get("status", "ongoing") == "ongoing" or produced is None or \
                started is None or produced <= started:
            return "product"
    return None


def merged(rows: list[dict] | tuple[dict, ...]) -> list[dict]:
    """One dict per recall, ``batch_ids`` gathered from its rows, in first-seen order."""
    out: dict[str, dict] = {}
    for row in rows:
        recall = out.setdefault(row["recall_id"], {**row, "batch_ids": []})
        if row.get("batch_id") and row["batch_id"] not in recall["batch_ids"]:
            recall["batch_ids"].append(row["batch_id"])
    return list(out.values())


def last_day(batch: dict) -> date | None:
    """The last day of the batch's shelf life (None: unknown, so never past)."""
    if batch.get("expires_at"):
        return batch["expires_at"]
    days, produced = batch.get("shelf_life_days"), batch.get("produced_at")
    return produced + timedelta(days=days) if days and produced else None


def batch_recall_alerts(rows, batch: dict, *, today: date, label: str = "") -> list[dict]:
    """Alerts of the recalls covering ``batch``: the scanned batch (``label`` empty) or an
    input (``label`` names it: 原料 <product>（批号 <lot>）)."""
    out = []
    for recall in merged(rows):
        scope = covers(recall, batch)
        if scope is None:
            continue
        end = last_day(batch)
        if recall.get("status") == "withdrawn":
            out.append(withdrawn_alert(recall))
        elif recall.get("status") == "completed" and end is not None and end < today:
            out.append(_alert("recall_history", "info", recall, (
                T("{subject}曾被{level}召回（{reason}），已于{date}过保质期，请勿食用。",
                  subject=_subject(scope, label), level=_level(recall),
                  reason=scrub(recall["reason"]), date=end.isoformat()))))
        else:
            out.append(_alert("recall", "critical", recall,
                              _active_message(recall, scope, label), scope=scope))
    return out


def _subject(scope: str, label: str) -> str:
    if label:
        return T("所用原料{label}（该产品全部批次）", label=label) if scope == "product" else \
            T("所用原料{label}", label=label)
    return T("该产品（全部批次）") if scope == "product" else T("该批次")


def _active_message(recall: dict, scope: str, label: str) -> str:
    who, level, reason = _subject(scope, label), _level(recall), scrub(recall["reason"])
    if label:
        advice = T("本产品可能受影响，请暂停食用并关注召回公告。")
    elif recall.get("status") == "completed":
        advice = T("请勿食用，{advice}", advice=ADVICE)
    else:
        advice = T("请立即停止食用，{advice}", advice=ADVICE)
    if recall.get("status") == "completed":
        text = T("{who}已被{level}召回：{reason}。召回程序已结束，但这不代表食品已经安全：{advice}",
                 who=who, level=level, reason=reason, advice=advice)
    else:
        text = T("{who}正在{level}召回：{reason}。{advice}", who=who, level=level, reason=reason,
                 advice=advice)
    note = correction_note(recall.get("correction"), recall_before(recall))
    return T("{text}（{note}）", text=text, note=note) if note else text


def withdrawn_alert(recall: dict) -> dict:
    """A recall withdrawn as issued by mistake: shown as the correction it is."""
    correction = recall.get("correction") or {}
    when = corrected_on(correction) if correction else ""
    return _alert("recall_withdrawn", "info", recall, (
        T("已更正：{level}召回（{reason}）系误发，已撤销。更正原因：{why}{when}。",
          level=_level(recall), reason=scrub(recall["reason"]),
          why=scrub(correction.get("reason")) or T("未说明"),
          when=T("，更正于{date}", date=when) if when else "")))


def _alert(kind: str, severity: str, recall: dict, message: str, **data) -> dict:
    started = recall.get("started_at")
    if recall.get("notices"):  # the published recall notices naming it
        data["notices"] = recall["notices"]
    return {"kind": kind, "severity": severity, "message": message,
            "recall_id": recall["recall_id"], "recall_status": recall.get("status"),
            "started_at": started.isoformat() if started else None, **data}


def product_recall_alerts(rows, product: dict, *, today: date) -> list[dict]:
    """A product-level scan cannot tell which batch the pack is from: a recall of the whole
    product is shown as such, a recall of some batches asks to check the lot. A completed
    recall counts while food made before it started can be within its shelf life (its start
    plus the product's shelf life)."""
    out = []
    days = product.get("shelf_life_days")
    for recall in merged(rows):
        if recall.get("status") == "withdrawn":
            out.append(withdrawn_alert(recall))
            continue
        started = recall.get("started_at")
        end = started + timedelta(days=days) if days and started else None
        if recall.get("status") == "completed" and end is not None and end < today:
            out.append(_alert("recall_history", "info", recall, (
                T("该产品曾有批次被{level}召回（{reason}），召回的批次均已过保质期。",
                  level=_level(recall), reason=scrub(recall["reason"])))))
        elif recall.get("product_id") == product["product_id"]:
            out.append(_alert("recall", "critical", recall,
                              _active_message(recall, "product", ""), scope="product"))
        else:
            state = T("已被召回（召回程序已结束）") if recall.get("status") == "completed" \
                else T("正在召回")
            out.append(_alert("recall_of_some_batches", "high", recall, (
                T("该商品有批次{state}：{reason}。请核对包装上的批号。", state=state,
                  reason=scrub(recall["reason"])))))
    return out

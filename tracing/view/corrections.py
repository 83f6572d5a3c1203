"""How the public views say that an official record was corrected. Pure, no I/O.

A sampling, recall or enforcement row carries the summary of its latest correction
(``correction``: ``fields``, ``from``, ``to``, ``reason``, ``at``; written by the import, see
``tracing.exchange.corrections``). The views show it next to the corrected fact as one
sentence: "已更正：原结果为不合格（…），更正原因：…，更正于 2026-10-20".
"""

from __future__ import annotations

from datetime import datetime

from core.clock import SHANGHAI
from core.i18n import T, join
from tracing.view.masking import scrub

RESULTS = {"pass": T("合格"), "fail": T("不合格")}
LEVELS = {1: T("一级"), 2: T("二级"), 3: T("三级")}
STATUSES = {"ongoing": T("召回中"), "completed": T("召回已结束"), "withdrawn": T("已撤销")}


def corrected_on(correction: dict) -> str:
    """The day of a correction in Asia/Shanghai (``at`` is an ISO instant)."""
    try:
        return datetime.fromisoformat(str(correction["at"])).astimezone(SHANGHAI).date() \
            .isoformat()
    except (KeyError, ValueError, TypeError):
        return str(correction.get("at") or "")[:10]


def correction_note(correction: dict | None, before: str) -> str | None:
    """The sentence for a corrected record, or None when it never was."""
    if not correction:
        return None
    when = corrected_on(correction)
    reason = scrub(correction.get("reason")) or T("未说明")
    if when:
        return T("已更正：原{before}，更正原因：{reason}，更正于{date}", before=scrub(before),
                 reason=reason, date=when)
    return T("已更正：原{before}，更正原因：{reason}", before=scrub(before), reason=reason)


def _items(items) -> str:
    return "；".join(str(i) for i in items or ())


def sampling_before(sampling: dict) -> str:
    was = (sampling.get("correction") or {}).get("from", {})
    if "result" in was:
        items = _items(was.get("failed_items"))
        result = RESULTS.get(was["result"], was["result"])
        return T("结果为{result}（{items}）", result=result, items=items) if items else \
            T("结果为{result}", result=result)
    return T("不合格项目为{items}", items=_items(was.get("failed_items")) or T("无"))


def recall_before(recall: dict) -> str:
    was = (recall.get("correction") or {}).get("from", {})
    parts = []
    if "level" in was:
        parts.append(T("为{level}召回", level=LEVELS.get(was["level"], was["level"])))
    if "batch_ids" in was:
        parts.append(T("召回批次为{batches}", batches="、".join(was["batch_ids"] or ()) or T("无")))
    if "product_id" in was:
        parts.append(T("召回产品为{product}", product=was["product_id"] or T("无")))
    if "status" in was:
        parts.append(T("召回状态为{status}", status=STATUSES.get(was["status"], was["status"])))
    return join(parts) or T("召回信息不同")


def enforcement_before(enforcement: dict) -> str:
    was = (enforcement.get("correction") or {}).get("from", {})
    """What the enforcement said before (its texts scrubbed of phone and ID numbers)."""
    parts = []
    if "violation" in was:
        parts.append(T("违法行为为“{text}”", text=scrub(was["violation"])))
    if "penalty" in was:
        parts.append(T("处罚决定为“{text}”", text=scrub(was["penalty"])))
    return join(parts) or T("处罚信息不同")


def sampling_correction_alert(sampling: dict) -> dict | None:
    """A sampling corrected to a pass: said, so a failure does not vanish without a word."""
    if sampling.get("result") != "pass" or not sampling.get("correction"):
        return None
    note = correction_note(sampling["correction"], sampling_before(sampling))
    return {"kind": "sampling_corrected", "severity": "info",
            "message": T("监督抽检结论{note}，现为合格。", note=note), "sample_id": sampling["sample_id"]}

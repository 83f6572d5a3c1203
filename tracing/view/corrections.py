"""How the public views say that an official record was corrected. Pure, no I/O.

A sampling, recall or enforcement row carries the summary of its latest correction
(``correction``: ``fields``, ``from``, ``to``, ``reason``, ``at``; written by the import, see
``tracing.exchange.corrections``). The views show it next to the corrected fact as one
sentence: "已更正：原结果为不合格（…），更正原因：…，更正于 2026-10-20".
"""

from __future__ import annotations

from datetime import datetime

from core.clock import SHANGHAI
from tracing.view.masking import scrub

RESULTS = {"pass": "合格", "fail": "不合格"}
LEVELS = {1: "一级", 2: "二级", 3: "三级"}
STATUSES = {"ongoing": "召回中", "completed": "召回已结束", "withdrawn": "已撤销"}


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
    return (f"已更正：原{scrub(before)}，更正原因：{scrub(correction.get('reason')) or '未说明'}"
            f"{'，更正于' + when if when else ''}")


def _items(items) -> str:
    return "；".join(str(i) for i in items or ())


def sampling_before(sampling: dict) -> str:
    was = (sampling.get("correction") or {}).get("from", {})
    if "result" in was:
        items = _items(was.get("failed_items"))
        return f"结果为{RESULTS.get(was['result'], was['result'])}" + (
            f"（{items}）" if items else "")
    return f"不合格项目为{_items(was.get('failed_items')) or '无'}"


def recall_before(recall: dict) -> str:
    was = (recall.get("correction") or {}).get("from", {})
    parts = []
    if "level" in was:
        parts.append(f"为{LEVELS.get(was['level'], was['level'])}召回")
    if "batch_ids" in was:
        parts.append(f"召回批次为{'、'.join(was['batch_ids'] or ()) or '无'}")
    if "product_id" in was:
        parts.append(f"召回产品为{was['product_id'] or '无'}")
    if "status" in was:
        parts.append(f"召回状态为{STATUSES.get(was['status'], was['status'])}")
    return "，".join(parts) or "召回信息不同"


def enforcement_before(enforcement: dict) -> str:
    was = (enforcement.get("correction") or {}).get("from", {})
    parts = [f"{label}为“{was[name]}”" for name, label in
             (("violation", "违法行为"), ("penalty", "处罚决定")) if name in was]
    return "，".join(parts) or "处罚信息不同"


def sampling_correction_alert(sampling: dict) -> dict | None:
    """A sampling corrected to a pass: said, so a failure does not vanish without a word."""
    if sampling.get("result") != "pass" or not sampling.get("correction"):
        return None
    note = correction_note(sampling["correction"], sampling_before(sampling))
    return {"kind": "sampling_corrected", "severity": "info",
            "message": f"监督抽检结论{note}，现为合格。", "sample_id": sampling["sample_id"]}

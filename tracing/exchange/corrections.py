"""Which changes of a record are corrections of an official outcome. Pure, no I/O.

An official outcome is what the public reads as a finding: a sampling's ``result`` and
``failed_items``, a recall's ``level`` and scope (``batch_ids``, ``product_id``), an
enforcement decision's ``violation`` and ``penalty``, and a recall's ``status`` except its
normal step from ``ongoing`` to ``completed`` (the procedure ended; no reason needed). Changing
one needs a ``correction_reason``; the change is then summarised on the row (``correction``)
so the public views can say "已更正：原结果……". Other changes (an enterprise's status or
licence, a product's name) are new versions that need no reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.i18n import T, join
from tracing.exchange.fields import RecordError

OUTCOMES: dict[str, tuple[str, ...]] = {
    "sampling": ("result", "failed_items"),
    "recall": ("level", "batch_ids", "product_id"),
    "enforcement": ("violation", "penalty"),
}
STEPS_WITHOUT_REASON = {("ongoing", "completed")}
AS_SETS = ("batch_ids",)  # order carries no meaning
FIELD_NAMES = {"result": T("抽检结论"), "failed_items": T("不合格项目"), "level": T("召回级别"),
               "batch_ids": T("召回批次"), "product_id": T("召回产品"), "status": T("召回状态"),
               "violation": T("违法行为"), "penalty": T("处罚决定")}


def _compared(name: str, value: Any) -> Any:
    if value in (None, [], ""):
        return None
    if name in AS_SETS:
        return sorted(set(value))
    return value


def outcome_changes(rtype: str, old: dict, new: dict) -> list[str]:
    """The official outcome fields that differ between two versions, in a fixed order."""
    changed = [name for name in OUTCOMES.get(rtype, ())
               if _compared(name, old.get(name)) != _compared(name, new.get(name))]
    if rtype == "recall":
        step = (old.get("status") or "ongoing", new.get("status") or "ongoing")
        if step[0] != step[1] and step not in STEPS_WITHOUT_REASON:
            changed.append("status")
    return changed


def require_reason(rtype: str, changed: list[str], new: dict) -> None:
    """Raise ``correction_reason_required`` when ``changed`` is not empty and ``new`` gives
    no reason; the record is then refused as a whole."""
    if changed and not new.get("correction_reason"):
        names = join([FIELD_NAMES.get(name, name) for name in changed], "、")
        raise RecordError(
            T("更改已公布的{names}（{fields}）属于更正，必须在 correction_reason 中说明更正原因；"
              "本条记录未作任何更改", names=names, fields=", ".join(changed)),
            field="correction_reason",
            code="correction_reason_required")


def summary(changed: list[str], old: dict, new: dict, *, at: datetime) -> dict:
    """The ``correction`` stored on the row: what was corrected, from what, why and when."""
    return {"fields": list(changed), "from": {name: old.get(name) for name in changed},
            "to": {name: new.get(name) for name in changed},
            "reason": new.get("correction_reason"), "at": at.isoformat()}

"""The handlers' queue: open cases of their district (a supervisor's: all), most urgent and
soonest due first, with overdue and due-soon filters."""

from __future__ import annotations

from datetime import date

from core.i18n import T
from complaints.context import Actor, CaseContext
from complaints.models import Complaint
from complaints.views import staff_item
from complaints.workflow import Status
from core.errors import InvalidInput

PRIORITIES = ("urgent", "high", "normal")
MAX_LIMIT = 200


def _flag(params: dict, name: str) -> bool | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if value not in ("true", "false", "1", "0"):
        raise InvalidInput(T("{name} 须为 true 或 false", name=name), field=name, code="invalid_flag")
    return value in ("true", "1")


def due_soon_limit(ctx: CaseContext, today: date) -> date:
    """The last day that counts as due soon: ``due_soon_days`` working days ahead."""
    return ctx.calendar.add_working_days(today, ctx.settings.due_soon_days).due


async def list_cases(*, ctx: CaseContext, actor: Actor, params: dict) -> dict:
    """One page of the queue for ``actor``, filtered by the query parameters."""
    query = Complaint.all()
    if actor.role == "handler":
        query = query.filter(division=actor.division)
    elif params.get("division"):
        query = query.filter(division=params["division"])
    status = params.get("status")
    if status:
        if status not in {s.value for s in Status}:
            raise InvalidInput(T("状态（status）{status!r} 不存在", status=status), field="status",
                               code="invalid_status")
        query = query.filter(status=status)
    else:
        query = query.filter(is_open=True)
    priority = params.get("priority")
    if priority:
        if priority not in PRIORITIES:
            raise InvalidInput(T("优先级（priority）须为 urgent、high 或 normal"), field="priority",
                               code="invalid_priority")
        query = query.filter(priority=priority)
    today = ctx.today()
    if _flag(params, "overdue"):
        query = query.filter(due_on__lt=today)
    if _flag(params, "due_soon"):
        query = query.filter(due_on__gte=today, due_on__lte=due_soon_limit(ctx, today))
    limit = _limit(params.get("limit"))
    offset = _limit(params.get("offset"), default=0, high=10**6)
    rows = await query.order_by("priority_rank", "due_on", "id").offset(offset).limit(limit)
    return {"items": [staff_item(c, today=today) for c in rows], "offset": offset,
            "limit": limit, "today": today.isoformat(),
            "due_soon_until": due_soon_limit(ctx, today).isoformat()}


def _limit(raw: str | None, *, default: int = 50, high: int = MAX_LIMIT) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not 0 <= int(raw) <= high:
        raise InvalidInput(T("分页参数须为 0 到 {high} 的整数",
                             high=high), field="limit", code="invalid_limit")
    return int(raw)

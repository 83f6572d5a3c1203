"""Acting on a case: moves checked against the workflow table, assignment, merging,
rating, erasure of personal data and the audited opening of a complainant's contact.

A move is written with a compare-and-set on the status (``UPDATE ... WHERE status = old``)
so two handlers acting at once cannot both win; its timeline entry and the complainant's
notification job are written in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from core.i18n import T
from complaints.context import SYSTEM, Actor, CaseContext
from complaints.models import AccessAudit, Complaint, ComplaintEvent, ComplaintJob
from complaints.workflow import AWAITING_DECISION, Kind, Move, Role, Status, transition
from core.errors import Conflict, Forbidden, InvalidInput, NotFound

DECISIONS = {Status.ACCEPTED: "accepted", Status.REFUSED: "refused",
             Status.TRANSFERRED: "transferred", Status.MERGED: "merged"}


async def load_case(ticket: str) -> Complaint:
    case = await Complaint.get_or_none(ticket=ticket) if isinstance(ticket, str) and \
        len(ticket) <= 20 else None
    if case is None:
        raise NotFound(T("案件 {ticket} 不存在", ticket=ticket), field="ticket", code="case_not_found")
    return case


def check_reach(case: Complaint, actor: Actor) -> None:
    """A handler acts only on cases of their district (or assigned to them)."""
    if actor.role == "handler" and case.division != actor.division \
            and case.assigned_to != actor.name:
        raise Forbidden(T("该案件不属于您所在辖区"), field="ticket", code="not_your_jurisdiction")


async def move_case(*, ctx: CaseContext, case: Complaint, actor: Actor, to: str,
                    reason: str | None = None, refusal_reason: str | None = None,
                    mode: str | None = None, public: bool = True,
                    transfer_to: str | None = None) -> Complaint:
    """Make one move; raise a typed error naming what is wrong (nothing stored then)."""
    check_reach(case, actor)
    try:
        after = Status(to)
    except ValueError:
        raise InvalidInput(T("目标状态（to）{to!r} 不存在", to=to), field="to", code="invalid_status") \
            from None
    if not isinstance(public, bool):
        raise InvalidInput(T("public 须为 true 或 false"), field="public", code="invalid_type")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 2000):
        raise InvalidInput(T("原因说明（reason）须为不超过 2000 字的文字"), field="reason",
                           code="invalid_reason")
    done = transition(kind=Kind(case.kind), before=Status(case.status), after=after,
                      role=Role(actor.role), actor=actor.name, at=ctx.now(), reason=reason,
                      refusal_reason=refusal_reason, mode=mode, public=public,
                      refusals=ctx.refusals)
    changes = _effects(ctx, case, done, transfer_to)
    if done.after == Status.ACCEPTED and actor.role == "handler" and not case.assigned_to:
        changes["assigned_to"] = actor.name
    await _commit(ctx, case, done, changes)
    return case


def _effects(ctx: CaseContext, case: Complaint, done: Move, transfer_to: str | None) -> dict:
    """The columns a move changes besides the status: dates, deadlines, decision."""
    now, after = done.at, done.after
    changes: dict = {"status": after.value}
    if after in DECISIONS and case.decision is None:
        changes.update(decision=DECISIONS[after], decided_at=now)
    if after == Status.ACCEPTED:
        days = ctx.rules.mediation if case.kind == Kind.COMPLAINT else ctx.rules.verification
        handling = ctx.due(now, days)
        changes.update(accepted_at=now, mode=done.mode, handling_due=handling.due,
                       due_on=handling.due,
                       provisional_due=case.provisional_due or handling.provisional)
    elif after == Status.TRANSFERRED:
        if transfer_to is not None and (not isinstance(transfer_to, str)
                                        or not 1 <= len(transfer_to) <= 20):
            raise InvalidInput(T("转办去向（transfer_to）须为 1–20 个字"), field="transfer_to",
                               code="invalid_transfer_to")
        changes.update(transferred_to=transfer_to or "other", due_on=None)
    elif after == Status.RESOLVED:
        changes.update(resolved_at=now, due_on=None)
    elif after in (Status.CLOSED, Status.MERGED):
        changes.update(closed_at=now, due_on=None, is_open=False)
    elif after in (Status.REFUSED, Status.WITHDRAWN, Status.RETURNED):
        changes["due_on"] = None
    elif after in AWAITING_DECISION:
        changes["due_on"] = case.acceptance_due
    return changes


async def _commit(ctx: CaseContext, case: Complaint, done: Move, changes: dict) -> None:
    async with in_transaction() as conn:
        updated = await Complaint.filter(id=case.id, status=done.before.value) \
            .using_db(conn).update(**changes)
        if not updated:
            raise Conflict(T("案件状态已被他人更改，请刷新后重试"), field="status",
                           code="case_changed")
        await ComplaintEvent.create(
            complaint_id=case.id, at=done.at, kind="transition", actor=done.actor,
            role=done.role.value, before=done.before.value, after=done.after.value,
            reason=done.reason, refusal_reason=done.refusal_reason, public=done.public,
            using_db=conn)
        if case.openid:
            await ComplaintJob.create(kind="notify", ticket=case.ticket, next_at=done.at,
                                      created_at=done.at, using_db=conn, payload={
                                          "status": done.after.value,
                                          "note": done.reason if done.public else None,
                                          "at": done.at.isoformat()})
    for name, value in changes.items():
        setattr(case, name, value)
    if case.openid:  # a notification job was written with the move
        ctx.wake()
    await ctx.figures_changed({case.target_uscc})


async def note(*, ctx: CaseContext, case: Complaint, actor: Actor, kind: str, text: str,
               public: bool = False) -> None:
    await ComplaintEvent.create(complaint_id=case.id, at=ctx.now(), kind=kind, actor=actor.name,
                                role=actor.role, reason=text, public=public)


async def assign(*, ctx: CaseContext, case: Complaint, actor: Actor, division: str | None,
                 handler: str | None, known_handlers: dict) -> Complaint:
    """A supervisor sends a case to another district and/or handler."""
    if actor.role != "supervisor":
        raise Forbidden(T("只有监督人员可以改派案件"), field="role", code="reassign_forbidden")
    if division is None and handler is None:
        raise InvalidInput(T("请指定改派的辖区（division）或承办人（handler）"), field="division",
                           code="required")
    if handler is not None and handler not in known_handlers:
        raise InvalidInput(T("承办人 {handler} 不存在",
                             handler=handler), field="handler", code="unknown_handler")
    if handler is not None and division is None:
        division = known_handlers[handler].division
    changes = {"division": division or case.division, "assigned_to": handler}
    await Complaint.filter(id=case.id).update(**changes)
    await note(ctx=ctx, case=case, actor=actor, kind="assign",
               text=f"改派至辖区 {changes['division']}" + (f"，承办人 {handler}" if handler else ""))
    for name, value in changes.items():
        setattr(case, name, value)
    return case


async def merge(*, ctx: CaseContext, case: Complaint, into: Complaint, actor: Actor) -> None:
    """Fold a duplicate into an earlier open case about the same thing."""
    if into.id == case.id:
        raise InvalidInput(T("不能把案件并入它自己"), field="into", code="invalid_merge")
    if into.status in (Status.CLOSED, Status.MERGED):
        raise Conflict(T("案件 {ticket} 已结束，不能并入",
                         ticket=into.ticket), field="into", code="case_closed")
    check_reach(into, actor)
    await move_case(ctx=ctx, case=case, actor=actor, to=Status.MERGED.value,
                    reason=f"与案件 {into.ticket} 反映同一问题，已合并办理")
    await Complaint.filter(id=case.id).update(duplicate_of=into.ticket)
    case.duplicate_of = into.ticket
    await note(ctx=ctx, case=into, actor=actor, kind="merge", text=f"并入案件 {case.ticket}")


async def rate(*, ctx: CaseContext, case: Complaint, score: object, comment: object) -> None:
    """The complainant rates the handling of a closed case, once."""
    if case.status != Status.CLOSED or case.decision != "accepted":
        raise Conflict(T("案件办结并关闭后才能评价"), field="status", code="not_closed")
    if case.rating is not None:
        raise Conflict(T("该案件已评价"), field="score", code="already_rated")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(T("评分（score）须为 1 到 5 的整数"), field="score", code="invalid_score")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 500):
        raise InvalidInput(T("评价内容（comment）不能超过 500 字"), field="comment",
                           code="too_long")
    updated = await Complaint.filter(id=case.id, rating=None).update(rating=score,
                                                                     rating_comment=comment)
    if not updated:
        raise Conflict(T("该案件已评价"), field="score", code="already_rated")
    await note(ctx=ctx, case=case, actor=Actor("complainant", "complainant"), kind="rating",
               text=f"满意度评价：{score} 分", public=True)


async def erase(*, ctx: CaseContext, case: Complaint, actor: Actor) -> None:
    """Erase the complainant's personal data of a closed case; the case record stays."""
    if case.status not in (Status.CLOSED, Status.MERGED):
        raise Conflict(T("案件关闭后才能删除个人信息"), field="status", code="not_closed")
    if case.erased_at is not None:
        return
    now = ctx.now()
    await Complaint.filter(id=case.id).update(name=None, phone=None, openid=None,
                                              owner_hash=None, secret_hash=None, erased_at=now)
    await ComplaintJob.filter(ticket=case.ticket, done_at=None).update(
        done_at=now, outcome="skipped", last_error="personal data erased")
    await note(ctx=ctx, case=case, actor=actor, kind="erasure",
               text="应申请删除投诉举报人个人信息，案件记录保留", public=False)


async def reveal_contact(*, ctx: CaseContext, case: Complaint, actor: Actor,
                         reason: object) -> dict:
    """The unmasked contact for a handler who gives a reason; the opening is audited."""
    check_reach(case, actor)
    if not isinstance(reason, str) or not 2 <= len(reason.strip()) <= 200:
        raise InvalidInput(T("查看联系方式须说明事由（reason，2–200 字）"), field="reason",
                           code="reason_required")
    await AccessAudit.create(at=ctx.now(), staff=actor.name, ticket=case.ticket, what="contact",
                             reason=reason.strip())
    return {"name": case.name, "phone": case.phone, "erased": case.erased_at is not None}


def system_move(case: Complaint, to: Status, reason: str, at: datetime) -> Move:
    return transition(kind=Kind(case.kind), before=Status(case.status), after=to,
                      role=Role.SYSTEM, actor=SYSTEM.name, at=at, reason=reason)

"""The case workflow as data: statuses, who may move a case where, and what each move needs.

A complaint (投诉) is a consumer dispute seeking remedy; a report (举报) tells of a violation.
:data:`TRANSITIONS` is the whole workflow: ``(from, to) -> Rule``. :func:`transition` checks a
move against it and returns the record of the move; it never changes anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from complaints.refusals import BUILTIN, Refusals
from core.errors import Conflict, Forbidden, InvalidInput
from core.i18n import T


class Kind(StrEnum):
    COMPLAINT = "complaint"  # 投诉: needs the complainant's real name and phone
    REPORT = "report"  # 举报: may be anonymous


class Status(StrEnum):
    SUBMITTED = "submitted"  # received, content check running
    MODERATION = "moderation"  # held: the content check found risky text or images
    PENDING = "pending"  # waiting for acceptance (the 7-working-day clock runs)
    RETURNED = "returned"  # sent back to the complainant for more information
    ACCEPTED = "accepted"  # accepted for mediation (complaint) or investigation (report)
    IN_PROGRESS = "in_progress"
    TRANSFERRED = "transferred"  # handed to another authority or to 12315
    REFUSED = "refused"  # not accepted, with a statutory reason
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"  # folded into an earlier case about the same thing


class Role(StrEnum):
    COMPLAINANT = "complainant"
    HANDLER = "handler"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


#: Statutory reasons for refusing a complaint (the built-in table; see complaints.refusals).
REFUSAL_REASONS = {code: BUILTIN.text(code) for code in BUILTIN.codes}

STAFF = frozenset({Role.HANDLER, Role.SUPERVISOR})
FINAL = frozenset({Status.CLOSED, Status.MERGED})
#: Statuses in which the acceptance clock runs, and in which the handling clock runs.
AWAITING_DECISION = frozenset({Status.SUBMITTED, Status.MODERATION, Status.PENDING})
IN_HANDLING = frozenset({Status.ACCEPTED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class Rule:
    """Who may make a move, and what it must carry."""

    roles: frozenset[Role]
    needs_reason: bool = False  # a note saying why (shown to the complainant)
    needs_refusal_reason: bool = False  # one of REFUSAL_REASONS
    needs_mode: bool = False  # accepted for mediation or investigation
    kinds: frozenset[Kind] = frozenset(Kind)


def _rule(*roles: Role, **needs) -> Rule:
    return Rule(roles=frozenset(roles), **needs)


S, R = Status, Role
TRANSITIONS: dict[tuple[Status, Status], Rule] = {
    (S.SUBMITTED, S.PENDING): _rule(R.SYSTEM),
    (S.SUBMITTED, S.MODERATION): _rule(R.SYSTEM, needs_reason=True),
    (S.PENDING, S.MODERATION): _rule(R.SYSTEM, needs_reason=True),  # a late image verdict
    (S.MODERATION, S.PENDING): _rule(*STAFF, needs_reason=True),
    (S.PENDING, S.MERGED): _rule(*STAFF, needs_reason=True),
    (S.MODERATION, S.MERGED): _rule(*STAFF, needs_reason=True),
    (S.MODERATION, S.REFUSED): _rule(*STAFF, needs_refusal_reason=True),
    (S.PENDING, S.ACCEPTED): _rule(*STAFF, needs_mode=True),
    (S.PENDING, S.REFUSED): _rule(*STAFF, needs_refusal_reason=True),
    (S.PENDING, S.TRANSFERRED): _rule(*STAFF, needs_reason=True),
    (S.PENDING, S.RETURNED): _rule(*STAFF, needs_reason=True),
    (S.RETURNED, S.PENDING): _rule(R.COMPLAINANT, R.SUPERVISOR, needs_reason=True),
    (S.ACCEPTED, S.IN_PROGRESS): _rule(*STAFF),
    (S.ACCEPTED, S.TRANSFERRED): _rule(*STAFF, needs_reason=True),
    (S.ACCEPTED, S.RESOLVED): _rule(*STAFF, needs_reason=True),
    (S.IN_PROGRESS, S.RESOLVED): _rule(*STAFF, needs_reason=True),
    (S.IN_PROGRESS, S.TRANSFERRED): _rule(*STAFF, needs_reason=True),
    (S.RESOLVED, S.CLOSED): _rule(R.COMPLAINANT, *STAFF, R.SYSTEM),
    (S.REFUSED, S.CLOSED): _rule(*STAFF, R.SYSTEM),
    (S.TRANSFERRED, S.CLOSED): _rule(*STAFF, R.SYSTEM),
    (S.WITHDRAWN, S.CLOSED): _rule(*STAFF, R.SYSTEM),
    **{(before, S.WITHDRAWN): _rule(R.COMPLAINANT)
       for before in (S.SUBMITTED, S.MODERATION, S.PENDING, S.RETURNED, S.ACCEPTED,
                      S.IN_PROGRESS)},
}

MODES = {Kind.COMPLAINT: ("mediation",), Kind.REPORT: ("investigation",)}


@dataclass(frozen=True)
class Move:
    """A checked move, ready to be stored with the case's timeline."""

    before: Status
    after: Status
    role: Role
    actor: str
    at: datetime
    reason: str | None = None
    refusal_reason: str | None = None
    mode: str | None = None
    public: bool = True  # shown on the complainant's timeline


def allowed(before: Status, role: Role, kind: Kind) -> list[Status]:
    """The statuses ``role`` may move a case of ``kind`` to from ``before``."""
    return [after for (b, after), rule in TRANSITIONS.items()
            if b == before and role in rule.roles and kind in rule.kinds]


def transition(*, kind: Kind, before: Status, after: Status, role: Role, actor: str,
               at: datetime, reason: str | None = None, refusal_reason: str | None = None,
               mode: str | None = None, public: bool = True,
               refusals: Refusals = BUILTIN) -> Move:
    """Check one move against :data:`TRANSITIONS` (a refusal against the ``refusals`` in
    force); raise a typed error naming what is wrong."""
    if before in FINAL:
        raise Conflict(T("案件已{status}，不能再变更状态", status=_NAMES[before]), field="status",
                       code="case_closed")
    rule = TRANSITIONS.get((before, after))
    if rule is None or kind not in rule.kinds:
        raise Conflict(T("案件状态不能从“{before}”变为“{after}”", before=_NAMES[before],
                         after=_NAMES[after]),
                       field="status", code="invalid_transition")
    if role not in rule.roles:
        raise Forbidden(T("当前角色不能把案件从“{before}”变为“{after}”", before=_NAMES[before],
                          after=_NAMES[after]),
                        field="status", code="transition_forbidden")
    reason = (reason or "").strip() or None
    if rule.needs_reason and not reason:
        raise InvalidInput(T("这一步需要填写原因说明"), field="reason", code="reason_required")
    if rule.needs_refusal_reason and refusal_reason not in refusals:
        raise InvalidInput(T("不予受理须选择一项法定理由：{codes}", codes="、".join(refusals.codes)),
                           field="refusal_reason", code="refusal_reason_required")
    if rule.needs_mode and mode not in MODES[kind]:
        raise InvalidInput(T("受理方式须为：{join}", join='、'.join(MODES[kind])), field="mode",
                           code="mode_required")
    return Move(before, after, role, actor, at, reason,
                refusal_reason if rule.needs_refusal_reason else None,
                mode if rule.needs_mode else None, public)


_NAMES = {
    S.SUBMITTED: T("已提交"), S.MODERATION: T("待审核"), S.PENDING: T("待受理"), S.RETURNED: T("待补充材料"),
    S.ACCEPTED: T("已受理"), S.IN_PROGRESS: T("处理中"), S.TRANSFERRED: T("已转办"), S.REFUSED: T("不予受理"),
    S.RESOLVED: T("已办结"), S.CLOSED: T("已关闭"), S.WITHDRAWN: T("已撤回"), S.MERGED: T("已合并"),
}


def status_name(status: Status) -> str:
    """The status as the public reads it (Chinese)."""
    return _NAMES[status]

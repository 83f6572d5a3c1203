"""The case workflow as data: every allowed move, every refused one, what each needs."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from complaints.workflow import (FINAL, REFUSAL_REASONS, TRANSITIONS, Kind, Role, Status, allowed,
                                 status_name, transition)
from core.errors import Conflict, Forbidden, InvalidInput

AT = datetime(2026, 9, 30, 9, tzinfo=timezone.utc)


def move(before, after, role, kind=Kind.COMPLAINT, **extra):
    return transition(kind=kind, before=before, after=after, role=role, actor="h1", at=AT,
                      **extra)


def test_acceptance_needs_a_mode_fitting_the_kind():
    done = move(Status.PENDING, Status.ACCEPTED, Role.HANDLER, mode="mediation")
    assert (done.before, done.after, done.mode) == (Status.PENDING, Status.ACCEPTED, "mediation")
    with pytest.raises(InvalidInput) as err:
        move(Status.PENDING, Status.ACCEPTED, Role.HANDLER, mode="mediation", kind=Kind.REPORT)
    assert err.value.code == "mode_required" and err.value.field == "mode"
    assert move(Status.PENDING, Status.ACCEPTED, Role.SUPERVISOR, kind=Kind.REPORT,
                mode="investigation").mode == "investigation"


def test_refusal_needs_a_statutory_reason():
    with pytest.raises(InvalidInput) as err:
        move(Status.PENDING, Status.REFUSED, Role.HANDLER, refusal_reason="I do not like it")
    assert err.value.code == "refusal_reason_required"
    done = move(Status.PENDING, Status.REFUSED, Role.HANDLER, refusal_reason="not_consumer")
    assert done.refusal_reason == "not_consumer"
    assert all("\u4e00" <= text[0] <= "\u9fff" for text in REFUSAL_REASONS.values())


def test_a_role_may_not_make_a_staff_move():
    with pytest.raises(Forbidden) as err:
        move(Status.PENDING, Status.ACCEPTED, Role.COMPLAINANT, mode="mediation")
    assert err.value.code == "transition_forbidden"
    with pytest.raises(Forbidden):
        move(Status.SUBMITTED, Status.PENDING, Role.HANDLER)


def test_nothing_leaves_a_closed_case_and_unknown_moves_are_refused():
    with pytest.raises(Conflict) as err:
        move(Status.CLOSED, Status.PENDING, Role.SUPERVISOR, reason="reopen")
    assert err.value.code == "case_closed" and "已关闭" in err.value.message
    with pytest.raises(Conflict) as err:
        move(Status.PENDING, Status.RESOLVED, Role.HANDLER, reason="done")
    assert err.value.code == "invalid_transition"


def test_reasons_are_required_where_the_complainant_must_be_told_why():
    with pytest.raises(InvalidInput) as err:
        move(Status.PENDING, Status.RETURNED, Role.HANDLER, reason="   ")
    assert err.value.code == "reason_required" and err.value.field == "reason"
    assert move(Status.PENDING, Status.RETURNED, Role.HANDLER, reason="请补充购物小票").reason


def test_the_complainant_may_withdraw_until_resolution():
    for before in (Status.PENDING, Status.ACCEPTED, Status.IN_PROGRESS, Status.RETURNED):
        assert Status.WITHDRAWN in allowed(before, Role.COMPLAINANT, Kind.COMPLAINT)
    assert Status.WITHDRAWN not in allowed(Status.RESOLVED, Role.COMPLAINANT, Kind.COMPLAINT)


def test_every_status_has_a_chinese_name_and_every_path_reaches_an_end():
    for status in Status:
        assert status_name(status)
    graph: dict[Status, set[Status]] = {}
    for before, after in TRANSITIONS:
        graph.setdefault(before, set()).add(after)
    for start in Status:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert seen & FINAL, start  # closed, or merged into another case

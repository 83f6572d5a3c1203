"""The ``complaint_transfer`` record, pure: what a received record must carry."""

from __future__ import annotations

from datetime import date

import pytest

from complaints.transfer import validate_transfer
from complaints.workflow import Kind, Role, Status, allowed
from tests import factories as F
from tracing.exchange.fields import RecordError

TODAY = date(2026, 9, 30)


def record(**over) -> dict:
    base = {"type": "complaint_transfer", "external_no": "12315-1", "kind": "report",
            "description": "这家店卖过期食品，多次发现。", "received_at": "2026-09-29T08:00:00+08:00",
            "target": {"type": "merchant", "name": "某小卖部", "address": "柳州市某路1号"}}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def test_a_valid_record():
    values = validate_transfer(record(timeline=[{"at": "2026-09-29T08:00:00+08:00",
                                                 "status": "登记"}]), today=TODAY)
    assert values["external_no"] == "12315-1" and values["form"].kind is Kind.REPORT
    assert values["form"].channel == "12315" and values["timeline"][0]["note"] is None


@pytest.mark.parametrize("over, field, code", [
    ({"external_no": None}, "external_no", "required"),
    ({"received_at": None}, "received_at", "required"),
    ({"received_at": "yesterday"}, "received_at", None),
    ({"kind": "complaint"}, "contact", "real_name_required"),
    ({"secret": 1}, "secret", "unknown_field"),
    ({"timeline": [{"status": "x"}]}, "timeline[0]", "invalid_value"),
    ({"target": {"type": "enterprise", "uscc": "X"}}, "target.uscc", None),
])
def test_bad_records_name_the_field(over, field, code):
    with pytest.raises(RecordError) as err:
        validate_transfer(record(**over), today=TODAY)
    assert err.value.field == field
    if code:
        assert err.value.code == code


def test_a_complaint_record_carries_the_complainant():
    values = validate_transfer(record(kind="complaint", complainant={
        "name": "王五", "phone": "13700137000"}, target={"type": "enterprise",
                                                      "uscc": F.uscc(1)}), today=TODAY)
    assert (values["form"].name, values["form"].phone) == ("王五", "13700137000")


def test_late_image_verdict_and_merge_are_in_the_workflow_table():
    assert Status.MODERATION in allowed(Status.PENDING, Role.SYSTEM, Kind.COMPLAINT)
    assert Status.MODERATION not in allowed(Status.PENDING, Role.HANDLER, Kind.COMPLAINT)
    assert Status.MERGED in allowed(Status.PENDING, Role.HANDLER, Kind.REPORT)
    assert allowed(Status.MERGED, Role.SUPERVISOR, Kind.REPORT) == []

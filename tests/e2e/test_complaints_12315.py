"""Cases handed to and received from the national 12315 platform as ``complaint_transfer``
NDJSON records: received through the exchange (keeping 12315's number, starting a timeline
here), exported with ``gongzhi complaints export``, and matched when they come back."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime

from accounts.staff import add_staff
from complaints.models import Complaint, ComplaintEvent
from complaints.transfer import export_transfers
from core.clock import SHANGHAI
from tests import factories as F
from tests.e2e.test_cli import COMMAND, gongzhi
from tests.e2e.test_complaints_flow import (PASSWORD, clock, http, server,  # noqa: F401
                                            staff_login)

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}


def received(**over) -> dict:
    record = {"type": "complaint_transfer", "external_no": "12315-2026-0930-000123",
              "kind": "complaint", "category": "expired",
              "description": "网购的螺蛳粉收到时已经过期，商家拒绝退货。",
              "target": {"type": "enterprise", "uscc": F.uscc(1)},
              "received_at": "2026-09-28T10:00:00+08:00",
              "complainant": {"name": "王五", "phone": "13700137000"},
              "timeline": [{"at": "2026-09-28T10:00:00+08:00", "status": "登记",
                            "note": "消费者通过12315热线投诉"},
                           {"at": "2026-09-29T09:00:00+08:00", "status": "分送",
                            "note": "分送至柳州市"}]}
    record.update(over)
    return record


async def post(http, clock, *records) -> dict:
    """The fixtures' world (imported a week on, so its recall and notice are not future
    records), then ``records`` as received on the clock's day."""
    received_on = clock.now
    clock.set(2026, 10, 7, 12)
    try:
        world = await http.post("/api/v1/exchange", content=F.ndjson(F.world()), headers=NDJSON)
    finally:
        clock.now = received_on
    assert world.status_code == 200 and world.json()["rejected"] == [], world.text
    if not records:
        return world.json()
    answer = await http.post("/api/v1/exchange", content=F.ndjson(list(records)),
                             headers=NDJSON)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_case_from_12315_keeps_its_number_and_starts_its_own_timeline(http, clock):
    result = await post(http, clock, received(), received(external_no="12315-bad", complainant=None),
                        received(external_no="12315-x", target={"type": "enterprise",
                                                                "uscc": F.uscc(55)}))
    rejected = {(r["line"], r["code"], r["field"]) for r in result["rejected"]}
    lines = 0
    assert rejected == {(lines + 2, "real_name_required", "contact"),
                        (lines + 3, "unknown_target", "target.uscc")}
    case = await Complaint.get(external_no="12315-2026-0930-000123")
    assert (case.source, case.status, case.channel, case.category) == (
        "12315", "pending", "12315", "expired")
    assert case.acceptance_due.isoformat() == "2026-10-15"  # received here on 2026-09-30
    events = await ComplaintEvent.filter(complaint_id=case.id).order_by("at", "id")
    assert [e.reason for e in events if e.kind == "external"] == [
        "[12315] 登记：消费者通过12315热线投诉", "[12315] 分送：分送至柳州市"]
    first = next(e for e in events if e.kind == "transition")
    assert first.public and first.reason == "由全国12315平台转来（编号 12315-2026-0930-000123）"
    again = await post(http, clock, received())
    assert again["rejected"] == [] and await Complaint.filter(source="12315").count() == 1


async def test_handed_to_12315_exported_and_matched_on_return(http, clock, tmp_path):
    await post(http, clock)
    form = {"kind": "complaint", "description": "外卖平台商家的螺蛳粉有异物，跨省经营，请转12315处理。",
            "target": {"type": "enterprise", "uscc": F.uscc(1)},
            "contact": {"name": "赵六", "phone": "0772-3801234"}}
    ticket = (await http.post("/api/v1/complaints", json=form)).json()["ticket"]
    await add_staff(username="t.handler", name="承办", role="handler", division="450204",
                    password=PASSWORD)
    handler = await staff_login(http, "t.handler")
    moved = await http.post(f"/api/v1/triage/complaints/{ticket}/transitions", headers=handler,
                            json={"to": "transferred", "transfer_to": "12315",
                                  "reason": "涉及外省平台经营者，转全国12315平台"})
    assert moved.status_code == 200, moved.text
    since = datetime(2026, 9, 1, tzinfo=SHANGHAI)
    records = list(await export_transfers(since=since))
    assert [r["ticket"] for r in records] == [ticket]
    record = records[0]
    assert record["complainant"] == {"name": "赵六", "phone": "0772-3801234"}
    assert [e["status"] for e in record["timeline"]] == ["submitted", "pending", "transferred"]
    assert "external_no" not in record
    back = {**record, "external_no": "12315-2026-1002-000777", "status": "受理"}
    result = await post(http, clock, back)
    assert result["rejected"] == []
    case = await Complaint.get(ticket=ticket)
    assert case.external_no == "12315-2026-1002-000777"
    assert await Complaint.all().count() == 1
    assert list(await export_transfers(since=datetime(2027, 1, 1, tzinfo=SHANGHAI))) == []


def run_cli(*args: str, data_dir, stdin: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    environ["GONGZHI_DATA_DIR"] = str(data_dir)
    return subprocess.run([*COMMAND, *args], input=stdin, env=environ, capture_output=True,
                          text=True, timeout=120, cwd=data_dir)


def test_cli_staff_add_and_export(tmp_path):
    account = ("staff", "add", "cli.handler", "--name", "命令行", "--role", "handler",
               "--division", "450204", "--password-stdin")
    created = run_cli(*account, data_dir=tmp_path, stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    assert "cli.handler (handler, 450204) created" in created.stdout
    twice = run_cli(*account, data_dir=tmp_path, stdin="a long enough password\n")
    assert twice.returncode == 2 and "username" in twice.stderr
    weak = run_cli("staff", "add", "cli.two", "--name", "短", "--role", "handler",
                   "--division", "450204", "--password-stdin", data_dir=tmp_path,
                   stdin="short\n")
    assert weak.returncode == 2 and "password" in weak.stderr
    out = tmp_path / "out.ndjson"
    exported = gongzhi("complaints", "export", "--since", "2026-01-01", "--out", str(out),
                       data_dir=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert out.read_bytes() == b"" and "0 complaint_transfer records" in exported.stderr
    bad = gongzhi("complaints", "export", "--since", "yesterday", data_dir=tmp_path)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr

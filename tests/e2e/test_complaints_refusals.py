"""A refusal over HTTP names its statutory reason and article to the complainant; a table
loaded from a file (GONGZHI_REFUSAL_REASONS) takes over, and earlier refusals stay readable."""

from __future__ import annotations

import json

from accounts.staff import add_staff
from complaints.models import Complaint, ComplaintEvent
from complaints.refusals import Refusals
from complaints.service import ComplaintService
from tests.e2e.test_complaints_flow import (PASSWORD, clock, http, login, server,  # noqa: F401
                                            settle, staff_login)
from tests.e2e.test_complaints_input import complaint, world  # noqa: F401
from tests.unit.test_complaints_refusals import TABLE


async def refuse(http, handler, ticket, code):
    return await http.post(f"/api/v1/triage/complaints/{ticket}/transitions", headers=handler,
                           json={"to": "refused", "refusal_reason": code})


async def test_refusal_reason_and_article_under_the_table_in_force(server, http, world,
                                                                    tmp_path):
    user = await login(http, "frank")
    first = (await http.post("/api/v1/complaints", headers=user, json=complaint())).json()
    second = (await http.post("/api/v1/complaints", headers=user, json=complaint(
        description="奶茶里有一块塑料片，要求赔偿。"))).json()
    await add_staff(username="r.handler", name="承办", role="handler", division="450204",
                    password=PASSWORD)
    handler = await staff_login(http, "r.handler")
    await settle(server)  # WeChat's content check passes both: they wait for acceptance
    assert (await refuse(http, handler, first["ticket"], "not_consumer")).status_code == 200
    path = tmp_path / "reasons.json"
    path.write_text(json.dumps(TABLE, ensure_ascii=False), encoding="utf-8")
    service = server[1].ctx.services.get(ComplaintService)
    service.ctx.refusals = Refusals.load(path)
    events = await ComplaintEvent.all().count()
    old = await refuse(http, handler, second["ticket"], "not_consumer")
    assert old.status_code == 400, old.text
    error = old.json()["error"]
    assert (error["code"], error["field"]) == ("refusal_reason_required", "refusal_reason")
    assert "not_food" in error["message"] and "法定理由" in error["message"]
    assert await ComplaintEvent.all().count() == events
    assert (await Complaint.get(ticket=second["ticket"])).status == "pending"
    assert (await refuse(http, handler, second["ticket"], "not_food")).status_code == 200
    for ticket, code, text, article in (
            (first["ticket"], "not_consumer", "生活消费需要", "第十五条第（三）项"),
            (second["ticket"], "not_food", "与食品无关", "第X条第（二）项")):
        mine = (await http.get(f"/api/v1/complaints/{ticket}", headers=user)).json()
        entry = [e for e in mine["timeline"] if e["status"] == "refused"][-1]
        assert entry["refusal_reason"] == code and text in entry["refusal_reason_text"]
        assert entry["refusal_reason_article"].endswith(article)

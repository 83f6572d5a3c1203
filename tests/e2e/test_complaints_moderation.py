"""Every filing is content-checked: WeChat's check for a filer with a WeChat session, the
service's own policy for anyone else (anonymous reports, browsers). Held content is stored
and waits in moderation for a handler; nothing is dropped."""

from __future__ import annotations

from accounts.staff import add_staff
from complaints.models import Complaint, ComplaintEvent, ComplaintJob
from complaints.service import ComplaintService
from tests import complaint_helpers as H
from tests.e2e.test_complaints_flow import (PASSWORD, clock, http, login, server,  # noqa: F401
                                            settle, staff_login)
from tests.e2e.test_complaints_input import complaint, world  # noqa: F401

REPORT = {"kind": "report", "anonymous": True,
          "target": {"type": "merchant", "name": "无名小吃店", "address": "柳州市柳南区某街3号"},
          "place": {"address": "柳州市柳南区某街3号", "division_code": "450204"}}


async def file(http, headers=None, **over):
    answer = await http.post("/api/v1/complaints", json={**REPORT, **over}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_an_anonymous_report_with_listed_words_is_held_not_dropped(http, world):
    body = await file(http, description="这家店无证经营，老板说有事加 微 信私了。")
    assert body["status"] == "moderation" and body["status_name"] == "待审核"
    case = await Complaint.get(ticket=body["ticket"])
    check = case.triage["content_check"]
    assert check["value"] == "review" and "加微信" in check["reasons"][0]
    assert await ComplaintJob.filter(ticket=case.ticket, kind="check").count() == 0
    mine = await http.get(f"/api/v1/complaints/{case.ticket}",
                          headers={"X-Follow-Secret": body["follow_secret"]})
    shown = [e for e in mine.json()["timeline"]]
    assert shown[-1]["status"] == "moderation" and "人工审核" in shown[-1]["note"]
    assert all("加微信" not in (e.get("note") or "") for e in shown)  # the reasons are internal
    internal = await ComplaintEvent.filter(complaint_id=case.id, public=False,
                                           reason__contains="本系统内容审核").count()
    assert internal == 1
    await add_staff(username="m.handler", name="审核", role="handler", division="450204",
                    password=PASSWORD)
    handler = await staff_login(http, "m.handler")
    queue = await http.get("/api/v1/triage/complaints", params={"status": "moderation"},
                           headers=handler)
    assert [c["ticket"] for c in queue.json()["items"]] == [case.ticket]
    released = await http.post(f"/api/v1/triage/complaints/{case.ticket}/transitions",
                               headers=handler, json={"to": "pending", "reason": "人工审核通过"})
    assert released.status_code == 200 and released.json()["status"] == "pending"


async def test_photos_without_wechat_are_held_plain_text_passes(http, world):
    up = await http.post("/api/v1/uploads", files={"file": ("a.jpg", H.photo_with_gps(
        size=(320, 240), orientation=1), "image/jpeg")})
    assert up.status_code == 201
    pictured = await file(http, description="后厨地上全是污水，附照片。", photos=[up.json()["id"]])
    assert pictured["status"] == "moderation"
    reasons = (await Complaint.get(ticket=pictured["ticket"])).triage["content_check"]["reasons"]
    assert "1张照片" in reasons[0] and "微信图片安全检测" in reasons[0]
    plain = await file(http, description="后厨地上全是污水，老鼠乱跑。")
    assert plain["status"] == "pending"
    assert (await Complaint.get(ticket=plain["ticket"])).triage["content_check"]["value"] == "pass"


async def test_with_the_wechat_check_off_the_own_policy_checks_everyone(server, http, world):
    service = server[1].ctx.services.get(ComplaintService)
    service.ctx.settings = service.ctx.settings.with_(content_check="off")
    user = await login(http, "erin")
    held = await http.post("/api/v1/complaints", headers=user, json=complaint(
        description="面里有头发，店员骂我傻逼，要求赔偿。"))
    assert held.status_code == 201 and held.json()["status"] == "moderation"
    await settle(server)
    assert await ComplaintJob.filter(kind="check").count() == 0  # WeChat was not asked
    case = await Complaint.get(ticket=held.json()["ticket"])
    assert case.status == "moderation" and case.triage["content_check"]["value"] == "review"

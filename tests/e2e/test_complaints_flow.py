"""A complaint from a photo in a consumer's hand to a closed case, over real HTTP: the demo
data's recalled batch is scanned, a photo uploaded, the complaint filed (2026-09-30, the eve of
National Day: acceptance due 2026-10-15), checked by the stand-in WeChat, triaged, accepted,
resolved and closed, with a subscribe message for every status change, and the enterprise
never told who complained."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import datetime

import pytest

from accounts.staff import add_staff
from complaints.models import AccessAudit, Complaint, ComplaintJob, Photo
from complaints.service import ComplaintService
from core.clock import SHANGHAI
from tests import complaint_helpers as H
from tests.conftest import _empty_tables, running_app
from tracing.demo.generator import DEMO_KEYS, write_demo

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
PASSWORD = "correct horse battery"


@pytest.fixture
def clock():
    return H.Clock(2026, 9, 30, 15, 20)


@pytest.fixture
async def server(settings, app_store, standin_url, clock):
    settings = settings.with_(wechat_api_url=standin_url, wechat_appid=H.APPID,
                              wechat_secret=H.SECRET, wechat_push_token=H.PUSH_TOKEN)
    async with running_app(settings, app_store, clock=clock) as (base, app):
        await _empty_tables()
        settings = settings.with_(public_base_url=base)
        app.ctx.services.get(ComplaintService).ctx.settings = settings
        H.load_standin().call(standin_url, "_standin/push", body={
            "url": base + "/api/v1/wechat/events", "token": H.PUSH_TOKEN})
        yield base, app


@pytest.fixture
async def http(server):
    import httpx

    async with httpx.AsyncClient(base_url=server[0], timeout=30) as client:
        yield client


@pytest.fixture
async def demo(http):
    out = io.StringIO()
    # The demo's world as of the day before the complaint is received (the clock's
    # 2026-09-30): official records dated after the clock would be refused as future ones.
    write_demo(out, enterprises=10, now=datetime(2026, 9, 29, 12, tzinfo=SHANGHAI))
    answer = await http.post("/api/v1/exchange", content=out.getvalue().encode(), headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == []


async def login(http, user: str) -> dict:
    answer = await http.post("/api/v1/auth/wechat", json={"code": f"{user}-{uuid.uuid4().hex}"})
    assert answer.status_code == 201, answer.text
    return {"Authorization": "Bearer " + answer.json()["token"]}


async def staff_login(http, username: str) -> dict:
    answer = await http.post("/api/v1/auth/staff",
                             json={"username": username, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    return {"Authorization": "Bearer " + answer.json()["token"]}


async def settle(server, *, photos: int = 0) -> None:
    """Run the job worker until it is idle and every pushed image verdict has arrived."""
    jobs = server[1].ctx.services.get(ComplaintService).jobs
    for _ in range(200):
        await jobs.drain()
        waiting = await Photo.filter(check_trace_id__isnull=False, check_suggest=None).count()
        if not waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the stand-in never pushed the image verdicts")


def messages_for(standin_url: str, openid: str) -> list[dict]:
    sent = H.load_standin().call(standin_url, "_standin/messages")["messages"]
    return [m for m in sent if m["touser"] == openid]


async def test_recalled_batch_complaint_from_scan_to_closure(server, http, demo, clock,
                                                           standin_url):
    user = await login(http, "alice")
    scan = (await http.get("/api/v1/scan", params={"code": DEMO_KEYS["recalled_code"]},
                           headers=user)).json()
    assert scan["status"] == "recalled"
    link = scan["complaint"]
    assert link["prefill"]["target"] == {"type": "trace_code", "code": DEMO_KEYS["recalled_code"]}
    division = scan["enterprise"]["division_code"]
    await add_staff(username="wang.handler", name="王承办", role="handler", division=division,
                    password=PASSWORD)
    await add_staff(username="li.other", name="李承办", role="handler",
                    division="450225" if division != "450225" else "450226", password=PASSWORD)
    await add_staff(username="zhao.super", name="赵监督", role="supervisor", division=None,
                    password=PASSWORD)

    upload = await http.post("/api/v1/uploads", headers=user,
                             files={"file": ("IMG_0001.HEIC.jpg", H.photo_with_gps(), "image/jpeg")})
    assert upload.status_code == 201, upload.text
    photo = upload.json()
    assert (photo["width"], photo["height"]) == (600, 800)  # EXIF orientation 6 applied

    form = {**link["prefill"], "category": "other",
            "description": "在超市买的这袋螺蛳粉，孩子吃了以后呕吐、拉肚子，包装上的批次正在召回。",
            "contact": {"name": "张三", "phone": "138 0013 8000"},
            "place": {"address": "柳州市城中区某超市", "lat": 24.33, "lng": 109.41},
            "occurred_on": "2026-09-29", "photos": [photo["id"]]}
    headers = {**user, "Idempotency-Key": "form-7f3a"}
    first = await http.post("/api/v1/complaints", json=form, headers=headers)
    assert first.status_code == 201, first.text
    case = first.json()
    assert case["status"] == "submitted" and case["ticket"].startswith("TS260930")
    assert case["deadline"] == {"acceptance": "2026-10-15", "provisional": False}
    assert "follow_secret" not in case  # a WeChat user follows with the session
    again = await http.post("/api/v1/complaints", json=form, headers=headers)
    assert again.status_code == 201 and again.json()["ticket"] == case["ticket"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await Complaint.all().count() == 1
    ticket = case["ticket"]

    await settle(server)
    stored = await Complaint.get(ticket=ticket)
    assert stored.status == "pending"
    assert (await Photo.get(id=photo["id"])).check_suggest == "pass"
    assert stored.division == division and stored.priority == "urgent"

    handler = await staff_login(http, "wang.handler")
    queue = (await http.get("/api/v1/triage/complaints", headers=handler)).json()["items"]
    assert [c["ticket"] for c in queue] == [ticket]
    assert queue[0]["complainant"] == {"name": "张*", "phone": "138****8000"}
    detail = (await http.get(f"/api/v1/triage/complaints/{ticket}", headers=handler)).json()
    assert any("召回" in r for r in detail["triage"]["priority"]["reasons"])
    assert any("呕吐" in r for r in detail["triage"]["category"]["reasons"])
    assert "13800138000" not in str(detail) and "张三" not in str(detail)
    other = await staff_login(http, "li.other")
    assert (await http.get("/api/v1/triage/complaints", headers=other)).json()["items"] == []
    denied = await http.get(f"/api/v1/triage/complaints/{ticket}", headers=other)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "not_your_jurisdiction"

    notice = await http.get(f"/api/v1/triage/complaints/{ticket}/enterprise-notice",
                            headers=handler)
    assert notice.status_code == 200
    for secret in ("张三", "13800138000", "8000", stored.openid, stored.owner_hash):
        assert secret not in notice.text
    assert "呕吐" in notice.json()["description"]

    bad = await http.post(f"/api/v1/triage/complaints/{ticket}/transitions", headers=handler,
                          json={"to": "resolved", "reason": "已处理"})
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "invalid_transition"
    sneaky = await http.post(f"/api/v1/complaints/{ticket}/transitions", headers=user,
                             json={"to": "accepted"})
    assert sneaky.status_code == 403 and sneaky.json()["error"]["code"] == "transition_forbidden"

    clock.set(2026, 10, 9, 10, 0)
    accepted = await http.post(f"/api/v1/triage/complaints/{ticket}/transitions",
                               headers=handler, json={"to": "accepted", "mode": "mediation",
                                                      "reason": "符合受理条件，组织调解"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["deadline"]["current"] == "2026-12-10"  # 45 working days (Oct 10 is one)
    for step in ({"to": "in_progress"},
                 {"to": "resolved", "reason": "经调解，商家退款并赔偿"}):
        moved = await http.post(f"/api/v1/triage/complaints/{ticket}/transitions",
                                headers=handler, json=step)
        assert moved.status_code == 200, moved.text
    closed = await http.post(f"/api/v1/complaints/{ticket}/transitions", headers=user,
                             json={"to": "closed"})
    assert closed.status_code == 200, closed.text
    after = await http.post(f"/api/v1/triage/complaints/{ticket}/transitions", headers=handler,
                            json={"to": "in_progress"})
    assert after.status_code == 409 and after.json()["error"]["code"] == "case_closed"
    rated = await http.post(f"/api/v1/complaints/{ticket}/rating", headers=user,
                            json={"score": 5, "comment": "处理及时"})
    assert rated.status_code == 200

    await settle(server)
    sent = messages_for(standin_url, stored.openid)
    statuses = [m["data"]["phrase2"]["value"] for m in sent]
    assert statuses == ["待受理", "已受理", "处理中", "已办结", "已关闭"]
    assert all(m["data"]["character_string1"]["value"] == ticket for m in sent)
    assert await ComplaintJob.filter(done_at=None).count() == 0

    mine = await http.get(f"/api/v1/complaints/{ticket}", headers=user)
    timeline = [e["status"] for e in mine.json()["timeline"] if e["kind"] == "transition"]
    assert timeline == ["submitted", "pending", "accepted", "in_progress", "resolved", "closed"]
    assert mine.json()["rating"] == 5
    stranger = await login(http, "mallory")
    assert (await http.get(f"/api/v1/complaints/{ticket}", headers=stranger)).status_code == 404
    listed = (await http.get("/api/v1/me/complaints", headers=user)).json()["items"]
    assert [c["ticket"] for c in listed] == [ticket]

    supervisor = await staff_login(http, "zhao.super")
    figures = (await http.get("/api/v1/triage/stats", params={"period": "month"},
                              headers=supervisor)).json()["rows"]
    row = next(r for r in figures if r["division"] == division and r["category"] == "*")
    assert row["period"] == "2026-09" and row["received"] == row["accepted"] == 1
    assert (row["on_time"], row["overdue"], row["satisfaction"]) == (1, 0, 5)
    assert row["avg_days_to_acceptance"] == 2  # Oct 8, Oct 9: the holiday does not count
    csv = await http.get("/api/v1/triage/stats", params={"period": "quarter", "format": "csv"},
                         headers=supervisor)
    assert csv.headers["content-type"].startswith("text/csv")
    assert f"2026-Q3,{division},*,1,1,0,1,0" in csv.text

    profile = await http.get(f"/api/v1/enterprises/{scan['enterprise']['uscc']}")
    assert profile.status_code == 200, profile.text
    assert profile.json()["complaints"]["total"] == 1
    assert profile.json()["complaints"]["by_outcome"] == {"resolved": 1}
    for secret in ("张三", "13800138000", ticket, stored.openid):
        assert secret not in profile.text

    opened = await http.post(f"/api/v1/triage/complaints/{ticket}/contact", headers=handler,
                             json={"reason": "回访核实调解结果"})
    assert opened.json() == {"name": "张三", "phone": "13800138000", "erased": False}
    assert await AccessAudit.filter(ticket=ticket, staff="wang.handler").count() == 1
    erased = await http.post(f"/api/v1/complaints/{ticket}/erasure", headers=user)
    assert erased.status_code == 200
    kept = await Complaint.get(ticket=ticket)
    assert (kept.name, kept.phone, kept.openid, kept.owner_hash) == (None, None, None, None)
    assert kept.status == "closed" and kept.description == form["description"]

"""Notices, forward tracing and recall warnings over real HTTP: a recall notice from the
exchange feed shows in the notice list, on the enterprise profile and in the scan view of
each affected batch (also when the notice comes after the recall); a batch's destinations
name enterprises only; consumers who scanned an affected code while logged in and agreed to
be told get a WeChat subscribe message (the stand-in records it), once."""

from __future__ import annotations

import base64
import hashlib
import uuid

import httpx
import pytest

from profiles.messenger import RecallMessenger
from profiles.models import RecallMessage, Subscription
from tests import factories as F
from tests.wechat_standin import APPID, SECRET
from tracing.service import TraceService

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
U1, U2, U3 = F.uscc(1), F.uscc(2), F.uscc(3)


@pytest.fixture
def settings(settings, standin_url):
    return settings.with_(wechat_api_url=standin_url, wechat_appid=APPID, wechat_secret=SECRET)


def openid(user: str) -> str:
    """The openid the stand-in gives ``user`` (as WeChat: stable per app and user)."""
    digest = hashlib.sha256(f"{APPID}:{user}".encode()).digest()
    return "o" + base64.urlsafe_b64encode(digest).decode()[:27]


async def post(http, records) -> None:
    answer = await http.post("/api/v1/exchange", content=F.ndjson(records), headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text


def chain() -> list[dict]:
    """The factories' world without its recalls and notices, plus where B1 and B2 went: B1
    shipped to enterprise 2 and used in B2; B2 received by enterprise 3, sold to a person."""
    records = [r for r in F.world() if r["type"] not in ("recall", "notice")]
    return records + [
        F.enterprise(3, kind="wholesaler", licence_no="JY14502040000029",
                     name="柳州冷链批发有限公司"),
        F.event("E6", batch_id="B2", kind="shipping",
                occurred_at="2026-09-05T08:00:00+08:00",
                detail={"counterparty": {"name": "柳州冷链批发有限公司", "uscc": U3}}),
        F.event("E7", batch_id="B2", kind="receiving", place_uscc=U3,
                occurred_at="2026-09-05T15:00:00+08:00"),
        F.event("E8", batch_id="B2", kind="shipping", place_uscc=U3,
                occurred_at="2026-09-06T09:00:00+08:00",
                detail={"counterparty": {"name": "张三"}})]


def recall_notice(**over) -> dict:
    return F.notice("GG/2026/0001", kind="recall", title="原味螺蛳粉（批号LB1）召回公告",
                    body="柳州螺蛳粉食品有限公司1号主动召回批号为LB1的原味螺蛳粉，"
                         "请消费者停止食用。", related=["ZH-2026-0001"], **over)


async def test_downstream_names_enterprises_only(http):
    await post(http, chain())
    answer = await http.get("/api/v1/batches/B1/downstream")
    assert answer.status_code == 200
    where = answer.json()
    assert [r["uscc"] for r in where["receivers"]] == [U2]
    assert where["receivers"][0]["via"] == ["shipping"]
    [made] = where["used_in"]
    assert (made["batch_id"], made["depth"], made["parent"]) == ("B2", 1, "B1")
    assert [(r["uscc"], r["via"]) for r in made["receivers"]] == [
        (U3, ["receiving", "shipping"])]
    assert made["unnamed_receivers"] == 1  # 张三: a person, counted, never named
    assert "张三" not in answer.text
    assert [s["uscc"] for s in where["sold_to"]] == [U2, U3]
    assert where["summary"] == ("该批次销往：柳州螺蛳粉食品有限公司2号、柳州冷链批发有限公司；"
                                "用作原料生产了：原味螺蛳粉（批号LB2）。")
    assert (await http.get("/api/v1/batches/NOPE/downstream")).json()["error"]["code"] == \
        "batch_not_found"
    bad = await http.get("/api/v1/batches/B%01X/downstream")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "batch_id_malformed"


async def test_a_recall_notice_shows_on_the_list_the_profile_and_the_scan(http):
    await post(http, chain())
    before = (await http.get("/api/v1/scan", params={"code": "LZ0000000001"})).json()
    assert before["status"] == "ok"  # cached now
    await post(http, [F.recall(), F.notice("N-A", published_at="2026-10-01T09:00:00+08:00")])
    recalled = (await http.get("/api/v1/scan", params={"code": "LZ0000000001"})).json()
    assert recalled["status"] == "recalled" and "notices" not in recalled["alerts"][0]
    cached = (await http.get(f"/api/v1/enterprises/{U1}")).json()  # cached without a notice
    assert cached["recalls"][0]["notices"] == []
    await post(http, [recall_notice()])  # the notice comes later than the recall
    scan = (await http.get("/api/v1/scan", params={"code": "LZ0000000001"})).json()
    assert scan["alerts"][0]["kind"] == "recall"
    assert [n["notice_id"] for n in scan["alerts"][0]["notices"]] == ["GG/2026/0001"]
    listed = (await http.get("/api/v1/notices", params={"kind": "recall"})).json()
    assert [n["notice_id"] for n in listed["items"]] == ["GG/2026/0001"]
    assert listed["items"][0]["kind_label"] == "召回公告"
    profile = (await http.get(f"/api/v1/enterprises/{U1}")).json()
    assert profile["recalls"][0]["notices"][0]["notice_id"] == "GG/2026/0001"
    detail = await http.get("/api/v1/notices/" + "GG/2026/0001")
    assert detail.status_code == 200
    [recall] = detail.json()["recalls"]
    [batch] = recall["batches"]
    assert (batch["batch_id"], batch["codes"]) == ("B1", ["LZ0000000001"])
    assert batch["scan"] == ["/api/v1/scan?code=LZ0000000001"]
    assert batch["destination"].startswith("该批次销往：柳州螺蛳粉食品有限公司2号")
    assert "请消费者停止食用" in detail.json()["body"]


async def test_notice_list_filters_and_pages(http):
    await post(http, chain() + [F.recall()] + [
        F.notice(f"N{i:02d}", kind="sampling" if i % 2 else "announcement",
                 published_at=f"2026-10-{i:02d}T09:00:00+08:00", related=[]) for i in range(1, 8)])
    first = (await http.get("/api/v1/notices", params={"limit": 3})).json()
    assert [n["notice_id"] for n in first["items"]] == ["N07", "N06", "N05"]
    second = (await http.get("/api/v1/notices", params={"limit": 3,
                                                        "cursor": first["next_cursor"]})).json()
    assert [n["notice_id"] for n in second["items"]] == ["N04", "N03", "N02"]
    sampling = (await http.get("/api/v1/notices", params={"kind": "sampling",
                                                          "since": "2026-10-03"})).json()
    assert [n["notice_id"] for n in sampling["items"]] == ["N07", "N05", "N03"]
    assert sampling["next_cursor"] is None
    for params, code in (({"kind": "news"}, "invalid_kind"), ({"since": "10/03"}, "invalid_since"),
                         ({"limit": "0"}, "invalid_limit"), ({"cursor": "!!"}, "invalid_cursor")):
        answer = await http.get("/api/v1/notices", params=params)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)
    assert (await http.get("/api/v1/notices/NOPE")).status_code == 404


async def login(http, user: str) -> dict:
    answer = await http.post("/api/v1/auth/wechat", json={"code": f"{user}-{uuid.uuid4().hex}"})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


async def test_a_recall_warns_the_people_who_scanned_and_agreed(http, server, standin_url):
    services = server[1].ctx.services
    await post(http, chain())
    httpx.post(standin_url + "_standin/reset")
    people = {}
    for user, agrees, code in (("buyer1", True, "LZ0000000001"), ("buyer2", False, "LZ0000000001"),
                               ("buyer3", True, None), ("refuse1", True, "LZ0000000001"),
                               ("buyer4", True, "LZ0000000002")):  # B2, made from B1
        people[user] = headers = await login(http, user)
        if agrees:
            answer = await http.post("/api/v1/me/subscriptions", headers=headers,
                                     json={"TPL_RECALL_NOTICE": "accept",
                                           "errMsg": "requestSubscribeMessage:ok"})
            assert answer.status_code == 200
            assert answer.json()["subscriptions"][0]["grants"] == 1
        if code:
            assert (await http.get("/api/v1/scan", params={"code": code},
                                   headers=headers)).status_code == 200
    await http.get("/api/v1/scan", params={"code": "LZ0000000001"})  # anonymous
    await services.get(TraceService).recorder.flush()
    await post(http, [F.recall()])
    outcomes = await services.get(RecallMessenger).drain()
    assert outcomes == {"sent": 2, "refused": 1}
    sent = httpx.get(standin_url + "_standin/messages").json()["messages"]
    assert sorted(m["touser"] for m in sent) == sorted([openid("buyer1"), openid("buyer4")])
    mine = next(m for m in sent if m["touser"] == openid("buyer1"))
    assert mine["template_id"] == "TPL_RECALL_NOTICE"
    assert mine["page"] == "pages/trace/trace?code=LZ0000000001"
    assert mine["data"]["thing1"] == {"value": "原味螺蛳粉"}
    assert mine["data"]["thing2"] == {"value": "酸笋亚硝酸盐超标"}
    assert mine["data"]["date3"] == {"value": "2026年10月05日"}
    refused = await Subscription.filter(template_id="TPL_RECALL_NOTICE", status="reject")
    assert len(refused) == 1 and refused[0].grants == 0
    spent = (await http.get("/api/v1/me/subscriptions", headers=people["buyer1"])).json()
    assert spent["subscriptions"][0]["grants"] == 0
    # the same recall again (an update): nobody is told twice
    await post(http, [F.recall(reason="酸笋亚硝酸盐超标（复检确认）")])
    assert await services.get(RecallMessenger).drain() == {}
    assert await RecallMessage.all().count() == 3


async def test_a_completed_recall_and_a_withdrawn_consent_send_nothing(http, server):
    services = server[1].ctx.services
    await post(http, chain())
    headers = await login(http, "buyer5")
    await http.post("/api/v1/me/subscriptions", headers=headers,
                    json={"TPL_RECALL_NOTICE": "accept"})
    await http.get("/api/v1/scan", params={"code": "LZ0000000001"}, headers=headers)
    await services.get(TraceService).recorder.flush()
    await post(http, [F.recall(status="completed")])
    assert await RecallMessage.all().count() == 0
    withdrawn = await http.delete("/api/v1/me/subscriptions/TPL_RECALL_NOTICE", headers=headers)
    assert withdrawn.json()["subscriptions"][0]["grants"] == 0
    await post(http, [F.recall("ZH-2026-0009")])
    assert await RecallMessage.all().count() == 0
    assert await services.get(RecallMessenger).drain() == {}


async def test_bad_consent_answers(http):
    headers = await login(http, "buyer6")
    for body, code in (({"TPL_OTHER": "accept"}, "unknown_template"),
                       ({"TPL_RECALL_NOTICE": "yes"}, "invalid_subscription"),
                       ({"errMsg": "requestSubscribeMessage:ok"}, "invalid_body"),
                       ([], "invalid_body")):
        answer = await http.post("/api/v1/me/subscriptions", headers=headers, json=body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)
    assert (await http.post("/api/v1/me/subscriptions",
                            json={"TPL_RECALL_NOTICE": "accept"})).status_code == 401

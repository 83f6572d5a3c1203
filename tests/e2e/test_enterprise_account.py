"""The enterprise's own account over real HTTP, logged in through the stand-in WeChat: a
binding code from ``gongzhi enterprise invite`` (a real subprocess), its own view (the public
profile byte for byte, plus scans by city, suspect codes and complaints), bad binding codes,
another enterprise's view (403), and correction requests answered by the regulator."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import orjson
import pytest

from profiles.members import issue_binding_code
from tests import factories as F
from tests.e2e.test_cli import gongzhi
from tests.wechat_standin import APPID, SECRET
from tracing.service import TraceService

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
STAFF = {"Authorization": "Bearer test-exchange-token"}
U1, U2 = F.uscc(1), F.uscc(2)


@pytest.fixture
def settings(settings, standin_url):
    return settings.with_(wechat_api_url=standin_url, wechat_appid=APPID, wechat_secret=SECRET)


@pytest.fixture
async def world(http):
    records = F.world() + [F.code("LZ-ITEM-0001", batch_id="B1", level="item", serial="1")]
    answer = await http.post("/api/v1/exchange", content=F.ndjson(records), headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == []


async def login(http, user: str) -> dict:
    answer = await http.post("/api/v1/auth/wechat", json={"code": f"{user}-{uuid.uuid4().hex}"})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def invite(settings, uscc: str) -> str:
    """A binding code from the real command (its own process, the test database)."""
    done = gongzhi("enterprise", "invite", uscc, data_dir=settings.data_dir,
                   GONGZHI_DB_URL=settings.db_url)
    assert done.returncode == 0, done.stdout + done.stderr
    return re.search(r"绑定码 ([A-Z0-9-]{14})", done.stdout).group(1)


async def bound(http, settings, user: str, uscc: str = U1) -> dict:
    headers = await login(http, user)
    answer = await http.post("/api/v1/me/enterprise/bind",
                             json={"code": invite(settings, uscc)}, headers=headers)
    assert answer.status_code == 201, answer.text
    return headers


async def test_the_own_view_shows_the_public_profile_byte_for_byte(http, settings, world):
    headers = await bound(http, settings, "owner1")
    public = await http.get(f"/api/v1/enterprises/{U1}")
    mine = await http.get("/api/v1/me/enterprise", headers=headers)
    assert mine.status_code == 200, mine.text
    assert mine.content.startswith(b'{"profile":' + public.content + b',"private":')
    assert orjson.loads(mine.content)["enterprises"] == [U1]
    assert mine.headers["cache-control"] == "private, no-store"
    # and again once the cached profile was dropped by an import and rebuilt
    await http.post("/api/v1/exchange", content=F.ndjson([F.sampling("S8", lot="LB8")]),
                    headers=NDJSON)
    mine = await http.get("/api/v1/me/enterprise", headers=headers)
    public = await http.get(f"/api/v1/enterprises/{U1}")
    assert b'"S8"' in public.content
    assert mine.content.startswith(b'{"profile":' + public.content + b',"private":')


async def test_private_figures_scans_by_city_and_suspect_codes(http, server, settings, world):
    headers = await bound(http, settings, "owner2")
    for user, city, lat, lng in (("buyer1", "柳州", 24.33, 109.43),
                                 ("buyer2", "北京", 39.90, 116.41)):
        shopper = await login(http, user)
        for code in ("LZ0000000001", "LZ-ITEM-0001"):
            answer = await http.get("/api/v1/scan", headers=shopper, params={
                "code": code, "city": city, "lat": lat, "lng": lng, "channel": "miniapp"})
            assert answer.status_code == 200, answer.text
    await server[1].ctx.services.get(TraceService).recorder.flush()
    private = (await http.get("/api/v1/me/enterprise", headers=headers)).json()["private"]
    rows = private["scans_per_day"]["rows"]
    assert {(r["division"], r["city"]): r["scans"] for r in rows} == {
        ("450200", "柳州市"): 2, ("110000", "北京市"): 2}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["day"]) for r in rows)
    [suspect] = private["suspect_codes"]
    assert (suspect["code"], suspect["code_level"], suspect["scans"]) == (
        "LZ-ITEM-0001", "item", 2)
    assert suspect["suspicion"] in ("notice", "alert")
    assert suspect["findings"][0]["rule"] == "far_apart"
    assert private["complaints"]["items"] == [] and private["expiring_licences"] == []
    assert "buyer" not in str(private) and "openid" not in str(private)


async def test_a_binding_code_works_once(http, settings, world):
    code = invite(settings, U1)
    first = await http.post("/api/v1/me/enterprise/bind", json={"code": code.lower()},
                            headers=await login(http, "owner3"))
    assert first.status_code == 201 and first.json()["uscc"] == U1
    again = await http.post("/api/v1/me/enterprise/bind", json={"code": code},
                            headers=await login(http, "owner4"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "binding_code_used"


async def test_expired_malformed_and_unknown_binding_codes(http, server, settings, world):
    now = server[1].ctx.services.clock()
    old, _ = await issue_binding_code(uscc=U1, now=now - timedelta(days=8), days=7)
    headers = await login(http, "owner5")
    expired = await http.post("/api/v1/me/enterprise/bind", json={"code": old}, headers=headers)
    assert expired.status_code == 410 and expired.json()["error"]["code"] == \
        "binding_code_expired"
    for body, status, code in (({"code": "ABC"}, 400, "binding_code_malformed"),
                               ({"code": 123}, 400, "binding_code_malformed"),
                               ({"code": "ＡＢＣＤ-ＥＦＧＨ-ＪＫＬＭ"}, 404, "binding_code_unknown"),
                               ([1], 400, "invalid_body")):
        answer = await http.post("/api/v1/me/enterprise/bind", json=body, headers=headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    anonymous = await http.post("/api/v1/me/enterprise/bind", json={"code": old})
    assert anonymous.status_code == 401
    assert (await http.get("/api/v1/me/enterprise", headers=headers)).json()["error"][
        "code"] == "enterprise_not_bound"


async def test_another_enterprises_private_view_is_403(http, settings, world):
    headers = await bound(http, settings, "owner6")
    other = await http.get("/api/v1/me/enterprise", params={"uscc": U2}, headers=headers)
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_your_enterprise"
    bad = await http.get("/api/v1/me/enterprise", params={"uscc": "123"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "uscc_malformed"
    assert (await http.get("/api/v1/me/enterprise")).status_code == 401
    await http.post("/api/v1/me/enterprise/bind", json={"code": invite(settings, U2)},
                    headers=headers)
    both = await http.get("/api/v1/me/enterprise", headers=headers)
    assert both.status_code == 400 and both.json()["error"]["code"] == "uscc_required"
    second = await http.get("/api/v1/me/enterprise", params={"uscc": U2}, headers=headers)
    assert second.status_code == 200 and second.json()["profile"]["uscc"] == U2


async def test_a_correction_request_is_tracked_and_never_edits_data(http, settings, world):
    headers = await bound(http, settings, "owner7")
    asked = await http.post("/api/v1/me/enterprise/corrections", headers=headers, json={
        "target": {"type": "enterprise", "key": U1}, "field": "address",
        "proposed": "广西柳州市柳南区航岭路2号", "reason": "门牌号已于十月变更"})
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["current"]) == ("open", "广西柳州市柳南区航岭路1号")
    profile = (await http.get(f"/api/v1/enterprises/{U1}")).json()
    assert profile["address"] == "广西柳州市柳南区航岭路1号"  # unchanged
    listed = (await http.get("/api/v1/corrections", params={"status": "open"},
                             headers=STAFF)).json()["items"]
    assert [r["id"] for r in listed] == [request["id"]]
    decided = await http.post(f"/api/v1/corrections/{request['id']}/decision", headers=STAFF,
                              json={"decision": "accepted", "note": "已核实，将随下次数据交换更新"})
    assert decided.status_code == 200 and decided.json()["decided_by"] == "regulator"
    again = await http.post(f"/api/v1/corrections/{request['id']}/decision", headers=STAFF,
                            json={"decision": "rejected", "note": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "correction_decided"
    mine = (await http.get("/api/v1/me/enterprise/corrections", headers=headers)).json()
    assert mine["items"][0]["status"] == "accepted" and "decided_by" not in mine["items"][0]
    listed = gongzhi("enterprise", "corrections", "--status", "accepted", "--uscc", U1,
                     data_dir=settings.data_dir, GONGZHI_DB_URL=settings.db_url)
    assert listed.returncode == 0 and f"{request['id']}\t{U1}\tenterprise:{U1}\taddress" \
        in listed.stdout
    unknown = gongzhi("enterprise", "invite", F.uscc(99), data_dir=settings.data_dir,
                      GONGZHI_DB_URL=settings.db_url)
    assert unknown.returncode == 1 and "enterprise_not_found" in unknown.stdout


@pytest.mark.parametrize("body,status,code", [
    ({"target": {"type": "product", "key": "P2"}, "field": "name", "proposed": "x",
      "reason": "不是我们的产品"}, 404, "target_not_found"),
    ({"target": {"type": "product", "key": "P1"}, "field": "hash", "proposed": "x",
      "reason": "想改哈希值"}, 400, "invalid_field"),
    ({"target": {"type": "batch", "key": "B1"}, "field": "lot", "proposed": "x",
      "reason": "批号有误请更正"}, 400, "invalid_target"),
    ({"target": {"type": "sampling", "key": "S1"}, "field": "result", "proposed": "fail",
      "reason": "短"}, 400, "invalid_value"),
])
async def test_bad_correction_requests(http, settings, world, body, status, code):
    headers = await bound(http, settings, "owner8")
    answer = await http.post("/api/v1/me/enterprise/corrections", headers=headers, json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)


async def test_only_staff_see_and_answer_requests(http, settings, world):
    headers = await bound(http, settings, "owner9")
    assert (await http.get("/api/v1/corrections")).status_code == 401
    member = await http.get("/api/v1/corrections", headers=headers)
    assert member.status_code == 403 and member.json()["error"]["code"] == "staff_only"
    missing = await http.post("/api/v1/corrections/999/decision", headers=STAFF,
                              json={"decision": "accepted", "note": "x"})
    assert missing.status_code == 404

"""The consumer scan over real HTTP: demo data imported through the exchange endpoint, every
code form, cache invalidation by a later import, scan statistics and suspicion, WeChat login
against the stand-in, rate limits, and fuzzed input that must never answer 5xx."""

from __future__ import annotations

import asyncio
import uuid

import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.wechat_standin import APPID, SECRET
from tracing.demo.generator import DEMO_KEYS
from tracing.service import TraceService

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}


@pytest.fixture
def settings(settings, standin_url):
    """The shared test settings, wired to the stand-in WeChat and with small limits."""
    return settings.with_(wechat_api_url=standin_url, wechat_appid=APPID, wechat_secret=SECRET,
                          scan_rate_limit=40, auth_rate_limit=5)


async def post_records(http, records) -> dict:
    body = b"".join(orjson.dumps(r) + b"\n" for r in records)
    answer = await http.post("/api/v1/exchange", content=body, headers=NDJSON)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == [], answer.json()["rejected"][:3]
    return answer.json()


async def scan(http, code, **params):
    return await http.get("/api/v1/scan", params={"code": code, **params})


async def flush(server):
    await server[1].ctx.services.get(TraceService).recorder.flush()


async def login(http, user="user1"):
    answer = await http.post("/api/v1/auth/wechat", json={"code": f"{user}-{uuid.uuid4().hex}"})
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def gtin() -> str:
    return DEMO_KEYS["gs1_digital_link"].split("/01/")[1].split("/")[0]


async def test_every_code_form_resolves(http, demo):
    forms = {
        demo["ok_code"]: ("batch", demo["ok_code"]),
        f"http://gz.example.cn/t/{demo['ok_code']}": ("batch", demo["ok_code"]),
        demo["item_code"]: ("item", demo["item_code"]),
        demo["case_code"]: ("case", demo["case_code"]),
        demo["gs1_digital_link"]: ("item", demo["item_code"]),
        f"(01){gtin()}(10)L260902A": ("batch", f"01/{gtin()}/10/L260902A"),
        f"01{gtin()}10L260902A\x1d21000001": ("item", demo["item_code"]),
        gtin()[1:]: ("product", f"01/{gtin()}"),
        demo["alias"]: ("batch", demo["ok_code"]),
    }
    for text, (level, subject) in forms.items():
        answer = await scan(http, text)
        assert answer.status_code == 200, (text, answer.text)
        body = answer.json()
        assert (body["level"], body["resolved"]["subject"]) == (level, subject), text
        assert answer.headers["content-type"].startswith("application/json")
    gone = await scan(http, demo["withdrawn_code"])
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "code_withdrawn"
    missing = await scan(http, "LZ123456789XYZ")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "code_not_found"
    bad = await scan(http, "not a code")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "code"
    assert bad.json()["error"]["rule"] == "code_space"
    wrong = (await scan(http, f"(01){gtin()}(250)S1")).json()["error"]  # 250 needs a serial
    assert (wrong["code"], wrong["rule"]) == ("code_malformed", "gs1_requires")
    assert "二级序列号（AI 250）必须与" in wrong["message"]


async def test_recalled_batch_shows_its_recall_first(http, demo):
    body = (await scan(http, demo["recalled_code"])).json()
    assert body["status"] == "recalled"
    assert body["alerts"][0]["kind"] == "recall" and body["alerts"][0]["severity"] == "critical"
    assert list(body)[:2] == ["status", "alerts"]


async def test_no_stale_view_after_an_import(http, demo):
    first = (await scan(http, demo["ok_code"])).json()
    assert first["status"] == "ok"
    again = await scan(http, demo["ok_code"])
    assert again.json()["batch"] == first["batch"]  # served from the cache
    batch_id = first["batch"]["batch_id"]
    await post_records(http, [{"type": "recall", "recall_id": "R-STALE-1", "level": 1,
                               "reason": "测试召回", "started_at": "2026-11-01",
                               "batch_ids": [batch_id], "status": "ongoing"}])
    after = (await scan(http, demo["ok_code"])).json()
    assert after["status"] == "recalled" and after["alerts"][0]["recall_id"] == "R-STALE-1"
    via_alias = (await scan(http, demo["alias"])).json()
    assert via_alias["status"] == "recalled"
    # An input's producer renamed: shown in the inputs, so the view changes too.
    producer = first["inputs"][0]["producer"]
    ent = {"type": "enterprise", "uscc": producer["uscc"], "name": "改名后的供应商",
           "kind": "farm", "address": "柳州市", "division_code": "450206"}
    await post_records(http, [ent])
    renamed = (await scan(http, demo["ok_code"])).json()
    assert renamed["inputs"][0]["producer"]["name"] == "改名后的供应商"


async def test_scan_statistics_mine_and_others(http, server, demo):
    code = demo["ok_code"]
    token = await login(http)
    auth = {"Authorization": f"Bearer {token}"}
    first = (await http.get("/api/v1/scan", params={"code": code, "lat": "24.33",
                                                    "lng": "109.43"}, headers=auth)).json()
    assert first["scans"]["count"] == 1 and first["scans"]["you_before"] == 0
    await flush(server)
    other = (await http.get("/api/v1/scan", params={"code": code})).json()
    assert other["scans"]["count"] == 2 and other["scans"]["you_before"] is None
    assert other["scans"]["others"] == 1 and other["scans"]["first"]["city"] == "柳州市"
    await flush(server)
    again = (await http.get("/api/v1/scan", params={"code": code}, headers=auth)).json()
    assert again["scans"]["you_before"] == 1 and again["scans"]["others"] == 1
    await flush(server)
    from tracing.scans.models import Scan

    rows = await Scan.filter(subject=code).order_by("id").values("user_hash", "division",
                                                                 "source")
    assert [r["source"] for r in rows] == ["person", "anonymous", "person"]
    assert rows[0]["division"] == "450200"
    assert all(r["user_hash"] is None or len(r["user_hash"]) == 64 for r in rows)


async def test_a_burst_of_anonymous_scans_moves_the_public_count_by_one_at_most(http, server,
                                                                              demo):
    code = demo["ok_code"]
    token = await login(http)
    auth = {"Authorization": f"Bearer {token}"}
    assert (await scan(http, code, lat="24.33", lng="109.43")).status_code == 200
    await flush(server)
    before = (await http.get("/api/v1/scan", params={"code": code}, headers=auth)).json()
    await flush(server)
    seen = []
    for i in range(30):  # one anonymous client, flushed now and then
        seen.append((await scan(http, code)).json()["scans"]["count"])
        if i % 7 == 0:
            await flush(server)
    await flush(server)
    after = (await http.get("/api/v1/scan", params={"code": code}, headers=auth)).json()
    assert before["scans"]["count"] == 2 and set(seen) == {2}  # the client was counted already
    assert after["scans"]["count"] == before["scans"]["count"]
    assert after["scans"]["you_before"] == 1 and after["scans"]["others"] == 1
    from tracing.scans.models import Scan

    await flush(server)
    assert await Scan.filter(subject=code).count() == 33
    assert await Scan.filter(subject=code, counted=True).count() == 2


@pytest.mark.parametrize("city", ["请拨13800138000退款", "<b>x</b>"])
async def test_a_city_the_client_names_is_never_shown(http, server, demo, city):
    code = demo["case_code"]
    first = await scan(http, code, city=city, lat="39.90", lng="116.41")
    assert first.status_code == 200
    await flush(server)
    token = await login(http)
    later = await http.get("/api/v1/scan", params={"code": code, "city": city},
                           headers={"Authorization": f"Bearer {token}"})
    assert later.status_code == 200 and later.json()["scans"]["first"]["city"] is None
    for answer in (first, later):
        assert city not in answer.text and "13800138000" not in answer.text
    await flush(server)
    from tracing.scans.models import Scan

    stored = await Scan.filter(subject=code).order_by("id").values_list("division", "source")
    assert stored == [("110000", "anonymous"), (None, "person")]


async def scan_as(http, user, code, lat, lng):
    token = await login(http, user) if not user.startswith("token:") else user[6:]
    answer = await http.get("/api/v1/scan", params={"code": code, "lat": lat, "lng": lng,
                                                    "channel": "miniapp"},
                            headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    return answer


async def test_two_anonymous_requests_far_apart_never_brand_an_item_fake(http, server, demo):
    code = demo["item_code"]
    for lat, lng in (("39.90", "116.41"), ("24.33", "109.43"), ("31.23", "121.47")):
        assert (await scan(http, code, lat=lat, lng=lng, city="北京")).status_code == 200
        await flush(server)
    body = (await scan(http, code)).json()
    assert body["status"] == "ok" and body["alerts"] == []


async def test_one_persons_forged_far_apart_positions_never_brand_an_item_fake(http, server,
                                                                                demo):
    code = demo["item_code"]
    token = await login(http, "forger")
    for lat, lng in (("39.90", "116.41"), ("24.33", "109.43"), ("31.23", "121.47")):
        answer = await http.get("/api/v1/scan", params={"code": code, "lat": lat, "lng": lng},
                                headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        await flush(server)
    body = (await scan(http, code)).json()
    assert body["status"] == "ok" and body["alerts"] == []


async def test_trusted_people_far_apart_give_a_notice_then_the_alert(http, server, demo):
    code = demo["item_code"]
    tokens = [await login(http, f"user{i}") for i in (1, 2, 3)]
    await scan_as(http, "token:" + tokens[0], code, "24.33", "109.43")
    await flush(server)
    await scan_as(http, "token:" + tokens[1], code, "39.90", "116.41")
    await flush(server)
    notice = (await scan(http, code)).json()
    assert notice["status"] == "ok"
    assert [(a["kind"], a["severity"]) for a in notice["alerts"]] == [("check_packaging", "info")]
    assert notice["alerts"][0]["message"].startswith("请核对包装")
    await scan_as(http, "token:" + tokens[2], code, "24.40", "109.50")
    await flush(server)
    body = (await scan(http, code)).json()
    assert body["status"] == "suspect"
    alert = body["alerts"][0]
    assert (alert["kind"], alert["severity"]) == ("counterfeit_suspicion", "critical")
    assert alert["message"].startswith("可能是仿冒产品") and alert["reasons"] == ["far_apart"]
    assert "柳州市" in alert["message"] and "北京市" in alert["message"]
    # The batch-level code printed on every pack is never flagged from counts alone.
    for token, (lat, lng) in zip(tokens, (("39.90", "116.41"), ("24.33", "109.43"),
                                          ("31.23", "121.47"))):
        await scan_as(http, "token:" + token, demo["ok_code"], lat, lng)
    await flush(server)
    assert (await scan(http, demo["ok_code"])).json()["status"] == "ok"


async def test_a_registered_kiosk_counts_at_its_market_and_a_claimed_one_does_not(
        http, server, demo):
    from datetime import datetime, timezone

    from tracing.scans.kiosks import new_key, register_kiosk
    from tracing.scans.models import Scan

    key = new_key()
    await register_kiosk(kiosk_id="K-LZ-01", key=key, market="柳州市城中区农贸市场",
                         division_code="450202", lat=24.31, lng=109.41,
                         now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    code = demo["case_code"]
    params = {"code": code, "channel": "kiosk", "kiosk": "K-LZ-01", "lat": "39.9",
              "lng": "116.4"}
    for headers in ({"X-Gongzhi-Kiosk-Key": key}, {"X-Gongzhi-Kiosk-Key": "x" * 43}, {}):
        assert (await http.get("/api/v1/scan", params=params, headers=headers)).status_code == 200
        await flush(server)
    rows = await Scan.filter(subject=code).order_by("id").values_list("source", "division",
                                                                      "lat")
    assert rows == [("kiosk", "450200", 24.3), ("anonymous", "110000", 39.9),
                    ("anonymous", "110000", 39.9)]
    assert (await scan(http, code)).json()["scans"]["first"]["city"] == "柳州市"


async def test_a_trace_url_on_a_foreign_host_shows_the_trace_with_a_warning(http, server, demo):
    base, _ = server
    code = demo["ok_code"]
    for url in (f"https://trace-lz.gov.cn.example/t/{code}", f"http://gz.example.cn/t/{code}"):
        answer = await scan(http, url)
        assert answer.status_code == 200
        body = answer.json()
        assert body["code"] == code and body["status"] == "warning"
        warning = body["alerts"][0]
        assert (warning["kind"], warning["severity"]) == ("unofficial_host", "high")
        host = url.split("/")[2]
        assert warning["host"] == host and host in warning["message"]
    for own in (f"http://testserver/t/{code}", f"{base}/t/{code}"):
        body = (await scan(http, own)).json()
        assert body["status"] == "ok" and body["alerts"] == [], own
    link = (await scan(http, demo["gs1_digital_link"])).json()
    assert link["resolved"]["subject"] == demo["item_code"]
    assert [(a["kind"], a["severity"], a["host"]) for a in link["alerts"]] == [
        ("unofficial_host", "medium", "id.gs1.org")]


async def test_a_buyer_and_free_text_are_masked_in_a_sale(http, demo):
    batch_id = (await scan(http, demo["ok_code"])).json()["batch"]["batch_id"]
    await post_records(http, [{
        "type": "event", "event_id": "EV-SALE-TRUST-1", "batch_id": batch_id, "kind": "sale",
        "occurred_at": "2026-09-05T10:00:00+08:00", "actor": "王小明", "quantity": 2,
        "unit": "袋", "place": {"name": "鱼峰区农贸市场13号摊（13800138000）"}, "detail": {
            "counterparty": {"name": "王小明"},
            "reason": "买方电话13907721234，身份证11010519491231002X，提货车辆桂B·D12345，"
                      "市场办0772-2345678"}}])
    body = (await scan(http, demo["ok_code"])).json()
    sale = next(e for e in body["events"] if e["event_id"] == "EV-SALE-TRUST-1")
    assert sale["actor"] == "王**" and sale["detail"]["counterparty"] == {"name": "王**"}
    assert sale["place"]["name"] == "鱼峰区农贸市场13号摊（138****8000）"
    assert sale["detail"]["reason"] == ("买方电话139****1234，身份证110105********002X，"
                                        "提货车辆桂B******，市场办0772-*****78")
    for secret in ("王小明", "13907721234", "11010519491231002X", "D12345", "2345678",
                   "13800138000"):
        assert secret not in (await scan(http, demo["ok_code"])).text


async def test_login_session_and_revoke(http):
    token = await login(http)
    auth = {"Authorization": f"Bearer {token}"}
    session = await http.get("/api/v1/auth/session", headers=auth)
    assert session.status_code == 200 and "token" not in session.json()
    assert len(session.json()["user"]) == 64
    assert (await http.delete("/api/v1/auth/session", headers=auth)).status_code == 204
    after = await http.get("/api/v1/auth/session", headers=auth)
    assert after.status_code == 401 and after.json()["error"]["code"] == "session_invalid"
    assert (await http.delete("/api/v1/auth/session")).status_code == 401
    bad = await http.post("/api/v1/auth/wechat", json={"code": "no"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "wechat_code_invalid"
    assert (await http.post("/api/v1/auth/wechat", content=b"[")).status_code == 400


async def test_rate_limits_answer_429_with_retry_after(http, demo):
    answers = [await scan(http, "LZ123456789XYZ") for _ in range(41)]
    assert [a.status_code for a in answers[:40]] == [404] * 40
    assert answers[40].status_code == 429
    assert int(answers[40].headers["Retry-After"]) >= 1
    assert answers[40].json()["error"]["code"] == "rate_limited"
    logins = [await http.post("/api/v1/auth/wechat", json={"code": "x"}) for _ in range(6)]
    assert logins[-1].status_code == 429 and "Retry-After" in logins[-1].headers


async def test_bad_channel_and_location_name_their_field(http, demo):
    for params, field in (({"channel": "fax"}, "channel"), ({"channel": "kiosk"}, "kiosk"),
                          ({"lat": "200", "lng": "1"}, "lat")):
        answer = await scan(http, demo["ok_code"], **params)
        assert answer.status_code == 400 and answer.json()["error"]["field"] == field


async def raw_get(base: str, target: bytes) -> int:
    """Send a request line as raw bytes (invalid UTF-8 included); return the status."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_invalid_utf8_and_huge_urls_are_client_errors(http, server):
    base, _ = server
    for target in (b"/api/v1/scan?code=\xff\xfe", b"/api/v1/scan?code=%ff%fe",
                   b"/api/v1/scan?code=LZ%00%01", b"/api/v1/scan?code=" + b"A" * 9000,
                   b"/api/v1/scan?code=" + b"%41" * 40000, b"/api/v1/scan?" + b"a=1&" * 500):
        status = await raw_get(base, target)
        assert 400 <= status < 500, (target[:40], status)


@hsettings(max_examples=60, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=8192), st.text(alphabet=st.characters(
    max_codepoint=0x7F), max_size=300), st.sampled_from(["]C1", "(01)", "http://", "/t/"])
    .flatmap(lambda p: st.text(max_size=100).map(lambda t: p + t))))
async def test_fuzzed_codes_never_answer_5xx(http, text):
    answer = await http.get("/api/v1/scan", params={"code": text})
    assert answer.status_code < 500, (text[:80], answer.text)
    assert "error" in answer.json() or "status" in answer.json()

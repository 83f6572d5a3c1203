"""The WeChat stand-in itself, over HTTP as the gateway and the pages speak to it: WeChat's
paths, parameters and error codes, the request log, the fail and slow controls, and the
login codes it issues to pages as ``wx.login`` does."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.wechat_standin import APPID, SECRET, load_standin

CREDS = {"appid": APPID, "secret": SECRET}
ERRMSG = {40029: "invalid code", 45011: "api minute-quota", 87014: "risky content",
          43101: "user refuse", -1: "system error"}  # WeChat's own words


@pytest.fixture
def wx(standin_url):
    """A client of the stand-in, reset before each test."""
    with httpx.Client(base_url=standin_url, timeout=10) as client:
        client.post("/_standin/reset")
        yield client


def token(wx) -> str:
    answer = wx.get("/cgi-bin/token", params={"grant_type": "client_credential", **CREDS})
    return answer.json()["access_token"]


def login(wx, user="user1") -> dict:
    code = wx.post("/mock/wx.login", json={"user": user}).json()["code"]
    return wx.get("/sns/jscode2session", params={
        "grant_type": "authorization_code", "js_code": code, **CREDS}).json()


def errcode(answer: httpx.Response) -> int:
    assert answer.status_code == 200  # WeChat answers its errors with HTTP 200
    body = answer.json()
    assert "rid:" in body.get("errmsg", "rid:")
    return body.get("errcode", 0)


def test_access_token_and_its_errors(wx):
    answer = wx.get("/cgi-bin/token", params={"grant_type": "client_credential", **CREDS})
    assert answer.json()["expires_in"] == 7200 and len(answer.json()["access_token"]) > 32
    assert errcode(wx.get("/cgi-bin/token", params={"grant_type": "client_credential",
                                                     "appid": APPID, "secret": "x"})) == 40125
    assert errcode(wx.get("/cgi-bin/token", params={"grant_type": "password", **CREDS})) == 40002
    assert errcode(wx.post("/wxa/msg_sec_check", json={"content": "x"})) == 41001
    assert errcode(wx.post("/wxa/msg_sec_check?access_token=forged", json={})) == 40001


def test_wx_login_codes_are_spent_once_and_refused_when_invalid(wx):
    issued = wx.post("/mock/wx.login", json={"user": "user1"})
    assert issued.json()["errMsg"] == "login:ok"
    assert issued.headers["access-control-allow-origin"] == "*"
    params = {"grant_type": "authorization_code", "js_code": issued.json()["code"], **CREDS}
    first = wx.get("/sns/jscode2session", params=params).json()
    assert first["openid"].startswith("o") and first["session_key"] and first["unionid"]
    assert errcode(wx.get("/sns/jscode2session", params=params)) == 40163
    bad = {**params, "js_code": "not a code"}
    assert errcode(wx.get("/sns/jscode2session", params=bad)) == 40029
    again = login(wx, "user1")
    assert again["openid"] == first["openid"]  # the same person logs in again
    assert login(wx, "user2")["openid"] != first["openid"]
    assert wx.post("/mock/wx.login", json={"user": "Bad User"}).status_code == 400
    preflight = wx.options("/mock/wx.login", headers={"Origin": "http://127.0.0.1:8000"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_jscode2session_frequency_limit(wx):
    params = {"grant_type": "authorization_code", "js_code": "ratelimit-abc", **CREDS}
    assert errcode(wx.get("/sns/jscode2session", params=params)) == 45011


def test_msg_sec_check_v2_judges_and_v1_answers_87014(wx):
    access, openid = token(wx), login(wx)["openid"]
    path = f"/wxa/msg_sec_check?access_token={access}"
    clean = wx.post(path, json={"content": "米粉很好吃", "version": 2, "scene": 1,
                                "openid": openid}).json()
    assert clean["errcode"] == 0 and clean["result"] == {"suggest": "pass", "label": 100}
    risky = wx.post(path, json={"content": "赌博网站", "version": 2, "scene": 1,
                                "openid": openid}).json()
    assert risky["result"] == {"suggest": "risky", "label": 20006}
    assert risky["detail"][0]["keyword"] == "赌博"
    assert errcode(wx.post(path, json={"content": "赌博网站"})) == 87014
    assert errcode(wx.post(path, json={"content": "x", "version": 2, "scene": 9,
                                       "openid": openid})) == 40097
    assert errcode(wx.post(path, json={"content": "x", "version": 2, "scene": 1,
                                       "openid": "o-unknown"})) == 40003


def test_subscribe_send_records_and_43101_when_refused(wx):
    access = token(wx)
    path = f"/cgi-bin/message/subscribe/send?access_token={access}"
    body = {"template_id": "TPL_RECALL_NOTICE", "page": "pages/trace/trace?code=X",
            "data": {"thing1": {"value": "召回"}}}
    sent = wx.post(path, json={**body, "touser": login(wx)["openid"]}).json()
    assert sent["errcode"] == 0 and sent["msgid"] == 1
    refused = login(wx, "refuse1")["openid"]
    assert errcode(wx.post(path, json={**body, "touser": refused})) == 43101
    assert errcode(wx.post(path, json={**body, "touser": refused,
                                       "template_id": "TPL_NONE"})) == 40037
    messages = wx.get("/_standin/messages").json()["messages"]
    assert [m["template_id"] for m in messages] == ["TPL_RECALL_NOTICE"]


def test_getwxacodeunlimit_answers_a_png_or_an_error(wx):
    access = token(wx)
    path = f"/wxa/getwxacodeunlimit?access_token={access}"
    image = wx.post(path, json={"scene": "c=LZ040000000001", "page": "pages/trace/trace"})
    assert image.headers["content-type"] == "image/png" and image.content[:4] == b"\x89PNG"
    assert errcode(wx.post(path, json={"scene": "x" * 33})) == 40169
    assert errcode(wx.post(path, json={"scene": "a", "page": "pages/nowhere"})) == 41030


async def test_media_check_async_pushes_its_result_event(wx, standin_url):
    received: list[dict] = []

    async def push(reader, writer):
        raw = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in raw.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        received.append(httpx.Response(200, content=await reader.readexactly(length)).json())
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(push, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    image_server = await asyncio.start_server(_png_server, "127.0.0.1", 0)
    image_port = image_server.sockets[0].getsockname()[1]
    wx.post("/_standin/push", json={"url": f"http://127.0.0.1:{port}/wechat", "token": "t"})
    access, openid = token(wx), login(wx)["openid"]
    started = wx.post(f"/wxa/media_check_async?access_token={access}", json={
        "media_url": f"http://127.0.0.1:{image_port}/a.png", "media_type": 2, "version": 2,
        "scene": 1, "openid": openid}).json()
    assert started["errcode"] == 0 and started["trace_id"]
    for _ in range(100):
        if received:
            break
        await asyncio.sleep(0.05)
    server.close(), image_server.close()
    event = received[0]
    assert (event["Event"], event["trace_id"]) == ("wxa_media_check", started["trace_id"])
    assert event["result"]["suggest"] == "pass"


async def _png_server(reader, writer):
    await reader.readuntil(b"\r\n\r\n")
    body = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    writer.close()


def test_every_request_is_recorded_as_received(wx):
    access = token(wx)
    wx.post(f"/wxa/msg_sec_check?access_token={access}", json={"content": "你好"})
    log = wx.get("/_standin/requests").json()["requests"]
    assert [r["path"] for r in log] == ["/cgi-bin/token", "/wxa/msg_sec_check"]
    assert log[0]["args"]["grant_type"] == "client_credential"
    assert log[1]["json"] == {"content": "你好"} and log[1]["args"]["access_token"] == access
    only = wx.get("/_standin/requests", params={"path": "/cgi-bin/token"}).json()["requests"]
    assert len(only) == 1


@pytest.mark.parametrize("code", [40029, 45011, 87014, 43101, -1])
def test_a_path_can_be_told_to_answer_an_error_a_number_of_times(wx, code):
    params = {"grant_type": "client_credential", **CREDS}
    wx.post("/_standin/faults", json={"path": "/cgi-bin/token", "errcode": code, "times": 2})
    answers = [wx.get("/cgi-bin/token", params=params) for _ in range(3)]
    assert [errcode(a) for a in answers] == [code, code, 0]
    assert answers[0].json()["errmsg"].startswith(ERRMSG[code])


def test_a_path_can_fail_at_http_level_be_slow_and_be_cleared(wx):
    wx.post("/_standin/faults", json={"path": "/cgi-bin/token", "status": 503})
    params = {"grant_type": "client_credential", **CREDS}
    assert wx.get("/cgi-bin/token", params=params).status_code == 503
    assert wx.get("/cgi-bin/token", params=params).status_code == 503  # until cleared
    wx.delete("/_standin/faults")
    assert errcode(wx.get("/cgi-bin/token", params=params)) == 0
    wx.post("/_standin/faults", json={"path": "/cgi-bin/token", "delay": 0.6, "times": 1})
    started = time.monotonic()
    slow = wx.get("/cgi-bin/token", params=params)
    assert time.monotonic() - started >= 0.6 and errcode(slow) == 0
    with pytest.raises(httpx.ReadTimeout):
        wx.post("/_standin/faults", json={"path": "/cgi-bin/token", "delay": 2})
        wx.get("/cgi-bin/token", params=params, timeout=0.5)


@pytest.mark.parametrize("fault", [
    {"path": "token"}, {"path": "/x", "errcode": "45011"}, {"path": "/x", "status": 200},
    {"path": "/x", "delay": -1}, {"path": "/x", "times": 0},
])
def test_a_bad_fault_is_refused(wx, fault):
    answer = wx.post("/_standin/faults", json=fault)
    assert answer.status_code == 400 and answer.json()["error"]


def test_faults_given_at_start_and_login_codes_that_expire():
    faults = [{"path": "/sns/jscode2session", "errcode": 45011, "times": 1}]
    with load_standin().running_standin(APPID, SECRET, faults=faults,
                                        login_code_ttl=0.5) as url:
        params = {"grant_type": "authorization_code", "js_code": "user1-abc", **CREDS}
        first = httpx.get(url + "sns/jscode2session", params=params)
        second = httpx.get(url + "sns/jscode2session", params=params)
        code = httpx.post(url + "mock/wx.login", json={"user": "user1"}).json()["code"]
        time.sleep(0.7)
        late = httpx.get(url + "sns/jscode2session", params={**params, "js_code": code})
    assert errcode(first) == 45011 and "openid" in second.json()
    assert errcode(late) == 40029  # a wx.login code is good for a while only

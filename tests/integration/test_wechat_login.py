"""WeChat login and mini-program APIs through the real wechatpy client, against the stand-in
WeChat server running as a real HTTP server in a subprocess."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import uuid
import zlib
from datetime import timedelta

import pytest
import segno

from accounts.ratelimit import check_rate, client_key
from accounts.sessions import (
    TOKEN_RE, login_with_wechat, resolve_token, revoke, token_hash, user_hash)
from accounts.wechat import WeChatGateway
from core.errors import InvalidInput, RateLimited, UpstreamError
from tests.wechat_standin import APPID, SECRET, load_standin



standin = load_standin()


@pytest.fixture
async def gateway(standin_url):
    gw = WeChatGateway(appid=APPID, secret=SECRET, api_url=standin_url, timeout=5)
    yield gw
    await gw.close()


def code(user: str = "user1") -> str:
    """A fresh ``wx.login()`` code for a stand-in test user."""
    return f"{user}-{uuid.uuid4().hex[:12]}"


def expect(exc: pytest.ExceptionInfo, code_: str, field: str | None = None) -> None:
    assert exc.value.code == code_
    assert exc.value.field == field


class TestLogin:
    async def test_login_issues_an_opaque_token(self, gateway, kv_store):
        session = await login_with_wechat(code=code(), gateway=gateway, store=kv_store)
        assert TOKEN_RE.match(session.token)
        assert len(session.openid_hash) == 64
        assert session.openid.startswith("o") and session.openid not in repr(session)
        assert session.token not in repr(session)
        assert set(session.public()) == {"token", "user", "created_at", "expires_at"}

    async def test_same_user_same_hash_new_token(self, gateway, kv_store):
        first = await login_with_wechat(code=code("user7"), gateway=gateway, store=kv_store)
        again = await login_with_wechat(code=code("user7"), gateway=gateway, store=kv_store)
        other = await login_with_wechat(code=code("user8"), gateway=gateway, store=kv_store)
        assert first.openid_hash == again.openid_hash != other.openid_hash
        assert first.token != again.token
        assert first.openid_hash == user_hash(first.openid, SECRET)

    async def test_hash_key_can_be_separate_from_app_secret(self, gateway, kv_store):
        session = await login_with_wechat(code=code(), gateway=gateway, store=kv_store,
                                          hash_key=b"scan-attribution-key")
        assert session.openid_hash == user_hash(session.openid, b"scan-attribution-key")

    async def test_store_holds_no_token_and_no_session_key(self, gateway, kv_store):
        session = await login_with_wechat(code=code(), gateway=gateway, store=kv_store)
        raw = await kv_store.get("session:" + token_hash(session.token))
        record = json.loads(raw)
        assert set(record) == {"openid_hash", "openid", "created_at", "expires_at"}
        assert await kv_store.get("session:" + session.token) is None

    async def test_code_reused(self, gateway, kv_store):
        once = code()
        await login_with_wechat(code=once, gateway=gateway, store=kv_store)
        with pytest.raises(InvalidInput) as exc:
            await login_with_wechat(code=once, gateway=gateway, store=kv_store)
        expect(exc, "wechat_code_invalid", "code")

    @pytest.mark.parametrize("bad", ["nohyphen", "UPPER-case", "user1-", "x" * 129, "", " ", None])
    async def test_invalid_code(self, gateway, kv_store, bad):
        with pytest.raises(InvalidInput) as exc:
            await login_with_wechat(code=bad, gateway=gateway, store=kv_store)
        expect(exc, "wechat_code_invalid", "code")

    async def test_rate_limited_code(self, gateway, kv_store):
        with pytest.raises(RateLimited) as exc:
            await login_with_wechat(code=code("ratelimit"), gateway=gateway, store=kv_store)
        assert exc.value.code == "rate_limited" and exc.value.retry_after == 60

    async def test_wechat_system_error(self, gateway, kv_store):
        with pytest.raises(UpstreamError) as exc:
            await login_with_wechat(code=code("busy"), gateway=gateway, store=kv_store)
        expect(exc, "wechat_unavailable")

    @pytest.mark.parametrize("appid, secret", [(APPID, "wrong-secret"), ("wx0wrong", SECRET)])
    async def test_wrong_credentials(self, standin_url, kv_store, appid, secret):
        gw = WeChatGateway(appid=appid, secret=secret, api_url=standin_url)
        with pytest.raises(UpstreamError) as exc:
            await login_with_wechat(code=code(), gateway=gw, store=kv_store)
        expect(exc, "wechat_unavailable")
        with pytest.raises(UpstreamError):  # the token fetch fails the same way
            await gw.wxa_code(scene="T1")
        await gw.close()

    async def test_unionid_when_bound(self, gateway):
        assert (await gateway.code_to_session(code("user1"))).unionid.startswith("u")
        assert (await gateway.code_to_session(code("nounion1"))).unionid is None

    async def test_concurrent_logins(self, gateway, kv_store):
        sessions = await asyncio.gather(*(
            login_with_wechat(code=code(f"crowd{i}"), gateway=gateway, store=kv_store)
            for i in range(8)))
        assert len({s.openid_hash for s in sessions}) == 8


class TestTokens:
    async def test_token_resolves(self, gateway, kv_store):
        session = await login_with_wechat(code=code(), gateway=gateway, store=kv_store)
        found = await resolve_token(token=session.token, store=kv_store)
        assert found is not None
        assert (found.openid_hash, found.openid) == (session.openid_hash, session.openid)
        assert abs(found.expires_at - session.expires_at) < timedelta(seconds=1)

    @pytest.mark.parametrize("bad", [None, "", "short", "x" * 43 + "y", "!" * 43, 42, "a" * 4096])
    async def test_bad_tokens_resolve_to_none(self, kv_store, bad):
        assert await resolve_token(token=bad, store=kv_store) is None
        assert await revoke(token=bad, store=kv_store) is False

    async def test_unknown_token(self, kv_store):
        assert await resolve_token(token="A" * 43, store=kv_store) is None

    async def test_revoke(self, gateway, kv_store):
        session = await login_with_wechat(code=code(), gateway=gateway, store=kv_store)
        assert await revoke(token=session.token, store=kv_store) is True
        assert await resolve_token(token=session.token, store=kv_store) is None
        assert await revoke(token=session.token, store=kv_store) is False

    async def test_expiry(self, gateway, kv_store):
        session = await login_with_wechat(code=code(), gateway=gateway, store=kv_store, ttl=0.3)
        assert await resolve_token(token=session.token, store=kv_store) is not None
        await asyncio.sleep(0.45)
        assert await resolve_token(token=session.token, store=kv_store) is None

    async def test_login_rate_limit_per_client(self, gateway, kv_store):
        key = client_key(None, "203.0.113.9")
        for _ in range(2):
            await check_rate(store=kv_store, client_key=key, window=30, limit=2, scope="login")
        with pytest.raises(RateLimited) as exc:
            await check_rate(store=kv_store, client_key=key, window=30, limit=2, scope="login")
        assert 1 <= exc.value.retry_after <= 30


def png_pixels(png: bytes) -> list[list[int]]:
    """Rows of 0/1 pixels of a 1-bit greyscale PNG (what segno writes), 1 = white."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos:pos + 4]), png[pos + 4:pos + 8]
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert (depth, colour) == (1, 0)
    stride, raw, rows, prev = (width + 7) // 8, zlib.decompress(idat), [], bytes((width + 7) // 8)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        assert kind in (0, 2), "only None and Up filters are expected"
        if kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        prev = bytes(line)
        rows.append([(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
    return rows


class TestMiniProgramCode:
    async def test_png_holds_a_qr_code_of_the_scene(self, gateway):
        png = await gateway.wxa_code(scene="T-6901234567892", page="pages/trace/trace")
        pixels = png_pixels(png)
        assert 280 <= len(pixels[0]) <= 1280 and len(pixels) == len(pixels[0])
        # Sample every module's centre and compare with the QR code segno makes of the scene.
        expected = segno.make("T-6901234567892", error="m", micro=False).matrix
        module = len(pixels) // (len(expected) + 8)
        dark = [[1 - pixels[(4 + r) * module + module // 2][(4 + c) * module + module // 2]
                 for c in range(len(expected))] for r in range(len(expected))]
        assert dark == [list(row) for row in expected]

    async def test_invalid_page(self, gateway):
        with pytest.raises(InvalidInput) as exc:
            await gateway.wxa_code(scene="T1", page="pages/nowhere")
        expect(exc, "wechat_page_invalid", "page")

    async def test_invalid_scene(self, gateway):
        with pytest.raises(UpstreamError):
            await gateway.wxa_code(scene="x" * 33)

    async def test_expired_access_token_is_replaced(self, gateway, standin_url):
        await gateway.wxa_code(scene="T1")
        assert standin.call(standin_url, "_standin/expire_tokens", method="POST")["expired"] >= 1
        assert (await gateway.wxa_code(scene="T2"))[:4] == b"\x89PNG"


class TestTextCheck:
    @pytest.mark.parametrize("text, suggest", [
        ("冷链猪肉标签与实物不符", "pass"), ("这里可以赌博", "risky"), ("加微信了解", "review")])
    async def test_verdicts(self, gateway, text, suggest):
        user = await gateway.code_to_session(code())
        verdict = await gateway.check_text(content=text, openid=user.openid)
        assert verdict.suggest == suggest
        assert verdict.passed is (suggest == "pass")

    async def test_unknown_openid(self, gateway):
        with pytest.raises(UpstreamError):
            await gateway.check_text(content="hello", openid="o-not-a-user")


class TestSubscribeMessage:
    async def test_message_recorded(self, gateway, standin_url):
        user = await gateway.code_to_session(code("user3"))
        sent = await gateway.send_subscribe_message(
            openid=user.openid, template_id="TPL_COMPLAINT_STATUS",
            data={"character_string1": "TS20260415001", "phrase2": "已受理"},
            page="pages/complaint/complaint")
        assert sent is True
        messages = standin.call(standin_url, "_standin/messages")["messages"]
        mine = [m for m in messages if m["touser"] == user.openid]
        assert mine[-1]["template_id"] == "TPL_COMPLAINT_STATUS"
        assert mine[-1]["data"]["phrase2"] == {"value": "已受理"}

    async def test_user_refused(self, gateway):
        user = await gateway.code_to_session(code("refuser"))
        assert await gateway.send_subscribe_message(
            openid=user.openid, template_id="TPL_COMPLAINT_STATUS", data={"phrase2": "x"}) is False

    async def test_invalid_template(self, gateway):
        user = await gateway.code_to_session(code())
        with pytest.raises(UpstreamError) as exc:
            await gateway.send_subscribe_message(
                openid=user.openid, template_id="TPL_NOPE", data={"phrase2": "x"})
        expect(exc, "wechat_unavailable")


class TestNetwork:
    async def test_nothing_listening(self, kv_store):
        gw = WeChatGateway(appid=APPID, secret=SECRET,
                           api_url=f"http://127.0.0.1:{standin.free_port()}", timeout=2)
        with pytest.raises(UpstreamError) as exc:
            await login_with_wechat(code=code(), gateway=gw, store=kv_store)
        expect(exc, "wechat_unavailable")

    async def test_silent_server_times_out(self):
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen()
            gw = WeChatGateway(appid=APPID, secret=SECRET, timeout=0.5,
                               api_url=f"http://127.0.0.1:{silent.getsockname()[1]}")
            started = asyncio.get_running_loop().time()
            with pytest.raises(UpstreamError):
                await gw.code_to_session(code())
            assert asyncio.get_running_loop().time() - started < 2

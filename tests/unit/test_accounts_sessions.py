"""Sessions on MemoryStore with a fake gateway: token shape, hashing, expiry by the clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from accounts.sessions import (
    SESSION_TTL, is_token, login_with_wechat, resolve_token, revoke, token_hash, user_hash)
from accounts.wechat import WeChatIdentity
from core.errors import InvalidInput
from core.kv import MemoryStore

NOW = datetime(2026, 4, 15, 9, 30, tzinfo=timezone.utc)


class FakeGateway:
    secret = "app-secret"

    async def code_to_session(self, code):
        if code == "bad":
            raise InvalidInput("bad", field="code", code="wechat_code_invalid")
        return WeChatIdentity(openid="o" + code, unionid=None, session_key="SECRET-KEY")


@pytest.fixture
def store():
    return MemoryStore()


def test_user_hash_is_stable_keyed_and_hex():
    assert user_hash("oABC", "k1") == user_hash("oABC", b"k1")
    assert user_hash("oABC", "k1") != user_hash("oABC", "k2")
    assert user_hash("oABC", "k1") != user_hash("oABD", "k1")
    assert len(user_hash("oABC", "k1")) == 64 and int(user_hash("oABC", "k1"), 16) >= 0
    # pinned (openssl dgst -sha256 -hmac key): a change would orphan stored attributions
    assert user_hash("o123", "key") == (
        "f4530571164894c1497abfab86e1e459ca2c37da24dc28a1ab4085ce87326d8c")


@pytest.mark.parametrize("token, ok", [
    ("A" * 43, True), ("a-_9" * 10 + "abc", True), ("A" * 42, False), ("A" * 44, False),
    ("A" * 42 + "=", False), (None, False), (b"A" * 43, False), ("Ａ" * 43, False)])
def test_token_shape(token, ok):
    assert is_token(token) is ok


async def test_login_stores_hashes_only(store):
    session = await login_with_wechat(code="u1", gateway=FakeGateway(), store=store, now=NOW)
    assert is_token(session.token)
    assert session.expires_at - session.created_at == timedelta(seconds=SESSION_TTL)
    raw = await store.get("session:" + token_hash(session.token))
    assert b"SECRET-KEY" not in raw and session.token.encode() not in raw
    assert json.loads(raw)["openid_hash"] == user_hash("ou1", "app-secret")
    assert "ou1" not in json.dumps(session.public())


async def test_login_error_stores_nothing(store):
    with pytest.raises(InvalidInput):
        await login_with_wechat(code="bad", gateway=FakeGateway(), store=store)
    assert store._data == {}


async def test_resolve_checks_expiry_itself(store):
    session = await login_with_wechat(code="u1", gateway=FakeGateway(), store=store, ttl=60,
                                      now=NOW)
    assert await resolve_token(token=session.token, store=store, now=NOW) == session
    later = NOW + timedelta(seconds=60)
    assert await resolve_token(token=session.token, store=store, now=later) is None


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"openid_hash": "x"}', b"[]", b"null"])
async def test_corrupt_record_is_no_session(store, raw):
    await store.set("session:" + token_hash("A" * 43), raw)
    assert await resolve_token(token="A" * 43, store=store) is None


async def test_revoke_only_that_session(store):
    gateway = FakeGateway()
    one = await login_with_wechat(code="u1", gateway=gateway, store=store)
    two = await login_with_wechat(code="u1", gateway=gateway, store=store)
    assert await revoke(token=one.token, store=store) is True
    assert await resolve_token(token=one.token, store=store) is None
    assert await resolve_token(token=two.token, store=store) is not None

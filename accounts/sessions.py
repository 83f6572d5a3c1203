"""Opaque login tokens for mini-program users, kept in the KeyValueStore.

A token is ``secrets.token_urlsafe(32)`` (43 characters). The store holds it only as a SHA-256
hash (``session:<token_hash>``), so a dump of Redis yields no usable token. WeChat's
``session_key`` is never stored. The openid is kept server-side for the session's life because
WeChat's text check and subscribe messages need it; the API must serialise only the token,
``openid_hash`` and the times (``Session.public()``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from core.kv import KeyValueStore

SESSION_TTL = 7 * 24 * 3600  # seconds; the mini-program logs in again silently with wx.login()
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_PREFIX = "session:"


@dataclass(frozen=True)
class Session:
    """A logged-in mini-program user."""

    token: str = field(repr=False)
    openid_hash: str
    created_at: datetime
    expires_at: datetime
    openid: str = field(default="", repr=False)  # server-side only, never serialised

    def public(self) -> dict:
        """What an API response may carry."""
        return {"token": self.token, "user": self.openid_hash,
                "created_at": self.created_at.isoformat(),
                "expires_at": self.expires_at.isoformat()}


def user_hash(openid: str, secret: str | bytes) -> str:
    """Stable pseudonym of a WeChat user (HMAC-SHA256 hex) to attribute scans without openids."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, openid.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """The key a token is stored under, and the rate-limit identity of its holder."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_token(token: object) -> bool:
    """True when ``token`` has the shape of a token we issue."""
    return isinstance(token, str) and bool(TOKEN_RE.match(token))


async def login_with_wechat(*, code, gateway, store: KeyValueStore, ttl: float = SESSION_TTL,
                            hash_key: str | bytes | None = None,
                            now: datetime | None = None) -> Session:
    """Exchange a ``wx.login()`` code for a new session (``hash_key``: default app secret)."""
    identity = await gateway.code_to_session(code)
    created = now or datetime.now(timezone.utc)
    session = Session(
        token=secrets.token_urlsafe(32),
        openid_hash=user_hash(identity.openid, gateway.secret if hash_key is None else hash_key),
        created_at=created,
        expires_at=created + timedelta(seconds=ttl),
        openid=identity.openid,
    )
    record = {"openid_hash": session.openid_hash, "openid": session.openid,
              "created_at": created.timestamp(), "expires_at": session.expires_at.timestamp()}
    await store.set(_PREFIX + token_hash(session.token), json.dumps(record).encode(), ttl=ttl)
    return session


async def resolve_token(*, token, store: KeyValueStore,
                        now: datetime | None = None) -> Session | None:
    """The live session behind a token, or None (malformed, unknown, expired or revoked)."""
    if not is_token(token):
        return None
    raw = await store.get(_PREFIX + token_hash(token))
    if raw is None:
        return None
    try:
        record = json.loads(raw)
        session = Session(
            token=token,
            openid_hash=record["openid_hash"],
            created_at=datetime.fromtimestamp(record["created_at"], timezone.utc),
            expires_at=datetime.fromtimestamp(record["expires_at"], timezone.utc),
            openid=record.get("openid", ""),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if session.expires_at <= (now or datetime.now(timezone.utc)):
        return None
    return session


async def revoke(*, token, store: KeyValueStore) -> bool:
    """End a session (logout); True when there was one."""
    if not is_token(token):
        return False
    return await store.delete(_PREFIX + token_hash(token)) > 0

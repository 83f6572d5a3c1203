"""Staff accounts (complaint handlers and supervisors): passwords hashed with Argon2id,
login into an opaque token kept in the KeyValueStore as its SHA-256 hash.

A handler works for one county-level office (``division``, a GB/T 2260 code) and sees only
its cases; a supervisor sees every case and reassigns them.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from accounts.sessions import token_hash
from core.db import APP
from core.errors import Conflict, InvalidInput, Unauthorized
from core.kv import KeyValueStore

ROLES = ("handler", "supervisor")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
DIVISION_RE = re.compile(r"^[1-8]\d{5}$")
MIN_PASSWORD = 10
STAFF_SESSION_TTL = 12 * 3600
_PREFIX = "staff-session:"
_hasher = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile (argon2-cffi's default)
# Verified against when the username is unknown, so both answers take the same time.
_DUMMY = _hasher.hash("not-a-password-" + secrets.token_hex(8))


class Staff(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(32, unique=True)
    name = fields.CharField(50)
    role = fields.CharField(12)
    division = fields.CharField(6, null=True)  # the office's district; None for supervisors
    password_hash = fields.CharField(200)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = APP
        table = "staff"


@dataclass(frozen=True)
class StaffSession:
    """A logged-in member of staff (what a request acts as)."""

    username: str
    name: str
    role: str
    division: str | None

    def public(self) -> dict:
        return {"username": self.username, "name": self.name, "role": self.role,
                "division": self.division}


def check_account(*, username: str, name: str, role: str, division: str | None,
                  password: str) -> None:
    """Validate a new account's fields; raise naming the field."""
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise InvalidInput("用户名须为 3–32 位小写字母、数字或 _.-，以字母开头",
                           field="username", code="invalid_username")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
        raise InvalidInput("姓名须为 1–50 个字", field="name", code="invalid_name")
    if role not in ROLES:
        raise InvalidInput("角色须为 handler 或 supervisor", field="role", code="invalid_role")
    if role == "handler" and (not division or not DIVISION_RE.match(division)):
        raise InvalidInput("承办人须指定所属区县的 6 位行政区划代码", field="division",
                           code="invalid_division")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位", field="password",
                           code="weak_password")


async def add_staff(*, username: str, name: str, role: str, division: str | None,
                    password: str) -> Staff:
    """Create a staff account with an Argon2id password hash."""
    check_account(username=username, name=name, role=role, division=division,
                  password=password)
    hashed = await asyncio.to_thread(_hasher.hash, password)
    try:
        return await Staff.create(username=username, name=name.strip(), role=role,
                                  division=division if role == "handler" else division or None,
                                  password_hash=hashed)
    except IntegrityError:
        raise Conflict(f"用户名 {username} 已存在", field="username",
                       code="username_taken") from None


async def login_staff(*, username, password, store: KeyValueStore,
                      ttl: float = STAFF_SESSION_TTL) -> tuple[str, StaffSession]:
    """Check the password; return a new token and the session it stands for."""
    if not isinstance(username, str) or not isinstance(password, str) or not password:
        raise InvalidInput("请填写用户名和密码", field="username", code="invalid_body")
    staff = await Staff.get_or_none(username=username.strip().lower(), active=True)
    stored = staff.password_hash if staff else _DUMMY
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
        ok = staff is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise Unauthorized("用户名或密码错误", field="password", code="login_failed")
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = await asyncio.to_thread(_hasher.hash, password)
        await staff.save(update_fields=["password_hash"])
    session = StaffSession(staff.username, staff.name, staff.role, staff.division)
    token = secrets.token_urlsafe(32)
    await store.set(_PREFIX + token_hash(token), json.dumps(session.public()).encode(), ttl=ttl)
    return token, session


async def resolve_staff(*, token: str | None, store: KeyValueStore) -> StaffSession | None:
    """The staff session behind ``token``, or None."""
    if not token or len(token) > 64:
        return None
    raw = await store.get(_PREFIX + token_hash(token))
    if raw is None:
        return None
    data = json.loads(raw)
    return StaffSession(data["username"], data["name"], data["role"], data.get("division"))


async def staff_names(usernames: list[str]) -> dict[str, StaffSession]:
    """Active accounts by username (for assignment checks)."""
    rows = await Staff.filter(username__in=usernames, active=True)
    return {s.username: StaffSession(s.username, s.name, s.role, s.division) for s in rows}

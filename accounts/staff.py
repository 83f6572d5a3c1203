"""Staff accounts (complaint handlers and supervisors): passwords hashed with Argon2id,
login into an opaque token kept in the database (``staff_session``) as its SHA-256 hash.

Staff sessions live in the database, not in Redis like the mini-program's: handlers must go on
working through a Redis outage, and a token issued by one worker process must be good in all
of them (see ``core.failover``). Each lookup also re-reads the account, so a deactivated
account or a changed role or district takes effect at the next request.

A handler works for one county-level office (``division``, a GB/T 2260 code) and sees only
its cases; a supervisor sees every case and reassigns them.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from accounts.sessions import token_hash
from core.db import APP
from core.errors import Conflict, InvalidInput, Unauthorized
from core.i18n import T

ROLES = ("handler", "supervisor")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
DIVISION_RE = re.compile(r"^[1-8]\d{5}$")
MIN_PASSWORD = 10
STAFF_SESSION_TTL = 12 * 3600
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


class StaffLogin(Model):
    """A live staff login: the token only as its SHA-256 hash."""

    token_hash = fields.CharField(64, primary_key=True)
    staff_id = fields.IntField(db_index=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        app = APP
        table = "staff_session"


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
        raise InvalidInput(T("用户名须为 3–32 位小写字母、数字或 _.-，以字母开头"),
                           field="username", code="invalid_username")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
        raise InvalidInput(T("姓名须为 1–50 个字"), field="name", code="invalid_name")
    if role not in ROLES:
        raise InvalidInput(T("角色须为 handler 或 supervisor"), field="role", code="invalid_role")
    if role == "handler" and (not division or not DIVISION_RE.match(division)):
        raise InvalidInput(T("承办人须指定所属区县的 6 位行政区划代码"), field="division",
                           code="invalid_division")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(T("密码至少 {MIN_PASSWORD} 位", MIN_PASSWORD=MIN_PASSWORD), field="password",
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
        raise Conflict(T("用户名 {username} 已存在", username=username), field="username",
                       code="username_taken") from None


async def login_staff(*, username, password, ttl: float = STAFF_SESSION_TTL,
                      now: datetime | None = None) -> tuple[str, StaffSession]:
    """Check the password; return a new token and the session it stands for."""
    if not isinstance(username, str) or not isinstance(password, str) or not password:
        raise InvalidInput(T("请填写用户名和密码"), field="username", code="invalid_body")
    staff = await Staff.get_or_none(username=username.strip().lower(), active=True)
    stored = staff.password_hash if staff else _DUMMY
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
        ok = staff is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise Unauthorized(T("用户名或密码错误"), field="password", code="login_failed")
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = await asyncio.to_thread(_hasher.hash, password)
        await staff.save(update_fields=["password_hash"])
    token = secrets.token_urlsafe(32)
    at = now or datetime.now(timezone.utc)
    await StaffLogin.filter(expires_at__lt=at).delete()  # the expired ones, of everybody
    await StaffLogin.create(token_hash=token_hash(token), staff_id=staff.id, created_at=at,
                            expires_at=at + timedelta(seconds=ttl))
    return token, _session(staff)


async def resolve_staff(*, token: str | None,
                        now: datetime | None = None) -> StaffSession | None:
    """The staff session behind ``token`` (live, its account active), or None."""
    if not token or len(token) > 64:
        return None
    login = await StaffLogin.get_or_none(token_hash=token_hash(token),
                                         expires_at__gt=now or datetime.now(timezone.utc))
    staff = login and await Staff.get_or_none(id=login.staff_id, active=True)
    return _session(staff) if staff else None


async def logout_staff(*, token: str | None) -> bool:
    """End a staff session; True when there was one."""
    if not token or len(token) > 64:
        return False
    return await StaffLogin.filter(token_hash=token_hash(token)).delete() > 0


def _session(staff: Staff) -> StaffSession:
    return StaffSession(staff.username, staff.name, staff.role, staff.division)


async def staff_names(usernames: list[str]) -> dict[str, StaffSession]:
    """Active accounts by username (for assignment checks)."""
    rows = await Staff.filter(username__in=usernames, active=True)
    return {s.username: _session(s) for s in rows}

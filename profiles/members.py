"""Enterprise accounts: the regulator issues a one-time binding code for an enterprise
(``gongzhi enterprise invite USCC``); a WeChat user who sends it is bound to the enterprise
and may see its private view and ask for corrections.

A code is 12 characters from :data:`ALPHABET` (no 0/O, 1/I: about 60 bits), printed as
``XXXX-XXXX-XXXX``; it is stored only as its SHA-256, used at most once (the first claim
wins, also between two workers) and expires after ``settings.binding_code_days``.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from core.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from core.i18n import T
from profiles import sql
from profiles.models import BindingCode, EnterpriseMember
from profiles.profile_rows import enterprise_row

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 12


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(raw: object) -> str:
    """The code as stored: full-width folded, spaces and dashes dropped, upper case."""
    if not isinstance(raw, str):
        raise InvalidInput(T("请填写绑定码"), field="code", code="binding_code_malformed")
    text = unicodedata.normalize("NFKC", raw).upper()
    code = "".join(ch for ch in text if ch not in " -_\u3000\t")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        raise InvalidInput(T("绑定码应为 {LENGTH} 位字母和数字（如 ABCD-EFGH-JKLM）", LENGTH=LENGTH),
                           field="code", code="binding_code_malformed")
    return code


def code_hash(code: str) -> str:
    return hashlib.sha256(("binding\x1f" + code).encode()).hexdigest()


async def issue_binding_code(*, uscc: str, now: datetime, days: int) -> tuple[str, datetime]:
    """A new code for an enterprise on record; returns the code (shown once) and its end."""
    await enterprise_row(uscc)  # enterprise_not_found otherwise
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    expires = now + timedelta(days=days)
    await BindingCode.create(code_hash=code_hash(code), uscc=uscc, issued_at=now,
                             expires_at=expires)
    return format_code(code), expires


async def bind(*, raw_code: object, user_hash: str, now: datetime) -> str:
    """Bind the user to the code's enterprise; return its credit code."""
    found = await BindingCode.get_or_none(code_hash=code_hash(normalise_code(raw_code)))
    if found is None:
        raise NotFound(T("绑定码不存在，请核对后重新输入"), field="code", code="binding_code_unknown")
    if found.used_at is not None:
        raise Conflict(T("该绑定码已被使用；如需再次绑定，请向监管部门申请新的绑定码"),
                       field="code", code="binding_code_used")
    if sql.instant(found.expires_at) <= now:
        raise Gone(T("该绑定码已过期，请向监管部门申请新的绑定码"), field="code",
                   code="binding_code_expired")
    claimed = await sql.execute(
        "UPDATE enterprise_binding_code SET used_at = ?, used_by = ? "
        "WHERE id = ? AND used_at IS NULL", [sql.stamp(now), user_hash, found.id])
    if claimed != 1:  # another request claimed it first
        raise Conflict(T("该绑定码已被使用"), field="code", code="binding_code_used")
    try:
        await EnterpriseMember.create(user_hash=user_hash, uscc=found.uscc, bound_at=now)
    except IntegrityError:
        pass  # already bound to this enterprise: the code is spent all the same
    return found.uscc


async def memberships(user_hash: str) -> list[str]:
    """The credit codes of the enterprises a user speaks for, in order of binding."""
    return await EnterpriseMember.filter(user_hash=user_hash).order_by("bound_at", "id") \
        .values_list("uscc", flat=True)


async def require_member(*, user_hash: str, uscc: str | None) -> tuple[str, list[str]]:
    """The enterprise the user asks about (``uscc``, or their only one) and all of theirs;
    403 when it is not theirs."""
    own = await memberships(user_hash)
    if not own:
        raise Forbidden(T("您尚未绑定企业；请使用监管部门发放的绑定码绑定"), field="Authorization",
                        code="enterprise_not_bound")
    if uscc is None:
        if len(own) > 1:
            raise InvalidInput(T("您绑定了多家企业，请用 uscc 参数指明要查看哪一家"),
                               field="uscc", code="uscc_required")
        return own[0], own
    if uscc not in own:
        raise Forbidden(T("您无权查看该企业的非公开信息"), field="uscc", code="not_your_enterprise")
    return uscc, own

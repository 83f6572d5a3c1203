"""Who a complaints request comes from: the filer (WeChat session or anonymous client), the
owner of a case (session or follow-up secret), or a logged-in member of staff."""

from __future__ import annotations

import hmac

from core.i18n import T
from accounts.staff import StaffSession, resolve_staff
from api.http import bearer_session, bearer_token, rate_client
from complaints.context import Actor
from complaints.models import Complaint
from complaints.submit import Filer, secret_digest
from core.errors import InvalidInput, NotFound, Unauthorized

SECRET_HEADER = "x-follow-secret"


async def filer_of(request) -> Filer:
    session = await bearer_session(request)
    return Filer(owner_hash=session.openid_hash if session else None,
                 openid=session.openid if session else None,
                 client=rate_client(request, session))


async def require_owner(request, case: Complaint) -> Actor:
    """The complainant of ``case``: the WeChat user who filed it, or whoever holds its
    follow-up secret. Anyone else gets the same 404 as for a case that does not exist."""
    session = await bearer_session(request)
    secret = request.headers.get(SECRET_HEADER)
    if session is None and not secret:
        raise Unauthorized(T("请登录微信或提供跟进密码（X-Follow-Secret）"), field="Authorization",
                           code="token_missing")
    if session is not None and case.owner_hash and \
            hmac.compare_digest(session.openid_hash, case.owner_hash):
        return Actor("complainant", "complainant")
    if secret and case.secret_hash:
        if hmac.compare_digest(secret_digest(secret), case.secret_hash):
            return Actor("complainant", "complainant")
    raise NotFound(T("案件 {ticket} 不存在", ticket=case.ticket), field="ticket", code="case_not_found")


async def require_staff(request) -> Actor:
    """The logged-in handler or supervisor (401 otherwise)."""
    staff: StaffSession | None = await resolve_staff(token=bearer_token(request))
    if staff is None:
        raise Unauthorized(T("请先以工作人员身份登录（POST /api/v1/auth/staff）"),
                           field="Authorization", code="staff_login_required")
    return Actor(staff.role, staff.username, staff.division)


def json_body(request) -> dict:
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own on bad JSON
        body = None
    if not isinstance(body, dict):
        raise InvalidInput(T("请以 JSON 对象提交"), field="body", code="invalid_body")
    return body

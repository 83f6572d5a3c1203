"""Request helpers of the profiles feature's endpoints: a logged-in WeChat user, a member of
the regulator's staff, the regulator platform's exchange token, a JSON body."""

from __future__ import annotations

import hmac

from core.i18n import T
from accounts.sessions import Session
from api.http import bearer_session, bearer_token, part
from core.errors import InvalidInput, Unauthorized
from profiles.staff import StaffDirectory, StaffIdentity


async def require_session(request) -> Session:
    """The WeChat session of the bearer token (401 without one)."""
    if bearer_token(request) is None:
        raise Unauthorized(T("请先登录（Authorization: Bearer <token>）"), field="Authorization",
                           code="token_missing")
    session = await bearer_session(request)
    if session is None:
        raise Unauthorized(T("登录已失效，请重新登录"), field="Authorization",
                           code="session_invalid")
    return session


async def require_staff(request) -> StaffIdentity:
    """The staff identity of the bearer token (401 without one; see ``profiles.staff``)."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized(T("需要监管人员的令牌（Authorization: Bearer <token>）"),
                           field="Authorization", code="token_missing")
    staff = await part(request, StaffDirectory).resolve(token)
    if staff is None:
        raise Unauthorized(T("令牌无效或已过期，需要监管人员的令牌"), field="Authorization",
                           code="staff_token_invalid")
    return staff


def require_exchange_token(request) -> None:
    """The regulator platform's exchange token (``GONGZHI_EXCHANGE_TOKEN``), as for imports."""
    expected = request.app.ctx.settings.exchange_token
    if not expected:
        raise Unauthorized(T("数据交换未开启：未设置 GONGZHI_EXCHANGE_TOKEN"),
                           field="Authorization", code="exchange_disabled")
    token = bearer_token(request)
    if token is None:
        raise Unauthorized(T("请提供数据交换令牌（Authorization: Bearer <token>）"),
                           field="Authorization", code="token_missing")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized(T("数据交换令牌错误"), field="Authorization", code="token_invalid")


def json_body(request) -> dict:
    """The request body as a JSON object (400 ``invalid_body`` otherwise)."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own on bad JSON
        body = None
    if not isinstance(body, dict):
        raise InvalidInput(T("请求体须为 JSON 对象"), field="body", code="invalid_body")
    return body

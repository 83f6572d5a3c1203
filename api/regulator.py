"""Request helpers of the profiles feature's endpoints: a logged-in WeChat user, a member of
the regulator's staff, the regulator platform's exchange token, a JSON body."""

from __future__ import annotations

import hmac

from accounts.sessions import Session
from api.http import bearer_session, bearer_token, part
from core.errors import Forbidden, InvalidInput, Unauthorized
from core.i18n import T
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
    """The staff identity of the bearer token: a staff session or the exchange token (see
    ``profiles.staff``). 401 without a token or with an unknown or expired one; 403 for a
    consumer's or an enterprise user's WeChat session (logged in, but not staff)."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized(T("需要监管人员的令牌（Authorization: Bearer <token>）"),
                           field="Authorization", code="token_missing")
    staff = await part(request, StaffDirectory).resolve(token)
    if staff is not None:
        return staff
    if await bearer_session(request) is not None:
        raise Forbidden(T("仅限监管人员：请以工作人员身份登录（POST /api/v1/auth/staff）"),
                        field="Authorization", code="staff_only")
    raise Unauthorized(T("令牌无效或已过期，需要监管人员的令牌"), field="Authorization",
                       code="staff_token_invalid")


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

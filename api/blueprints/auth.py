"""Mini-program login: ``POST /api/v1/auth/wechat``, ``GET``/``DELETE /api/v1/auth/session``."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import empty, json

from core.i18n import T
from accounts.ratelimit import check_rate, client_key
from accounts.sessions import Session, login_with_wechat, revoke
from accounts.wechat import WeChatGateway
from api.http import bearer_session, bearer_token, client_ip, part, services, session_store
from api.openapi import operation
from core.errors import InvalidInput, Unauthorized

bp = Blueprint("auth")


@bp.post("/api/v1/auth/wechat")
@operation("post", "/api/v1/auth/wechat", summary="Log in with a wx.login() code", tag="auth",
           body={"required": True, "content": {"application/json": {"schema": {
               "type": "object", "required": ["code"],
               "properties": {"code": {"type": "string"}}}}}},
           responses={201: '{"token", "user" (pseudonym), "created_at", "expires_at"}'},
           errors={400: "invalid_body, wechat_code_invalid", 429: "rate_limited (Retry-After)",
                   502: "wechat_unavailable", 503: "sessions_unavailable (Redis down)"})
async def wechat_login(request):
    running = services(request)
    settings = running.settings
    await check_rate(store=running.store, client_key=client_key(None, client_ip(request)),
                     window=settings.auth_rate_window, limit=settings.auth_rate_limit,
                     scope="login")
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own on bad JSON
        body = None
    if not isinstance(body, dict):
        raise InvalidInput(T("请以 JSON 提交 {\"code\": \"<wx.login() 返回的 code>\"}"), field="code",
                           code="invalid_body")
    session = await login_with_wechat(code=body.get("code"), gateway=part(request, WeChatGateway),
                                      store=session_store(request), ttl=settings.session_ttl)
    return json(session.public(), status=201, headers={"Cache-Control": "no-store"})


def _session_public(session: Session) -> dict:
    data = session.public()
    data.pop("token")
    return data


async def _require(request) -> Session:
    if bearer_token(request) is None:
        raise Unauthorized(T("请提供 Authorization: Bearer <令牌>"), field="Authorization",
                           code="token_missing")
    session = await bearer_session(request, strict=True)
    if session is None:
        raise Unauthorized(T("会话不存在、已过期或已注销，请重新登录"),
                           field="Authorization", code="session_invalid")
    return session


@bp.get("/api/v1/auth/session")
@operation("get", "/api/v1/auth/session", summary="The current session", tag="auth",
           responses={200: '{"user", "created_at", "expires_at"}'},
           errors={401: "token_missing, session_invalid",
                   503: "sessions_unavailable (Redis down)"})
async def current_session(request):
    return json(_session_public(await _require(request)))


@bp.delete("/api/v1/auth/session")
@operation("delete", "/api/v1/auth/session", summary="Log out: revoke the token", tag="auth",
           responses={204: "revoked"},
           errors={401: "token_missing, session_invalid",
                   503: "sessions_unavailable (Redis down)"})
async def logout(request):
    session = await _require(request)
    await revoke(token=session.token, store=session_store(request))
    return empty(status=204)

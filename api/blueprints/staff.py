"""Staff login: ``POST /api/v1/auth/staff`` (handlers and supervisors, Argon2id passwords).
The session is kept in the database: it keeps working while Redis does not answer."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import empty, json

from accounts.ratelimit import check_rate, client_key
from accounts.staff import STAFF_SESSION_TTL, login_staff, logout_staff
from api.http import bearer_token, client_ip, services
from api.openapi import operation
from api.people import json_body
from core.errors import Unauthorized
from core.i18n import T

bp = Blueprint("staff_auth")


@bp.post("/api/v1/auth/staff")
@operation("post", "/api/v1/auth/staff", summary="Staff login (handlers, supervisors)",
           tag="auth", responses={201: '{"token", "staff": {username, name, role, division}}'},
           errors={400: "invalid_body", 401: "login_failed", 429: "rate_limited"})
async def staff_login(request):
    running = services(request)
    await check_rate(store=running.store, client_key=client_key(None, client_ip(request)),
                     window=running.settings.auth_rate_window,
                     limit=running.settings.auth_rate_limit, scope="staff-login")
    body = json_body(request)
    token, staff = await login_staff(username=body.get("username"),
                                     password=body.get("password"))
    return json({"token": token, "staff": staff.public(), "expires_in": STAFF_SESSION_TTL},
                status=201, headers={"Cache-Control": "no-store"}, ensure_ascii=False)


@bp.delete("/api/v1/auth/staff")
@operation("delete", "/api/v1/auth/staff", summary="Staff logout (ends the bearer token)",
           tag="auth", responses={204: "logged out"}, errors={401: "staff_login_required"})
async def staff_logout(request):
    if not await logout_staff(token=bearer_token(request)):
        raise Unauthorized(T("工作人员登录已失效或不存在"), field="Authorization",
                           code="staff_login_required")
    return empty(status=204)

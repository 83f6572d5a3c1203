"""The enterprise's own account: bind with a binding code, its own view (the public profile,
byte for byte, plus its private figures) and its correction requests."""

from __future__ import annotations

import orjson
from sanic import Blueprint
from sanic.response import json, raw

from accounts.ratelimit import check_rate, client_key
from api.http import client_ip, language, part, query_params, services
from api.openapi import operation, query
from api.regulator import json_body, require_session
from core.clock import SHANGHAI
from core.complaint_figures import ComplaintFigures
from core.i18n import translate_tree
from profiles.corrections import correction_item, list_corrections, request_correction
from profiles.lookup import parse_uscc
from profiles.members import bind, require_member
from profiles.private import private_view
from profiles.service import ProfileService, complaints_since

bp = Blueprint("enterprise_account")
PRIVATE = {"Cache-Control": "private, no-store"}
BIND_LIMIT, BIND_WINDOW = 10, 3600


async def _member(request) -> tuple[str, list[str], str]:
    """(credit code asked about, all the user's, user pseudonym): 401/403 otherwise."""
    session = await require_session(request)
    raw_uscc = query_params(request).get("uscc")
    uscc = parse_uscc(raw_uscc) if raw_uscc else None
    chosen, own = await require_member(user_hash=session.openid_hash, uscc=uscc)
    return chosen, own, session.openid_hash


@bp.post("/api/v1/me/enterprise/bind")
@operation("post", "/api/v1/me/enterprise/bind", summary="Bind the logged-in user to an "
           "enterprise with a one-time binding code", tag="enterprise account",
           body={"required": True, "content": {"application/json": {"schema": {
               "type": "object", "required": ["code"],
               "properties": {"code": {"type": "string", "example": "ABCD-EFGH-JKLM"}}}}}},
           responses={201: '{"uscc", "enterprises"}'},
           errors={400: "invalid_body, binding_code_malformed", 401: "token_missing, "
                   "session_invalid", 404: "binding_code_unknown", 409: "binding_code_used",
                   410: "binding_code_expired", 429: "rate_limited"})
async def bind_enterprise(request):
    session = await require_session(request)
    running = services(request)
    await check_rate(store=running.store, client_key=client_key(None, client_ip(request)),
                     window=BIND_WINDOW, limit=BIND_LIMIT, scope="bind")
    uscc = await bind(raw_code=json_body(request).get("code"), user_hash=session.openid_hash,
                      now=running.clock())
    _, own = await require_member(user_hash=session.openid_hash, uscc=uscc)
    return json({"uscc": uscc, "enterprises": own}, status=201, headers=PRIVATE)


@bp.get("/api/v1/me/enterprise")
@operation("get", "/api/v1/me/enterprise", summary="The enterprise's own view: its public "
           "profile exactly as the public sees it, plus its private figures",
           tag="enterprise account",
           params=[query("uscc", "which enterprise (when the user is bound to several)")],
           responses={200: '{"profile": <the public profile, byte for byte>, "private": '
                           '{"scans_per_day", "suspect_codes", "complaints", '
                           '"expiring_licences"}, "enterprises": [...]}'},
           errors={400: "uscc_malformed, uscc_required", 401: "token_missing, session_invalid",
                   403: "enterprise_not_bound, not_your_enterprise"})
async def own_view(request):
    uscc, own, _ = await _member(request)
    running = services(request)
    lang = language(request)
    profile = await part(request, ProfileService).public(uscc, lang)
    now = running.clock()
    today = now.astimezone(SHANGHAI).date()
    private = await private_view(
        uscc, store=running.store, figures=part(request, ComplaintFigures), now=now,
        today=today, complaints_since=complaints_since(today))
    body = b"".join((b'{"profile":', profile, b',"private":',
                     orjson.dumps(translate_tree(private, lang)),
                     b',"enterprises":', orjson.dumps(own), b"}"))
    return raw(body, content_type="application/json", headers=PRIVATE)


@bp.get("/api/v1/me/enterprise/corrections")
@operation("get", "/api/v1/me/enterprise/corrections", summary="The enterprise's correction "
           "requests and the regulator's answers", tag="enterprise account",
           params=[query("uscc", "which enterprise (when bound to several)")],
           responses={200: '{"items": [...]}'},
           errors={401: "token_missing, session_invalid",
                   403: "enterprise_not_bound, not_your_enterprise"})
async def own_corrections(request):
    uscc, _, _ = await _member(request)
    items = [correction_item(c) for c in await list_corrections(uscc=uscc)]
    return json({"items": items}, ensure_ascii=False, headers=PRIVATE)


@bp.post("/api/v1/me/enterprise/corrections")
@operation("post", "/api/v1/me/enterprise/corrections", summary="Ask the regulator to "
           "correct public data (a tracked request; data is never edited directly)",
           tag="enterprise account",
           params=[query("uscc", "which enterprise (when bound to several)")],
           body={"required": True, "content": {"application/json": {"schema": {
               "type": "object", "required": ["target", "field", "proposed", "reason"],
               "properties": {"target": {"type": "object", "properties": {
                   "type": {"enum": ["enterprise", "product", "sampling", "enforcement",
                                     "recall"]}, "key": {"type": "string"}}},
                   "field": {"type": "string"}, "proposed": {"type": "string"},
                   "reason": {"type": "string"}}}}}},
           responses={201: "the request, status open"},
           errors={400: "invalid_body, invalid_target, invalid_field, invalid_value",
                   401: "token_missing, session_invalid", 403: "not_your_enterprise",
                   404: "target_not_found", 409: "too_many_open_requests"})
async def new_correction(request):
    uscc, _, user = await _member(request)
    found = await request_correction(uscc=uscc, body=json_body(request), user_hash=user,
                                     now=services(request).clock())
    return json(correction_item(found), status=201, ensure_ascii=False, headers=PRIVATE)

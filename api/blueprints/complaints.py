"""Complainants: file a case, follow it, act on it (withdraw, add information, close),
rate it, have their personal data erased.

``POST /api/v1/complaints``, ``GET /api/v1/me/complaints``, ``GET /api/v1/complaints/{t}``,
``POST /api/v1/complaints/{t}/transitions``, ``.../rating``, ``.../erasure``."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from core.i18n import T
from accounts.ratelimit import check_rate
from api.http import bearer_session, part, services
from api.openapi import operation
from api.people import filer_of, json_body, require_owner
from complaints import actions
from complaints.models import Complaint, ComplaintEvent
from complaints.service import ComplaintService
from complaints.submit import submit_complaint
from complaints.views import owner_view
from core.errors import Unauthorized

bp = Blueprint("complaints")
NO_STORE = {"Cache-Control": "no-store"}


def _json(body: dict, status: int = 200, **headers) -> object:
    return json(body, status=status, headers={**NO_STORE, **headers}, ensure_ascii=False)


@bp.post("/api/v1/complaints")
@operation("post", "/api/v1/complaints", summary="File a complaint (投诉) or report (举报)",
           tag="complaints",
           responses={201: '{"ticket", "status", "deadline", "duplicates", "follow_secret"?}'},
           errors={400: "invalid_body, unknown_field, invalid_kind, real_name_required, "
                        "invalid_phone, too_long, too_many_photos, unknown_target, "
                        "unknown_photo, contradictory_fields",
                   409: "idempotency_key_reused", 429: "rate_limited"})
async def submit(request):
    running = services(request)
    filer = await filer_of(request)
    await check_rate(store=running.store, client_key=filer.client, scope="complaint",
                     window=running.settings.complaint_rate_window,
                     limit=running.settings.complaint_rate_limit)
    answer, replayed = await submit_complaint(
        ctx=part(request, ComplaintService).ctx, body=json_body(request), filer=filer,
        idempotency_key=request.headers.get("idempotency-key"))
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return _json(answer, 201, **headers)


@bp.get("/api/v1/me/complaints")
@operation("get", "/api/v1/me/complaints", summary="The WeChat user's own cases",
           tag="complaints", errors={401: "token_missing"})
async def mine(request):
    session = await bearer_session(request)
    if session is None:
        raise Unauthorized(T("请先登录微信"), field="Authorization", code="token_missing")
    cases = await Complaint.filter(owner_hash=session.openid_hash).order_by("-received_at") \
        .limit(100)
    return _json({"items": [owner_view(c, []) | {"timeline": None} for c in cases]})


async def _owned(request, ticket: str):
    case = await actions.load_case(ticket)
    actor = await require_owner(request, case)
    return case, actor


@bp.get("/api/v1/complaints/<ticket:str>")
@operation("get", "/api/v1/complaints/{ticket}", summary="One's own case and its timeline",
           tag="complaints", errors={401: "token_missing", 404: "case_not_found"})
async def one(request, ticket: str):
    case, _ = await _owned(request, ticket)
    events = await ComplaintEvent.filter(complaint_id=case.id).order_by("at", "id")
    return _json(owner_view(case, events, refusals=part(request, ComplaintService).ctx.refusals))


@bp.post("/api/v1/complaints/<ticket:str>/transitions")
@operation("post", "/api/v1/complaints/{ticket}/transitions",
           summary="Withdraw, send more information, or close a resolved case",
           tag="complaints", errors={400: "reason_required", 403: "transition_forbidden",
                                     409: "invalid_transition, case_closed"})
async def complainant_move(request, ticket: str):
    case, actor = await _owned(request, ticket)
    body = json_body(request)
    await actions.move_case(ctx=part(request, ComplaintService).ctx, case=case, actor=actor,
                            to=body.get("to"), reason=body.get("reason"))
    return _json({"ticket": case.ticket, "status": case.status})


@bp.post("/api/v1/complaints/<ticket:str>/rating")
@operation("post", "/api/v1/complaints/{ticket}/rating", summary="Rate a closed case (1–5)",
           tag="complaints", errors={400: "invalid_score", 409: "not_closed, already_rated"})
async def rating(request, ticket: str):
    case, _ = await _owned(request, ticket)
    body = json_body(request)
    await actions.rate(ctx=part(request, ComplaintService).ctx, case=case,
                       score=body.get("score"), comment=body.get("comment"))
    return _json({"ticket": case.ticket, "rating": body.get("score")})


@bp.post("/api/v1/complaints/<ticket:str>/erasure")
@operation("post", "/api/v1/complaints/{ticket}/erasure",
           summary="Erase one's personal data from a closed case", tag="complaints",
           errors={409: "not_closed"})
async def erasure(request, ticket: str):
    case, actor = await _owned(request, ticket)
    await actions.erase(ctx=part(request, ComplaintService).ctx, case=case, actor=actor)
    return _json({"ticket": case.ticket, "erased": True})

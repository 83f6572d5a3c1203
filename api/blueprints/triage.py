"""Handlers and supervisors: the queue of their jurisdiction, a case in full, moves,
reassignment, merging, the audited opening of a contact, the notice for the enterprise, and
the figures. ``/api/v1/triage/...``; every route needs a staff login."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json, text

from accounts.staff import staff_names
from api.http import part, query_params
from api.openapi import operation, query
from api.people import json_body, require_staff
from complaints import actions
from complaints.models import ComplaintEvent, Photo
from complaints.queue import list_cases
from complaints.service import ComplaintService
from complaints.stats import case_figures, to_csv
from complaints.uploads import signed_media_path
from complaints.views import enterprise_view, staff_view

bp = Blueprint("triage")
NO_STORE = {"Cache-Control": "no-store"}
STAFF_ERRORS = {401: "staff_login_required", 403: "not_your_jurisdiction",
                404: "case_not_found"}


def _json(body, status: int = 200):
    return json(body, status=status, headers=NO_STORE, ensure_ascii=False)


def _ctx(request):
    return part(request, ComplaintService).ctx


async def _case(request, ticket: str):
    actor = await require_staff(request)
    case = await actions.load_case(ticket)
    actions.check_reach(case, actor)
    return case, actor


@bp.get("/api/v1/triage/complaints")
@operation("get", "/api/v1/triage/complaints", summary="The queue of one's jurisdiction",
           tag="triage", params=[query("status", "one status (default: every open one)"),
                                 query("priority", "urgent | high | normal"),
                                 query("overdue", "true: past the running deadline"),
                                 query("due_soon", "true: due within GONGZHI_DUE_SOON_DAYS"),
                                 query("division", "supervisors: one district"),
                                 query("limit", "page size (≤ 200)"), query("offset", "skip")],
           errors={400: "invalid_status, invalid_priority, invalid_flag", 401: "staff_login_required"})
async def queue(request):
    actor = await require_staff(request)
    return _json(await list_cases(ctx=_ctx(request), actor=actor, params=query_params(request)))


@bp.get("/api/v1/triage/complaints/<ticket:str>")
@operation("get", "/api/v1/triage/complaints/{ticket}", summary="A case in full (contact masked)",
           tag="triage", errors=STAFF_ERRORS)
async def case_detail(request, ticket: str):
    case, _ = await _case(request, ticket)
    ctx = _ctx(request)
    events = await ComplaintEvent.filter(complaint_id=case.id).order_by("at", "id")
    photos = [{"id": p.id, "width": p.width, "height": p.height, "check": p.check_suggest,
               "url": signed_media_path(ctx.settings.wechat_secret, p.id),
               "thumbnail": signed_media_path(ctx.settings.wechat_secret, p.id) + "&thumb=1"}
              for p in await Photo.filter(complaint_id=case.id).order_by("created_at")]
    return _json(staff_view(case, events, photos, today=ctx.today(), refusals=ctx.refusals))


@bp.post("/api/v1/triage/complaints/<ticket:str>/transitions")
@operation("post", "/api/v1/triage/complaints/{ticket}/transitions",
           summary="Move a case: {to, reason, refusal_reason, mode, public, transfer_to}",
           tag="triage", errors={**STAFF_ERRORS, 400: "reason_required, mode_required, "
                                 "refusal_reason_required, invalid_status",
                                 409: "invalid_transition, case_closed, case_changed"})
async def staff_move(request, ticket: str):
    case, actor = await _case(request, ticket)
    body = json_body(request)
    await actions.move_case(ctx=_ctx(request), case=case, actor=actor, to=body.get("to"),
                            reason=body.get("reason"), refusal_reason=body.get("refusal_reason"),
                            mode=body.get("mode"), public=body.get("public", True),
                            transfer_to=body.get("transfer_to"))
    return _json({"ticket": case.ticket, "status": case.status,
                  "deadline": {"current": case.due_on and case.due_on.isoformat()}})


@bp.post("/api/v1/triage/complaints/<ticket:str>/contact")
@operation("post", "/api/v1/triage/complaints/{ticket}/contact",
           summary="Open the complainant's contact, giving a reason (audited)", tag="triage",
           errors={**STAFF_ERRORS, 400: "reason_required"})
async def contact(request, ticket: str):
    case, actor = await _case(request, ticket)
    body = json_body(request)
    return _json(await actions.reveal_contact(ctx=_ctx(request), case=case, actor=actor,
                                              reason=body.get("reason")))


@bp.post("/api/v1/triage/complaints/<ticket:str>/assign")
@operation("post", "/api/v1/triage/complaints/{ticket}/assign",
           summary="Supervisors: reassign to a district and/or handler", tag="triage",
           errors={**STAFF_ERRORS, 400: "unknown_handler", 403: "reassign_forbidden"})
async def assign(request, ticket: str):
    case, actor = await _case(request, ticket)
    body = json_body(request)
    handler = body.get("handler")
    known = await staff_names([handler]) if isinstance(handler, str) else {}
    await actions.assign(ctx=_ctx(request), case=case, actor=actor,
                         division=body.get("division"), handler=handler, known_handlers=known)
    return _json({"ticket": case.ticket, "division": case.division,
                  "assigned_to": case.assigned_to})


@bp.post("/api/v1/triage/complaints/<ticket:str>/merge")
@operation("post", "/api/v1/triage/complaints/{ticket}/merge",
           summary="Merge a duplicate into an earlier case: {into}", tag="triage",
           errors={**STAFF_ERRORS, 409: "case_closed, invalid_transition"})
async def merge(request, ticket: str):
    case, actor = await _case(request, ticket)
    into = await actions.load_case(json_body(request).get("into"))
    await actions.merge(ctx=_ctx(request), case=case, into=into, actor=actor)
    return _json({"ticket": case.ticket, "status": case.status, "duplicate_of": into.ticket})


@bp.get("/api/v1/triage/complaints/<ticket:str>/enterprise-notice")
@operation("get", "/api/v1/triage/complaints/{ticket}/enterprise-notice",
           summary="What the enterprise is sent: the facts, never the complainant",
           tag="triage", errors=STAFF_ERRORS)
async def enterprise_notice(request, ticket: str):
    case, _ = await _case(request, ticket)
    return _json(enterprise_view(case, []))


@bp.get("/api/v1/triage/stats")
@operation("get", "/api/v1/triage/stats", summary="Figures per period, district and category",
           tag="triage", params=[query("period", "month | quarter | year"),
                                 query("since", "YYYY-MM-DD (default: two years back)"),
                                 query("division", "supervisors: one district"),
                                 query("format", "json (default) | csv")],
           errors={400: "invalid_period, invalid_date", 401: "staff_login_required"})
async def stats(request):
    actor = await require_staff(request)
    params = query_params(request)
    result = await case_figures(ctx=_ctx(request), actor=actor, params=params)
    if params.get("format") == "csv" or "text/csv" in request.headers.get("accept", ""):
        return text(to_csv(result["rows"]), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="complaints-'
                                                    f'{result["period"]}.csv"'})
    return _json(result)

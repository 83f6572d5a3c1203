"""The regulator's side of correction requests: list them, answer them (staff only)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from api.http import query_params, services
from api.openapi import operation, query
from api.regulator import json_body, require_staff
from profiles.corrections import correction_item, decide_correction, list_corrections
from profiles.lookup import parse_uscc

bp = Blueprint("corrections")


@bp.get("/api/v1/corrections")
@operation("get", "/api/v1/corrections", summary="Correction requests (staff; a handler "
           "sees those of its district's enterprises)", tag="enterprise account",
           params=[query("status", "open, accepted or rejected"),
                   query("uscc", "one enterprise's requests")],
           responses={200: '{"items": [...]}'},
           errors={400: "invalid_status, uscc_malformed",
                   401: "token_missing, staff_token_invalid", 403: "staff_only"})
async def all_corrections(request):
    staff = await require_staff(request)
    params = query_params(request)
    uscc = parse_uscc(params["uscc"]) if params.get("uscc") else None
    found = await list_corrections(uscc=uscc, status=params.get("status") or None,
                                   division=staff.district_only)
    return json({"items": [correction_item(c, staff_view=True) for c in found]},
                ensure_ascii=False)


@bp.post("/api/v1/corrections/<request_id:int>/decision")
@operation("post", "/api/v1/corrections/{id}/decision", summary="Answer a correction "
           "request (staff): accepted or rejected, with a note", tag="enterprise account",
           body={"required": True, "content": {"application/json": {"schema": {
               "type": "object", "required": ["decision", "note"],
               "properties": {"decision": {"enum": ["accepted", "rejected"]},
                              "note": {"type": "string"}}}}}},
           responses={200: "the request as decided"},
           errors={400: "invalid_body, invalid_decision, invalid_value",
                   401: "token_missing, staff_token_invalid",
                   403: "staff_only, outside_jurisdiction (a handler, another district)",
                   404: "correction_not_found",
                   409: "correction_decided"})
async def decide(request, request_id: int):
    staff = await require_staff(request)
    body = json_body(request)
    found = await decide_correction(request_id=request_id, decision=body.get("decision"),
                                    note=body.get("note"), staff=staff,
                                    now=services(request).clock())
    return json(correction_item(found, staff_view=True), ensure_ascii=False)

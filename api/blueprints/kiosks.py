"""Market kiosks: ``POST /api/v1/kiosks/heartbeat`` (a registered kiosk, by its key) and the
staff list ``GET /api/v1/staff/kiosks`` (silent kiosks first)."""

from __future__ import annotations

import re

from sanic import Blueprint
from sanic.response import empty, json

from accounts.staff import StaffSession, resolve_staff
from api.http import bearer_token, part, query_params
from api.openapi import operation, query
from api.people import json_body
from core.errors import InvalidInput, PayloadTooLarge, Unauthorized
from core.i18n import T
from tracing.scans.fleet import SILENT_AFTER, kiosk_board, parse_heartbeat, record_heartbeat
from tracing.service import TraceService

bp = Blueprint("kiosks")
NO_STORE = {"Cache-Control": "no-store"}
MAX_HEARTBEAT_BYTES = 4096
DIVISION_RE = re.compile(r"^[1-8]\d{5}$")
HEADERS = [{"name": name, "in": "header", "required": True, "schema": {"type": "string"},
            "description": text} for name, text in (
    ("X-Gongzhi-Kiosk", "the kiosk's id (gongzhi kiosk add)"),
    ("X-Gongzhi-Kiosk-Key", "the kiosk's device key, shown once when it was registered"))]
BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["camera", "fps", "queue", "version"],
    "properties": {"camera": {"enum": ["ok", "lost"]},
                   "fps": {"type": "number", "minimum": 0, "maximum": 1000},
                   "decode_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                   "queue": {"type": "integer", "minimum": 0},
                   "version": {"type": "string", "pattern": "^[0-9A-Za-z][0-9A-Za-z._+-]{0,31}$"}}}}}}


@bp.post("/api/v1/kiosks/heartbeat")
@operation("post", "/api/v1/kiosks/heartbeat", summary="A registered kiosk says it is alive",
           tag="kiosks", params=HEADERS, body=BODY, responses={204: "kept as its last heartbeat"},
           errors={400: "invalid_body, invalid_heartbeat (field named)",
                   401: "kiosk_unauthorized (unknown kiosk or wrong key, alike)",
                   413: "payload_too_large"})
async def heartbeat(request):
    headers = request.headers
    trace = part(request, TraceService)
    place = await trace.kiosks.place(headers.get("x-gongzhi-kiosk"),
                                     headers.get("x-gongzhi-kiosk-key"))
    if place is None:
        raise Unauthorized(T("终端编号或密钥不对"), field="X-Gongzhi-Kiosk-Key",
                           code="kiosk_unauthorized")
    if len(request.body or b"") > MAX_HEARTBEAT_BYTES:
        raise PayloadTooLarge(T("心跳内容不能超过{n}字节", n=MAX_HEARTBEAT_BYTES), field="body",
                              code="payload_too_large")
    beat = parse_heartbeat(json_body(request))
    await record_heartbeat(place.kiosk_id, beat, now=trace.clock())
    return empty(status=204, headers=NO_STORE)


@bp.get("/api/v1/staff/kiosks")
@operation("get", "/api/v1/staff/kiosks", summary="Kiosks, the silent ones first (staff)",
           tag="kiosks", params=[query("division", "supervisors: one county-level district")],
           responses={200: '{"silent_after_minutes", "kiosks": [{kiosk_id, market, '
                           'division_code, division, silent, silent_minutes, last_heartbeat '
                           '{at, camera, fps, decode_rate, queue, version}, scans_today}]}'},
           errors={400: "invalid_division", 401: "staff_login_required"})
async def staff_list(request):
    staff = await _staff(request)
    division = staff.division if staff.role == "handler" else query_params(request).get(
        "division") or None
    if division is not None and not DIVISION_RE.match(division):
        raise InvalidInput(T("division 须为6位行政区划代码"), field="division",
                           code="invalid_division")
    rows = await kiosk_board(now=part(request, TraceService).clock(), division=division)
    minutes = int(SILENT_AFTER.total_seconds() // 60)
    return json({"silent_after_minutes": minutes, "kiosks": rows}, headers=NO_STORE,
                ensure_ascii=False)


async def _staff(request) -> StaffSession:
    staff = await resolve_staff(token=bearer_token(request))
    if staff is None:
        raise Unauthorized(T("请先以工作人员身份登录（POST /api/v1/auth/staff）"),
                           field="Authorization", code="staff_login_required")
    return staff

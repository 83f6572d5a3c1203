"""``GET /api/v1/scan?code=``: any code a phone can point at, answered with the trace view."""

from __future__ import annotations

from sanic import Blueprint

from core.i18n import T
from api.http import bearer_session, language, part, query_params, rate_client
from api.openapi import operation, query
from core.errors import InvalidInput
from tracing.scans.client import CHANNELS, scan_client
from tracing.service import TraceService

bp = Blueprint("scan")
JSON = "application/json"
KIOSK_KEY = {"name": "X-Gongzhi-Kiosk-Key", "in": "header", "required": False,
             "schema": {"type": "string"},
             "description": "a registered kiosk's key: only then does the scan count as the "
                            "kiosk's, placed at its registered market"}
SCAN_ID = {"name": "X-Gongzhi-Scan-Id", "in": "header", "required": False,
           "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"},
           "description": "a registered kiosk's id of the scan, the same on every resend: "
                          "recorded once per kiosk"}
SCANNED_AT = {"name": "X-Gongzhi-Scanned-At", "in": "header", "required": False,
              "schema": {"type": "string", "format": "date-time"},
              "description": "when a registered kiosk saw the code (a queued scan arrives "
                             "later); used within the last 7 days, else the arrival time"}
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/api/v1/scan")
@operation("get", "/api/v1/scan", summary="Trace view of a scanned or typed code", tag="scan",
           params=[
               query("code", "the raw scanned text, URL-encoded: trace code, trace URL, GS1 "
                     "Digital Link, GS1 element string (GS as %1D), retail barcode, or another "
                     "region's code. A URL naming a host that is not the platform's still "
                     "answers the trace, with an unofficial_host alert naming the host",
                     required=True),
               query("channel", "where the scan comes from (default h5; also the "
                     "X-Gongzhi-Channel header)", schema={"enum": list(CHANNELS)}),
               query("kiosk", "kiosk id (channel=kiosk only; also X-Gongzhi-Kiosk); it counts "
                     "only with the kiosk's key in X-Gongzhi-Kiosk-Key"),
               query("lat", "coarse latitude (WGS-84); stored rounded to 0.1°; the server "
                     "derives a city from it", schema={"type": "number"}),
               query("lng", "coarse longitude (WGS-84)", schema={"type": "number"}),
               query("city", "deprecated, accepted and ignored: no client text is stored or "
                     "shown; scans.first.city is derived on the server from a trusted scan's "
                     "position (a logged-in consumer's, or a registered kiosk's place)",
                     schema={"type": "string", "deprecated": True}),
               KIOSK_KEY, SCAN_ID, SCANNED_AT,
           ],
           responses={200: "trace view: status, alerts (most serious first), scans (count: "
                           "distinct viewers, a client counted once a day, a logged-in person "
                           "once: docs/scans.md), code, level, resolved, product, batch, "
                           "enterprise, events, inputs, certificates, inspections"},
           errors={400: "code_malformed, invalid_channel, invalid_kiosk, invalid_location, "
                        "invalid_scan_id, invalid_scanned_at",
                   404: "code_not_found (may be fake: report it)", 410: "code_withdrawn",
                   429: "rate_limited (Retry-After)"})
async def scan(request):
    params = query_params(request)
    code = params.get("code")
    if code is None or code == "":
        raise InvalidInput(T("请提供 code：扫码得到的原文（URL 编码）"), field="code",
                           code="code_malformed")
    headers = request.headers
    session = await bearer_session(request)
    client = scan_client(
        channel=params.get("channel") or headers.get("x-gongzhi-channel"),
        kiosk=params.get("kiosk") or headers.get("x-gongzhi-kiosk"),
        lat=params.get("lat"), lng=params.get("lng"),
        user_hash=session.openid_hash if session else None)
    lang = language(request)
    body = await part(request, TraceService).scan(
        raw=code, client=client, rate_key=rate_client(request, session),
        serving_host=lambda: request.host, kiosk_key=headers.get("x-gongzhi-kiosk-key"),
        scan_id=headers.get("x-gongzhi-scan-id"), scanned_at=headers.get("x-gongzhi-scanned-at"),
        lang=lang)
    return request.app.ctx.browser.secured(body, content_type=JSON, headers=NO_STORE, lang=lang)

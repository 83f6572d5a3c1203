"""WeChat's message push (JSON mode): ``POST /api/v1/wechat/events``. Only the
``wxa_media_check`` event (the verdict of an image check) is acted on; the request must carry
WeChat's signature over ``GONGZHI_WECHAT_PUSH_TOKEN``."""

from __future__ import annotations

import hashlib
import hmac

from sanic import Blueprint
from sanic.response import text

from core.i18n import T
from api.http import part, query_params
from api.people import json_body
from complaints.jobs import media_verdict
from complaints.service import ComplaintService
from core.errors import Forbidden

bp = Blueprint("wechat_events")


def push_signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce))).encode()).hexdigest()


def _verify(request) -> dict:
    params = query_params(request)
    good = push_signature(request.app.ctx.settings.wechat_push_token,
                          params.get("timestamp", ""), params.get("nonce", ""))
    if not hmac.compare_digest(params.get("signature", ""), good):
        raise Forbidden(T("微信推送签名不正确"), field="signature", code="bad_signature")
    return params


@bp.get("/api/v1/wechat/events")
async def verify_url(request):
    """WeChat checks the URL once: echo ``echostr`` when the signature is right."""
    return text(_verify(request).get("echostr", ""))


@bp.post("/api/v1/wechat/events")
async def push(request):
    _verify(request)
    body = json_body(request)
    if body.get("Event") == "wxa_media_check" and isinstance(body.get("result"), dict):
        await media_verdict(ctx=part(request, ComplaintService).ctx,
                            trace_id=str(body.get("trace_id")),
                            suggest=str(body["result"].get("suggest")),
                            label=int(body["result"].get("label") or 0))
    return text("success")

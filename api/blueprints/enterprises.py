"""Enterprise public profiles: ``GET /api/v1/enterprises?q=``,
``GET /api/v1/enterprises/{uscc}``, and the codes it prints (``.../wxacode``, ``.../qrcode``)."""

from __future__ import annotations

from urllib.parse import quote

from sanic import Blueprint
from sanic.response import json, raw

from accounts.wechat import WeChatGateway
from api.http import language, part, path_text, query_params
from api.openapi import operation, query
from profiles.lookup import find_enterprises, parse_uscc
from profiles.printed import SCALES, WIDTHS, PrintedCodes, number, target
from profiles.service import ProfileService
from search.base import SearchBackend

bp = Blueprint("enterprises")
JSON = "application/json"
PUBLIC = {"Cache-Control": "public, max-age=60"}


@bp.get("/api/v1/enterprises")
@operation("get", "/api/v1/enterprises", summary="Find enterprises by credit code, licence "
           "number or name", tag="enterprises",
           params=[query("q", "a credit code, a licence number (SC/JY/YB + 14 digits) or a "
                              "name (the exact name first, then what the search finds: part "
                              "of a name, pinyin, initials)", required=True)],
           responses={200: '{"match": "uscc"|"licence"|"name", "items": [...]}'},
           errors={400: "query_missing, query_too_long, uscc_malformed, "
                        "search_too_many_terms"})
async def find(request):
    found = await find_enterprises(query_params(request).get("q"),
                                   search=part(request, SearchBackend))
    return json(found, ensure_ascii=False)


@bp.get("/api/v1/enterprises/<uscc:str>")
@operation("get", "/api/v1/enterprises/{uscc}", summary="An enterprise's public profile",
           tag="enterprises",
           responses={200: "name, kind, licence (state: valid, expiring, expired, suspended, "
                           "revoked, closed, unknown), address, district, position, risk "
                           "grade, products, sampling (latest first, failures highlighted), "
                           "enforcement, recalls in force, complaint counts of the last 12 "
                           "months, data_updated_at"},
           errors={400: "uscc_malformed (rule: uscc_length, uscc_charset, uscc_checksum...)",
                   404: "enterprise_not_found"})
async def profile(request, uscc: str):
    body = await part(request, ProfileService).public(path_text(uscc), language(request))
    return raw(body, content_type=JSON, headers=PUBLIC)


PNG = {"Cache-Control": "public, max-age=86400"}


@bp.get("/api/v1/enterprises/<uscc:str>/wxacode")
@operation("get", "/api/v1/enterprises/{uscc}/wxacode", summary="A mini-program code (PNG) "
           "to print: the enterprise's own code, or with batch= the batch's trace code",
           tag="enterprises",
           params=[query("batch", "a batch of the enterprise (its trace code is the scene)"),
                   query("width", "280-1280 pixels (default 430)", schema={"type": "integer"})],
           responses={200: "image/png"},
           errors={400: "uscc_malformed, invalid_width, scene_unsupported",
                   404: "enterprise_not_found, batch_not_found",
                   502: "wechat_error (wechat_errcode, fallback: the plain QR code's address), "
                        "wechat_unavailable"})
async def wxacode(request, uscc: str):
    params = query_params(request)
    code = parse_uscc(path_text(uscc))
    width = number(params.get("width"), "width", WIDTHS, 430)
    printed = part(request, PrintedCodes)
    aim = await target(request.app.ctx.settings, uscc=code, batch_id=params.get("batch"))
    fallback = _qrcode_path(code, params.get("batch"))
    image = await printed.wxa_png(part(request, WeChatGateway), aim.scene, width=width,
                                  fallback=fallback)
    return raw(image, content_type="image/png", headers=PNG)


@bp.get("/api/v1/enterprises/<uscc:str>/qrcode")
@operation("get", "/api/v1/enterprises/{uscc}/qrcode", summary="A plain QR code (PNG) of the "
           "enterprise's URL (/e/<uscc>) or, with batch=, the batch's trace URL (/t/<code>): "
           "the fallback of the mini-program code", tag="enterprises",
           params=[query("batch", "a batch of the enterprise"),
                   query("scale", "pixels per module, 1-40 (default 8)",
                         schema={"type": "integer"})],
           responses={200: "image/png"},
           errors={400: "uscc_malformed, invalid_scale", 404: "enterprise_not_found, "
                   "batch_not_found"})
async def qrcode(request, uscc: str):
    params = query_params(request)
    code = parse_uscc(path_text(uscc))
    scale = number(params.get("scale"), "scale", SCALES, 8)
    aim = await target(request.app.ctx.settings, uscc=code, batch_id=params.get("batch"))
    image = await part(request, PrintedCodes).qr_png(aim.url, scale=scale)
    return raw(image, content_type="image/png", headers=PNG)


def _qrcode_path(uscc: str, batch: str | None) -> str:
    return f"/api/v1/enterprises/{uscc}/qrcode" + (f"?batch={quote(batch)}" if batch else "")

"""Enterprise public profiles: ``GET /api/v1/enterprises?q=`` and
``GET /api/v1/enterprises/{uscc}``."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json, raw

from api.http import part, path_text, query_params
from api.openapi import operation, query
from profiles.lookup import find_enterprises
from profiles.service import ProfileService

bp = Blueprint("enterprises")
JSON = "application/json"
PUBLIC = {"Cache-Control": "public, max-age=60"}


@bp.get("/api/v1/enterprises")
@operation("get", "/api/v1/enterprises", summary="Find enterprises by credit code, licence "
           "number or name", tag="enterprises",
           params=[query("q", "a credit code, a licence number (SC/JY/YB + 14 digits) or a "
                              "name (whole or part)", required=True)],
           responses={200: '{"match": "uscc"|"licence"|"name", "items": [...]}'},
           errors={400: "query_missing, query_too_long, uscc_malformed"})
async def find(request):
    return json(await find_enterprises(query_params(request).get("q")), ensure_ascii=False)


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
    body = await part(request, ProfileService).public(path_text(uscc))
    return raw(body, content_type=JSON, headers=PUBLIC)

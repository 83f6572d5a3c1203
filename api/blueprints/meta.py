"""Health and the OpenAPI document."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from api.http import services
from api.openapi import build_spec, operation

bp = Blueprint("meta")


@bp.get("/api/v1/health")
@operation("get", "/api/v1/health", summary="Service health: database, cache, search",
           tag="meta", responses={200: "all parts answer", 503: "a part does not answer"})
async def health(request):
    report = await services(request).health()
    return json(report, status=200 if report["status"] == "ok" else 503)


@bp.get("/docs/openapi.json")
async def openapi(request):
    return json(build_spec(request.app.ctx.settings.public_base_url), ensure_ascii=False)

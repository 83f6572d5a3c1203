"""Health and the OpenAPI document."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from api.http import services
from api.openapi import build_spec, operation

bp = Blueprint("meta")


@bp.get("/api/v1/health")
@operation("get", "/api/v1/health", summary="Service health: database, cache, search",
           tag="meta", responses={200: "status ok, or warning: a part serves through its "
                                        "fallback (Redis down: in-process cache)",
                                   503: "status degraded: a part does not answer"})
async def health(request):
    report = await services(request).health()
    return json(report, status=503 if report["status"] == "degraded" else 200,
                ensure_ascii=False)


@bp.get("/docs/openapi.json")
async def openapi(request):
    return json(build_spec(request.app.ctx.settings.public_base_url), ensure_ascii=False)

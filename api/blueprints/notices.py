"""Notices (通知公告) and forward tracing: ``GET /api/v1/notices``,
``GET /api/v1/notices/{id}``, ``GET /api/v1/batches/{batch_id}/downstream``."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from api.http import path_text, query_params
from api.openapi import operation, query
from profiles.downstream import downstream
from profiles.notices import list_notices, notice_detail

bp = Blueprint("notices")
PUBLIC = {"Cache-Control": "public, max-age=60"}


@bp.get("/api/v1/notices")
@operation("get", "/api/v1/notices", summary="Notices, newest first: recalls, sampling "
           "results, enforcement results, announcements", tag="notices",
           params=[query("kind", "recall, sampling, enforcement or announcement"),
                   query("since", "a day (2026-10-01, Asia/Shanghai) or an ISO instant"),
                   query("limit", "1-100 (default 20)", schema={"type": "integer"}),
                   query("cursor", "next_cursor of the previous page")],
           responses={200: '{"items": [{notice_id, kind, kind_label, title, published_at, '
                           'summary, related}], "next_cursor"}'},
           errors={400: "invalid_kind, invalid_since, invalid_limit, invalid_cursor"})
async def notices(request):
    return json(await list_notices(query_params(request)), ensure_ascii=False, headers=PUBLIC)


@bp.get("/api/v1/notices/<notice_id:path>")
@operation("get", "/api/v1/notices/{notice_id}", summary="One notice with what it names: "
           "recalls with their batches (codes, scan links, 该批次销往……), sampling results, "
           "enforcement decisions, enterprises, products", tag="notices",
           responses={200: "the notice, body in full"}, errors={404: "notice_not_found"})
async def notice(request, notice_id: str):
    return json(await notice_detail(path_text(notice_id)), ensure_ascii=False,
                headers=PUBLIC)


@bp.get("/api/v1/batches/<batch_id:path>/downstream")
@operation("get", "/api/v1/batches/{batch_id}/downstream", summary="Forward tracing: the "
           "enterprises that received a batch and the batches made from it, recursively "
           "(enterprises only, never natural persons)", tag="notices",
           responses={200: '{"batch", "receivers", "used_in", "sold_to", "summary", '
                           '"truncated"}'},
           errors={400: "batch_id_malformed", 404: "batch_not_found"})
async def batch_downstream(request, batch_id: str):
    return json(await downstream(path_text(batch_id)), ensure_ascii=False, headers=PUBLIC)

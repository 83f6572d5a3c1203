"""Product pages: ``GET /api/v1/products/{product_id}``."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from api.http import part, path_text, query_params, services
from api.openapi import operation, query
from core.clock import SHANGHAI
from profiles.products import product_page
from tracing.service import TraceService

bp = Blueprint("products")


@bp.get("/api/v1/products/<product_id:path>")
@operation("get", "/api/v1/products/{product_id}", summary="A product's filing, production "
           "process, label image, producer, and its batches with their alerts (newest first)",
           tag="products",
           params=[query("limit", "batches per page, 1-100 (default 20)",
                         schema={"type": "integer"}),
                   query("cursor", "next_cursor of the previous page")],
           responses={200: '{"product", "process", "label_image", "producer", "batches", '
                           '"next_cursor"}'},
           errors={400: "product_id_malformed, invalid_limit, invalid_cursor",
                   404: "product_not_found"})
async def product(request, product_id: str):
    today = services(request).clock().astimezone(SHANGHAI).date()
    page = await product_page(path_text(product_id), params=query_params(request), today=today,
                              limits=part(request, TraceService).limits)
    return json(page, ensure_ascii=False, headers={"Cache-Control": "public, max-age=60"})

"""``POST /api/v1/scan/photo``: the codes in a photo of a pack (multipart ``file``), read on
the server for pages that cannot read them themselves."""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.response import json

from accounts.ratelimit import check_rate
from api.http import bearer_session, one_photo, rate_client, refuse_large_photo, services
from api.openapi import operation
from tracing.codes.photo import read_codes

bp = Blueprint("scan_photo")


@bp.post("/api/v1/scan/photo")
@operation("post", "/api/v1/scan/photo", summary="Read the codes in a photo (multipart 'file'); "
           "then scan one with GET /api/v1/scan", tag="scan",
           responses={200: '{"codes": [{"text", "format"}]} (2-D symbols first; empty when '
                           'the photo shows none)'},
           errors={400: "file_required, one_file_only, photo_corrupt, photo_too_many_pixels",
                   413: "photo_too_large", 415: "not_an_image", 429: "rate_limited"})
async def scan_photo(request):
    running = services(request)
    settings = running.settings
    refuse_large_photo(request, max_bytes=settings.upload_max_bytes)
    client = rate_client(request, await bearer_session(request))
    await check_rate(store=running.store, client_key=client, scope="scan_photo",
                     window=settings.scan_rate_window, limit=settings.scan_rate_limit)
    photo = one_photo(request)
    codes = await asyncio.to_thread(read_codes, photo, max_pixels=settings.upload_max_pixels)
    return json({"codes": [c.as_dict() for c in codes]}, headers={"Cache-Control": "no-store"},
                ensure_ascii=False)

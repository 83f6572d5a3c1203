"""``POST /api/v1/scan/photo``: the codes in a photo of a pack (multipart ``file``), read on
the server for pages that cannot read them themselves."""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.response import json

from accounts.ratelimit import check_rate
from api.http import bearer_session, rate_client, services
from api.openapi import operation
from core.errors import InvalidInput, PayloadTooLarge
from core.i18n import T
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
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.upload_max_bytes + 64 * 1024:
        raise PayloadTooLarge(T("照片不能超过 {mb} MB", mb=settings.upload_max_bytes // 1048576),
                              field="file", code="photo_too_large")
    client = rate_client(request, await bearer_session(request))
    await check_rate(store=running.store, client_key=client, scope="scan_photo",
                     window=settings.scan_rate_window, limit=settings.scan_rate_limit)
    files = request.files.getlist("file") if request.files else None
    if not files:
        raise InvalidInput(T("请以 multipart/form-data 的 file 字段上传一张照片"), field="file",
                           code="file_required")
    if len(files) > 1:
        raise InvalidInput(T("每次只能上传一张照片"), field="file", code="one_file_only")
    codes = await asyncio.to_thread(read_codes, files[0].body,
                                    max_pixels=settings.upload_max_pixels)
    return json({"codes": [c.as_dict() for c in codes]}, headers={"Cache-Control": "no-store"},
                ensure_ascii=False)

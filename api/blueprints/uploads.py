"""Photos: ``POST /api/v1/uploads`` (multipart ``file``) and the signed content URL that
WeChat's media check and handlers fetch."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json, raw

from accounts.ratelimit import check_rate
from api.http import one_photo, part, query_params, refuse_large_photo, services
from api.openapi import operation
from api.people import filer_of
from complaints.service import ComplaintService
from complaints.uploads import signed_photo, upload_photo

bp = Blueprint("uploads")


@bp.post("/api/v1/uploads")
@operation("post", "/api/v1/uploads", summary="Upload one photo (multipart field 'file')",
           tag="complaints", responses={201: '{"id", "width", "height", "size"}'},
           errors={400: "file_required, photo_corrupt, photo_too_many_pixels",
                   413: "photo_too_large", 415: "not_an_image", 429: "rate_limited"})
async def upload(request):
    running = services(request)
    settings = running.settings
    refuse_large_photo(request, max_bytes=settings.upload_max_bytes)
    filer = await filer_of(request)
    await check_rate(store=running.store, client_key=filer.client, scope="upload",
                     window=settings.complaint_rate_window,
                     limit=settings.complaint_rate_limit * settings.max_photos)
    photo = one_photo(request)
    answer = await upload_photo(ctx=part(request, ComplaintService).ctx, data=photo,
                                uploader=filer.uploader)
    return json(answer, status=201)


@bp.get("/api/v1/uploads/<photo_id:str>/content")
async def content(request, photo_id: str):
    params = query_params(request)
    data = await signed_photo(ctx=part(request, ComplaintService).ctx, photo_id=photo_id,
                              expires=params.get("expires"), sig=params.get("sig"),
                              thumb=params.get("thumb") == "1")
    return raw(data, content_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})

"""Label images: ``POST /api/v1/exchange/media`` (the regulator's platform, exchange token)
and ``GET /api/v1/media/{sha256}`` (``/thumb`` for the thumbnail)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json, raw

from core.i18n import T
from api.http import part, services
from api.openapi import operation
from api.regulator import require_exchange_token
from core.errors import PayloadTooLarge
from profiles.media import MediaStorage, media_bytes, media_item, receive_image

bp = Blueprint("media")
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}


@bp.post("/api/v1/exchange/media")
@operation("post", "/api/v1/exchange/media", summary="Send a label image (JPEG, PNG or WebP; "
           "the body is the image); a product's label_image is its SHA-256", tag="exchange",
           body={"required": True, "content": {t: {"schema": {"type": "string",
                                                               "format": "binary"}}
                                               for t in ("image/jpeg", "image/png",
                                                         "image/webp")}},
           responses={201: '{"sha256", "content_type", "width", "height", "size", "url", '
                           '"thumb_url"}', 200: "already received (same answer)"},
           errors={400: "image_corrupt, image_too_large", 401: "token_missing, token_invalid, "
                   "exchange_disabled", 413: "payload_too_large",
                   415: "unsupported_media_type, media_type_mismatch"})
async def upload(request):
    require_exchange_token(request)
    settings = request.app.ctx.settings
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.media_max_bytes:
        raise PayloadTooLarge(T("图片超过 {media_max_bytes} 字节",
                                media_max_bytes=settings.media_max_bytes), field="body",
                              code="payload_too_large")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    found, new = await receive_image(
        request.body or b"", content_type, storage=part(request, MediaStorage),
        max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels,
        now=services(request).clock())
    return json(media_item(found), status=201 if new else 200)


@bp.get("/api/v1/media/<digest:str>")
@operation("get", "/api/v1/media/{sha256}", summary="A label image as received",
           tag="products", responses={200: "the image"}, errors={404: "media_not_found"})
async def image(request, digest: str):
    data, content_type = await media_bytes(digest, storage=part(request, MediaStorage),
                                           thumb=False)
    return raw(data, content_type=content_type, headers=IMMUTABLE)


@bp.get("/api/v1/media/<digest:str>/thumb")
@operation("get", "/api/v1/media/{sha256}/thumb", summary="A label image's thumbnail (JPEG, "
           "at most 320 pixels a side)", tag="products", responses={200: "image/jpeg"},
           errors={404: "media_not_found"})
async def thumbnail(request, digest: str):
    data, content_type = await media_bytes(digest, storage=part(request, MediaStorage),
                                           thumb=True)
    return raw(data, content_type=content_type, headers=IMMUTABLE)

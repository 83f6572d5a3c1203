"""Photo uploads: checked and cleaned (``complaints.photos``), stored content-addressed,
recorded unattached until a submission names them; stale ones are removed by a job."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from core.i18n import T
from complaints.context import CaseContext
from complaints.models import Photo
from complaints.photos import process_photo
from core.errors import Forbidden, NotFound


async def upload_photo(*, ctx: CaseContext, data: bytes, uploader: str) -> dict:
    """Check, clean and store one photo; answer its id and size."""
    settings = ctx.settings
    done = await asyncio.to_thread(process_photo, data, max_bytes=settings.upload_max_bytes,
                                   max_pixels=settings.upload_max_pixels)
    await ctx.storage.put(done.sha256, done.data)
    await ctx.storage.put(done.thumb_sha256, done.thumb)
    photo = await Photo.create(id=secrets.token_urlsafe(12), sha256=done.sha256,
                               thumb_sha256=done.thumb_sha256, content_type="image/jpeg",
                               width=done.width, height=done.height, size=len(done.data),
                               uploader=uploader, created_at=ctx.now())
    return {"id": photo.id, "width": done.width, "height": done.height,
            "size": len(done.data), "content_type": "image/jpeg",
            "expires_in": settings.upload_ttl}


def media_signature(key: str, photo_id: str, expires: int) -> str:
    return hmac.new(("media:" + key).encode(), f"{photo_id}:{expires}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def signed_media_path(key: str, photo_id: str, *, ttl: int = 3600) -> str:
    """A path WeChat's media check (or a handler's browser) may fetch without a session."""
    expires = int(time.time()) + ttl
    return (f"/api/v1/uploads/{photo_id}/content?expires={expires}"
            f"&sig={media_signature(key, photo_id, expires)}")


async def signed_photo(*, ctx: CaseContext, photo_id: str, expires: str, sig: str,
                       thumb: bool = False) -> bytes:
    """The bytes behind a signed media path; 403 when the signature is wrong or expired."""
    try:
        until = int(expires)
    except (TypeError, ValueError):
        until = 0
    good = media_signature(ctx.settings.wechat_secret, photo_id, until)
    if until < time.time() or not isinstance(sig, str) or not hmac.compare_digest(sig, good):
        raise Forbidden(T("图片链接无效或已过期"), field="sig", code="bad_signature")
    photo = await Photo.get_or_none(id=photo_id)
    data = photo and await ctx.storage.get(photo.thumb_sha256 if thumb else photo.sha256)
    if not data:
        raise NotFound(T("图片不存在"), field="id", code="photo_not_found")
    return data


async def remove_stale_uploads(*, ctx: CaseContext) -> int:
    """Delete uploads never attached to a case within ``upload_ttl``, and their files when no
    other upload has the same content."""
    cutoff = ctx.now() - timedelta(seconds=ctx.settings.upload_ttl)
    stale = await Photo.filter(complaint_id=None, created_at__lt=cutoff) \
        .values("id", "sha256", "thumb_sha256")
    if not stale:
        return 0
    await Photo.filter(id__in=[p["id"] for p in stale]).delete()
    digests = {d for p in stale for d in (p["sha256"], p["thumb_sha256"])}
    kept = set(await Photo.filter(sha256__in=list(digests)).values_list("sha256", flat=True))
    kept |= set(await Photo.filter(thumb_sha256__in=list(digests))
                .values_list("thumb_sha256", flat=True))
    for digest in digests - kept:
        await ctx.storage.delete(digest)
    return len(stale)

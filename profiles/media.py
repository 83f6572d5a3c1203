"""Label images sent by the regulator's platform (``POST /api/v1/exchange/media``): checked
with Pillow, thumbnailed, stored by the SHA-256 of their bytes (a product's ``label_image``
names that digest).

Checks, before anything is stored: at most ``settings.media_max_bytes``; JPEG, PNG or WebP,
and the bytes must be what the Content-Type says; at most ``settings.media_max_pixels``
(read from the header, before decoding: no decompression bomb is ever decoded); the whole
image decodes. The thumbnail (at most 320 pixels a side, orientation applied, JPEG, no
metadata) is stored the same way. Sending the same image twice stores it once.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps
from tortoise.exceptions import IntegrityError

from core.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from core.i18n import T
from profiles.models import MediaFile

TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
THUMB_SIDE = 320


class MediaStorage(ABC):
    """Where image bytes live, by their SHA-256."""

    @abstractmethod
    def put(self, digest: str, data: bytes) -> None:
        """Store ``data`` under ``digest`` (idempotent)."""

    @abstractmethod
    def get(self, digest: str) -> bytes | None:
        """The bytes stored under ``digest``, or None."""


class LocalMediaStorage(MediaStorage):
    """Files under a directory: ``ab/abcdef...`` (atomic writes)."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, digest: str, data: bytes) -> None:
        path = self._path(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def get(self, digest: str) -> bytes | None:
        path = self._path(digest)
        return path.read_bytes() if path.exists() else None


@dataclass(frozen=True)
class Checked:
    content_type: str
    width: int
    height: int
    thumbnail: bytes


def check_image(data: bytes, content_type: str, *, max_bytes: int, max_pixels: int) -> Checked:
    """Check an image (see the module docstring) and make its thumbnail; CPU-bound."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(T("图片超过 {max_bytes} 字节",
                                max_bytes=max_bytes), field="body", code="payload_too_large")
    if content_type not in TYPES:
        raise UnsupportedMediaType(T("只接受 {join} 图片", join='、'.join(TYPES)), field="Content-Type",
                                   code="unsupported_media_type")
    if not data:
        raise InvalidInput(T("请求体为空"), field="body", code="image_corrupt")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != TYPES[content_type]:
                raise UnsupportedMediaType(
                    T("图片内容是 {value}，与 Content-Type {content_type} 不符",
                      value=image.format or '未知格式', content_type=content_type),
                    field="Content-Type", code="media_type_mismatch")
            width, height = image.size
            if width * height > max_pixels:
                raise InvalidInput(T("图片有 {width}×{height} 像素，最多 {max_pixels} 像素",
                                     width=width, height=height, max_pixels=max_pixels),
                                   field="body", code="image_too_large")
            image.load()  # decodes every byte: a truncated or corrupt file fails here
            return Checked(content_type, width, height, _thumbnail(image))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise InvalidInput(T("图片无法解码：{error}",
                             error=error), field="body", code="image_corrupt") from None


def _thumbnail(image: Image.Image) -> bytes:
    small = ImageOps.exif_transpose(image)
    small.thumbnail((THUMB_SIDE, THUMB_SIDE))
    if small.mode not in ("RGB", "L"):
        background = Image.new("RGB", small.size, "white")
        rgba = small.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        small = background
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


async def receive_image(data: bytes, content_type: str, *, storage: MediaStorage,
                        max_bytes: int, max_pixels: int, now: datetime
                        ) -> tuple[MediaFile, bool]:
    """Check and store an image; (its record, whether it was new)."""
    digest = hashlib.sha256(data).hexdigest()
    known = await MediaFile.get_or_none(sha256=digest)
    if known is not None:
        return known, False
    checked = await asyncio.to_thread(check_image, data, content_type, max_bytes=max_bytes,
                                      max_pixels=max_pixels)
    thumb = hashlib.sha256(checked.thumbnail).hexdigest()
    await asyncio.to_thread(storage.put, digest, data)
    await asyncio.to_thread(storage.put, thumb, checked.thumbnail)
    try:
        found = await MediaFile.create(
            sha256=digest, content_type=checked.content_type, width=checked.width,
            height=checked.height, size=len(data), thumb_sha256=thumb, received_at=now)
        return found, True
    except IntegrityError:  # the same image, sent twice at once
        return await MediaFile.get(sha256=digest), False


def media_item(found: MediaFile) -> dict:
    return {"sha256": found.sha256, "content_type": found.content_type, "width": found.width,
            "height": found.height, "size": found.size,
            "url": f"/api/v1/media/{found.sha256}",
            "thumb_url": f"/api/v1/media/{found.sha256}/thumb"}


async def media_bytes(digest: str, *, storage: MediaStorage, thumb: bool) -> tuple[bytes, str]:
    """(bytes, content type) of a stored image or its thumbnail; 404 when unknown."""
    found = await MediaFile.get_or_none(sha256=digest.lower()) if len(digest) == 64 else None
    data = None
    if found is not None:
        data = await asyncio.to_thread(storage.get, found.thumb_sha256 if thumb else found.sha256)
    if data is None:
        raise NotFound(T("没有图片 {digest}", digest=digest), field="sha256", code="media_not_found")
    return data, "image/jpeg" if thumb else found.content_type

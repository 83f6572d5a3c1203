"""Codes to print: a mini-program code (WeChat ``getwxacodeunlimit``, scene = the code) and a
plain QR code of the same URL as a fallback, both PNG, both cached on disk.

What a code names: with a batch, the batch's trace code (its first active code, batch level
first) and the URL ``<public base URL>/t/<code>`` that phones outside WeChat open; without
one, the enterprise's own code (主体码), scene = its credit code, URL ``/e/<credit code>``.

A mini-program code is made once per (app, page, width, scene) and kept: WeChat limits how
often it may be asked and the image never changes. When WeChat answers an error the request
fails with 502 naming WeChat's code (``wechat_errcode``) and the fallback's address; the
fallback needs nothing from WeChat.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image

from core.errors import DomainError, InvalidInput, NotFound, UpstreamError
from core.i18n import T
from profiles import sql
from profiles.profile_rows import enterprise_row
from profiles.service import code_url

SCENE_RE = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$")  # WeChat's scene rule
WIDTHS = (280, 1280)
SCALES = (1, 40)


@dataclass(frozen=True)
class Target:
    """What a printed code opens: the scene of a mini-program code, the URL of a QR code."""

    scene: str
    url: str


async def target(settings, *, uscc: str, batch_id: str | None) -> Target:
    """The enterprise's own code, or the trace code of one of its batches."""
    await enterprise_row(uscc)
    if not batch_id:
        return Target(uscc, code_url(settings, uscc))
    found = await sql.rows(
        "SELECT c.code FROM batch b JOIN product p ON p.product_id = b.product_id "
        "JOIN trace_code c ON c.batch_id = b.batch_id "
        "WHERE b.batch_id = ? AND p.enterprise_uscc = ? AND c.status = 'active' "
        "ORDER BY CASE c.level WHEN 'batch' THEN 0 WHEN 'case' THEN 1 ELSE 2 END, c.code "
        "LIMIT 1", [batch_id, uscc])
    if not found:
        raise NotFound(T("该企业没有带追溯码的批次 {batch_id}", batch_id=batch_id), field="batch",
                       code="batch_not_found")
    code = found[0]["code"]
    return Target(code, f"{settings.public_base_url}/t/{code}")


def number(raw: str | None, field: str, bounds: tuple[int, int], default: int) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not bounds[0] <= int(raw) <= bounds[1]:
        raise InvalidInput(T("{field} 须为 {value}–{value2} 的整数",
                             field=field, value=bounds[0], value2=bounds[1]), field=field,
                           code=f"invalid_{field}")
    return int(raw)


class PrintedCodes:
    """Makes and caches the PNGs under ``<data dir>/printed``."""

    def __init__(self, directory: Path, *, appid: str, page: str):
        self.directory = directory
        self.appid = appid
        self.page = page

    def _path(self, *key: object) -> Path:
        digest = hashlib.sha256("\x1f".join(map(str, key)).encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.png"

    async def qr_png(self, url: str, *, scale: int = 8) -> bytes:
        """A plain QR code of ``url`` (error correction M, quiet zone of 4 modules)."""
        path = self._path("qr", url, scale)
        if path.exists():
            return path.read_bytes()
        out = io.BytesIO()
        segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
        return _keep(path, out.getvalue())

    async def wxa_png(self, gateway, scene: str, *, width: int, fallback: str) -> bytes:
        """The mini-program code of ``scene`` (made by WeChat once, then from the cache)."""
        if not SCENE_RE.match(scene):
            raise InvalidInput(T("该追溯码超过 32 个字符或含有小程序码不支持的字符，无法生成小程序码；请使用普通二维码：{fallback}",
                                 fallback=fallback), field="batch",
                               code="scene_unsupported")
        path = self._path("wxa", self.appid, self.page, width, scene)
        if path.exists():
            return path.read_bytes()
        try:
            image = await gateway.wxa_code(scene=scene, page=self.page, width=width)
        except DomainError as error:
            raise WeChatCodeFailed(getattr(error, "wechat_errcode", None), fallback) from error
        return _keep(path, await asyncio.to_thread(as_png, image))


class WeChatCodeFailed(UpstreamError):
    """WeChat did not make the mini-program code (502); says WeChat's code and the fallback."""

    def __init__(self, errcode: int | None, fallback: str):
        said = T("（微信错误码 {errcode}）", errcode=errcode) if errcode is not None \
            else T("（微信无响应）")
        super().__init__(T("微信未能生成小程序码{said}，请稍后再试；可先使用普通二维码：{fallback}",
                           said=said, fallback=fallback),
                         field=None,
                         code="wechat_error" if errcode is not None else "wechat_unavailable")
        self.details = {"wechat_errcode": errcode, "fallback": fallback}


def as_png(data: bytes) -> bytes:
    """WeChat's image as PNG (it sends JPEG unless asked for a transparent PNG)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format == "PNG":
                image.verify()
                return data
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG", optimize=True)
            return out.getvalue()
    except (OSError, SyntaxError, ValueError) as error:
        raise UpstreamError(T("微信返回的小程序码不是有效图片"), code="wechat_unavailable") \
            from error


def _keep(path: Path, data: bytes) -> bytes:
    """Write ``data`` to ``path`` atomically (two workers may make the same code)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return data

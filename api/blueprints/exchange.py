"""``POST /api/v1/exchange``: the regulator's platform pushes NDJSON records (streamed)."""

from __future__ import annotations

import hmac
import tempfile
import zlib

from sanic import Blueprint
from sanic.response import json

from core.i18n import T
from api.http import bearer_token, part, services
from api.openapi import operation
from core.errors import InvalidInput, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from tracing.exchange.extensions import ExchangeExtensions
from tracing.exchange.importer import ExchangeImporter
from tracing.exchange.lines import file_lines, split_lines

bp = Blueprint("exchange")
NDJSON = "application/x-ndjson"
ENCODINGS = {"identity": False, "gzip": True, "x-gzip": True}  # Content-Encoding: gzipped?
GZIP = 16 + zlib.MAX_WBITS  # zlib's window bits for the gzip format


def _authorise(request) -> None:
    expected = request.app.ctx.settings.exchange_token
    if not expected:
        raise Unauthorized(T("数据交换未开启：未设置 GONGZHI_EXCHANGE_TOKEN"),
                           field="Authorization", code="exchange_disabled")
    token = bearer_token(request)
    if token is None:
        raise Unauthorized(T("请提供数据交换令牌（Authorization: Bearer <令牌>）"), field="Authorization",
                           code="token_missing")
    # Header bytes that are not UTF-8 arrive as surrogate escapes: compare the bytes sent.
    if not hmac.compare_digest(token.encode("utf-8", "surrogateescape"), expected.encode()):
        raise Unauthorized(T("数据交换令牌错误"), field="Authorization",
                           code="token_invalid")


def _check_body(request) -> bool:
    """Check the media type, the encoding and the announced size; True when gzip."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != NDJSON:
        raise UnsupportedMediaType(T("请以 Content-Type: {NDJSON} 发送",
                                     NDJSON=NDJSON), field="Content-Type",
                                   code="unsupported_media_type")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ENCODINGS:
        raise UnsupportedMediaType(T("只接受 Content-Encoding: gzip（或不压缩）"),
                                   field="Content-Encoding", code="unsupported_encoding")
    length = request.headers.get("content-length")
    limit = request.app.ctx.settings.max_body_bytes
    if length is not None and length.isdigit() and int(length) > limit:
        _too_large(request, limit)
    return ENCODINGS[encoding]


def _too_large(request, limit: int, *, unpacked: bool = False):
    """Refuse the body and close the connection after the answer."""
    if request.stream is not None:
        request.stream.keep_alive = False
    what = T("解压后的请求体") if unpacked else T("请求体")
    raise PayloadTooLarge(T("{what}超过 {limit} 字节；请拆分文件后分批发送", what=what, limit=limit), field="body",
                          code="payload_too_large")


async def _drain(request) -> None:
    """Read the rest of the body (Sanic stops at REQUEST_MAX_SIZE, twice the limit) so the
    client, still sending, gets to read the answer."""
    try:
        while await request.stream.read() is not None:
            pass
    except Exception:  # noqa: BLE001 - over Sanic's own cap: the connection drops
        pass


async def _chunks(request, limit: int):
    received = 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return
        received += len(chunk)
        if received > limit:
            await _drain(request)
            _too_large(request, limit)
        yield chunk


async def _gunzip(chunks, request, limit: int):
    """The decompressed bytes of a gzip body (members one after another), at most ``limit``
    of them (a gzip bomb is a 413), in pieces of at most 64 KiB."""
    inflater, started, unpacked = zlib.decompressobj(GZIP), False, 0
    async for data in chunks:
        while data:
            started = True
            try:
                piece = inflater.decompress(data, 1 << 16)
            except zlib.error:
                await _drain(request)
                raise _bad_gzip() from None
            unpacked += len(piece)
            if unpacked > limit:
                await _drain(request)
                _too_large(request, limit, unpacked=True)
            if piece:
                yield piece
            if inflater.eof:  # another member may follow
                data, inflater, started = inflater.unused_data, zlib.decompressobj(GZIP), False
            else:
                data = inflater.unconsumed_tail
    if started:  # the last member stopped short
        raise _bad_gzip()


def _bad_gzip() -> InvalidInput:
    return InvalidInput(T("请求体不是完整有效的 gzip 数据"), field="body", code="invalid_gzip")


@bp.post("/api/v1/exchange", stream=True)
@operation("post", "/api/v1/exchange",
           summary="Import exchange records (NDJSON, docs/exchange.md v1.1)",
           tag="exchange",
           body={"required": True, "content": {NDJSON: {"schema": {"type": "string"}}}},
           responses={200: '{"accepted": N, "rejected": [{line, field, code, message}], '
                            '"warnings": [{line, field, code, message}]}'},
           errors={400: "invalid_gzip",
                   401: "token_missing, token_invalid, exchange_disabled",
                   413: "payload_too_large (also after decompression)",
                   415: "unsupported_media_type, unsupported_encoding"})
async def exchange(request):
    _authorise(request)
    gzipped = _check_body(request)
    running = services(request)
    importer = ExchangeImporter(on_commit=running.changes_committed, clock=running.clock,
                                extensions=part(request, ExchangeExtensions))
    limit = request.app.ctx.settings.max_body_bytes
    chunks = _chunks(request, limit)
    if gzipped:
        chunks = _gunzip(chunks, request, limit)
    if gzipped or request.headers.get("content-length") is None:
        # A body of unknown (decompressed) size: spool it to disk first, so a body over the
        # limit, or a broken gzip stream, is refused before a single record is stored.
        with tempfile.TemporaryFile() as spool:
            async for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            result = await importer.run(file_lines(spool))
    else:
        result = await importer.run(split_lines(chunks))
    return json(result.as_dict(), ensure_ascii=False)

"""``POST /api/v1/exchange``: the regulator's platform pushes NDJSON records (streamed)."""

from __future__ import annotations

import hmac
import tempfile

from sanic import Blueprint
from sanic.response import json

from api.http import bearer_token, services
from api.openapi import operation
from core.errors import PayloadTooLarge, Unauthorized, UnsupportedMediaType
from tracing.exchange.importer import ExchangeImporter
from tracing.exchange.lines import file_lines, split_lines

bp = Blueprint("exchange")
NDJSON = "application/x-ndjson"


def _authorise(request) -> None:
    expected = request.app.ctx.settings.exchange_token
    if not expected:
        raise Unauthorized("the exchange is disabled: GONGZHI_EXCHANGE_TOKEN is not set",
                           field="Authorization", code="exchange_disabled")
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("send Authorization: Bearer <exchange token>", field="Authorization",
                           code="token_missing")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized("the exchange token is wrong", field="Authorization",
                           code="token_invalid")


def _check_body(request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != NDJSON:
        raise UnsupportedMediaType(f"send Content-Type: {NDJSON}", field="Content-Type",
                                   code="unsupported_media_type")
    length = request.headers.get("content-length")
    limit = request.app.ctx.settings.max_body_bytes
    if length is not None and length.isdigit() and int(length) > limit:
        _too_large(request, limit)


def _too_large(request, limit: int):
    """Refuse the body and close the connection after the answer."""
    if request.stream is not None:
        request.stream.keep_alive = False
    raise PayloadTooLarge(f"the body is larger than {limit} bytes; split the file",
                          field="body", code="payload_too_large")


async def _chunks(request, limit: int):
    received = 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return
        received += len(chunk)
        if received > limit:
            # Read the rest (Sanic stops at REQUEST_MAX_SIZE, twice the limit) so the client,
            # still sending, gets to read the 413.
            try:
                while await request.stream.read() is not None:
                    pass
            except Exception:  # noqa: BLE001 - over Sanic's own cap: the connection drops
                pass
            _too_large(request, limit)
        yield chunk


@bp.post("/api/v1/exchange", stream=True)
@operation("post", "/api/v1/exchange",
           summary="Import exchange records (NDJSON, docs/exchange.md v1.1)",
           tag="exchange",
           body={"required": True, "content": {NDJSON: {"schema": {"type": "string"}}}},
           responses={200: '{"accepted": N, "rejected": [{line, field, code, message}], '
                           '"warnings": [{line, field, code, message}]}'},
           errors={401: "token_missing, token_invalid, exchange_disabled",
                   413: "payload_too_large", 415: "unsupported_media_type"})
async def exchange(request):
    _authorise(request)
    _check_body(request)
    running = services(request)
    importer = ExchangeImporter(on_commit=running.changes_committed, clock=running.clock)
    chunks = _chunks(request, request.app.ctx.settings.max_body_bytes)
    if request.headers.get("content-length") is None:
        # Chunked body of unknown size: spool it to disk first, so a body over the limit is
        # refused before a single record is stored.
        with tempfile.TemporaryFile() as spool:
            async for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            result = await importer.run(file_lines(spool))
    else:
        result = await importer.run(split_lines(chunks))
    return json(result.as_dict(), ensure_ascii=False)

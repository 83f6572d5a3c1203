"""Request helpers every blueprint may use: the bearer token, the session, the client, the
query string and the running services. Blueprints import these, never each other."""

from __future__ import annotations

import functools
from typing import TypeVar
from urllib.parse import parse_qsl, unquote

from accounts.ratelimit import client_key
from api.language import language  # noqa: F401  (blueprints take it from here)
from accounts.sessions import Session, resolve_token, token_hash
from core.errors import InvalidInput, PayloadTooLarge
from core.i18n import T
from core.kv import KeyValueStore, StoreUnavailable
from core.services import Services

R = TypeVar("R")


def services(request) -> Services:
    """The running services of the app serving ``request``."""
    return request.app.ctx.services


def part(request, kind: type[R]) -> R:
    """The running part registered for ``kind`` (e.g. ``TraceService``)."""
    return request.app.ctx.services.get(kind)


def bearer_token(request) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None when there is none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def bearer_session(request, *, strict: bool = False) -> Session | None:
    """The live session of the request's bearer token, or None.

    Sessions live only in the shared store (Redis). While it does not answer a token cannot
    be checked: the request is served as anonymous (a scan still answers, counted against
    the client's address), or, when ``strict`` (the session endpoints),
    :class:`~core.kv.StoreUnavailable` is raised (503 ``sessions_unavailable``).
    """
    token = bearer_token(request)
    if token is None:
        return None
    try:
        return await resolve_token(token=token, store=request.app.ctx.services.store.shared)
    except StoreUnavailable:
        if strict:
            raise
        return None


def session_store(request) -> KeyValueStore:
    """The store sessions are written to; :class:`~core.kv.StoreUnavailable` at once while
    it is known to be down (before a login spends the user's WeChat code)."""
    store = request.app.ctx.services.store
    if store.degraded:
        raise StoreUnavailable(f"{store.name} does not answer")
    return store.shared


def client_ip(request) -> str:
    """The peer address; behind ``GONGZHI_PROXIES_COUNT`` trusted proxies, their report."""
    return request.remote_addr or request.ip or ""


def rate_client(request, session: Session | None) -> str:
    """Who a request counts against: a live session's token, else the client address."""
    return client_key(token_hash(session.token) if session else None, client_ip(request))


def query_params(request) -> dict[str, str]:
    """The query string as text; invalid UTF-8 (raw or percent-encoded) is a 400, not a 500.
    The dict is shared between requests with the same query: read it, never change it."""
    url = request.raw_url or b""
    query = url.partition(b"?")[2].partition(b"#")[0]
    return _parse_query(query) if len(query) <= 512 else _parse_query.__wrapped__(query)


@functools.lru_cache(maxsize=4096)
def _parse_query(query: bytes) -> dict[str, str]:
    """:func:`query_params` of one query string (cached: kiosks repeat theirs)."""
    try:
        text = query.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=50)
    except UnicodeDecodeError:
        raise InvalidInput(T("查询字符串不是有效的 UTF-8"), field="code",
                           code="code_malformed") from None
    except ValueError:
        raise InvalidInput(T("查询字符串的参数过多"), field="query",
                           code="query_malformed") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def path_text(segment: str) -> str:
    """A path parameter as text: percent-encoding undone (Sanic leaves it in place unless a
    route asks, and then not on every path); bytes that are no UTF-8 become U+FFFD, which
    every identifier check refuses."""
    return unquote(segment, errors="replace") if "%" in segment else segment


def refuse_large_photo(request, *, max_bytes: int) -> None:
    """413 when a photo upload declares a length over ``max_bytes`` (with room for the
    multipart envelope)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        raise PayloadTooLarge(T("照片不能超过 {mb} MB", mb=max_bytes // 1048576),
                              field="file", code="photo_too_large")


def one_photo(request) -> bytes:
    """The one photo of a multipart ``file`` field (400 when there is none or several)."""
    files = request.files.getlist("file") if request.files else None
    if not files:
        raise InvalidInput(T("请以 multipart/form-data 的 file 字段上传一张照片"), field="file",
                           code="file_required")
    if len(files) > 1:
        raise InvalidInput(T("每次只能上传一张照片"), field="file", code="one_file_only")
    return files[0].body

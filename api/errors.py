"""The one place where errors become HTTP answers: ``{"error": {"code", "message", "field"}}``,
plus ``"rule"`` (stable, e.g. ``gs1_check_digit``) when the error names the rule a scanned
code breaks, and the error's ``details`` (e.g. ``wechat_errcode``) when it has any.

The ``code`` is the same in every language; the ``message`` is a ``core.i18n.Text``, rendered
in the request's language by the app's JSON encoder (:mod:`api.language`). Sanic's own
errors (404, 405, 413...) say their message in Chinese too (:func:`sanic_message`)."""

from __future__ import annotations

import logging

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import JSONResponse, json

from core import errors
from core.i18n import T
from core.kv import StoreUnavailable

log = logging.getLogger("gongzhi.api")

STATUS = {
    errors.InvalidInput: 400, errors.Unauthorized: 401, errors.Forbidden: 403, errors.NotFound: 404,
    errors.Conflict: 409, errors.Gone: 410, errors.PayloadTooLarge: 413, errors.UnsupportedMediaType: 415,
    errors.RateLimited: 429, errors.UpstreamError: 502,
}
SANIC_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
               408: "request_timeout", 411: "length_required", 413: "payload_too_large",
               416: "range_not_satisfiable", 503: "service_unavailable"}


SESSIONS_UNAVAILABLE = T("登录服务暂时不可用（会话存储无法连接），请稍后再试；扫码查询不受影响")


def sanic_message(status: int, request: Request) -> str:
    """The sentence for an error Sanic raises itself (its own text is English)."""
    if status == 404:
        return T("找不到网址 {path}", path=request.path)
    if status == 405:
        return T("网址 {path} 不接受 {method} 请求", path=request.path, method=request.method)
    return {400: T("请求格式不正确"), 408: T("请求超时，请重试"),
            411: T("请求须带 Content-Length"), 413: T("请求体过大"),
            416: T("请求的范围无效"), 503: T("服务暂时不可用，请稍后再试")}.get(
        status, T("请求无法处理（HTTP {status}）", status=status))


def status_of(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict | None = None, rule: str | None = None,
                   details: dict | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "field": field}}
    if rule is not None:
        body["error"]["rule"] = rule
    if details:
        body["error"].update({k: v for k, v in details.items() if k not in body["error"]})
    return json(body, status=status, headers=headers, ensure_ascii=False)


def install(app: Sanic) -> None:
    """Register the handlers that translate every exception into the error body."""

    @app.exception(errors.DomainError)
    async def domain_error(request: Request, error: errors.DomainError):
        headers = None
        if isinstance(error, errors.RateLimited):
            headers = {"Retry-After": str(max(1, int(error.retry_after)))}
        return error_response(status_of(error), error.code, error.message, error.field,
                              headers, getattr(error, "rule", None),
                              getattr(error, "details", None))

    @app.exception(StoreUnavailable)
    async def store_unavailable(request: Request, error: StoreUnavailable):
        # Only sessions use the shared store without falling back (core.failover).
        return error_response(503, "sessions_unavailable", SESSIONS_UNAVAILABLE,
                              "Authorization", {"Retry-After": "5"})

    @app.exception(SanicException)
    async def sanic_error(request: Request, error: SanicException):
        status = getattr(error, "status_code", 500) or 500
        code = SANIC_CODES.get(status, "http_error")
        message = sanic_message(status, request)
        return error_response(status, code, message, None, getattr(error, "headers", None))

    @app.exception(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", T("服务器内部错误（已记入日志），请稍后再试"))

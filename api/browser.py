"""What browsers are told on every answer: security headers and the CORS policy.

Every answer carries ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``
and, against framing, ``X-Frame-Options: DENY`` with ``Content-Security-Policy:
frame-ancestors 'none'``; ``Strict-Transport-Security`` only when served over https (the
request, as the trusted proxy reports it, or ``GONGZHI_PUBLIC_BASE_URL``).

CORS: the public endpoints (scan, search, health, the session endpoints, which work with a
bearer token, never a cookie) answer pages of the origins in ``GONGZHI_CORS_ORIGINS``
(default ``*``: any page may read public facts; a list: only those, echoed with
``Vary: Origin``). No answer allows credentials. Every path answers ``OPTIONS``: a preflight
from an allowed origin gets 204 with the path's methods and the headers the API reads; the
exchange (machine to machine, with a secret token) is never open to browsers: its preflight
is 403 ``cors_not_allowed`` and its answers carry no CORS header.
"""

from __future__ import annotations

from collections import defaultdict

from sanic import Sanic
from sanic.response import empty

from core.errors import Forbidden
from core.settings import Settings

SECURITY = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"), ("Content-Security-Policy", "frame-ancestors 'none'"))
HSTS = ("Strict-Transport-Security", "max-age=31536000")
CLOSED = frozenset({"/api/v1/exchange"})  # paths never open to browsers
ALLOW_HEADERS = "Authorization, Content-Type, X-Gongzhi-Channel, X-Gongzhi-Kiosk"
EXPOSE_HEADERS = "Retry-After"
MAX_AGE = "86400"


class BrowserPolicy:
    """The headers for one app's answers, from its settings."""

    def __init__(self, settings: Settings):
        self.any_origin = "*" in settings.cors_origins
        self.origins = frozenset(settings.cors_origins)
        self.https = settings.public_base_url.startswith("https://")

    def allow_origin(self, origin: str) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for ``origin``, or None."""
        if self.any_origin:
            return "*"
        return origin if origin in self.origins else None

    def on_response(self, request, response) -> None:
        headers = response.headers
        headers.extend(SECURITY)
        if self.https or request.scheme == "https":
            headers.extend((HSTS,))
        origin = request.headers.get("origin")
        if origin is None or request.path in CLOSED or "access-control-allow-origin" in headers:
            return  # (a preflight's answer has its CORS headers already)
        allowed = self.allow_origin(origin)
        if allowed is None:
            return
        headers["Access-Control-Allow-Origin"] = allowed
        headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        if allowed != "*":
            headers.add("Vary", "Origin")

    def preflight_handler(self, uri: str, methods: set[str]):
        """The ``OPTIONS`` handler of ``uri`` (whose routes answer ``methods``)."""
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        closed = uri in CLOSED

        async def preflight(request, *args, **kwargs):
            origin = request.headers.get("origin")
            if origin is None:  # not a browser's preflight: say what the path answers
                return empty(status=204, headers={"Allow": allow})
            allowed = None if closed else self.allow_origin(origin)
            if allowed is None:
                raise Forbidden("该接口不对此来源的网页开放跨域访问" if not closed else
                                "数据交换接口不对浏览器开放", field="Origin",
                                code="cors_not_allowed")
            headers = {"Allow": allow, "Access-Control-Allow-Origin": allowed,
                       "Access-Control-Allow-Methods": allow,
                       "Access-Control-Allow-Headers": ALLOW_HEADERS,
                       "Access-Control-Max-Age": MAX_AGE}
            if allowed != "*":
                headers["Vary"] = "Origin"
            return empty(status=204, headers=headers)

        return preflight


def install(app: Sanic, settings: Settings) -> None:
    """Add the headers to every answer and an ``OPTIONS`` route to every path (call after
    every blueprint is registered)."""
    policy = BrowserPolicy(settings)
    methods: dict[str, set[str]] = defaultdict(set)
    for route in app.router.routes:
        methods[route.uri] |= set(route.methods)
    for number, (uri, answered) in enumerate(sorted(methods.items())):
        if "OPTIONS" not in answered:
            app.add_route(policy.preflight_handler(uri, answered), uri, methods=["OPTIONS"],
                          name=f"preflight_{number}")

    @app.on_response
    async def browser_headers(request, response) -> None:
        policy.on_response(request, response)

"""What browsers are told on every answer: security headers and the CORS policy.

Every answer carries ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
no-referrer``; an HTML page also ``X-Frame-Options: DENY`` with ``Content-Security-Policy:
frame-ancestors 'none'`` (a JSON answer is not a page to frame), unless it carries a policy of
its own (the H5 pages, ``api/blueprints/h5.py``: their policy says ``frame-ancestors`` too);
``Strict-Transport-Security`` only when served over https: ``GONGZHI_PUBLIC_BASE_URL`` says
https, or the request does as the trusted proxies report it (Sanic serves no TLS itself).
The app's request class (:class:`BrowserRequest`) adds them to every answer, handlers' and
errors' alike; the scan answer has them encoded once per process (:class:`SecuredResponse`):
a response middleware and Sanic's per-header encoding cost about a tenth of a cached scan.

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
from itertools import chain

from sanic import Request, Sanic
from sanic.response import HTTPResponse, empty
from sanic.response.types import BaseHTTPResponse

from api.language import CURRENT, HEADERS, language
from core.errors import Forbidden
from core.i18n import T
from core.settings import Settings

SECURITY = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))
FRAMING = (("X-Frame-Options", "DENY"), ("Content-Security-Policy", "frame-ancestors 'none'"))
HSTS = ("Strict-Transport-Security", "max-age=31536000")
CLOSED = frozenset({"/api/v1/exchange"})  # paths never open to browsers
ALLOW_HEADERS = ("Authorization, Content-Type, X-Gongzhi-Channel, X-Gongzhi-Kiosk, "
                 "X-Gongzhi-Kiosk-Key, Idempotency-Key, X-Follow-Secret")
EXPOSE_HEADERS = "Retry-After"
MAX_AGE = "86400"


class SecuredResponse(HTTPResponse):
    """An answer carrying the security headers encoded once per process rather than once
    per answer (Sanic sanitises and encodes every header of every answer: microseconds a
    scan). Made by :meth:`BrowserPolicy.secured`; the response middleware leaves it be."""

    __slots__ = ()
    encoded: tuple[tuple[bytes, bytes], ...] = ()

    @property
    def processed_headers(self):
        return chain(BaseHTTPResponse.processed_headers.fget(self), self.encoded)


class BrowserPolicy:
    """The headers for one app's answers, from its settings."""

    def __init__(self, settings: Settings):
        self.any_origin = "*" in settings.cors_origins
        self.origins = frozenset(settings.cors_origins)
        https = settings.public_base_url.startswith("https://")
        self.always = SECURITY + ((HSTS,) if https else ())
        self.ask_proxy = not https and settings.proxies_count > 0
        self._secured = {
            lang: type("SecuredResponse", (SecuredResponse,), {
                "__slots__": (),
                "encoded": tuple((k.encode(), v.encode()) for k, v in self.always + said)})
            for lang, said in HEADERS.items()}

    def secured(self, body: bytes, *, content_type: str, headers: dict,
                lang: str = "zh") -> HTTPResponse:
        """A plain answer with the security and language headers already in (the scan
        path)."""
        return self._secured[lang](body, headers=headers, content_type=content_type)

    def allow_origin(self, origin: str) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for ``origin``, or None."""
        if self.any_origin:
            return "*"
        return origin if origin in self.origins else None

    def on_response(self, request, response) -> None:
        headers = response.headers
        if not isinstance(response, SecuredResponse):
            headers.extend(self.always)
            if response.content_type and "json" in response.content_type:
                headers.extend(HEADERS[CURRENT.get()])
        if self.ask_proxy and request.scheme == "https":
            headers.extend((HSTS,))
        content_type = response.content_type
        if content_type and content_type.startswith("text/html"):  # a page's own CSP stays
            headers.extend(FRAMING[:1] if "content-security-policy" in headers else FRAMING)
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
                raise Forbidden(T("该接口不对此来源的网页开放跨域访问") if not closed else
                                T("数据交换接口不对浏览器开放"), field="Origin",
                                code="cors_not_allowed")
            headers = {"Allow": allow, "Access-Control-Allow-Origin": allowed,
                       "Access-Control-Allow-Methods": allow,
                       "Access-Control-Allow-Headers": ALLOW_HEADERS,
                       "Access-Control-Max-Age": MAX_AGE}
            if allowed != "*":
                headers["Vary"] = "Origin"
            return empty(status=204, headers=headers)

        return preflight


class BrowserRequest(Request):
    """Sanic's request, adding the policy's headers to every answer it is given (handlers'
    and errors' alike): cheaper than a response middleware on the scan path."""

    __slots__ = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CURRENT.set(language(self))  # the answer's language (api.language)

    async def respond(self, response=None, *, status: int = 200, headers=None,
                      content_type: str | None = None):
        if response is None:
            response = HTTPResponse(status=status, headers=headers, content_type=content_type)
        self.app.ctx.browser.on_response(self, response)
        return await super().respond(response)


def install(app: Sanic, settings: Settings) -> None:
    """Have every answer carry the headers (the app is made with ``BrowserRequest``) and
    add an ``OPTIONS`` route to every path (call after every blueprint is registered)."""
    policy = app.ctx.browser = BrowserPolicy(settings)
    methods: dict[str, set[str]] = defaultdict(set)
    for route in app.router.routes:
        methods[route.uri] |= set(route.methods)
    for number, (uri, answered) in enumerate(sorted(methods.items())):
        if "OPTIONS" not in answered:
            app.add_route(policy.preflight_handler(uri, answered), uri, methods=["OPTIONS"],
                          name=f"preflight_{number}")

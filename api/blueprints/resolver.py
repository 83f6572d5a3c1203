"""The printed code lands on a page: this host is a GS1-Conformant resolver (1.2) for the
platform's trace URLs (``/t/<code>``), GS1 Digital Links (``/01/<gtin>[/22/..][/10/<lot>]
[/21/<serial>]``, qualifiers in GS1's order, AI attributes in the query) and enterprises' own
codes (``/e/<credit code>``), plus the resolver description ``/.well-known/gs1resolver``.

By what the client asks (``tracing.links.wanted``): a browser or ``*/*`` gets 307 to the
default link (the H5 page; inside WeChat's browser with ``wechat=1``); ``?linkType=linkset``
(or 1.0's ``all``) or ``Accept: application/linkset+json`` the linkset; ``Accept:
application/json`` the scan answer (as ``/api/v1/scan``); ``?linkType=gs1:xxx`` 307 to that
link, or 404 ``link_type_not_found`` naming the linkset. Every answer names the links in its
``Link`` header. Other query parameters are handed on to the target. Errors come back as the
client asks: a short Chinese page for a browser, the error JSON otherwise.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, quote

from sanic import Blueprint
from sanic.response import HTTPResponse, html, json, redirect

from api.errors import status_of
from api.http import bearer_session, part, query_params, rate_client
from api.language import CURRENT, TAGS
from api.openapi import operation, query
from core.errors import DomainError, NotFound, RateLimited
from core.i18n import T, translate
from tracing import links as L
from tracing.scans.client import scan_client
from tracing.service import Found, TraceService

bp = Blueprint("resolver")
METHODS = ["GET", "HEAD"]
NO_STORE = {"Cache-Control": "no-store"}
LINK_TYPE = query("linkType", "a GS1 link type (gs1:pip, gs1:traceability, gs1:support, "
                  "gs1:recallStatus), or linkset (all) for the whole linkset")
ANSWERS = {307: "Location: the default link (browsers) or the requested linkType",
           200: "application/linkset+json (linkType=linkset or that Accept), or the scan "
                "answer (Accept: application/json)"}
ERRORS = {400: "code_malformed (rule names the broken rule, e.g. gs1_check_digit)",
          404: "code_not_found, link_type_not_found", 410: "code_withdrawn",
          429: "rate_limited"}


@bp.route("/t/<code:str>", methods=METHODS)
@operation("get", "/t/{code}", summary="Resolve a printed trace URL", tag="resolver",
           params=[LINK_TYPE], responses=ANSWERS, errors=ERRORS)
async def trace_url(request, code: str):
    return await resolve(request)


@bp.route("/01/<rest:path>", methods=METHODS)
@operation("get", "/01/{gtin}", summary="Resolve a GS1 Digital Link (also /01/{gtin}/10/{lot}, "
           ".../21/{serial}, .../10/{lot}/21/{serial})", tag="resolver",
           params=[LINK_TYPE], responses=ANSWERS, errors=ERRORS)
async def digital_link(request, rest: str):
    return await resolve(request)


@bp.route("/e/<uscc:str>", methods=METHODS)
@operation("get", "/e/{uscc}", summary="Resolve an enterprise's own code: its profile page, "
           "or the profile for JSON clients", tag="resolver", params=[LINK_TYPE],
           responses=ANSWERS, errors={400: "code_malformed (uscc_checksum...)",
                                      404: "enterprise_not_found, link_type_not_found"})
async def enterprise_url(request, uscc: str):
    return await resolve(request)


@bp.get("/.well-known/gs1resolver")
@operation("get", "/.well-known/gs1resolver", summary="The GS1 resolver description file",
           tag="resolver", responses={200: "name, resolverRoot, supportedPrimaryKeys, "
                                           "supportedLinkType"})
async def description(request):
    return json(L.resolver_description(origin(request)), ensure_ascii=False,
                headers={"Cache-Control": "public, max-age=3600"})


def origin(request) -> str:
    host = request.host or ""
    if not host:
        return request.app.ctx.settings.public_base_url.rstrip("/")
    return f"{request.scheme}://{host}"


async def resolve(request) -> HTTPResponse:
    """Find what the code names, then answer as the client asks."""
    path, _, raw_query = (request.raw_url or b"").decode("utf-8", "replace").partition("?")
    raw_query = raw_query.partition("#")[0]
    link_type = query_params(request).get("linkType") or None  # blank: as if not given
    ais = "&".join(p for p in raw_query.split("&") if p.partition("=")[0].isdigit())
    scanned = origin(request) + path + ("?" + ais if ais else "")
    form = "linkset" if L.wants_linkset(link_type) else L.wanted(request.headers.get("accept"))
    session = await bearer_session(request)
    trace = part(request, TraceService)
    try:
        if form == "json" and link_type is None:
            return await scan_answer(request, trace, scanned, session)
        found = await trace.lookup(raw=scanned, rate_key=rate_client(request, session))
    except DomainError as error:
        if form != "html":
            raise
        return error_page(error)
    links = links_of(request, found, scanned, raw_query)
    return answer(links, form, link_type)


def links_of(request, found: Found, scanned: str, raw_query: str) -> L.Links:
    passed = tuple((k, v) for k, v in parse_qsl(raw_query, keep_blank_values=True)
                   if k != "linkType" and not k.isdigit())
    wechat = "MicroMessenger" in request.headers.get("user-agent", "")
    base, parsed = origin(request), found.parsed
    if parsed.enterprise is not None:
        return L.enterprise_links(origin=base, anchor=f"{base}/e/{parsed.enterprise}",
                                  uscc=parsed.enterprise, passed=passed,
                                  description=found.name, wechat=wechat)
    anchor = base + (f"/t/{quote(parsed.code, safe='')}" if parsed.code is not None else
                     L.digital_link_path(parsed.gtin, parsed.lot, parsed.serial))
    return L.code_links(origin=base, anchor=anchor, scanned=scanned, alerts=found.alerts,
                        passed=passed, description=found.name, wechat=wechat)


def answer(links: L.Links, form: str, link_type: str | None) -> HTTPResponse:
    linkset_href = links.anchor + "?linkType=linkset"
    headers = {"Link": links.header(linkset_href), "Vary": "Accept, User-Agent", **NO_STORE}
    if form == "linkset":
        headers["Link"] += (f', <{L.LINKSET_CONTEXT}>; rel="{L.JSONLD_CONTEXT_REL}"; '
                            'type="application/ld+json"')
        return json(links.linkset(), content_type=L.LINKSET, headers=headers,
                    ensure_ascii=False)
    if link_type is None:
        return redirect(links.default.href, status=307, headers=headers)
    link = links.find(link_type)
    if link is not None:
        return redirect(link.href, status=307, headers=headers)
    error = NotFound(T("此码没有“{link_type}”类型的链接；可用的链接类型：{types}",
                       link_type=link_type, types="、".join(links.types())),
                     field="linkType", code="link_type_not_found")
    if form == "html":
        return error_page(error, links, headers)
    return json({"error": {**error.as_dict(), "linkset": linkset_href,
                           "link_types": links.types()}},
                status=404, headers=headers, ensure_ascii=False)


async def scan_answer(request, trace: TraceService, scanned: str, session) -> HTTPResponse:
    """A JSON client: the scan answer, recorded as ``/api/v1/scan`` records it."""
    params, headers = query_params(request), request.headers
    client = scan_client(
        channel=params.get("channel") or headers.get("x-gongzhi-channel"),
        kiosk=params.get("kiosk") or headers.get("x-gongzhi-kiosk"),
        lat=params.get("lat"), lng=params.get("lng"),
        user_hash=session.openid_hash if session else None)
    body = await trace.scan(raw=scanned, client=client, rate_key=rate_client(request, session),
                            serving_host=lambda: request.host,
                            kiosk_key=headers.get("x-gongzhi-kiosk-key"))
    return request.app.ctx.browser.secured(
        body, content_type="application/json", headers={**NO_STORE, "Vary": "Accept"})


PAGE = ("<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>{title}</title></head><body><h1>{title}</h1><p>{message}</p>{links}"
        "<p><a href=\"/h5/search\">{search}</a></p></body></html>")


def error_page(error: DomainError, links: L.Links | None = None,
               headers: dict | None = None) -> HTTPResponse:
    """The error as a short Chinese page (a browser opened the printed code)."""
    status = status_of(error)
    titles = {400: T("无法识别这个码"), 404: T("没有找到"), 410: T("这个码已作废"),
              429: T("访问过于频繁")}
    lang = CURRENT.get()  # the request's language (api.language)

    def said(text) -> str:
        return escape(translate(text, lang))

    listed = "".join(f'<li><a href="{escape(link.href)}">{said(link.title)}</a></li>'
                     for link in (links.items if links else ()))
    body = PAGE.format(lang=TAGS[lang], title=said(titles.get(status, T("出错了"))),
                       message=said(error.message), links=f"<ul>{listed}</ul>" if listed else "",
                       search=said(T("搜索企业和产品")))
    headers = {**(headers or NO_STORE), "Vary": "Accept, User-Agent"}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(max(1, int(error.retry_after)))
    return html(body, status=status, headers=headers)

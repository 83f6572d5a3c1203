"""The H5 pages (``miniapp-mock/h5/``): the mini-program look-alike for phone browsers.

One page shell answers every ``/h5/<page>`` (the page's script reads the path and the query);
``/h5/static/...`` serves its scripts and styles. No build step: plain ES modules and CSS.
The shell carries what the page needs from the settings as ``data-`` attributes of its body
(no inline script), and a Content-Security-Policy allowing only this host's scripts, styles
and API.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlsplit

from sanic import Blueprint
from sanic.response import HTTPResponse, redirect

from core.errors import NotFound
from core.i18n import T
from core.settings import Settings

bp = Blueprint("h5")
ROOT = Path(__file__).resolve().parents[2] / "miniapp-mock" / "h5"
PAGES = frozenset({"scan", "trace", "enterprise", "complaint", "search", "notices", "me",
                   "my-enterprise", "product"})
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'{login}; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
WECHAT_HOST = "api.weixin.qq.com"


def login_url(settings: Settings) -> str:
    """Where the page gets ``wx.login`` codes: the WeChat stand-in's ``POST /mock/wx.login``
    when ``GONGZHI_WECHAT_API_URL`` names a stand-in; else none (the page makes a code the
    stand-in accepts, ``<user>-<nonce>``; real WeChat gives codes only inside WeChat)."""
    api = settings.wechat_api_url
    if not api or urlsplit(api).hostname == WECHAT_HOST:
        return ""
    return api.rstrip("/") + "/mock/wx.login"


def page_headers(settings: Settings) -> dict[str, str]:
    url = urlsplit(login_url(settings))
    login = f" {url.scheme}://{url.netloc}" if url.netloc else ""
    return {"Content-Security-Policy": CSP.format(login=login), "Cache-Control": "no-cache"}


def shell(settings: Settings) -> bytes:
    """The page shell with the settings the pages read (escaped into attributes)."""
    config = {"appid": settings.wechat_appid, "recall-template": settings.recall_template_id,
              "complaint-template": settings.complaint_template_id,
              "wxa-page": settings.wxacode_page, "login-url": login_url(settings),
              "upload-max-mb": f"{settings.upload_max_bytes / 1048576:g}"}
    attributes = " ".join(f'data-{name}="{html.escape(value, quote=True)}"'
                          for name, value in config.items())
    text = (ROOT / "index.html").read_text(encoding="utf-8")
    return text.replace("<body>", f"<body {attributes}>", 1).encode()


def _page(request, status: int = 200) -> HTTPResponse:
    ctx = request.app.ctx
    if getattr(ctx, "h5_shell", None) is None:
        ctx.h5_shell = shell(ctx.settings), page_headers(ctx.settings)
    body, headers = ctx.h5_shell
    return HTTPResponse(body, status=status, headers=headers,
                        content_type="text/html; charset=utf-8")


@bp.get("/h5", strict_slashes=False)
async def home(request):
    return redirect("/h5/scan")


@bp.get("/h5/<page:str>")
async def page(request, page: str):
    """A page of the H5 app; an unknown one is the shell too (it says so in Chinese), 404."""
    return _page(request, 200 if page in PAGES else 404)


@bp.get("/h5/static/<path:path>")
async def static(request, path: str):
    file = (ROOT / "static" / path).resolve()
    kind = TYPES.get(file.suffix)
    if kind is None or not file.is_relative_to(ROOT / "static") or not file.is_file():
        raise NotFound(T("没有这个文件：{path}", path=path), field="path", code="not_found")
    return HTTPResponse(file.read_bytes(), content_type=kind,
                        headers={"Cache-Control": "no-cache"})

"""WeChat mini-program server API through wechatpy, with its errors translated to ours.

wechatpy is synchronous (requests): every call runs in a worker thread under a timeout.
Two wechatpy defaults are overridden so that ``settings.wechat_api_url`` is honoured for
every request (tests and demos talk to the stand-in, never to the real WeChat):

- ``WeChatClient.fetch_access_token`` hard-codes ``https://api.weixin.qq.com/cgi-bin/token``;
  we fetch from ``<base>/cgi-bin/stable_token`` instead, which returns the same token to every
  worker process rather than each fetch invalidating the others' tokens.
- ``WeChatWxa`` (``code_to_session``, ``get_wxa_code_unlimited``, subscribe messages) carries its
  own ``API_BASE_URL`` and ignores the client's; it is set per instance.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

import requests
from wechatpy import WeChatClient
from wechatpy.client.api import WeChatWxa
from wechatpy.exceptions import WeChatClientException

from core.errors import DomainError, InvalidInput, RateLimited, UpstreamError
from core.i18n import T
from core.settings import Settings

log = logging.getLogger(__name__)
R = TypeVar("R")

REAL_API_URL = "https://api.weixin.qq.com/"
CODE_RE = re.compile(r"^[\x21-\x7e]{1,128}$")  # wx.login() codes: 32 visible ASCII characters
TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid, malformed, expired access token
CODE_ERRORS = frozenset({40029, 40163})  # invalid code, code already used
RATE_ERRORS = frozenset({45009, 45011})  # daily quota, per-minute frequency
SUBSCRIBE_REFUSED = 43101

# msg_sec_check v2 scenes
SCENE_PROFILE, SCENE_COMMENT, SCENE_FORUM, SCENE_SOCIAL_LOG = 1, 2, 3, 4


@dataclass(frozen=True)
class WeChatIdentity:
    """What ``jscode2session`` says about the user behind a ``wx.login()`` code."""

    openid: str
    unionid: str | None = None
    session_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class TextCheck:
    """``msg_sec_check`` v2 verdict: ``suggest`` is ``pass``, ``review`` or ``risky``."""

    suggest: str
    label: int

    @property
    def passed(self) -> bool:
        return self.suggest == "pass"


class _TimeoutSession(requests.Session):
    """requests has no session-wide timeout; wechatpy's token fetch passes none."""

    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class _Wxa(WeChatWxa):
    def code_to_session(self, js_code):
        # jscode2session takes no access token; a None value keeps wechatpy from adding one
        # (fetching it first), and requests drops None parameters.
        return self._get("sns/jscode2session", params={
            "appid": self.appid, "secret": self.secret, "js_code": js_code,
            "grant_type": "authorization_code", "access_token": None})

    def msg_sec_check(self, content, openid, scene):
        return self._post("wxa/msg_sec_check", data={
            "content": content, "version": 2, "scene": scene, "openid": openid})

    def media_check_async(self, media_url, openid, scene):
        # wechatpy's check_media_async sends version 1 (no openid, no scene)
        return self._post("wxa/media_check_async", data={
            "media_url": media_url, "media_type": 2, "version": 2, "scene": scene,
            "openid": openid})


class _Client(WeChatClient):
    wxa = _Wxa()

    def __init__(self, appid: str, secret: str, *, base_url: str, timeout: float):
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base_url + "cgi-bin/"
        self.wxa.API_BASE_URL = base_url
        self._http = _TimeoutSession(timeout)
        self._token_lock = threading.Lock()

    def fetch_access_token(self):
        with self._token_lock:
            res = self._http.post(self.API_BASE_URL + "stable_token", json={
                "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
            res.raise_for_status()
            result = res.json()
            if result.get("errcode"):
                raise WeChatClientException(
                    result["errcode"], result.get("errmsg"), client=self, response=res)
            expires_in = int(result.get("expires_in", 7200))
            self.session.set(self.access_token_key, result["access_token"], expires_in)
            self.expires_at = int(time.time()) + expires_in
            return result


class WeChatGateway:
    """The mini-program's WeChat server API: login, mini-program codes, text checks, messages."""

    def __init__(self, *, appid: str, secret: str, api_url: str | None = None,
                 timeout: float = 5.0):
        self.appid = appid
        self.secret = secret
        self.api_url = (api_url or REAL_API_URL).rstrip("/") + "/"
        self.timeout = timeout
        self._client = _Client(appid, secret, base_url=self.api_url, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout: float = 5.0) -> "WeChatGateway":
        return cls(appid=settings.wechat_appid, secret=settings.wechat_secret,
                   api_url=settings.wechat_api_url, timeout=timeout)

    async def code_to_session(self, code: str) -> WeChatIdentity:
        """Exchange a ``wx.login()`` code (single use, five minutes) for the user's openid."""
        if not isinstance(code, str) or not CODE_RE.match(code):
            raise InvalidInput(T("微信登录凭证（code）格式不正确。"),
                               field="code", code="wechat_code_invalid")
        result = await self._call(lambda: self._client.wxa.code_to_session(code))
        if not isinstance(result, dict) or not result.get("openid"):
            raise UpstreamError(T("微信未返回 openid。"), code="wechat_unavailable")
        return WeChatIdentity(openid=result["openid"], unionid=result.get("unionid"),
                              session_key=result.get("session_key", ""))

    async def wxa_code(self, *, scene: str, page: str | None = None, width: int = 430) -> bytes:
        """An unlimited mini-program code image opening ``page`` with ``scene`` (≤ 32 chars)."""
        result = await self._call(lambda: self._client.wxa.get_wxa_code_unlimited(
            scene, width=width, page=page))
        if not isinstance(result, requests.Response) or not result.headers.get(
                "Content-Type", "").startswith("image/"):
            raise UpstreamError(T("微信未返回图片。"), code="wechat_unavailable")
        return result.content

    async def check_text(self, *, content: str, openid: str,
                         scene: int = SCENE_COMMENT) -> TextCheck:
        """WeChat's content check (v2) of text a user wrote; ``openid`` must have used the app
        in the last two hours."""
        result = await self._call(lambda: self._client.wxa.msg_sec_check(content, openid, scene))
        verdict = result.get("result") if isinstance(result, dict) else None
        if not isinstance(verdict, dict) or "suggest" not in verdict:
            raise UpstreamError(T("微信未返回检测结论。"), code="wechat_unavailable")
        return TextCheck(suggest=verdict["suggest"], label=int(verdict.get("label", 0)))

    async def check_media(self, *, url: str, openid: str, scene: int = SCENE_COMMENT) -> str:
        """Ask WeChat to check an image (``mediaCheckAsync`` v2); the verdict comes later as a
        ``wxa_media_check`` event pushed to the server. Returns the check's ``trace_id``."""
        result = await self._call(lambda: self._client.wxa.media_check_async(url, openid, scene))
        trace_id = result.get("trace_id") if isinstance(result, dict) else None
        if not trace_id:
            raise UpstreamError(T("微信未返回 trace_id。"), code="wechat_unavailable")
        return str(trace_id)

    async def send_subscribe_message(self, *, openid: str, template_id: str,
                                     data: dict[str, str], page: str | None = None) -> bool:
        """Send a subscribe message; False when the user has not accepted this template."""
        fields = {key: {"value": value} for key, value in data.items()}
        try:
            await self._call(lambda: self._client.wxa.send_subscribe_message(
                openid, template_id, fields, page=page))
        except UpstreamError as exc:
            if exc.code == "wechat_subscribe_refused":
                return False
            raise
        return True

    async def close(self) -> None:
        self._client._http.close()

    async def _call(self, fn: Callable[[], R]) -> R:
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._with_token_retry, fn),
                                          timeout=self.timeout)
        except WeChatClientException as exc:
            error = translate(exc)
            error.wechat_errcode = exc.errcode  # WeChat's own code, for errors shown as such
            raise error from exc
        except (requests.RequestException, TimeoutError, ValueError) as exc:
            log.warning("WeChat API unreachable: %r", exc)
            raise UpstreamError(T("微信服务暂无响应，请稍后再试。"),
                                code="wechat_unavailable") from exc

    def _with_token_retry(self, fn: Callable[[], R]) -> R:
        """Call once more with a fresh access token when WeChat refuses ours (once, no loop)."""
        try:
            return fn()
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("WeChat access token refused (%s); fetching a new one", exc.errcode)
            self._client.fetch_access_token()
            return fn()


def translate(exc: WeChatClientException) -> DomainError:
    """Our error for a WeChat errcode."""
    code = exc.errcode
    if code in CODE_ERRORS:
        return InvalidInput(T("微信登录凭证无效或已使用，请重新登录。"),
                            field="code", code="wechat_code_invalid")
    if code in RATE_ERRORS:
        return RateLimited(T("微信正在限制请求频率，请一分钟后再试。"), retry_after=60)
    if code == SUBSCRIBE_REFUSED:
        return UpstreamError(T("用户未同意接收此消息。"),
                             code="wechat_subscribe_refused")
    if code == 41030:
        return InvalidInput(T("该小程序页面不存在。"), field="page",
                            code="wechat_page_invalid")
    log.warning("WeChat API error %s: %s", code, exc.errmsg)
    return UpstreamError(T("微信拒绝了该请求，请稍后再试。"),
                         code="wechat_unavailable")

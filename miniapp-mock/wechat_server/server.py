"""Stand-in for WeChat's server API, speaking its request and response formats, errors included.

Run: ``python miniapp-mock/wechat_server/server.py --port 8801 [--appid wx.. --secret ..]``
Import: ``create_wechat_standin(appid, secret)`` returns the Sanic app; ``standin.py`` runs
this file in a subprocess on a free port for tests.

Test users come from the ``js_code`` prefix: ``user1-<anything>`` always logs in as the same
openid; each code works once. Special prefixes: ``ratelimit-*`` (45011), ``busy-*`` (-1),
``nounion*-*`` (no unionid), ``refuse*-*`` (refuses subscribe messages, 43101).
Any API path can be told to fail or be slow, and every request is recorded (``controls.py``:
``POST /_standin/faults``, ``GET /_standin/requests``); pages get login codes from
``POST /mock/wx.login`` as ``wx.login`` gives them. A ``wx.login`` code is good for five
minutes (then 40029, as WeChat answers).
Test hooks live under ``/_standin/``: ``GET messages``, ``POST expire_tokens``, ``POST reset``,
``POST wxacode_errors`` (``{"errcodes": [45009]}``: the next mini-program code requests answer
these errors, one each), ``POST push`` (``{"url", "token"}``: where image-check verdicts are
pushed, as the message push URL configured in the WeChat console), ``POST risky_media``
(``{"sha256"}``: image content the check calls risky), ``GET media_checks``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import itertools
import re
import json as jsonlib
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import segno
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json, raw

if str(Path(__file__).parent) not in sys.path:  # run as a script, or loaded from its file
    sys.path.insert(0, str(Path(__file__).parent))
from controls import Controls, Fault, install  # noqa: E402 - the sibling files, found above
from media_push import check_and_push  # noqa: E402

CODE_RE = re.compile(r"^([a-z][a-z0-9]{0,31})-[A-Za-z0-9_.-]{1,64}$")
SCENE_RE = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$")
PAGES = frozenset({"pages/index/index", "pages/trace/trace", "pages/complaint/complaint"})
TEMPLATES = frozenset({"TPL_COMPLAINT_STATUS", "TPL_RECALL_NOTICE"})
BANNED = {"赌博": ("risky", 20006), "代开发票": ("risky", 20008), "加微信": ("review", 10001)}
_names = itertools.count(1)


def error(code: int, message: str) -> HTTPResponse:
    """WeChat answers errors with HTTP 200, an errcode and an errmsg ending in a request id."""
    return json({"errcode": code, "errmsg": f"{message} rid: {secrets.token_hex(4)}"})


@dataclass
class StandinState:
    appid: str
    secret: str
    token_ttl: int = 7200
    tokens: dict[str, float] = field(default_factory=dict)  # access_token -> expires at
    stable: str | None = None
    used_codes: set[str] = field(default_factory=set)
    users: dict[str, str] = field(default_factory=dict)  # openid -> user name
    messages: list[dict] = field(default_factory=list)
    wxacode_errors: list[int] = field(default_factory=list)
    push_url: str | None = None
    push_token: str = ""
    risky_media: set[str] = field(default_factory=set)
    media_checks: list[dict] = field(default_factory=list)

    def openid(self, user: str) -> str:
        digest = hashlib.sha256(f"{self.appid}:{user}".encode()).digest()
        return "o" + base64.urlsafe_b64encode(digest).decode()[:27]

    def unionid(self, user: str) -> str:
        digest = hashlib.sha256(f"union:{user}".encode()).digest()
        return "u" + base64.urlsafe_b64encode(digest).decode()[:27]

    def credentials_error(self, appid: str | None, secret: str | None) -> HTTPResponse | None:
        if appid != self.appid:
            return error(40013, "invalid appid")
        if secret != self.secret:
            return error(40125, "invalid appsecret")
        return None

    def issue_token(self) -> dict:
        token = secrets.token_urlsafe(48)
        self.tokens[token] = time.time() + self.token_ttl
        return {"access_token": token, "expires_in": self.token_ttl}

    def token_error(self, request: Request) -> HTTPResponse | None:
        token = request.args.get("access_token")
        if not token:
            return error(41001, "access_token missing")
        expires = self.tokens.get(token)
        if expires is None:
            return error(40001, "invalid credential, access_token is invalid or not latest")
        if expires <= time.time():
            return error(42001, "access_token expired")
        return None


def qr_png(scene: str, width: int) -> bytes:
    """A PNG about ``width`` pixels wide holding a QR code of ``scene``."""
    qr = segno.make(scene, error="m", micro=False)
    border = 4
    scale = max(1, width // (qr.symbol_size(border=border)[0]))
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def create_wechat_standin(appid: str, secret: str, *, token_ttl: int = 7200,
                          faults: dict[str, dict] | None = None,
                          login_code_ttl: float = 300) -> Sanic:
    """A Sanic app answering like ``api.weixin.qq.com`` for one mini-program; ``faults``:
    API path -> how it misbehaves (``controls.Fault``'s fields) from the start."""
    app = Sanic(f"wechat_standin_{next(_names)}")
    app.config.ACCESS_LOG = False
    state = app.ctx.state = StandinState(appid, secret, token_ttl)
    controls = app.ctx.controls = Controls(
        {path: Fault.of(fault) for path, fault in (faults or {}).items()},
        login_code_ttl=login_code_ttl)
    install(app, controls, error)

    @app.get("/cgi-bin/token")
    async def token(request: Request):
        if request.args.get("grant_type") != "client_credential":
            return error(40002, "invalid grant_type")
        failed = state.credentials_error(request.args.get("appid"), request.args.get("secret"))
        return failed or json(state.issue_token())

    @app.post("/cgi-bin/stable_token")
    async def stable_token(request: Request):
        body = request.json or {}
        if body.get("grant_type") != "client_credential":
            return error(40002, "invalid grant_type")
        failed = state.credentials_error(body.get("appid"), body.get("secret"))
        if failed:
            return failed
        live = state.stable is not None and state.tokens.get(state.stable, 0) > time.time()
        if body.get("force_refresh") or not live:
            state.stable = state.issue_token()["access_token"]
        return json({"access_token": state.stable,
                     "expires_in": int(state.tokens[state.stable] - time.time())})

    @app.get("/sns/jscode2session")
    async def jscode2session(request: Request):
        args = request.args
        if args.get("grant_type") != "authorization_code":
            return error(40002, "invalid grant_type")
        failed = state.credentials_error(args.get("appid"), args.get("secret"))
        if failed:
            return failed
        code = args.get("js_code") or ""
        match = CODE_RE.match(code)
        if not match:
            return error(40029, "invalid code,")
        user = match.group(1)
        if user == "ratelimit":
            return error(45011, "api minute-quota reach limit  mustslower  retry next minute,")
        if user == "busy":
            return error(-1, "system error,")
        if controls.login_code_expired(code):
            return error(40029, "invalid code,")
        if code in state.used_codes:
            return error(40163, "code been used,")
        state.used_codes.add(code)
        openid = state.openid(user)
        state.users[openid] = user
        body = {"openid": openid, "session_key": base64.b64encode(secrets.token_bytes(16)).decode()}
        if not user.startswith("nounion"):
            body["unionid"] = state.unionid(user)
        return json(body)

    @app.post("/wxa/getwxacodeunlimit")
    async def wxa_code(request: Request):
        failed = state.token_error(request)
        if failed:
            return failed
        if state.wxacode_errors:
            return error(state.wxacode_errors.pop(0), "api error (as asked by the test)")
        body = request.json or {}
        scene, page = body.get("scene"), body.get("page")
        if not isinstance(scene, str) or not SCENE_RE.match(scene):
            return error(40169, "invalid length for scene, or the data is not json string")
        if page is not None and page not in PAGES:
            return error(41030, "invalid page")
        width = body.get("width", 430)
        width = min(max(width, 280), 1280) if isinstance(width, int) else 430  # as WeChat clamps
        return raw(qr_png(scene, width), content_type="image/png")

    @app.post("/wxa/msg_sec_check")
    async def msg_sec_check(request: Request):
        failed = state.token_error(request)
        if failed:
            return failed
        body = request.json or {}
        content = body.get("content")
        if not isinstance(content, str):
            return error(47001, "data format error")
        hits = [(word, *BANNED[word]) for word in BANNED if word in content]
        if body.get("version") != 2:  # version 1: an errcode and nothing else
            return error(87014, "risky content") if hits else json({"errcode": 0, "errmsg": "ok"})
        if body.get("scene") not in (1, 2, 3, 4):
            return error(40097, "invalid args")
        if body.get("openid") not in state.users:
            return error(40003, "invalid openid")
        worst = next((h for h in hits if h[1] == "risky"), hits[0] if hits else None)
        suggest, label = (worst[1], worst[2]) if worst else ("pass", 100)
        detail = [{"strategy": "keyword", "errcode": 0, "suggest": s, "label": lab,
                   "level": 90, "keyword": w} for w, s, lab in hits]
        return json({"errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": label},
                     "detail": detail, "trace_id": secrets.token_hex(8)})

    @app.post("/wxa/media_check_async")
    async def media_check_async(request: Request):
        failed = state.token_error(request)
        if failed:
            return failed
        body = request.json or {}
        url, media_type = body.get("media_url"), body.get("media_type")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) \
                or media_type not in (1, 2):
            return error(47001, "data format error")
        if body.get("version") == 2:
            if body.get("scene") not in (1, 2, 3, 4):
                return error(40097, "invalid args")
            if body.get("openid") not in state.users:
                return error(40003, "invalid openid")
        trace_id = secrets.token_hex(12)
        check = {"trace_id": trace_id, "media_url": url, "openid": body.get("openid"),
                 "version": body.get("version", 1), "verdict": None}
        state.media_checks.append(check)
        app.add_task(check_and_push(state, check))
        return json({"errcode": 0, "errmsg": "ok", "trace_id": trace_id})

    @app.post("/cgi-bin/message/subscribe/send")
    async def subscribe_send(request: Request):
        failed = state.token_error(request)
        if failed:
            return failed
        body = request.json or {}
        user = state.users.get(body.get("touser"))
        if user is None:
            return error(40003, "invalid openid")
        if body.get("template_id") not in TEMPLATES:
            return error(40037, "invalid template_id")
        if not isinstance(body.get("data"), dict):
            return error(47003, "argument invalid! data is empty")
        if body.get("page") is not None and body["page"].split("?")[0] not in PAGES:
            return error(41030, "invalid page")
        if user.startswith("refuse"):
            return error(43101, "user refuse to accept the msg")
        state.messages.append({**body, "sent_at": time.time()})
        return json({"errcode": 0, "errmsg": "ok", "msgid": len(state.messages)})

    @app.get("/_standin/messages")
    async def messages(request: Request):
        return json({"messages": state.messages})

    @app.post("/_standin/wxacode_errors")
    async def wxacode_errors(request: Request):
        state.wxacode_errors = [int(c) for c in (request.json or {}).get("errcodes", [])]
        return json({"errcodes": state.wxacode_errors})

    @app.post("/_standin/push")
    async def configure_push(request: Request):
        body = request.json or {}
        state.push_url, state.push_token = body.get("url"), body.get("token", "")
        return json({"push_url": state.push_url})

    @app.post("/_standin/risky_media")
    async def risky_media(request: Request):
        state.risky_media.add((request.json or {}).get("sha256", ""))
        return json({"risky": len(state.risky_media)})

    @app.get("/_standin/media_checks")
    async def media_checks(request: Request):
        return json({"checks": state.media_checks})

    @app.post("/_standin/expire_tokens")
    async def expire_tokens(request: Request):
        state.tokens = {token: 0.0 for token in state.tokens}
        return json({"expired": len(state.tokens)})

    @app.post("/_standin/reset")
    async def reset(request: Request):
        state.tokens.clear()
        state.used_codes.clear()
        state.users.clear()
        state.messages.clear()
        state.media_checks.clear()
        state.risky_media.clear()
        state.stable = None
        controls.reset()
        return json({"reset": True})

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--appid", default="wx0000000000000000")
    parser.add_argument("--secret", default="gongzhi-demo-secret")
    parser.add_argument("--token-ttl", type=int, default=7200)
    parser.add_argument("--fault", action="append", default=[], type=jsonlib.loads,
                        help='a path\'s fault from the start, as JSON: {"path": "/sns/'
                             'jscode2session", "errcode": 45011, "times": 1, "delay": 2}')
    parser.add_argument("--login-code-ttl", type=float, default=300)
    args = parser.parse_args(argv)
    faults = {f["path"]: {k: v for k, v in f.items() if k != "path"} for f in args.fault}
    app = create_wechat_standin(args.appid, args.secret, token_ttl=args.token_ttl,
                                faults=faults, login_code_ttl=args.login_code_ttl)
    app.run(host=args.host, port=args.port, single_process=True, motd=False, access_log=False)


if __name__ == "__main__":
    main()

"""What tests and the H5 pages drive in the WeChat stand-in, beside WeChat's own API.

- **Faults per path**: a :class:`Fault` makes one API path answer a WeChat error (``errcode``
  with WeChat's own ``errmsg``), an HTTP failure (``status``, e.g. 503 from a gateway), or
  answer late (``delay`` seconds, alone or before either), for the next ``times`` requests or
  until cleared. Given to ``create_wechat_standin(faults=...)``, on the command line
  (``--fault '{"path": "/sns/jscode2session", "errcode": 45011}'``) or at run time:
  ``POST /_standin/faults`` with the same object; ``DELETE /_standin/faults`` clears them.
- **The request log**: every call of WeChat's API as received (method, path, query, JSON
  body, time), in order: ``GET /_standin/requests[?path=/wxa/msg_sec_check]``.
- **wx.login for pages**: ``POST /mock/wx.login`` (``{"user": "user1"}``, optional) answers
  ``{"code", "errMsg": "login:ok"}`` as ``wx.login`` does in a mini-program: a code that
  ``jscode2session`` accepts once, for five minutes (then 40029; ``login_code_ttl`` to test). Open to pages of any origin
  (CORS), as the H5 pages run on another port.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass, field

from sanic import Request, Sanic
from sanic.response import HTTPResponse, empty, json, text

# WeChat's own error messages (as its API writes them) for the codes tests ask for.
ERRMSG = {
    -1: "system error", 40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type", 40003: "invalid openid", 40013: "invalid appid",
    40029: "invalid code", 40037: "invalid template_id", 40097: "invalid args",
    40125: "invalid appsecret", 40163: "code been used", 40169: "invalid length for scene",
    41030: "invalid page", 42001: "access_token expired",
    43101: "user refuse to accept the msg", 45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error", 87014: "risky content",
}
LOGIN_CODE_TTL = 300  # seconds: a wx.login code is good for five minutes
USER_RE = re.compile(r"^[a-z][a-z0-9]{0,31}$")
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600"}


@dataclass
class Fault:
    """How one path misbehaves: an errcode, an HTTP status, a delay; ``times`` (None: always)."""

    errcode: int | None = None
    status: int | None = None
    delay: float = 0.0
    times: int | None = None

    @classmethod
    def of(cls, body: dict) -> "Fault":
        """From JSON; ``ValueError`` naming the bad field."""
        def number(name: str, low: int, whole: bool = True):
            value = body.get(name)
            if value is None:
                return None
            kinds = int if whole else (int, float)
            if not isinstance(value, kinds) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be {'an integer' if whole else 'a number'} "
                                 f">= {low}")
            return value
        fault = cls(errcode=number("errcode", -1), status=number("status", 400),
                    delay=float(number("delay", 0, whole=False) or 0),
                    times=number("times", 1))
        if fault.status is not None and fault.status > 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        return fault


@dataclass
class Controls:
    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    login_codes: dict[str, float] = field(default_factory=dict)  # code -> issued at
    login_code_ttl: float = LOGIN_CODE_TTL

    def take(self, path: str) -> Fault | None:
        """The fault of ``path`` for this request (spending one of its ``times``)."""
        fault = self.faults.get(path)
        if fault is not None and fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                del self.faults[path]
        return fault

    def login_code_expired(self, code: str) -> bool:
        issued = self.login_codes.get(code)
        return issued is not None and time.time() - issued > self.login_code_ttl

    def reset(self) -> None:
        self.faults.clear()
        self.requests.clear()
        self.login_codes.clear()


def _record(request: Request) -> dict:
    try:
        body = request.json if "json" in (request.content_type or "") else None
    except Exception:  # noqa: BLE001 - a malformed body is recorded as such
        body = None
    return {"method": request.method, "path": request.path,
            "args": {k: v[0] for k, v in request.args.items()}, "json": body,
            "at": time.time()}


def install(app: Sanic, controls: Controls, error) -> None:
    """Add the fault middleware, the request log, the control paths and ``/mock/wx.login``;
    ``error(code, message)`` answers a WeChat error."""

    @app.on_request
    async def misbehave(request: Request) -> HTTPResponse | None:
        if request.path.startswith(("/_standin/", "/mock/")):
            return None
        controls.requests.append(_record(request))
        fault = controls.take(request.path)
        if fault is None:
            return None
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is not None:
            return text("stand-in: failing as asked", status=fault.status)
        if fault.errcode is not None:
            return error(fault.errcode, ERRMSG.get(fault.errcode, "error as asked"))
        return None

    @app.post("/_standin/faults")
    async def set_fault(request: Request):
        body = request.json if isinstance(request.json, dict) else {}
        path = body.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            return json({"error": "path must be an API path such as /sns/jscode2session"}, 400)
        try:
            controls.faults[path] = Fault.of(body)
        except ValueError as exc:
            return json({"error": str(exc)}, 400)
        return json({"faults": {p: vars(f) for p, f in controls.faults.items()}})

    @app.delete("/_standin/faults")
    async def clear_faults(request: Request):
        controls.faults.clear()
        return json({"faults": {}})

    @app.get("/_standin/requests")
    async def requests(request: Request):
        path = request.args.get("path")
        return json({"requests": [r for r in controls.requests
                                  if path is None or r["path"] == path]})

    @app.route("/mock/wx.login", methods=["OPTIONS"])
    async def login_preflight(request: Request):
        return empty(status=204, headers=CORS)

    @app.post("/mock/wx.login")
    async def wx_login(request: Request):
        body = request.json if isinstance(request.json, dict) else {}
        user = body.get("user", "visitor")
        if not isinstance(user, str) or not USER_RE.match(user):
            return json({"errMsg": "login:fail user must be a-z0-9, up to 32 characters"},
                        status=400, headers=CORS)
        code = f"{user}-{secrets.token_urlsafe(12)}"
        controls.login_codes[code] = time.time()
        return json({"code": code, "errMsg": "login:ok"}, headers=CORS)

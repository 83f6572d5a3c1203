"""The kiosk's HTTP calls to the Gongzhi server (httpx), each answered as an :class:`Answer`
that never raises: the kiosk must stay up whatever the server or the network does.

- ``GET /api/v1/scan?code=<raw text>&channel=kiosk`` with ``X-Gongzhi-Channel: kiosk``,
  ``X-Gongzhi-Kiosk: <id>``, ``X-Gongzhi-Kiosk-Key: <device key>`` (the server counts a scan
  at the kiosk's registered market only when the key proves the id), and for de-duplication
  and back-dating by the server ``X-Gongzhi-Scan-Id`` (a UUID, the same on every retry of one
  scan) and ``X-Gongzhi-Scanned-At`` (ISO 8601, when the code was seen).
- ``POST /api/v1/kiosks/heartbeat`` JSON ``{"camera", "fps", "decode_rate", "queue",
  "version"}``; a 404 (a server without the endpoint) is an answer like any other.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

import httpx
import orjson

from kiosk import __version__

log = logging.getLogger("kiosk.client")
MAX_BODY = 8 * 1024 * 1024

# outcome -> the server has handled the scan (it must not be sent again)
DELIVERED = {"view", "not_found", "withdrawn", "rejected", "bad_answer"}


@dataclass(frozen=True)
class Answer:
    outcome: str  # view not_found withdrawn rejected rate_limited unauthorized server_error
    #               bad_answer unreachable timeout (heartbeat: ok, absent)
    status: int | None = None
    body: dict | None = None
    error: str | None = None  # why, for the log
    ms: float = 0.0
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome in DELIVERED


def _outcome(status: int) -> str:
    if 200 <= status < 300:
        return "view"
    return {400: "rejected", 404: "not_found", 410: "withdrawn", 401: "unauthorized",
            403: "unauthorized", 429: "rate_limited"}.get(
        status, "server_error" if status >= 500 else "rejected")


class ServerClient:
    """One kiosk's connection to the server (thread-safe: httpx's client is)."""

    def __init__(self, base_url: str, *, kiosk_id: str, key: str, connect_timeout: float = 1.5,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        headers = {"X-Gongzhi-Channel": "kiosk", "X-Gongzhi-Kiosk": kiosk_id,
                   "X-Gongzhi-Kiosk-Key": key,
                   "User-Agent": f"gongzhi-kiosk/{__version__}"}
        self._connect_timeout = connect_timeout
        self._http = httpx.Client(base_url=self.base_url, headers=headers,
                                  transport=transport or httpx.HTTPTransport(retries=1),
                                  follow_redirects=False)

    def _timeout(self, read: float) -> httpx.Timeout:
        return httpx.Timeout(read, connect=min(self._connect_timeout, read))

    def scan(self, text: str, *, scan_id: str, scanned_at: datetime,
             timeout: float = 3.0) -> Answer:
        """Ask for the trace view of ``text`` (sent as-is) and record the scan."""
        headers = {"X-Gongzhi-Scan-Id": scan_id, "X-Gongzhi-Scanned-At": scanned_at.isoformat()}
        started = time.perf_counter()
        try:
            response = self._http.get("/api/v1/scan", params={"code": text, "channel": "kiosk"},
                                      headers=headers, timeout=self._timeout(timeout))
        except httpx.TimeoutException as error:
            return Answer("timeout", error=f"{type(error).__name__}: no answer in {timeout} s",
                          ms=_ms(started))
        except httpx.HTTPError as error:
            return Answer("unreachable", error=f"{type(error).__name__}: {error}", ms=_ms(started))
        return self._answer(response, started)

    def _answer(self, response: httpx.Response, started: float) -> Answer:
        status, outcome = response.status_code, _outcome(response.status_code)
        retry = response.headers.get("retry-after")
        retry_after = float(retry) if retry and retry.isdigit() else None
        if len(response.content) > MAX_BODY:
            return Answer("bad_answer", status, error=f"answer of {len(response.content)} bytes",
                          ms=_ms(started))
        try:
            body = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError as error:
            body, reason = None, f"not JSON: {error}"
        else:
            reason = None if isinstance(body, dict) else "JSON but not an object"
        if outcome == "view" and (reason or not isinstance(body.get("status"), str)):
            return Answer("bad_answer", status, error=reason or "a view without a status",
                          ms=_ms(started))
        if reason and outcome != "server_error":
            body = None
        error = None
        if outcome != "view":
            error = _error_text(body) or reason or f"HTTP {status}"
        return Answer(outcome, status, body if isinstance(body, dict) else None, error,
                      _ms(started), retry_after)

    def heartbeat(self, payload: dict, *, timeout: float = 5.0) -> Answer:
        """Tell the server this kiosk is alive; ``absent`` when the server has no endpoint."""
        started = time.perf_counter()
        try:
            response = self._http.post("/api/v1/kiosks/heartbeat", json=payload,
                                       timeout=self._timeout(timeout))
        except httpx.TimeoutException:
            return Answer("timeout", error="heartbeat timed out", ms=_ms(started))
        except httpx.HTTPError as error:
            return Answer("unreachable", error=f"{type(error).__name__}: {error}", ms=_ms(started))
        status = response.status_code
        if status in (404, 405):
            return Answer("absent", status, ms=_ms(started))
        if 200 <= status < 300:
            return Answer("ok", status, ms=_ms(started))
        return Answer(_outcome(status), status, error=f"HTTP {status}", ms=_ms(started))

    def close(self) -> None:
        self._http.close()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _error_text(body) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        return f"{err.get('code')}: {err.get('message')}"
    return None


def heartbeat_payload(*, camera: str, fps: float, decode_rate: float | None,
                      queue: int) -> dict:
    return {"camera": camera, "fps": round(fps, 1),
            "decode_rate": None if decode_rate is None else round(decode_rate, 3),
            "queue": queue, "version": __version__}

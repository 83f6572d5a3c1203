"""The local web page the kiosk serves for Chromium in kiosk mode, on loopback.

- ``GET /`` the page (``page.html``, ``page.css``, ``page.js``: no build step, no network);
- ``GET /events`` server-sent events: the whole state (screen and status) at once and after
  every change; ``GET /state`` the same as one JSON answer;
- ``GET /qr.svg?text=`` a QR code (segno) for the continue-on-your-phone and complaint links.

:class:`DisplayHub` holds the state; the scan thread calls :meth:`DisplayHub.show`, the page
goes back to the idle screen by itself after the screen's ``idle_after`` seconds.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import orjson

from kiosk.display.present import idle_screen

log = logging.getLogger("kiosk.display")
STATIC = {"/": ("page.html", "text/html; charset=utf-8"),
          "/page.css": ("page.css", "text/css; charset=utf-8"),
          "/page.js": ("page.js", "text/javascript; charset=utf-8")}


class DisplayHub:
    """The current screen and status, and a condition to wait for the next change."""

    def __init__(self, *, idle_seconds: float = 30.0, alert_idle_seconds: float = 60.0,
                 orientation: str = "auto", clock: Callable[[], float] = time.time):
        self.idle_seconds, self.alert_idle_seconds = idle_seconds, alert_idle_seconds
        self.orientation = orientation
        self.clock = clock
        self._cond = threading.Condition()
        self._version = 0
        self._screen = dict(idle_screen(), seq=0, shown_at=clock(), idle_after=None)
        self._status = {"camera": "ok", "online": True, "queue": 0}

    def show(self, screen: dict) -> int:
        """Put ``screen`` up; returns its sequence number."""
        with self._cond:
            self._version += 1
            idle = None if screen.get("screen") == "idle" else (
                self.alert_idle_seconds if screen.get("tone") in ("recall", "danger")
                else self.idle_seconds)
            self._screen = dict(screen, seq=self._version, shown_at=self.clock(),
                                idle_after=idle)
            self._cond.notify_all()
            return self._version

    def set_status(self, **status) -> None:
        with self._cond:
            if all(self._status.get(k) == v for k, v in status.items()):
                return
            self._status.update(status)
            self._version += 1
            self._cond.notify_all()

    def snapshot(self) -> dict:
        with self._cond:
            return {"version": self._version, "screen": self._screen,
                    "status": dict(self._status), "orientation": self.orientation,
                    "now": self.clock()}

    def wait(self, version: int, timeout: float) -> dict:
        """The state once its version passes ``version`` (or after ``timeout``)."""
        with self._cond:
            self._cond.wait_for(lambda: self._version > version, timeout)
        return self.snapshot()


def qr_svg(text: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="svg", scale=8, border=2, xmldecl=False)
    return buf.getvalue()


def _handler(hub: DisplayHub, stop: threading.Event):
    class Handler(BaseHTTPRequestHandler):
        server_version = "gongzhi-kiosk"

        def log_message(self, fmt, *args):  # the access log goes to debug, not stderr
            log.debug("%s %s", self.address_string(), fmt % args)

        def do_GET(self):
            url = urlsplit(self.path)
            try:
                if url.path in STATIC:
                    name, kind = STATIC[url.path]
                    data = resources.files("kiosk.display").joinpath(name).read_bytes()
                    self._send(200, data, kind)
                elif url.path == "/state":
                    self._send(200, orjson.dumps(hub.snapshot()), "application/json")
                elif url.path == "/events":
                    self._events()
                elif url.path == "/qr.svg":
                    text = (parse_qs(url.query).get("text") or [""])[0]
                    if not text or len(text) > 1000:
                        self._send(400, b"text: 1 to 1000 characters", "text/plain")
                    else:
                        self._send(200, qr_svg(text), "image/svg+xml")
                else:
                    self._send(404, b"not found", "text/plain")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _send(self, status: int, data: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            version = -1
            while not stop.is_set():
                state = hub.wait(version, timeout=15.0)
                if state["version"] == version:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    version = state["version"]
                    self.wfile.write(b"data: " + orjson.dumps(state) + b"\n\n")
                self.wfile.flush()

    return Handler


class DisplayServer:
    """The page's HTTP server in a thread; ``port=0`` picks a free port."""

    def __init__(self, hub: DisplayHub, *, host: str = "127.0.0.1", port: int = 8090):
        self.hub = hub
        self._stop = threading.Event()
        self._http = ThreadingHTTPServer((host, port), _handler(hub, self._stop))
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, name="kiosk-display",
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> DisplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.hub.set_status(stopping=True)  # wake the event streams so they end
        self._http.shutdown()
        self._http.server_close()

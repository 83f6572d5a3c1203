"""A small real HTTP server standing in for the Gongzhi server in kiosk tests: it answers
``GET /api/v1/scan`` in the server's shapes, counts every scan request and the distinct scan
ids, and can be switched to fail (500, garbage JSON, slow) or stopped and started on the same
port (the network going away and coming back)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def view(code: str, status: str = "ok") -> dict:
    alerts = []
    if status == "recalled":
        alerts = [{"kind": "recall", "severity": "critical", "recall_id": "R-1",
                   "message": "该批次正在一级召回：检出致病菌。请立即停止食用，可到购买处退货或拨打12315咨询。"}]
    return {"status": status, "alerts": alerts, "scans": {"count": 1}, "code": code,
            "level": "batch", "resolved": {"subject": code},
            "product": {"name": "柳州螺蛳粉", "brand": "螺状元", "spec": "300克/袋"},
            "batch": {"batch_id": "B1", "lot": "L260902A", "produced_at": "2026-09-02",
                      "expires_at": "2027-03-01"},
            "enterprise": {"name": "柳州市螺状元食品有限公司", "kind": "producer",
                           "address": "柳州市鱼峰区"},
            "events": [{"kind": "production", "occurred_at": "2026-09-02T10:20:00+08:00",
                        "place": {"name": "螺状元一号车间"}}],
            "inputs": [], "certificates": [], "inspections": {}}


class StandIn:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = "ok"  # ok | error500 | garbage | slow | reject
        self.slow_seconds = 30.0
        self.requests: list[dict] = []
        self.heartbeats: list[dict] = []
        self.heartbeat_status = 404
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def scan_ids(self) -> set[str]:
        return {r["scan_id"] for r in self.requests}

    def start(self) -> StandIn:
        self._release.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                code = (query.get("code") or [""])[0]
                with standin._lock:
                    standin.requests.append({
                        "code": code, "channel": (query.get("channel") or [""])[0],
                        "scan_id": self.headers.get("X-Gongzhi-Scan-Id"),
                        "scanned_at": self.headers.get("X-Gongzhi-Scanned-At"),
                        "kiosk": self.headers.get("X-Gongzhi-Kiosk"),
                        "header_channel": self.headers.get("X-Gongzhi-Channel"),
                        "kiosk_key": self.headers.get("X-Gongzhi-Kiosk-Key")})
                mode = standin.mode
                if mode == "error500":
                    return self._json(500, {"error": {"code": "internal_error",
                                                      "message": "an internal error occurred"}})
                if mode == "garbage":
                    data = b"<html>\x00\xff not json"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    return self.wfile.write(data)
                if mode == "slow":
                    standin._release.wait(standin.slow_seconds)
                if not code.startswith(("LZ", "RECALL", "http")):
                    return self._json(400 if not code.startswith("NF") else 404, {"error": {
                        "code": "code_malformed" if not code.startswith("NF")
                        else "code_not_found",
                        "message": "这个码不在追溯平台的记录中。 This code is not on record.",
                        "field": "code"}})
                return self._json(200, view(code, "recalled" if code.startswith("RECALL")
                                            else "ok"))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                standin.heartbeats.append(body)
                self.send_response(standin.heartbeat_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler


def wait_until(predicate, timeout: float = 10.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()

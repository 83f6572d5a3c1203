"""Run the stand-in WeChat API server in a subprocess on a free loopback port (tests, demos).

``miniapp-mock`` is not a package; load this file with ``importlib`` (see the tests).
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

SERVER = Path(__file__).with_name("server.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base_url: str, path: str, *, method: str = "GET", body: dict | None = None) -> dict:
    """JSON from one of the stand-in's ``/_standin/`` test hooks (``body``: a JSON POST)."""
    data = b"" if method in ("POST", "DELETE") else None
    headers = {}
    if body is not None:
        method, data = "POST", json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base_url + path.lstrip("/"), method=method, data=data,
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


@contextlib.contextmanager
def running_standin(appid: str, secret: str, *, token_ttl: int = 7200,
                    timeout: float = 20.0, faults: list[dict] = (),
                    login_code_ttl: float = 300) -> Iterator[str]:
    """Start ``server.py``, wait until it answers, yield its base URL, stop it afterwards.
    ``faults``: ``{"path", "errcode"|"status"|"delay", "times"}`` objects from the start."""
    port = free_port()
    cmd = [sys.executable, str(SERVER), "--port", str(port), "--appid", appid,
           "--secret", secret, "--token-ttl", str(token_ttl),
           "--login-code-ttl", str(login_code_ttl)]
    for fault in faults:
        cmd += ["--fault", json.dumps(fault)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                call(base_url, "_standin/messages")
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"stand-in exited: {proc.stderr.read().decode()[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"stand-in did not answer on port {port} in {timeout}s")
                time.sleep(0.05)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()

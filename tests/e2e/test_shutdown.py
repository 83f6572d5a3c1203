"""SIGTERM to a real ``gongzhi serve`` during a burst of keep-alive requests: every request a
client sent is answered; the only other outcome allowed is a connection the server closed (or
refused) before the client sent anything on it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import httpx
import pytest

from tests.conftest import APP_REDIS_URL, _free_port

SERVE = [sys.executable, "-c", "import sys; from gongzhi.cli import main; sys.exit(main())",
         "serve"]


class Tally:
    def __init__(self):
        self.sent = self.answered = self.unanswered = 0
        self.closed_before_send = self.told_to_close = self.refused = 0
        self.errors: list[str] = []


async def keep_alive_client(port: int, path: str, tally: Tally) -> None:
    """Send GETs back to back on one connection, reconnecting when the server closes it,
    until a connection is refused (the server is gone)."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    reader = writer = None
    while True:
        if writer is not None and reader.at_eof():  # closed by the server: nothing sent
            tally.closed_before_send += 1
            writer.close()
            writer = None
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                tally.refused += 1
                return
        writer.write(request)
        tally.sent += 1
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
            length = int(head.split("content-length:")[1].split("\r\n")[0])
            await reader.readexactly(length)
        except (asyncio.IncompleteReadError, OSError) as exc:
            tally.unanswered += 1
            tally.errors.append(repr(exc))
            writer.close()
            writer = None
            continue
        tally.answered += 1
        if "\r\nconnection: close\r\n" in head:
            tally.told_to_close += 1
            writer.close()
            writer = None


async def wait_until_serving(base: str, process: subprocess.Popen) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        for _ in range(150):
            assert process.poll() is None, process.communicate()[1][-2000:]
            try:
                if (await client.get("/api/v1/health")).status_code in (200, 503):
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("gongzhi serve did not start")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
async def test_sigterm_during_a_keep_alive_burst_answers_every_request_sent(
        workers, database_url, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATA_DIR=str(tmp_path), GONGZHI_DB_URL=database_url,
               GONGZHI_PORT=str(port), GONGZHI_WORKERS=str(workers),
               GONGZHI_SCAN_RATE_LIMIT="1000000", GONGZHI_SANIC_TOUCHUP="false")
    if APP_REDIS_URL:
        env["GONGZHI_REDIS_URL"] = APP_REDIS_URL
    process = subprocess.Popen(SERVE, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        await wait_until_serving(f"http://127.0.0.1:{port}", process)
        tally = Tally()
        clients = [asyncio.create_task(keep_alive_client(port, "/api/v1/scan?code=NOPE1234",
                                                         tally)) for _ in range(16)]
        await asyncio.sleep(1.5)
        busy = tally.sent
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(asyncio.gather(*clients), timeout=60)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert busy > 100, "the burst never got going"
    assert tally.unanswered == 0, (tally.unanswered, tally.sent, tally.errors[:5])
    assert tally.answered == tally.sent
    assert tally.told_to_close + tally.closed_before_send >= 16  # each connection was ended
    assert tally.refused == 16  # and a new one refused: the server stopped accepting
    assert process.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]

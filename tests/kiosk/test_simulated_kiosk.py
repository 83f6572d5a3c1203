"""The README's two commands end to end, as processes: ``gongzhi up`` (the embedded default,
a private data dir) and ``gongzhi kiosk simulate`` (registers the demo kiosk, writes a video of
the demo packs' codes and runs the kiosk with it as its camera). Every code in the video
reaches the server once, counted for the kiosk's registered market; the page shows the
recall from the real server (Chromium screenshot); the kiosk appears in the staff list with
its heartbeat and today's scans; a second run reuses the kept key."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import CHROMIUM
from standin import free_port, wait_until

from tracing.demo.generator import DEMO_KEYS

GONGZHI = [sys.executable, "-c", "import sys; from gongzhi.cli import main; sys.exit(main())"]
ROOT = Path(__file__).parents[2]


def environ(data_dir: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    return env | {"GONGZHI_DATA_DIR": str(data_dir), "GONGZHI_PORT": str(port)}


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def call(url: str, body: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"} | (
                                         {"Authorization": f"Bearer {token}"} if token else {}))
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


@pytest.fixture
def gongzhi_up(tmp_path):
    """``gongzhi up`` (10 demo enterprises) on a free port; yields (env, base URL)."""
    port = free_port()
    env = environ(tmp_path, port)
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([*GONGZHI, "up", "--enterprises", "10"], env=env, cwd=tmp_path,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: answers(base + "/api/v1/health"), 180, step=0.5), \
            (tmp_path / "server.log").read_text()[-2000:]
        yield env, base
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def staff_token(env: dict, base: str) -> str:
    added = subprocess.run([*GONGZHI, "staff", "add", "duty1", "--name", "值班员", "--role",
                            "supervisor", "--password-stdin"], input="kiosk-duty-password\n",
                           env=env, capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stderr
    login = call(base + "/api/v1/auth/staff",
                 {"username": "duty1", "password": "kiosk-duty-password"})
    return login["token"]


async def watch_recall(start_kiosk, page_url: str, path: Path) -> str:
    """Chromium started first, then the kiosk; the page opened as soon as it is served and
    watched until the recall (the video's first code) is shown: screenshot, its first alert."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=["--no-sandbox"])
        page = await browser.new_page(viewport={"width": 1080, "height": 1920})
        start_kiosk()
        assert await asyncio.to_thread(wait_until, lambda: answers(page_url + "state"), 120,
                                       0.05)
        await page.goto(page_url)
        await page.wait_for_function(
            "document.body.className === 'tone-recall' && [...document.querySelectorAll("
            "'#alerts .alert')].some(a => a.innerText.includes('召回'))", timeout=60_000)
        await page.screenshot(path=path)
        first_alert = await page.inner_text("#alerts .alert")
        await browser.close()
        return first_alert


def test_readme_simulated_kiosk_against_gongzhi_up(gongzhi_up, tmp_path, need_chromium):
    env, base = gongzhi_up
    kiosk_port = free_port()
    command = [*GONGZHI, "kiosk", "simulate", "--port", str(kiosk_port), "--once",
               "--heartbeat-seconds", "2"]
    started, log = [], open(tmp_path / "kiosk.log", "w")

    def start_kiosk():
        started.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT))

    page = f"http://127.0.0.1:{kiosk_port}/"
    try:
        alert = asyncio.run(watch_recall(start_kiosk, page, tmp_path / "simulated-recall.png"))
        assert "召回" in alert
        kiosk = started[0]
        kiosk.wait(180)
    finally:
        if started and started[0].poll() is None:
            started[0].kill()
        log.close()
    output = (tmp_path / "kiosk.log").read_text()
    assert kiosk.returncode == 0, output[-3000:]
    assert "已登记" in output and page in output  # says which page to open
    token = staff_token(env, base)
    assert wait_until(lambda: _kiosk_row(base, token)["scans_today"] == 5, 10, step=0.5)
    row = _kiosk_row(base, token)
    assert row["silent"] is False and row["market"].startswith("柳南区")
    beat = row["last_heartbeat"]
    assert beat["camera"] == "ok" and beat["version"] and beat["queue"] == 0
    with sqlite3.connect(tmp_path / "gongzhi.sqlite3") as conn:
        rows = conn.execute("SELECT subject, source, division FROM scan WHERE "
                            "kiosk_id = 'demo-kiosk'").fetchall()
        stored = conn.execute("SELECT key_hash FROM kiosk").fetchall()
    # the item's trace URL and its GS1 element string (GTIN, lot, serial) are the same pack
    assert sorted(r[0] for r in rows) == sorted([
        DEMO_KEYS["recalled_code"], DEMO_KEYS["ok_code"], DEMO_KEYS["expired_input_code"],
        DEMO_KEYS["item_code"], DEMO_KEYS["item_code"]]), rows
    assert {(r[1], r[2]) for r in rows} == {("kiosk", "450200")}  # its market: 柳州市
    key = (tmp_path / "kiosk-sim" / "demo-kiosk" / "device-key").read_text().strip()
    assert len(stored) == 1 and stored[0][0] != key and len(key) >= 32
    assert oct((tmp_path / "kiosk-sim" / "demo-kiosk" / "device-key").stat().st_mode)[-3:] == \
        "600"
    again = subprocess.run([*command, "--codes", DEMO_KEYS["ok_code"]], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=180)
    assert again.returncode == 0 and "沿用已登记的密钥" in again.stdout, again.stdout[-2000:]
    assert wait_until(lambda: _kiosk_row(base, token)["scans_today"] == 6, 10, step=0.5)


def _kiosk_row(base: str, token: str) -> dict:
    rows = call(base + "/api/v1/staff/kiosks", token=token)["kiosks"]
    (row,) = [r for r in rows if r["kiosk_id"] == "demo-kiosk"]
    return row

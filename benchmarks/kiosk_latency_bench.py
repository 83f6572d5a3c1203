"""Time from a code entering the camera's view to its trace shown on the kiosk page.

    python -m benchmarks.kiosk_latency_bench [--trials 24]

Starts the real server (``gongzhi serve``, 1 worker, SQLite, demo data imported) on a free
loopback port and the whole kiosk (``kiosk.app.Kiosk``) with a simulated camera at 30 fps
showing an empty stall; then, trial after trial, a frame with one of the demo codes (QR) is
put in view. Clock starts when the camera hands out the first frame with the code; it stops
when headless Chromium (Debian's, through Playwright) has rendered the answer (the page's
``window.kioskShownAt``), or — without Chromium — when the kiosk published the screen.
Codes repeat, so both the server's uncached and cached views are in the figures.
Target: ≤ 300 ms. Camera exposure and USB transfer (about one frame) are not included.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.scan_bench import free_port, wait_for
from kiosk.app import Kiosk
from kiosk.settings import KioskSettings
from kiosk.sources import Frame, FrameSource
from kiosk.synth.scenes import background, scene
from kiosk.synth.symbols import render

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")


class StageCamera(FrameSource):
    """A 30 fps camera looking at ``self.view``; notes when a new view is first handed out."""

    def __init__(self, image):
        self.view, self.fps = image, 30.0
        self.first_seen: float | None = None
        self._fresh = False
        self._lock = threading.Lock()
        self._next = time.monotonic()
        self.i = 0

    @property
    def status(self):
        return "ok"

    def show(self, image) -> None:
        with self._lock:
            self.view, self._fresh, self.first_seen = image, True, None

    def read(self, timeout=1.0):
        wait = self._next - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._next = max(self._next + 1 / self.fps, time.monotonic())
        with self._lock:
            if self._fresh:
                self.first_seen, self._fresh = time.time(), False
            self.i += 1
            return Frame(self.view, self.i, time.monotonic())


def start_server(tmp: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, GONGZHI_DATA_DIR=str(tmp), GONGZHI_PORT=str(port),
               GONGZHI_SCAN_RATE_LIMIT="100000")
    data = tmp / "demo.ndjson"
    run = {"env": env, "cwd": ROOT, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([sys.executable, "-m", "gongzhi.cli", "demo-data", "--enterprises", "20",
                    "--out", str(data)], **run)
    subprocess.run([sys.executable, "-m", "gongzhi.cli", "import", "--quiet", str(data)], **run)
    proc = subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "serve", "--workers", "1",
                             "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/api/v1/health")
    return proc


def page_watcher(url: str):
    """A headless Chromium page on the kiosk, or None without Chromium/Playwright."""
    if not Path(CHROMIUM).exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1080, "height": 1920})
    page.goto(url)
    page.wait_for_selector("#idle:not([hidden])")
    return pw, browser, page


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    args = parser.parse_args(argv)
    from tracing.demo.generator import DEMO_KEYS

    codes = [DEMO_KEYS[k] for k in ("ok_code", "recalled_code", "excursion_code", "item_code",
                                    "case_code", "alias")]
    rng = random.Random(3)
    stall = background(rng)
    frames = {c: scene(rng, [render("qr", c)], height=0.45, frame_effects=["noise"]).image
              for c in codes}
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp), port)
        camera = StageCamera(stall)
        settings = KioskSettings(server=f"http://127.0.0.1:{port}", kiosk_id="bench-01",
                                 key="bench", port=0, data_dir=Path(tmp) / "kiosk",
                                 speech=False, debounce_seconds=0.5)
        kiosk = Kiosk(settings, source=camera).start()
        watcher = page_watcher(kiosk.display.url)
        where = "rendered in headless Chromium" if watcher else "published by the kiosk"
        results: list[tuple[float, bool]] = []
        try:
            for trial in range(args.trials):
                code = codes[trial % len(codes)]
                before = kiosk.hub.snapshot()["screen"]["seq"]
                camera.show(frames[code])
                deadline = time.monotonic() + 10
                while True:
                    screen = kiosk.hub.snapshot()["screen"]
                    if screen["seq"] > before and screen["screen"] != "notice":
                        break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no trace shown for {code}")
                    time.sleep(0.002)
                shown = screen["shown_at"]
                if watcher:
                    page = watcher[2]
                    page.wait_for_function(f"document.body.dataset.seq === '{screen['seq']}'")
                    shown = page.evaluate("window.kioskShownAt") / 1000
                results.append(((shown - camera.first_seen) * 1000, trial < len(codes)))
                camera.show(stall)
                time.sleep(0.7)  # the code leaves the view (longer than the debounce gap)
        finally:
            if watcher:
                watcher[1].close()
                watcher[0].stop()
            kiosk.stop()
            server.terminate()
            server.wait(10)
    ms = [m for m, _ in results]
    first = [m for m, cold in results if cold]
    print(f"code entering view -> trace {where}; server on loopback (1 worker, SQLite); "
          f"machine shared with other work; {len(ms)} trials")
    print(f"  median {statistics.median(ms):.0f} ms, p90 {sorted(ms)[int(len(ms) * 0.9)]:.0f} ms,"
          f" max {max(ms):.0f} ms; first scan of each code (view not cached): median "
          f"{statistics.median(first):.0f} ms")


if __name__ == "__main__":
    main()

"""``gongzhi kiosk simulate``: a simulated market kiosk against the server of ``gongzhi up``.

The demo kiosk is registered when needed: its device key is kept in
``<data dir>/kiosk-sim/<id>/device-key`` (mode 0600) and reused while the stored hash still
matches it; otherwise a new key is issued (the kiosk re-registered). A video of the demo
packs' codes (a QR code per trace code or URL, a GS1 DataMatrix for an element string) is
written by the kiosk program, which is then run with that video as its camera; it prints the
page to open.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from core.clock import utc_now
from core.features import CommandContext
from core.i18n import T
from tracing.demo.generator import DEMO_KEYS
from tracing.kiosk_commands import with_db
from tracing.scans.kiosks import key_hash, new_key, register_kiosk
from tracing.scans.models import Kiosk

DEMO_KIOSK_ID = "demo-kiosk"
DEMO_MARKET = {"market": "柳南区河西农贸市场（演示）", "division_code": "450204",
               "lat": 24.30, "lng": 109.38}


def demo_codes(server: str) -> list[str]:
    """The codes the demo video shows: a recall, an ordinary batch, a batch made with an
    expired input, the trace URL of an item and a GS1 element string."""
    gtin = DEMO_KEYS["gs1_digital_link"].split("/01/")[1].split("/")[0]
    return [DEMO_KEYS["recalled_code"], DEMO_KEYS["ok_code"], DEMO_KEYS["expired_input_code"],
            f"{server}/t/{DEMO_KEYS['item_code']}", f"(01){gtin}(10)L260902A(21)000001"]


async def ensure_registered(kiosk_id: str, key_file: Path) -> tuple[str, bool]:
    """The kiosk's key, registering the kiosk (or issuing it a new key) when the kept key
    does not match; and whether it was (re-)registered."""
    kept = key_file.read_text().strip() if key_file.exists() else None
    row = await Kiosk.get_or_none(id=kiosk_id)
    if kept and row is not None and row.key_hash == key_hash(kept):
        return kept, False
    key = new_key()
    await register_kiosk(kiosk_id=kiosk_id, key=key, now=utc_now(), **DEMO_MARKET)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    os.chmod(key_file, 0o600)
    key_file.write_text(key + "\n")
    return key, True


def _server_answers(server: str) -> bool:
    try:
        with urllib.request.urlopen(f"{server}/api/v1/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def simulate(context: CommandContext, args) -> int:
    settings = context.settings
    server = (args.server or f"http://{settings.host}:{settings.port}").rstrip("/")
    kiosk_id = args.id or DEMO_KIOSK_ID
    home = settings.data_dir / "kiosk-sim" / kiosk_id
    key, fresh = asyncio.run(with_db(context, lambda: ensure_registered(
        kiosk_id, home / "device-key")))
    told = (T("终端 {kiosk_id} 已登记在{market}", kiosk_id=kiosk_id, market=DEMO_MARKET["market"])
            if fresh else T("终端 {kiosk_id} 沿用已登记的密钥", kiosk_id=kiosk_id))
    print(told, flush=True)
    video = home / "demo.mp4"
    kiosk = [sys.executable, "-m", "kiosk"]
    subprocess.run([*kiosk, "make-demo-video", "--out", str(video), "--codes",
                    *(args.codes or demo_codes(server))], check=True, stdout=subprocess.DEVNULL)
    if not _server_answers(server):
        print(T("服务器 {server} 暂无响应：终端先离线运行，扫码排队，恢复后补发",
                server=server), flush=True)
    print(T("请用浏览器打开 http://127.0.0.1:{port}/ 查看终端屏幕（Chromium 全屏：chromium "
            "--kiosk http://127.0.0.1:{port}/）", port=args.port), flush=True)
    run = [*kiosk, "run", "--server", server, "--source", str(video), "--kiosk-id", kiosk_id,
           "--port", str(args.port), "--data-dir", str(home),
           "--heartbeat-seconds", str(args.heartbeat_seconds)]
    run += ["--exit-at-end"] if args.once else ["--loop"]
    run += [] if args.speech else ["--no-speech"]
    child = subprocess.Popen(run, env={**os.environ, "GONGZHI_KIOSK_KEY": key})
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())  # stopping this stops it
    try:
        return child.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the kiosk too (same process group)
        return child.wait()

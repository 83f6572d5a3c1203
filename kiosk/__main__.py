"""``python -m kiosk``: decode images, run the (simulated) kiosk, make demo material.

    python -m kiosk decode FILE...            one JSON line per file: {"file", "codes", "ms"}
    python -m kiosk run --server URL --source video.mp4|folder|camera --kiosk-id ID --key KEY
    python -m kiosk make-demo-video --codes CODE... --out demo.mp4
    python -m kiosk make-images --n 50 --out DIR   degraded frames and truth.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from kiosk.settings import SettingError, env_default


def cmd_decode(args) -> int:
    import cv2

    from kiosk.chain import LIVE_STEPS, THOROUGH_STEPS, ChainDecoder

    steps = LIVE_STEPS if args.live else THOROUGH_STEPS
    chain = ChainDecoder(steps=steps, budget_ms=args.budget_ms)
    failed = 0
    for name in args.files:
        started = time.perf_counter()
        image = cv2.imread(name, cv2.IMREAD_GRAYSCALE)
        line: dict = {"file": name, "codes": []}
        if image is None:
            line["error"] = "unreadable image"
            failed += 1
        else:
            line["codes"] = [{"text": c.text, "format": c.format} for c in chain.decode(image)]
        line["ms"] = round((time.perf_counter() - started) * 1000, 1)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def cmd_run(args) -> int:
    from kiosk.app import Kiosk
    from kiosk.settings import KioskSettings

    try:
        settings = KioskSettings(
            server=args.server, kiosk_id=args.kiosk_id or "", key=args.key or "",
            source=args.source, host=args.host, port=args.port, data_dir=Path(args.data_dir),
            idle_seconds=args.idle_seconds, alert_idle_seconds=args.alert_idle_seconds,
            speech=not args.no_speech, heartbeat_seconds=args.heartbeat_seconds,
            budget_ms=args.budget_ms, phone_base=args.phone_base or "",
            complaint_url=args.complaint_url or "", orientation=args.orientation,
            loop=args.loop)
    except SettingError as error:
        print(f"kiosk: bad setting {error}", file=sys.stderr)
        return 2
    kiosk = Kiosk(settings).start()
    print(f"kiosk page: {kiosk.display.url}  (chromium --kiosk {kiosk.display.url})",
          flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            if not any(t.is_alive() for t in kiosk._threads[:1]) and args.exit_at_end:
                time.sleep(settings.scan_timeout + 1)
                break
    finally:
        kiosk.stop()
    return 0


def cmd_make_demo_video(args) -> int:
    from kiosk.video import make_demo_video

    path = make_demo_video(args.codes, args.out, seconds=args.seconds, gap=args.gap, fps=args.fps)
    print(path)
    return 0


def cmd_make_images(args) -> int:
    import cv2

    from kiosk.synth.scenes import degraded_set

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "truth.jsonl", "w", encoding="utf-8") as truth:
        for i, sample in enumerate(degraded_set(args.n, args.seed)):
            name = f"frame-{i:04d}.png"
            cv2.imwrite(str(out / name), sample.image)
            truth.write(json.dumps({"file": name, "expected": sample.expected,
                                    "kind": sample.symbols[0].kind, "effects": sample.effects},
                                   ensure_ascii=False) + "\n")
    print(out)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kiosk", description="Gongzhi market kiosk")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("decode", help="decode image files, one JSON line each")
    d.add_argument("files", nargs="+")
    d.add_argument("--budget-ms", type=float, default=2000.0)
    d.add_argument("--live", action="store_true", help="the live chain instead of thorough")
    d.set_defaults(func=cmd_decode)
    r = sub.add_parser("run", help="run the kiosk (camera, video file or image folder)")
    r.add_argument("--server", default=env_default("server", "http://127.0.0.1:8000"))
    r.add_argument("--source", default=env_default("source", "camera"))
    r.add_argument("--kiosk-id", default=env_default("id"))
    r.add_argument("--key", default=env_default("key"), help="device key (or GONGZHI_KIOSK_KEY)")
    r.add_argument("--host", default="127.0.0.1")
    r.add_argument("--port", type=int, default=int(env_default("port", "8090")))
    r.add_argument("--data-dir", default=env_default("data_dir", "var/kiosk"))
    r.add_argument("--idle-seconds", type=float, default=30.0)
    r.add_argument("--alert-idle-seconds", type=float, default=60.0)
    r.add_argument("--heartbeat-seconds", type=float, default=30.0)
    r.add_argument("--budget-ms", type=float, default=30.0)
    r.add_argument("--no-speech", action="store_true")
    r.add_argument("--phone-base", default=env_default("phone_base"))
    r.add_argument("--complaint-url", default=env_default("complaint_url"))
    r.add_argument("--orientation", default="auto", choices=("auto", "portrait", "landscape"))
    r.add_argument("--loop", action="store_true", help="replay the video or folder forever")
    r.add_argument("--exit-at-end", action="store_true", help="stop when the source ends")
    r.set_defaults(func=cmd_run)
    v = sub.add_parser("make-demo-video", help="a video of pack codes held to the camera")
    v.add_argument("--codes", nargs="+", required=True)
    v.add_argument("--out", default="demo.mp4")
    v.add_argument("--seconds", type=float, default=3.0)
    v.add_argument("--gap", type=float, default=1.5)
    v.add_argument("--fps", type=int, default=25)
    v.set_defaults(func=cmd_make_demo_video)
    m = sub.add_parser("make-images", help="generated degraded frames with their truth")
    m.add_argument("--n", type=int, default=50)
    m.add_argument("--seed", type=int, default=101)
    m.add_argument("--out", required=True)
    m.set_defaults(func=cmd_make_images)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""The whole kiosk, as ``python -m kiosk run`` wires it: a demo video of pack codes as the
camera, the stand-in server, the display state, one scan per code held in view, heartbeats
to a server without the endpoint, and the command line itself."""

import json
import subprocess
import sys
from pathlib import Path

import cv2
from standin import wait_until

from kiosk.app import Kiosk
from kiosk.settings import KioskSettings, SettingError
from kiosk.video import make_demo_video


def settings(url, tmp_path, **kw):
    return KioskSettings(server=url, kiosk_id="market-01", key="k3y", data_dir=tmp_path,
                         port=0, speech=False, **kw)


def test_kiosk_scans_each_code_in_the_video_once(standin, tmp_path):
    video = make_demo_video(["RECALL-LZ0001", "LZ040000000002", "wxp://not-ours"],
                            tmp_path / "demo.mp4", seconds=1.5, gap=0.5, fps=20)
    from kiosk.sources import FileFrameSource

    kiosk = Kiosk(settings(standin.url, tmp_path),
                  source=FileFrameSource(video, realtime=False)).start()
    try:
        assert wait_until(lambda: len(standin.requests) == 3, 30)
        assert [r["code"] for r in standin.requests] == ["RECALL-LZ0001", "LZ040000000002",
                                                         "wxp://not-ours"]
        assert wait_until(lambda: kiosk.hub.snapshot()["screen"].get("kind") == "rejected", 10)
        assert kiosk.loop.stats.scans == 3 and kiosk.loop.stats.frames > 60
        answer = kiosk.heartbeat_once()
        assert answer.outcome == "absent" and kiosk.heartbeat_absent
        beat = standin.heartbeats[-1]
        assert beat["camera"] == "ok" and beat["queue"] == 0 and beat["fps"] > 0
        assert 0 < beat["decode_rate"] <= 1
    finally:
        kiosk.stop()


def test_bad_settings_are_named(tmp_path):
    for kw, name in (({"server": "ftp://x"}, "server"), ({"kiosk_id": "市场 1"}, "kiosk_id"),
                     ({"key": "has space"}, "key"), ({"idle_seconds": 0}, "idle_seconds"),
                     ({"complaint_url": "https://x/c"}, "complaint_url")):
        args = dict(server="http://127.0.0.1:1", kiosk_id="k1", key="k") | kw
        try:
            KioskSettings(**args)
        except SettingError as error:
            assert error.name == name
        else:
            raise AssertionError(f"{kw} accepted")


def test_decode_command_prints_one_json_line_per_file(tmp_path):
    from kiosk.synth.symbols import render

    symbol = render("qr_url", "http://gz.example.cn/t/LZ040000000002")
    cv2.imwrite(str(tmp_path / "qr.png"), symbol.image)
    cv2.imwrite(str(tmp_path / "blank.png"), symbol.image * 0 + 255)
    (tmp_path / "broken.jpg").write_bytes(b"nope")
    out = subprocess.run([sys.executable, "-m", "kiosk", "decode", str(tmp_path / "qr.png"),
                          str(tmp_path / "blank.png"), str(tmp_path / "broken.jpg")],
                         capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).parents[2])
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [set(line) >= {"file", "codes", "ms"} for line in lines] == [True] * 3
    assert lines[0]["codes"] == [{"text": "http://gz.example.cn/t/LZ040000000002",
                                  "format": "QRCode"}]
    assert lines[1]["codes"] == [] and lines[2]["error"] == "unreadable image"
    assert out.returncode == 1


def test_run_command_refuses_a_bad_setting(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kiosk", "run", "--server", "nope",
                          "--kiosk-id", "k1", "--key", "k", "--source", str(tmp_path)],
                         capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).parents[2])
    assert out.returncode == 2 and "server" in out.stderr

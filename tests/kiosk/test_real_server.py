"""The kiosk against the real Gongzhi server on loopback (demo data imported through the
exchange endpoint): the recall first, unknown and foreign codes, the scans recorded with the
kiosk's channel and id, a GS1 DataMatrix decoded from an image and resolved, and the offline
queue delivering 100 scans exactly once to the server's stored scans."""

import asyncio
import random

import cv2
import pytest
from conftest import make_service

from tracing.service import TraceService


async def test_kiosk_scans_against_the_real_server(server, demo, store):
    base, app = server
    service = make_service(base, store)
    recalled = await asyncio.to_thread(service.scan, demo["recalled_code"])
    assert recalled["screen"] == "trace" and recalled["tone"] == "recall"
    assert "召回" in recalled["alerts"][0]["text"] and recalled["speech"]
    assert recalled["phone_url"] == f"{base}/t/{demo['recalled_code']}"
    titles = [s["title"] for s in recalled["sections"]]
    assert titles[:3] == ["产品", "生产企业", "批次"] and "流通过程" in titles
    ok = await asyncio.to_thread(service.scan, demo["ok_code"])
    assert ok["tone"] in ("ok", "warning") and ok["product_name"]
    missing = await asyncio.to_thread(service.scan, "LZ123456789XYZ")
    assert missing["title"] == "查不到这个码" and "12315" in missing["text"]
    foreign = await asyncio.to_thread(service.scan, "wxp://f2f0e5KxA8sZbNq")
    assert foreign["title"] == "这不是食品追溯码"
    gone = await asyncio.to_thread(service.scan, demo["withdrawn_code"])
    assert gone["title"] == "这个码已作废"
    assert store.pending() == 0
    await app.ctx.services.get(TraceService).recorder.flush()
    from tracing.scans.models import Scan

    rows = await Scan.filter(channel="kiosk").values("subject", "kiosk_id")
    assert sorted(r["subject"] for r in rows) == sorted([demo["recalled_code"], demo["ok_code"]])
    assert {r["kiosk_id"] for r in rows} == {"market-01"}


async def test_decoded_gs1_datamatrix_resolves_on_the_server(server, demo, store):
    from kiosk.chain import ChainDecoder
    from kiosk.synth.scenes import scene
    from kiosk.synth.symbols import render

    gtin = demo["gs1_digital_link"].split("/01/")[1].split("/")[0]
    symbol = render("datamatrix_gs1", f"(01){gtin}(10)L260902A(21)000001")
    rng = random.Random(3)
    frame = cv2.cvtColor(scene(rng, [symbol], height=0.4, angle=20, tilt=0.05,
                               frame_effects=["noise"]).image, cv2.COLOR_BGR2GRAY)
    (code,) = ChainDecoder().decode(frame)
    assert "\x1d" in code.text
    service = make_service(server[0], store)
    screen = await asyncio.to_thread(service.scan, code.text)
    assert screen["screen"] == "trace", screen


async def test_server_down_100_scans_server_up_exactly_100_stored(server, demo, store):
    """The kiosk scans 100 packs while its server does not answer; its queue then reaches the
    real server: exactly 100 scans stored, each at the time it was seen, counted for the
    kiosk's registered market; scans sent again (answers lost on the way) are not doubled."""
    import threading
    from datetime import datetime, timezone

    from kiosk.client import ServerClient
    from kiosk.display.server import DisplayHub
    from kiosk.sender import QueueSender
    from kiosk.service import KioskService
    from kiosk.speech import Speaker
    from standin import free_port, wait_until
    from tracing.scans.kiosks import new_key, register_kiosk
    from tracing.scans.models import Scan

    key = new_key()
    await register_kiosk(kiosk_id="market-01", key=key, market="柳州市城中区农贸市场",
                         division_code="450202", lat=24.31, lng=109.41,
                         now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    down = ServerClient(f"http://127.0.0.1:{free_port()}", kiosk_id="market-01", key=key)
    service = KioskService(client=down, store=store, hub=DisplayHub(), phone_base=server[0],
                           speaker=Speaker(enabled=False), complaint_url="x?c={code}")
    codes = [demo[k] for k in ("ok_code", "recalled_code", "item_code", "case_code",
                               "expired_input_code")] * 20
    for code in codes:
        assert (await asyncio.to_thread(service.scan, code))["title"] == "网络暂时中断"
    assert store.pending() == 100
    came_up = datetime.now(timezone.utc)
    up = ServerClient(server[0], kiosk_id="market-01", key=key)
    sender = QueueSender(store, up, backoff=0.05, max_backoff=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=sender.run, args=(stop,), kwargs={"interval": 0.05})
    thread.start()
    try:
        assert await asyncio.to_thread(wait_until, lambda: store.pending() == 0, 60)
    finally:
        stop.set()
        sender.wake()
        await asyncio.to_thread(thread.join, 5)
    await server[1].ctx.services.get(TraceService).recorder.flush()
    rows = await Scan.filter(kiosk_id="market-01").values("subject", "source", "division",
                                                          "scan_id", "scanned_at")
    assert len(rows) == 100 and len({r["scan_id"] for r in rows}) == 100
    assert sorted(r["subject"] for r in rows) == sorted(codes)
    assert {(r["source"], r["division"]) for r in rows} == {("kiosk", "450200")}
    assert all(r["scanned_at"] < came_up for r in rows)  # when seen, not when delivered
    for row in rows[:10]:  # the answers were lost: the queue sends them again
        seen = row["scanned_at"]
        answer = await asyncio.to_thread(up.scan, row["subject"], scan_id=row["scan_id"],
                                         scanned_at=seen)
        assert answer.outcome == "view"
    await server[1].ctx.services.get(TraceService).recorder.flush()
    assert await Scan.filter(kiosk_id="market-01").count() == 100

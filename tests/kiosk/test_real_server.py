"""The kiosk against the real Gongzhi server on loopback (demo data imported through the
exchange endpoint): the recall first, unknown and foreign codes, the scans recorded with the
kiosk's channel and id, a GS1 DataMatrix decoded from an image and resolved."""

import asyncio
import io
import random

import cv2
import pytest
from conftest import make_service

from tracing.demo.generator import DEMO_KEYS, write_demo
from tracing.service import TraceService

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}


@pytest.fixture
async def demo(http):
    out = io.StringIO()
    write_demo(out, enterprises=10)
    answer = await http.post("/api/v1/exchange", content=out.getvalue().encode(), headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == []
    return DEMO_KEYS


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

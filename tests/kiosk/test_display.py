"""The kiosk page in headless Chromium (Debian's, driven by Playwright; never downloaded):
idle screen, a recall from the real server full screen in red, an ordinary trace, notices,
back to idle after the configured time, portrait 1080×1920 and landscape 1920×1080, with
screenshots written to the test's folder."""

import asyncio
import io

import pytest
from conftest import CHROMIUM, make_service

from kiosk.display.server import DisplayServer
from tracing.demo.generator import DEMO_KEYS, write_demo

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
SIZES = {"portrait": {"width": 1080, "height": 1920},
         "landscape": {"width": 1920, "height": 1080}}


@pytest.fixture
async def browser(need_chromium):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=["--no-sandbox"])
        yield browser
        await browser.close()


@pytest.fixture
async def kiosk_page(server, http, store, browser):
    out = io.StringIO()
    write_demo(out, enterprises=10)
    answer = await http.post("/api/v1/exchange", content=out.getvalue().encode(), headers=NDJSON)
    assert answer.status_code == 200
    service = make_service(server[0], store)
    service.hub.idle_seconds = 1.5
    display = DisplayServer(service.hub, port=0).start()
    yield service, display
    display.stop()


async def shown(page, seq: int):
    await page.wait_for_function(f"document.body.dataset.seq === '{seq}'", timeout=10_000)


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
async def test_page_shows_recall_trace_notice_and_returns_to_idle(kiosk_page, browser,
                                                                   orientation, tmp_path):
    service, display = kiosk_page
    page = await browser.new_page(viewport=SIZES[orientation])
    await page.goto(display.url)
    await page.wait_for_selector("#idle:not([hidden])")
    assert await page.inner_text("#idle-title") == "扫码查询食品来源"
    assert await page.evaluate("document.fonts.check('40px \"Noto Sans CJK SC\"')")
    await page.screenshot(path=tmp_path / f"idle-{orientation}.png")

    await asyncio.to_thread(service.scan, DEMO_KEYS["recalled_code"])
    await shown(page, service.hub.snapshot()["screen"]["seq"])
    assert await page.get_attribute("body", "class") == "tone-recall"
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(183, 28, 28)"  # red, the whole screen
    first_alert = await page.inner_text("#alerts .alert")
    assert "召回" in first_alert
    alert_box = await page.eval_on_selector("#alerts", "e => e.getBoundingClientRect().top")
    sections_box = await page.eval_on_selector("#sections",
                                               "e => e.getBoundingClientRect().top")
    assert alert_box < sections_box  # alerts first
    size = await page.eval_on_selector("#alerts .alert", "e => getComputedStyle(e).fontSize")
    assert float(size[:-2]) >= 40  # large type, readable at arm's length
    headings = await page.eval_on_selector_all("#sections h2", "es => es.map(e => e.textContent)")
    assert headings[:3] == ["产品", "生产企业", "批次"]
    assert await page.eval_on_selector("#qr-phone", "e => e.complete && e.naturalWidth > 0")
    overflow = await page.evaluate("document.documentElement.scrollWidth > innerWidth")
    assert not overflow
    bottom = await page.eval_on_selector("#qr-complaint", "e => e.getBoundingClientRect().bottom")
    assert bottom <= SIZES[orientation]["height"]  # both phone codes on screen
    # what does not fit scrolls by itself: the chain's last row comes into view
    await page.wait_for_function(
        "(() => { const b = document.getElementById('sections');"
        " return b.scrollHeight <= b.clientHeight + 2 || b.scrollTop > 0; })()", timeout=10_000)
    await page.screenshot(path=tmp_path / f"recall-{orientation}.png")

    await asyncio.to_thread(service.scan, "wxp://f2f0e5KxA8sZbNq")
    await shown(page, service.hub.snapshot()["screen"]["seq"])
    assert await page.inner_text("#notice-title") == "这不是食品追溯码"
    await page.screenshot(path=tmp_path / f"notice-{orientation}.png")
    await page.wait_for_selector("#idle:not([hidden])", timeout=5_000)  # idle after 1.5 s
    await page.close()


async def test_offline_copy_and_camera_loss_are_said(kiosk_page, browser, server):
    service, display = kiosk_page
    page = await browser.new_page(viewport=SIZES["portrait"])
    await page.goto(display.url)
    await asyncio.to_thread(service.scan, DEMO_KEYS["ok_code"])
    service.client._http._base_url = service.client._http._merge_url("http://127.0.0.1:9")
    await asyncio.to_thread(service.scan, DEMO_KEYS["ok_code"])
    await shown(page, service.hub.snapshot()["screen"]["seq"])
    assert (await page.inner_text("#offline")).startswith("网络暂时中断，以下是刚刚保存的信息")
    service.hub.set_status(camera="lost")
    await page.wait_for_selector("#idle:not([hidden])", timeout=5_000)
    assert "摄像头连接中断" in await page.inner_text("#idle-status")
    assert "网络暂时中断" in await page.inner_text("#idle-status")
    await page.close()

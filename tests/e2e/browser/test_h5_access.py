"""The large-type mode (适老化) at 200% zoom on every page, and what a person reads when the
network or the server lets them down: offline, too slow, a photo too large, too many
requests, a broken answer. Never a blank page or raw JSON."""

from __future__ import annotations

import io
import os
import re

from PIL import Image
from playwright.sync_api import expect

from tracing.demo.keys import DEMO_KEYS

from .conftest import UPLOAD_MAX_BYTES, main_text, shot

RECALLED = DEMO_KEYS["recalled_code"]
USCC = DEMO_KEYS["failed_sampling_uscc"]
PAGES = {"scan": "/h5/scan", "trace": f"/h5/trace?code={RECALLED}", "search": "/h5/search?q=lsf",
         "enterprise": f"/h5/enterprise?uscc={USCC}", "product": "/h5/product?id=LZP0000004-00",
         "complaint": f"/h5/complaint?code={RECALLED}", "complaint-merchant": "/h5/complaint",
         "me": "/h5/me", "notices": "/h5/notices", "notice": "/h5/notices?id=GG0000001",
         "my-enterprise": "/h5/my-enterprise", "unknown-page": "/h5/nothing"}
# 200% zoom of a 375 px wide phone: half as many CSS pixels, each drawn twice as large
ZOOMED = {"viewport": {"width": 188, "height": 406}, "device_scale_factor": 2}
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) found.push(`page ${document.documentElement.scrollWidth} > ${width}`);
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".visually-hidden, [hidden], option")) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const style = getComputedStyle(el);
    const name = `${el.tagName.toLowerCase()}.${el.className}[${el.name || el.id || ""}]: ${(el.textContent || "").trim().slice(0, 20)}`;
    if (box.left < -0.5 || box.right > width + 0.5) found.push(`${name} [${box.left}, ${box.right}]`);
    if (["hidden", "clip"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) found.push(`cut: ${name}`);
    if (["fixed", "sticky"].includes(style.position) && box.height > innerHeight / 4) found.push(`covers: ${name}`);
  }
  return found;
}"""


def test_large_type_mode_is_remembered_and_every_page_fits_at_200_percent(phone):
    context = phone.context(**ZOOMED)
    page = context.new_page()
    page.on("pageerror", lambda error: phone.errors.append(str(error)))
    page.goto(PAGES["scan"])
    toggle = page.locator("#elder-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    for name, path in PAGES.items():
        page.goto(path)
        page.wait_for_selector("main > :not(.loading)")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.classList.contains('elder')"), name
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "22px"
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
        assert page.locator("#elder-toggle").is_visible(), name
        assert page.evaluate(OVERFLOW) == [], name
        assert main_text(page).strip(), f"{name} is blank"
        shot(page, f"elder-200pct-{name}")
    page.locator("#elder-toggle").click()  # and back, remembered too
    page.goto(PAGES["scan"])
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"


def test_standard_type_fits_at_200_percent_too(phone):
    page = phone.page(**ZOOMED)
    for name in ("trace", "complaint", "search", "my-enterprise"):
        page.goto(PAGES[name])
        page.wait_for_selector("main > :not(.loading)")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(OVERFLOW) == [], name


def test_offline_says_so_and_retries(phone):
    page = phone.page()
    page.goto("/h5/search")
    expect(page.locator("#search-q")).to_be_visible()  # the page's scripts are in
    page.context.set_offline(True)
    page.locator("#search-q").fill("螺蛳粉")
    page.locator("#search-q").press("Enter")
    problem = page.locator(".problem")
    expect(problem).to_contain_text("网络未连接")
    shot(page, "offline")
    page.context.set_offline(False)
    problem.get_by_role("button", name="重试").click()
    expect(page.locator("#results li").first).to_be_visible()


def test_a_slow_api_shows_a_spinner_then_a_retry_button(phone):
    page = phone.page()
    page.clock.install()
    held = []
    page.route("**/api/v1/scan?*", lambda route: held.append(route))  # never answered
    page.goto(f"/h5/trace?code={RECALLED}")
    expect(page.locator("main .spinner")).to_be_visible()
    page.clock.fast_forward(3000)
    expect(page.locator("main .loading")).to_contain_text("网络较慢")
    shot(page, "slow-spinner")
    page.clock.fast_forward(8000)
    problem = page.locator(".problem")
    expect(problem).to_contain_text("服务器响应太慢")
    shot(page, "slow-retry")
    page.unroute("**/api/v1/scan?*")
    problem.get_by_role("button", name="重试").click()
    expect(page.locator("#trace-status")).to_have_text("该批次正在召回，请勿食用")
    assert held, "the scan request was never held"


def _noise_jpeg(at_least: int) -> bytes:
    side = 1400
    while True:
        out = io.BytesIO()
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG",
                                                                              quality=95)
        if out.tell() > at_least:
            return out.getvalue()
        side += 400


def test_a_photo_too_large_is_refused_in_plain_words(phone, tmp_path):
    big = tmp_path / "big.jpg"
    big.write_bytes(_noise_jpeg(UPLOAD_MAX_BYTES + 100_000))
    page = phone.page()
    page.goto(f"/h5/complaint?code={RECALLED}")
    page.locator("#photo-input").set_input_files(str(big))
    expect(page.locator("#photo-error")).to_have_text("照片太大，请压缩或换一张较小的照片再试（不超过 1 MB）。")
    expect(page.locator("#photo-list .state")).to_have_text("未上传")
    shot(page, "photo-413")


def test_too_many_requests_and_a_broken_answer_in_plain_words(phone):
    page = phone.page()
    body = '{"error": {"code": "rate_limited", "message": "too many requests", "field": null}}'
    page.route("**/api/v1/search?*", lambda route: route.fulfill(
        status=429, body=body, content_type="application/json", headers={"Retry-After": "30"}))
    page.goto("/h5/search?q=lsf")
    expect(page.locator(".problem")).to_contain_text("操作太频繁了，请 30 秒后再试。")
    assert "rate_limited" not in main_text(page) and "{" not in main_text(page)
    shot(page, "rate-limited-429")
    page.unroute("**/api/v1/search?*")
    page.route("**/api/v1/enterprises/*", lambda route: route.fulfill(
        status=502, body="<html><body>Bad Gateway</body></html>", content_type="text/html"))
    page.goto(f"/h5/enterprise?uscc={USCC}")
    expect(page.locator(".problem")).to_contain_text("请稍后再试")
    assert "Bad Gateway" not in main_text(page)
    page.route("**/api/v1/notices?*", lambda route: route.fulfill(
        status=200, body="<html>portal login</html>", content_type="text/html"))
    page.goto("/h5/notices")
    expect(page.locator(".problem")).to_contain_text("无法识别")
    assert re.search("portal", main_text(page)) is None

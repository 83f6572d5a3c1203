"""A consumer's journeys in the H5 pages, in Chromium against ``gongzhi up``: scanning, the
printed codes a phone camera opens, search by pinyin initials and nearby, profiles, notices,
recall-warning consent, and the WeChat in-app browser."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import httpx
from playwright.sync_api import expect

from tests.complaint_helpers import APPID
from tracing.demo.keys import DEMO_KEYS

from .conftest import main_text, shot

RECALLED, OK = DEMO_KEYS["recalled_code"], DEMO_KEYS["ok_code"]
USCC = DEMO_KEYS["failed_sampling_uscc"]
PRODUCER = "柳州市螺园食品科技有限公司"
RED = "rgb(250, 81, 81)"


def test_gongzhi_up_prints_the_h5_addresses(site):
    for path in ("/h5/scan", f"/h5/trace?code={RECALLED}", "/h5/search?q=lsf", "/h5/notices"):
        assert f"{site.base}{path}" in site.output, site.output


def test_scanning_the_recalled_batch_shows_the_recall_before_anything_else(phone):
    page = phone.page()
    page.goto("/h5/scan")
    shot(page, "scan")
    page.fill("#scan-code", RECALLED)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#trace-status")).to_have_text("该批次正在召回，请勿食用")
    assert page.locator("#trace-status").evaluate("e => getComputedStyle(e).backgroundColor") == RED
    shown = page.locator("main > *").evaluate_all("els => els.map(e => e.id || e.className)")
    assert shown[:2] == ["trace-status", "alerts"], shown
    first_alert = page.locator("#alerts .alert").first
    expect(first_alert).to_have_attribute("data-kind", "recall")
    expect(first_alert).to_have_attribute("role", "alert")
    assert first_alert.evaluate("e => getComputedStyle(e).color") == RED
    assert "二级召回" in first_alert.inner_text()
    # the chain as a timeline, production first and the recall last (red)
    chain = page.locator("#chain > li")
    expect(chain.first.locator(".timeline-kind")).to_have_text("生产")
    expect(chain.last.locator(".timeline-kind")).to_have_text("召回")
    expect(chain.last).to_have_class("red")
    # inputs fold open one by one
    first_input = page.locator("#inputs details").first
    assert first_input.evaluate("e => e.open") is False
    first_input.locator("summary").click()
    assert first_input.evaluate("e => e.open") is True
    expect(first_input.locator("ol.timeline > li").first).to_be_visible()
    expect(page.locator("#scan-count")).to_contain_text(re.compile(r"该码已被查询 \d+ 次"))
    expect(page.locator("#scan-count")).to_contain_text("首次查询")
    shot(page, "trace-recalled")
    expect(page.locator("#report-problem")).to_have_attribute(
        "href", f"/h5/complaint?code={RECALLED}")
    page.locator("#report-problem").click()
    expect(page.locator("#target-code")).to_have_text(RECALLED)


def test_a_photo_of_the_printed_code_is_read_and_opens_the_trace(phone, site, tmp_path):
    from tests.unit.test_photo_codes import photo, qr

    printed = tmp_path / "pack.jpg"
    printed.write_bytes(photo(qr(f"{site.base}/t/{RECALLED}")))
    blank = tmp_path / "table.jpg"
    blank.write_bytes(photo())
    page = phone.page()
    page.goto("/h5/scan")
    page.locator("#scan-photo").set_input_files(str(blank))
    expect(page.locator("main [role=alert]")).to_have_text(re.compile("没有找到追溯码"))
    page.locator("#scan-photo").set_input_files(str(printed))
    expect(page).to_have_url(re.compile(r"/h5/trace\?code=http"))
    expect(page.locator("#trace-status")).to_have_text("该批次正在召回，请勿食用")
    expect(page.locator("#alerts .alert").first).to_have_attribute("data-kind", "recall")


def test_a_code_not_on_record_says_so_and_offers_a_report(phone):
    page = phone.page()
    page.goto("/h5/trace?code=" + quote("LZ049999999999"))
    expect(page.locator(".problem")).to_contain_text("可能是仿冒产品")
    expect(page.get_by_role("link", name="举报可疑产品")).to_be_visible()
    assert "{" not in main_text(page) and "This code" not in main_text(page)
    shot(page, "trace-unknown-code")


def _phone_camera_opens(phone, path: str, name: str):
    """A browser opening a printed URL lands (307, the resolver) on the H5 trace page."""
    page = phone.page()
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/h5/trace\?code="))
    expect(page.locator("#trace-status")).to_be_visible()
    shot(page, name)
    return page


def test_a_printed_trace_url_opens_the_trace_page(phone):
    page = _phone_camera_opens(phone, f"/t/{RECALLED}", "printed-trace-url")
    expect(page.locator("#alerts .alert").first).to_have_attribute("data-kind", "recall")


def test_a_gs1_digital_link_opens_the_trace_page(phone):
    path = urlsplit(DEMO_KEYS["gs1_digital_link"]).path  # /01/<gtin>/10/<lot>/21/<serial>
    page = _phone_camera_opens(phone, path, "gs1-digital-link")
    expect(page.locator("main")).to_contain_text("L260902A")


def test_an_enterprise_code_opens_its_profile(phone):
    page = phone.page()
    page.goto(f"/e/{USCC}")
    expect(page).to_have_url(re.compile(rf"/h5/enterprise\?uscc={USCC}"))
    expect(page.locator("#enterprise-name")).to_have_text(PRODUCER)
    shot(page, "enterprise-code")


def test_inside_wechat_the_page_offers_the_mini_program(phone):
    agent = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile "
             "MicroMessenger/8.0.47.2560 NetType/WIFI Language/zh_CN")
    page = phone.page(user_agent=agent)
    page.goto(f"/h5/trace?code={OK}")
    link = page.get_by_role("link", name="在小程序中继续")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"weixin://dl/business/?appid={APPID}&path=pages%2F"
                                           f"trace%2Ftrace&query=code%3D{OK}")
    shot(page, "wechat-in-app")
    plain = phone.page()
    plain.goto(f"/h5/trace?code={OK}")
    expect(plain.locator("#trace-status")).to_be_visible()
    expect(plain.locator("#wechat-banner")).to_be_hidden()


def test_search_by_pinyin_initials_then_open_the_profile(phone):
    page = phone.page()
    page.goto("/h5/search")
    page.locator("#search-q").press_sequentially("lsf", delay=60)
    # (suggestions for "l" may show first: wait for those of "lsf", every one a 螺蛳粉 name)
    page.wait_for_function("""() => {
      const items = [...document.querySelectorAll("#suggestions li")];
      return items.length > 0 && items.every((li) => li.textContent.includes("螺蛳粉"));
    }""")
    shot(page, "search-suggest")
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/h5/search\?q=lsf$"))
    recalled = page.locator("#results li", has_text="螺园柳州螺蛳粉（特辣）")
    expect(recalled.locator(".badge.red")).to_have_text("召回中")
    shot(page, "search-results")
    recalled.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/h5/product\?id="))
    shot(page, "product")
    page.get_by_role("link", name=PRODUCER).click()
    expect(page.locator("#enterprise-name")).to_have_text(PRODUCER)
    expect(page.locator("main .alert.critical").first).to_contain_text("召回")
    expect(page.locator("main")).to_contain_text("食品生产许可证")
    shot(page, "enterprise")
    expect(page.locator("#complain-enterprise")).to_have_attribute(
        "href", re.compile(r"/h5/complaint\?uscc=91450204"))


def test_nearby_uses_the_phones_position(phone):
    page = phone.page(geolocation={"latitude": 24.3012, "longitude": 109.3911},
                      permissions=["geolocation"])
    page.goto("/h5/search")
    page.locator("#nearby").click()
    first = page.locator("#results li").first
    expect(first).to_contain_text("距离")
    expect(first).to_contain_text("米")
    shot(page, "search-nearby")


def test_notices_lead_to_the_recalled_batch(phone):
    page = phone.page()
    page.goto("/h5/notices")
    notice = page.locator("#notice-list li", has_text="召回公告").first
    expect(notice.locator(".badge.red")).to_be_visible()
    shot(page, "notices")
    notice.get_by_role("link").click()
    expect(page.locator("#notice")).to_contain_text("二级召回")
    shot(page, "notice")
    page.get_by_role("link", name=f"查看追溯（{RECALLED}）").click()
    expect(page.locator("#trace-status")).to_have_text("该批次正在召回，请勿食用")


def test_recall_warning_consent_is_asked_and_recorded(phone, site):
    page = phone.page()
    page.goto(f"/h5/trace?code={OK}")
    page.locator("#subscribe-recall").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("食品召回提醒")
    shot(page, "subscribe-dialog")
    dialog.get_by_role("button", name="允许").click()
    expect(page.locator("main")).to_contain_text("已订阅")
    token = page.evaluate("JSON.parse(localStorage.getItem('h5.session')).token")
    mine = httpx.get(f"{site.base}/api/v1/me/subscriptions",
                     headers={"Authorization": f"Bearer {token}"}).json()
    assert [(s["template_id"], s["status"], s["grants"]) for s in mine["subscriptions"]] == [
        ("TPL_RECALL_NOTICE", "accept", 1)]

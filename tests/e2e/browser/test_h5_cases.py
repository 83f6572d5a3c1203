"""A complaint filed in the H5 pages with a photo and followed to closure while a handler
acts through the API; an enterprise binds with its one-time code and sees its own view."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import expect

from tests.complaint_helpers import photo_with_gps
from tracing.demo.keys import DEMO_KEYS

from .conftest import shot

OK = DEMO_KEYS["ok_code"]
USCC = DEMO_KEYS["failed_sampling_uscc"]  # the producer of the demo's luosifen batches
PASSWORD = "handler-password-h5"


def _handler(site) -> httpx.Client:
    site.gongzhi("staff", "add", "h5handler", "--name", "李四", "--role", "handler",
                 "--division", "450204", "--password-stdin", stdin=PASSWORD + "\n")
    client = httpx.Client(base_url=site.base, timeout=15)
    login = client.post("/api/v1/auth/staff", json={"username": "h5handler",
                                                    "password": PASSWORD})
    assert login.status_code == 201, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['token']}"
    return client


def _when(handler: httpx.Client, ticket: str, status: str) -> dict:
    """The handler's view of the case once it is in ``status`` (the content check runs after
    the filing, in the server's job worker)."""
    deadline = time.monotonic() + 30
    while True:
        case = handler.get(f"/api/v1/triage/complaints/{ticket}").json()
        if case.get("status") == status or time.monotonic() > deadline:
            assert case.get("status") == status, case
            return case
        time.sleep(0.2)


def _move(handler: httpx.Client, ticket: str, **body) -> None:
    answer = handler.post(f"/api/v1/triage/complaints/{ticket}/transitions", json=body)
    assert answer.status_code == 200, answer.text


def _file(page, tmp_path) -> str:
    page.goto(f"/h5/trace?code={OK}")
    page.locator("#report-problem").click()
    expect(page.locator("#target-code")).to_have_text(OK)
    form = page.locator("#complaint-form")
    form.locator("select[name=category]").select_option("expired")
    form.locator("textarea[name=description]").fill("太短了")
    form.locator("input[name='contact.name']").fill("王小明")
    form.locator("input[name='contact.phone']").fill("12345")
    page.locator("#submit-complaint").click()  # checked in the page: the description
    expect(page.locator("[data-field=description] .field-error")).to_contain_text("至少 10 个字")
    form.locator("textarea[name=description]").fill("买回来的螺蛳粉打开后有明显异味，怀疑已经变质。")
    photo = tmp_path / "pack.jpg"
    photo.write_bytes(photo_with_gps())
    page.locator("#photo-input").set_input_files(str(photo))
    expect(page.locator("#photo-list .photo img")).to_have_attribute("src", re.compile("^blob:"))
    expect(page.locator("#photo-list .photo .state")).to_have_text("已上传")
    page.locator("#submit-complaint").click()  # checked by the API: the phone
    error = page.locator("[data-field='contact.phone'] .field-error")
    expect(error).to_contain_text("不是有效的手机或固定电话号码")
    expect(page.locator("input[name='contact.phone']")).to_have_class(re.compile("invalid"))
    shot(page, "complaint-form-errors")
    form.locator("input[name='contact.phone']").fill("13800138000")
    page.locator("#submit-complaint").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("投诉举报处理进度通知")
    dialog.get_by_role("button", name="允许").click()
    expect(page.locator("#complaint-done")).to_contain_text("已提交")
    shot(page, "complaint-done")
    return page.locator("#ticket").inner_text()


def test_a_complaint_with_a_photo_followed_to_closure(phone, site, tmp_path):
    page = phone.page()
    ticket = _file(page, tmp_path)
    handler = _handler(site)
    case = _when(handler, ticket, "pending")
    assert len(case["photos"]) == 1 and case["category"] == "expired"
    assert case["target"]["uscc"] == USCC and case["channel"] == "h5"
    page.get_by_role("link", name="查看进度").click()
    expect(page.locator("#case-status")).to_have_text("待受理")
    _move(handler, ticket, to="accepted", mode="mediation")
    _move(handler, ticket, to="in_progress")
    _move(handler, ticket, to="resolved", reason="经调解，商家已退款并致歉。")
    page.goto("/h5/me")
    mine = page.locator("#my-cases li", has_text=ticket)
    expect(mine).to_contain_text("已办结")
    shot(page, "me-cases")
    mine.get_by_role("link").click()
    timeline = page.locator("#case-timeline")
    for step in ("已受理", "处理中", "已办结"):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("经调解，商家已退款并致歉。")
    shot(page, "me-case-resolved")
    page.locator("#confirm-close").click()
    expect(page.locator("#case-status")).to_have_text("已关闭")
    page.locator("[data-score='5']").click()
    expect(page.locator("#case-detail")).to_contain_text("你的评分：5 分")
    shot(page, "me-case-closed")
    assert _when(handler, ticket, "closed")["rating"] == 5


def test_an_enterprise_binds_with_its_code_and_sees_its_own_view(phone, site):
    found = re.search(r"绑定码 (\S+)（", site.gongzhi("enterprise", "invite", USCC))
    assert found, "gongzhi enterprise invite printed no code"
    page = phone.page()
    page.goto("/h5/my-enterprise")
    expect(page.locator(".problem")).to_contain_text("绑定")
    shot(page, "my-enterprise-unbound")
    page.get_by_role("link", name="去绑定企业").click()
    page.locator("#binding-code").fill(found.group(1))
    page.get_by_role("button", name="绑定企业").click()
    expect(page).to_have_url(re.compile(rf"/h5/my-enterprise\?uscc={USCC}$"))
    expect(page.locator("#private-figures")).to_contain_text("仅本企业可见")
    expect(page.locator("#scan-total")).to_contain_text(re.compile(r"共被扫码 \d+ 次"))
    expect(page.locator("#enterprise-name")).to_have_text("柳州市螺园食品科技有限公司")
    shot(page, "my-enterprise")
    other = phone.page()  # another person cannot reuse the code
    other.goto("/h5/me")
    other.locator("#binding-code").fill(found.group(1))
    other.get_by_role("button", name="绑定企业").click()
    expect(other.locator("#bind-form .field-error")).to_contain_text("已")
    assert "{" not in other.locator("#bind-form").inner_text()


def test_an_anonymous_report_without_wechat_is_followed_with_its_password(phone):
    page = phone.page()
    page.route("**/api/v1/auth/wechat", lambda route: route.fulfill(
        status=502, content_type="application/json",
        body='{"error": {"code": "wechat_unavailable", "message": "微信服务暂时不可用"}}'))
    page.goto("/h5/complaint")
    form = page.locator("#complaint-form")
    form.get_by_label("举报（反映违法行为，可匿名）").check()
    form.get_by_label("匿名举报（不留联系方式）").check()
    expect(page.locator("#contact-box")).to_be_hidden()
    form.locator("input[name='target.name']").fill("无名小吃店")
    form.locator("input[name='target.address']").fill("柳州市城中区五一路 8 号")
    form.locator("select[name=category]").select_option("no_licence")
    form.locator("textarea[name=description]").fill("这家小吃店没有营业执照，一直无证经营。")
    page.locator("#submit-complaint").click()
    expect(page.locator("#complaint-done")).to_contain_text("已提交")
    expect(page.get_by_role("dialog")).to_have_count(0)  # no WeChat: no subscribe messages
    ticket = page.locator("#ticket").inner_text()
    page.goto("/h5/me")
    expect(page.locator("#my-cases li", has_text=ticket)).to_contain_text("举报 · 无证经营")
    page.locator("#my-cases li", has_text=ticket).get_by_role("link").click()
    expect(page.locator("#case-detail")).to_contain_text("这家小吃店没有营业执照")
    shot(page, "me-anonymous-report")

"""WeChatGateway wiring and error translation (no network)."""

from __future__ import annotations

import pytest
from wechatpy.exceptions import WeChatClientException

from accounts.wechat import WeChatGateway, translate
from core.errors import InvalidInput, RateLimited, UpstreamError
from core.settings import Settings


def urls(gateway: WeChatGateway) -> tuple[str, str]:
    return gateway._client.API_BASE_URL, gateway._client.wxa.API_BASE_URL


def test_every_request_goes_to_the_configured_base():
    gw = WeChatGateway.from_settings(Settings(wechat_api_url="http://127.0.0.1:8801"))
    assert urls(gw) == ("http://127.0.0.1:8801/cgi-bin/", "http://127.0.0.1:8801/")
    other = WeChatGateway(appid="wx1", secret="s", api_url="http://127.0.0.1:9/")
    assert urls(other) == ("http://127.0.0.1:9/cgi-bin/", "http://127.0.0.1:9/")
    assert urls(gw) == ("http://127.0.0.1:8801/cgi-bin/", "http://127.0.0.1:8801/")


def test_default_is_real_wechat():
    assert urls(WeChatGateway(appid="wx1", secret="s")) == (
        "https://api.weixin.qq.com/cgi-bin/", "https://api.weixin.qq.com/")


@pytest.mark.parametrize("errcode, kind, code, field", [
    (40029, InvalidInput, "wechat_code_invalid", "code"),
    (40163, InvalidInput, "wechat_code_invalid", "code"),
    (45011, RateLimited, "rate_limited", None),
    (41030, InvalidInput, "wechat_page_invalid", "page"),
    (43101, UpstreamError, "wechat_subscribe_refused", None),
    (40125, UpstreamError, "wechat_unavailable", None),
    (-1, UpstreamError, "wechat_unavailable", None),
    (None, UpstreamError, "wechat_unavailable", None),
])
def test_translate(errcode, kind, code, field):
    error = translate(WeChatClientException(errcode, "msg"))
    assert type(error) is kind and (error.code, error.field) == (code, field)


async def test_malformed_code_refused_before_any_request():
    gw = WeChatGateway(appid="wx1", secret="s", api_url="http://127.0.0.1:9/")
    for bad in ("", "has space", "x" * 129, "中文", None):
        with pytest.raises(InvalidInput):
            await gw.code_to_session(bad)

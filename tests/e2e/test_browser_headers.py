"""Security headers on every answer and the CORS policy, over real HTTP."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from tests import factories as F
from tests.conftest import running_app

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
FRAMING = {"x-frame-options": "DENY", "content-security-policy": "frame-ancestors 'none'"}
PAGE = "https://h5.example.cn"


@contextlib.asynccontextmanager
async def client_for(settings, app_store):
    async with running_app(settings, app_store) as (base, _):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield client


async def every_kind_of_answer(http) -> list[httpx.Response]:
    await http.post("/api/v1/exchange", content=F.ndjson(F.world()), headers=NDJSON)
    return [await http.get("/api/v1/scan", params={"code": "LZ0000000001"}),
            await http.get("/api/v1/scan", params={"code": "LZ999999999X"}),
            await http.get("/api/v1/scan"), await http.get("/api/v1/health"),
            await http.get("/docs/openapi.json"), await http.get("/nothing/here"),
            await http.post("/api/v1/exchange", content=b"{}"),
            await http.options("/api/v1/scan"), await http.put("/api/v1/scan")]


async def test_every_answer_carries_the_security_headers(http):
    answers = await every_kind_of_answer(http)
    assert sorted({a.status_code for a in answers}) == [200, 204, 400, 401, 404, 405]
    for answer in answers:
        assert {k: answer.headers.get_list(k) for k in SECURITY} == {
            k: [v] for k, v in SECURITY.items()}, answer.request.url  # once each
        assert "strict-transport-security" not in answer.headers  # plain http
        assert not FRAMING.keys() & answer.headers.keys()  # JSON is not framed


def test_an_html_page_may_not_be_framed(settings):
    """The policy itself, on an HTML answer, one with its own policy and a JSON one (the H5
    pages' headers over HTTP: tests/e2e/test_h5_pages.py)."""
    from types import SimpleNamespace

    from sanic.response import html, json

    from api.browser import BrowserPolicy

    policy = BrowserPolicy(settings)
    request = SimpleNamespace(headers={}, path="/h5", scheme="http")
    page, data = html("<p>溯源</p>"), json({})
    policy.on_response(request, page)
    policy.on_response(request, data)
    assert {k: page.headers.get(k) for k in {**SECURITY, **FRAMING}} == {**SECURITY, **FRAMING}
    assert not FRAMING.keys() & {k.lower() for k in data.headers}
    own = "default-src 'self'; frame-ancestors 'none'"  # a page with its own policy keeps it
    page = html("<p>溯源</p>", headers={"Content-Security-Policy": own})
    policy.on_response(request, page)
    assert page.headers.getall("content-security-policy") == [own]
    assert page.headers.getall("x-frame-options") == ["DENY"]


async def test_hsts_only_behind_https(server, settings, app_store):
    async with client_for(settings.with_(public_base_url="https://gz.example.cn"),
                          app_store) as client:
        answer = await client.get("/api/v1/health")
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
    async with client_for(settings.with_(proxies_count=1), app_store) as client:
        behind = await client.get("/api/v1/health", headers={"X-Forwarded-Proto": "https",
                                                              "X-Forwarded-For": "1.2.3.4"})
        plain = await client.get("/api/v1/health", headers={"X-Forwarded-Proto": "http",
                                                             "X-Forwarded-For": "1.2.3.4"})
    assert behind.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in plain.headers


@pytest.mark.parametrize("path,methods", [
    ("/api/v1/scan", "GET, OPTIONS"), ("/api/v1/search", "GET, OPTIONS"),
    ("/api/v1/auth/session", "DELETE, GET, OPTIONS"), ("/api/v1/auth/wechat", "OPTIONS, POST"),
])
async def test_a_preflight_of_a_public_endpoint_is_204(http, path, methods):
    answer = await http.options(path, headers={
        "Origin": PAGE, "Access-Control-Request-Method": methods.split(",")[0],
        "Access-Control-Request-Headers": "authorization"})
    assert answer.status_code == 204, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == methods
    allowed = answer.headers["access-control-allow-headers"].split(", ")
    assert {"Authorization", "X-Gongzhi-Kiosk", "X-Gongzhi-Kiosk-Key"} <= set(allowed)
    assert int(answer.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in answer.headers


async def test_public_answers_may_be_read_by_any_page(http):
    with_origin = await http.get("/api/v1/scan", params={"code": "LZ999999999X"},
                                 headers={"Origin": PAGE})
    assert with_origin.headers["access-control-allow-origin"] == "*"
    assert with_origin.headers["access-control-expose-headers"] == "Retry-After"
    assert "access-control-allow-credentials" not in with_origin.headers
    without = await http.get("/api/v1/health")
    assert "access-control-allow-origin" not in without.headers


async def test_the_exchange_is_not_open_to_browsers(http):
    preflight = await http.options("/api/v1/exchange", headers={
        "Origin": PAGE, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    error = preflight.json()["error"]
    assert (error["code"], error["field"]) == ("cors_not_allowed", "Origin")
    assert "access-control-allow-origin" not in preflight.headers
    post = await http.post("/api/v1/exchange", content=F.ndjson([F.enterprise(1)]),
                           headers={**NDJSON, "Origin": PAGE})
    assert post.status_code == 200 and "access-control-allow-origin" not in post.headers


async def test_an_options_request_that_is_not_a_preflight_lists_the_methods(http):
    answer = await http.options("/api/v1/exchange")
    assert answer.status_code == 204 and answer.headers["allow"] == "OPTIONS, POST"


async def test_a_list_of_origins_is_echoed_and_others_are_refused(server, settings,
                                                                   app_store):
    listed = settings.with_(cors_origins=(PAGE, "http://localhost:5173"))
    async with client_for(listed, app_store) as client:
        ok = await client.get("/api/v1/health", headers={"Origin": PAGE})
        other = await client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
        preflight_ok = await client.options("/api/v1/scan", headers={
            "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"})
        preflight_other = await client.options("/api/v1/scan", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert ok.headers["access-control-allow-origin"] == PAGE
    assert "Origin" in ok.headers.get_list("vary")
    assert "access-control-allow-origin" not in other.headers
    assert preflight_ok.status_code == 204
    assert preflight_ok.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert preflight_ok.headers["vary"] == "Origin"
    assert preflight_other.status_code == 403
    assert preflight_other.json()["error"]["code"] == "cors_not_allowed"

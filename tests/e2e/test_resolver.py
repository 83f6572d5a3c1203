"""The printed code lands on a page: /t/, GS1 Digital Link and /e/ URLs resolved over real HTTP
as a GS1-Conformant resolver (browser redirect, linkset, scan JSON, link types, errors)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from tracing.codes.identifiers import gtin14
from tracing.demo.enterprises import CORE_DIVISIONS
from tracing.demo.generator import DEMO_KEYS
from tracing.demo.keys import OK_LOT
from tracing.demo.names import gtin_for, uscc_for
from tracing.service import TraceService

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LINKSET = {"Accept": "application/linkset+json"}
JSON = {"Accept": "application/json"}
VOC = "https://gs1.org/voc/"
GTIN = DEMO_KEYS["gs1_digital_link"].split("/01/")[1].split("/")[0]
WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI")


@pytest.fixture
def settings(settings):
    """The shared test settings with a small scan limit (the resolver counts against it)."""
    return settings.with_(scan_rate_limit=30)


def location_code(answer, page="/h5/trace"):
    assert answer.status_code == 307, answer.text
    target = urlsplit(answer.headers["location"])
    assert target.path == page
    return parse_qs(target.query)


PATHS = [
    ("/t/" + DEMO_KEYS["ok_code"], DEMO_KEYS["ok_code"]),
    (f"/01/{GTIN}", None),
    (f"/01/{GTIN}/10/{OK_LOT}", None),
    (f"/01/{GTIN}/21/000001", DEMO_KEYS["item_code"]),
    (f"/01/{GTIN}/10/{OK_LOT}/21/000001", DEMO_KEYS["item_code"]),
]


@pytest.mark.parametrize("path, code", PATHS)
async def test_every_form_answers_each_client_as_it_asks(http, demo, path, code):
    base = str(http.base_url).rstrip("/")
    scanned = base + path
    browser = await http.get(path, headers=HTML)
    assert location_code(browser) == {"code": [scanned]}
    assert browser.headers["location"].startswith(base + "/h5/trace?")
    assert f'rel="{VOC}pip"' in browser.headers["link"]
    assert f'<{browser.headers["location"]}>; rel="{VOC}defaultLink"' in browser.headers["link"]

    linkset = await http.get(path, headers=LINKSET)
    assert linkset.status_code == 200
    assert linkset.headers["content-type"].startswith("application/linkset+json")
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in linkset.headers["link"]
    entry = linkset.json()["linkset"][0]
    assert entry[VOC + "pip"][0]["href"] == browser.headers["location"]
    assert entry[VOC + "traceability"][0]["type"] == "application/json"

    as_json = await http.get(path, headers=JSON)
    scan = await http.get("/api/v1/scan", params={"code": scanned})
    assert as_json.status_code == scan.status_code == 200
    view, direct = as_json.json(), scan.json()
    view.pop("scans"), direct.pop("scans")
    assert view == direct and view["code"] == code


async def test_the_linkset_is_what_linktype_linkset_and_all_answer(http, demo):
    path = "/t/" + demo["recalled_code"]
    by_accept = (await http.get(path, headers=LINKSET)).json()
    for value in ("linkset", "all"):
        answer = await http.get(path, params={"linkType": value}, headers=HTML)
        assert answer.status_code == 200 and answer.json() == by_accept
    entry = by_accept["linkset"][0]
    assert entry["anchor"] == str(http.base_url).rstrip("/") + path
    assert entry["itemDescription"]
    assert entry[VOC + "recallStatus"][0]["href"].endswith("#recall")
    assert entry[VOC + "support"][0]["title"] == "投诉举报（食品安全问题）"
    assert all(t["hreflang"] == ["zh-CN"] for k, v in entry.items() if k.startswith(VOC)
               for t in v)
    ok = (await http.get("/t/" + demo["ok_code"], headers=LINKSET)).json()["linkset"][0]
    assert VOC + "recallStatus" not in ok


@pytest.mark.parametrize("link_type, page", [
    ("gs1:traceability", "/api/v1/scan"), (VOC + "support", "/h5/complaint"),
    ("gs1:pip", "/h5/trace"), ("gs1:defaultLink", "/h5/trace"),
])
async def test_a_link_type_that_exists_redirects_to_it(http, demo, link_type, page):
    path = "/t/" + demo["recalled_code"]
    for headers in (HTML, JSON):
        answer = await http.get(path, params={"linkType": link_type}, headers=headers)
        assert location_code(answer, page)["code"] == [str(http.base_url).rstrip("/") + path]


async def test_a_link_type_that_does_not_exist_is_404_naming_the_linkset(http, demo):
    path = "/t/" + demo["ok_code"]
    answer = await http.get(path, params={"linkType": "gs1:recallStatus"}, headers=JSON)
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "link_type_not_found" and error["field"] == "linkType"
    assert error["linkset"].endswith(path + "?linkType=linkset")
    assert error["link_types"] == ["gs1:pip", "gs1:traceability", "gs1:support"]
    assert 'rel="linkset"' in answer.headers["link"]
    page = await http.get(path, params={"linkType": "gs1:epil"}, headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "gs1:epil" in page.text and "/h5/complaint?" in page.text


async def test_bad_codes_are_400_and_unknown_ones_404_as_page_or_json(http, demo):
    bad_check_digit = "/01/" + GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)
    for path, status, code in [
        (bad_check_digit, 400, "code_malformed"),
        (f"/01/{GTIN}/21/000001/10/{OK_LOT}", 400, "code_malformed"),  # qualifiers reversed
        ("/t/NOT-ON-RECORD-1", 404, "code_not_found"),
        (f"/01/{gtin14(gtin_for(999, 1))}", 404, "code_not_found"),
        ("/t/" + demo["withdrawn_code"], 410, "code_withdrawn"),
    ]:
        page = await http.get(path, headers=HTML)
        assert page.status_code == status, (path, page.text)
        assert page.headers["content-type"].startswith("text/html")
        assert "<html lang=\"zh-CN\">" in page.text and "location" not in page.headers
        for headers in (JSON, LINKSET):
            answer = await http.get(path, headers=headers)
            assert answer.status_code == status and answer.json()["error"]["code"] == code
    rule = (await http.get(bad_check_digit, headers=JSON)).json()["error"]["rule"]
    assert rule == "gs1_check_digit"


async def test_an_enterprise_code_opens_its_profile(http, demo):
    uscc = demo["enforced_uscc"]
    page = await http.get(f"/e/{uscc}", headers=HTML)
    assert location_code(page, "/h5/enterprise") == {"uscc": [uscc]}
    profile = await http.get(f"/e/{uscc}", headers=JSON)
    direct = (await http.get(f"/api/v1/enterprises/{uscc}")).json()
    assert profile.status_code == 200 and profile.json()["enterprise"] == direct
    linkset = (await http.get(f"/e/{uscc}", params={"linkType": "linkset"})).json()
    assert linkset["linkset"][0][VOC + "masterData"][0]["href"].endswith(
        f"/api/v1/enterprises/{uscc}")
    malformed = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    for headers, kind in ((HTML, "text/html"), (JSON, "application/json")):
        bad = await http.get(f"/e/{malformed}", headers=headers)
        assert bad.status_code == 400 and bad.headers["content-type"].startswith(kind)
    assert bad.json()["error"]["code"] == "code_malformed"
    unknown = uscc_for(999, CORE_DIVISIONS[4])
    answer = await http.get(f"/e/{unknown}", headers=JSON)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "enterprise_not_found"
    assert (await http.get(f"/e/{unknown}", headers=HTML)).status_code == 404


async def test_query_strings_pass_through_and_ai_attributes_stay_in_the_code(http, demo):
    path = f"/01/{GTIN}/10/{OK_LOT}"
    answer = await http.get(path + "?17=261231&utm_source=pack&linkType=gs1:pip", headers=HTML)
    query = location_code(answer)
    assert query["code"] == [str(http.base_url).rstrip("/") + path + "?17=261231"]
    assert query["utm_source"] == ["pack"] and "linkType" not in query
    blank = await http.get(path + "?linkType=", headers=HTML)  # as if not given: the default
    assert location_code(blank)["code"] == [str(http.base_url).rstrip("/") + path]


async def test_wechat_browser_is_sent_to_the_page_flagged(http, demo):
    answer = await http.get("/t/" + demo["ok_code"], headers={**HTML, "User-Agent": WECHAT_UA})
    assert location_code(answer)["wechat"] == ["1"]
    assert "User-Agent" in answer.headers["vary"]
    plain = await http.get("/t/" + demo["ok_code"], headers=HTML)
    assert "wechat" not in location_code(plain)


async def test_a_redirect_records_no_scan_and_head_and_cors_work(http, server, demo):
    path = "/t/" + demo["ok_code"]
    for _ in range(3):
        assert (await http.get(path, headers=HTML)).status_code == 307
    head = await http.head(path, headers=HTML)
    assert head.status_code == 307 and head.content == b""
    await server[1].ctx.services.get(TraceService).recorder.flush()
    scans = (await http.get("/api/v1/scan", params={"code": demo["ok_code"]})).json()["scans"]
    assert scans["count"] == 1
    cors = await http.get(path, headers={**LINKSET, "Origin": "https://example.org"})
    assert cors.headers["access-control-allow-origin"] == "*"
    preflight = await http.options(path, headers={"Origin": "https://example.org",
                                                  "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204


async def test_the_resolver_description_file(http):
    answer = await http.get("/.well-known/gs1resolver")
    assert answer.status_code == 200
    doc = orjson.loads(answer.content)
    assert doc["resolverRoot"] == str(http.base_url).rstrip("/")
    assert doc["supportedPrimaryKeys"] == ["01"]
    assert {"namespace": VOC, "prefix": "gs1:"} in doc["supportedLinkType"]


async def test_too_many_look_ups_are_429_as_page_or_json(http, demo):
    path = "/t/" + demo["ok_code"]
    answers = [await http.get(path, headers=HTML) for _ in range(30)]
    assert {a.status_code for a in answers} == {307}
    page = await http.get(path, headers=HTML)
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    assert int(page.headers["retry-after"]) >= 1 and "访问过于频繁" in page.text
    linkset = await http.get(path, headers=LINKSET)
    assert linkset.status_code == 429 and linkset.json()["error"]["code"] == "rate_limited"

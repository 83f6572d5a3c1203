"""Which links a code has and how they are written (tracing.links): no HTTP, no database."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tracing import links as L

ORIGIN = "https://trace.lz.gov.cn"
SCANNED = ORIGIN + "/01/06901234567892/10/AB%2F1"
RECALL = {"kind": "recall", "severity": "critical", "message": "正在召回"}


def code_links(alerts=(), **kw) -> L.Links:
    return L.code_links(origin=ORIGIN, anchor=ORIGIN + "/01/06901234567892/10/AB%2F1",
                        scanned=SCANNED, alerts=list(alerts), **kw)


def test_a_code_links_its_page_first_then_the_api_and_the_complaint_form():
    links = code_links(description="螺蛳粉")
    assert links.types() == ["gs1:pip", "gs1:traceability", "gs1:support"]
    assert links.default.link_type == "gs1:pip"
    page = urlsplit(links.default.href)
    assert (page.scheme + "://" + page.netloc, page.path) == (ORIGIN, "/h5/trace")
    assert parse_qs(page.query) == {"code": [SCANNED]}  # the scanned text, URL-encoded once
    api = links.find("gs1:traceability")
    assert api.type == "application/json" and urlsplit(api.href).path == "/api/v1/scan"
    assert parse_qs(urlsplit(links.find("gs1:support").href).query) == {"code": [SCANNED]}
    assert urlsplit(links.find("gs1:support").href).path == "/h5/complaint"


@pytest.mark.parametrize("kind, listed", [
    ("recall", True), ("recall_of_some_batches", True), ("recall_history", True),
    ("recall_withdrawn", False), ("expired", False),
])
def test_recall_status_is_linked_only_while_a_recall_concerns_the_code(kind, listed):
    links = code_links([{**RECALL, "kind": kind}])
    assert ("gs1:recallStatus" in links.types()) is listed
    if listed:
        assert links.find("gs1:recallStatus").href == links.default.href + "#recall"


def test_query_parameters_are_passed_on_and_wechat_is_flagged():
    links = code_links(passed=(("utm_source", "pack"), ("lang", "zh")), wechat=True)
    query = parse_qs(urlsplit(links.default.href).query)
    assert query == {"code": [SCANNED], "utm_source": ["pack"], "lang": ["zh"], "wechat": ["1"]}
    api = parse_qs(urlsplit(links.find("gs1:traceability").href).query)
    assert "wechat" not in api and api["utm_source"] == ["pack"]


def test_the_linkset_is_rfc_9264_in_gs1s_profile():
    doc = code_links([RECALL], description="螺园柳州螺蛳粉").linkset()
    assert list(doc) == ["linkset"] and len(doc["linkset"]) == 1
    entry = doc["linkset"][0]
    assert entry["anchor"] == ORIGIN + "/01/06901234567892/10/AB%2F1"
    assert entry["itemDescription"] == "螺园柳州螺蛳粉"
    rels = [k for k in entry if k.startswith("https://")]
    assert rels == [L.GS1_VOC + t for t in ("pip", "traceability", "support", "recallStatus",
                                             "defaultLink")]
    for rel in rels:
        for target in entry[rel]:
            assert set(target) == {"href", "title", "type", "hreflang"}
            assert target["hreflang"] == ["zh-CN"] and target["href"].startswith(ORIGIN)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in target["title"])  # Chinese
    assert entry[L.GS1_VOC + "defaultLink"] == entry[L.GS1_VOC + "pip"]


def test_the_link_header_names_every_link_with_an_encoded_chinese_title():
    links = code_links([RECALL])
    header = links.header(links.anchor + "?linkType=linkset")
    header.encode("latin-1")  # a header must be Latin-1: the titles are RFC 8187-encoded
    parts = header.split(", <")
    assert len(parts) == 6  # four links, the default, the linkset
    assert f'rel="{L.GS1_VOC}recallStatus"' in parts[3]
    title = parts[0].split("title*=UTF-8''")[1]
    assert unquote(title) == links.default.title
    assert parts[-1].endswith('rel="linkset"; type="application/linkset+json"')


@pytest.mark.parametrize("asked, found", [
    ("gs1:pip", "gs1:pip"), ("https://gs1.org/voc/traceability", "gs1:traceability"),
    ("https://ref.gs1.org/voc/support", "gs1:support"), ("http://gs1.org/voc/pip", "gs1:pip"),
    ("gs1:defaultLink", "gs1:pip"), (" gs1:pip ", "gs1:pip"),
    ("gs1:recallStatus", None), ("gs1:epil", None), ("pip", None), ("", None),
])
def test_a_link_type_is_found_by_curie_or_uri(asked, found):
    link = code_links().find(asked)
    assert (link.link_type if link else None) == found


@pytest.mark.parametrize("value, whole", [("linkset", True), ("all", True), (" all ", True),
                                          ("gs1:pip", False), (None, False), ("ALL", False)])
def test_linkset_and_all_ask_for_the_whole_linkset(value, whole):
    assert L.wants_linkset(value) is whole


@pytest.mark.parametrize("accept, form", [
    (None, "html"), ("", "html"), ("*/*", "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("application/json", "json"), ("application/json, text/plain, */*", "json"),
    ("text/html, application/json;q=0.5", "html"), ("text/html;q=0.4, application/json", "json"),
    ("application/linkset+json", "linkset"), ("application/json, application/linkset+json", "linkset"),
    ("application/linkset+json;q=0.2, application/json", "json"),
    ("application/json;q=0", "html"), ("application/json;q=bad", "html"),
    ("APPLICATION/JSON", "json"),
])
def test_what_a_client_asks_for(accept, form):
    assert L.wanted(accept) == form


def test_enterprise_links_lead_to_the_profile():
    links = L.enterprise_links(origin=ORIGIN, anchor=ORIGIN + "/e/91450200MA5K8Q6X3J",
                               uscc="91450200MA5K8Q6X3J", wechat=True)
    assert links.types() == ["gs1:pip", "gs1:masterData", "gs1:support"]
    page = urlsplit(links.default.href)
    assert page.path == "/h5/enterprise"
    assert parse_qs(page.query) == {"uscc": ["91450200MA5K8Q6X3J"], "wechat": ["1"]}
    assert links.find("gs1:masterData").href == ORIGIN + "/api/v1/enterprises/91450200MA5K8Q6X3J"


@pytest.mark.parametrize("args, path", [
    (("06901234567892",), "/01/06901234567892"),
    (("06901234567892", "L1"), "/01/06901234567892/10/L1"),
    (("06901234567892", None, "S 1"), "/01/06901234567892/21/S%201"),
    (("06901234567892", "A/B", "7"), "/01/06901234567892/10/A%2FB/21/7"),
])
def test_digital_link_path_puts_qualifiers_in_gs1s_order(args, path):
    assert L.digital_link_path(*args) == path


def test_the_resolver_description_follows_gs1s_schema():
    doc = L.resolver_description(ORIGIN)
    assert doc["resolverRoot"] == ORIGIN and doc["supportedPrimaryKeys"] == ["01"]
    assert doc["supportedLinkType"] == [{"namespace": "https://gs1.org/voc/", "prefix": "gs1:"}]
    assert doc["linkTypeDefaultCanBeLinkset"] is False and doc["name"]

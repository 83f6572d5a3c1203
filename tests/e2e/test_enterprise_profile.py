"""Enterprise public profiles over real HTTP: what a profile shows, lookups, bad credit
codes (400 and 404 with distinct codes), the enterprise's own code in a scan, and a profile
kept true by later imports (cache dropped by the outbox)."""

from __future__ import annotations

from urllib.parse import quote

import orjson
import pytest

from search.base import SearchBackend
from tests import factories as F

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
U1 = F.uscc(1)


async def post_records(http, records) -> dict:
    answer = await http.post("/api/v1/exchange", content=F.ndjson(records), headers=NDJSON)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == [], answer.json()["rejected"][:3]
    return answer.json()


def recall_notice(notice_id="N-R1", recall_id="ZH-2026-0001", **over) -> dict:
    return F.notice(notice_id, kind="recall", title="关于原味螺蛳粉（批号LB1）的召回公告",
                    body="柳州螺蛳粉食品有限公司1号召回批号LB1的原味螺蛳粉。",
                    related=[recall_id, "B1"], **over)


@pytest.fixture
async def world(http):
    await post_records(http, F.world() + [
        F.sampling("S3", sampled_at="2026-10-20", result="fail", failed_items=["菌落总数"],
                   lot="LB3"),
        F.enforcement("LSJ-2026-002", decided_at="2026-10-15",
                      violation="未按规定查验供货者许可证，联系电话13812345678"),
        recall_notice()])
    return F.world()


async def test_profile_shows_the_filing_results_and_recalls(http, world):
    answer = await http.get(f"/api/v1/enterprises/{U1}")
    assert answer.status_code == 200
    p = answer.json()
    assert (p["uscc"], p["name"], p["kind"], p["kind_label"]) == (
        U1, "柳州螺蛳粉食品有限公司1号", "producer", "食品生产企业")
    assert p["licence"]["number"] == "SC10345020400017"
    assert p["licence"]["type"] == "食品生产许可证"
    assert p["licence"]["state"] == "valid" and p["licence"]["valid_until"] == "2029-12-31"
    assert p["district"] == "广西壮族自治区柳州市柳南区"
    assert p["position"] == {"lat": 24.31, "lng": 109.38, "datum": "WGS-84"}
    assert p["risk_grade"] == "B" and "legal_representative" not in p
    assert p["products"] == {"total": 1, "items": [
        {"product_id": "P1", "name": "原味螺蛳粉", "brand": "柳味", "spec": "330g/袋",
         "gtin": F.gtin(1), "category": "方便食品"}]}
    sampling = p["sampling"]
    assert (sampling["total"], sampling["failed"]) == (2, 1)
    assert [s["sample_id"] for s in sampling["items"]] == ["S3", "S1"]  # latest first
    assert [s["highlight"] for s in sampling["items"]] == [True, False]
    assert sampling["items"][0]["failed_items"] == ["菌落总数"]
    assert sampling["items"][0]["result_label"] == "不合格"
    enforcement = p["enforcement"]
    assert [e["case_no"] for e in enforcement["items"]] == ["LSJ-2026-002", "LSJ-2026-001"]
    assert "138****5678" in enforcement["items"][0]["violation"]
    [recall] = p["recalls"]
    assert recall["recall_id"] == "ZH-2026-0001" and recall["lots"] == ["LB1"]
    assert recall["status"] == "ongoing" and recall["level_label"] == "二级"
    assert [n["notice_id"] for n in recall["notices"]] == ["N-R1"]
    assert p["complaints"]["total"] == 0 and p["complaints"]["by_category"] == {}
    assert p["code_url"] == f"http://testserver/e/{U1}"
    assert p["data_updated_at"].endswith("+08:00")


async def test_a_profile_is_the_same_bytes_from_the_cache(http, world):
    first = await http.get(f"/api/v1/enterprises/{U1}")
    second = await http.get(f"/api/v1/enterprises/{U1.lower()}")  # normalised
    assert first.content == second.content


@pytest.mark.parametrize("raw,rule", [
    ("91450204000000019", "uscc_length"),
    ("914502040000000195", "uscc_checksum"),
    ("91450204000000O194", "uscc_charset"),
    ("".join(chr(ord(c) + 0xFEE0) for c in "914502040000000184"), "uscc_org_checksum"),
])
async def test_malformed_credit_codes_are_400_naming_the_rule(http, world, raw, rule):
    answer = await http.get(f"/api/v1/enterprises/{quote(raw)}")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["field"], error["rule"]) == ("uscc_malformed", "uscc", rule)
    assert "统一社会信用代码" in error["message"]


async def test_an_unknown_credit_code_is_404(http, world):
    unknown = F.uscc(99)
    answer = await http.get(f"/api/v1/enterprises/{unknown}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "enterprise_not_found"
    assert unknown in answer.json()["error"]["message"]


async def test_full_width_credit_code_finds_the_enterprise(http, world):
    wide = "".join(chr(ord(c) + 0xFEE0) for c in U1)
    answer = await http.get(f"/api/v1/enterprises/{quote(wide)}")
    assert answer.status_code == 200 and answer.json()["uscc"] == U1


async def test_lookup_by_credit_code_licence_and_name(http, world):
    by_code = (await http.get("/api/v1/enterprises", params={"q": U1.lower()})).json()
    assert by_code["match"] == "uscc" and [e["uscc"] for e in by_code["items"]] == [U1]
    by_licence = (await http.get("/api/v1/enterprises",
                                 params={"q": "jy14502040000011"})).json()
    assert by_licence["match"] == "licence"
    assert [e["uscc"] for e in by_licence["items"]] == [F.uscc(2)]
    by_name = (await http.get("/api/v1/enterprises", params={"q": "螺蛳粉食品"})).json()
    assert by_name["match"] == "name" and {e["uscc"] for e in by_name["items"]} == {
        F.uscc(1), F.uscc(2)}
    exact = (await http.get("/api/v1/enterprises",
                            params={"q": "柳州螺蛳粉食品有限公司2号"})).json()
    assert exact["items"][0]["uscc"] == F.uscc(2)
    none = (await http.get("/api/v1/enterprises", params={"q": "不存在的公司"})).json()
    assert none["items"] == []
    assert (await http.get("/api/v1/enterprises", params={"q": " "})).json()["error"][
        "code"] == "query_missing"
    bad = await http.get("/api/v1/enterprises", params={"q": "914502040000000195"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "uscc_malformed"


async def test_names_are_found_through_the_search_index_not_a_table_scan(http, server, world):
    """A part of a name, pinyin or initials find the enterprise through the search backend;
    an enterprise missing from the index is found only by its exact name (indexed column)."""
    for q in ("螺蛳粉食品", "liuzhou luosifen", "lzlsf"):
        found = (await http.get("/api/v1/enterprises", params={"q": q})).json()
        assert found["match"] == "name" and {e["uscc"] for e in found["items"]} == {
            F.uscc(1), F.uscc(2)}, q
    await server[1].ctx.services.get(SearchBackend).remove("enterprise", [F.uscc(2)])
    partial = (await http.get("/api/v1/enterprises", params={"q": "螺蛳粉食品"})).json()
    assert [e["uscc"] for e in partial["items"]] == [F.uscc(1)]
    exact = (await http.get("/api/v1/enterprises",
                            params={"q": "柳州螺蛳粉食品有限公司2号"})).json()
    assert [e["uscc"] for e in exact["items"]] == [F.uscc(2)]
    punctuation = await http.get("/api/v1/enterprises", params={"q": "%_%"})
    assert punctuation.status_code == 200 and punctuation.json()["items"] == []


async def test_the_enterprise_code_scans_to_its_profile(http, world):
    profile = (await http.get(f"/api/v1/enterprises/{U1}")).content
    for code in (f"http://testserver/e/{U1}", U1, f"HTTP://TESTSERVER/E/{U1}"):
        answer = await http.get("/api/v1/scan", params={"code": code})
        assert answer.status_code == 200, answer.text
        body = answer.content
        assert body.endswith(b',"enterprise":' + profile + b"}")
        view = orjson.loads(body)
        assert view["level"] == "enterprise" and view["status"] == "warning"
        assert view["alerts"][0]["kind"] == "recall_of_some_batches"
        assert view["alerts"][0]["notices"][0]["notice_id"] == "N-R1"


async def test_an_enterprise_code_on_another_host_is_shown_with_a_warning(http, world):
    answer = await http.get("/api/v1/scan", params={"code": f"https://gz-gov.example.com/e/{U1}"})
    assert answer.status_code == 200
    view = answer.json()
    [warning] = [a for a in view["alerts"] if a["kind"] == "unofficial_host"]
    assert warning["host"] == "gz-gov.example.com" and warning["severity"] == "high"
    assert view["enterprise"]["uscc"] == U1


async def test_a_bad_enterprise_code_is_400_and_an_unknown_one_404(http, world):
    bad = await http.get("/api/v1/scan", params={"code": "https://testserver/e/91450204"})
    assert bad.status_code == 400
    assert (bad.json()["error"]["code"], bad.json()["error"]["rule"]) == (
        "code_malformed", "uscc_length")
    unknown = await http.get("/api/v1/scan", params={"code": f"https://testserver/e/{F.uscc(9)}"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "enterprise_not_found"
    bare = await http.get("/api/v1/scan", params={"code": F.uscc(9)})
    assert bare.status_code == 404 and bare.json()["error"]["code"] == "enterprise_not_found"


async def test_a_trace_code_shaped_like_a_credit_code_still_scans(http, world):
    shaped = F.uscc(77)
    await post_records(http, [F.code(shaped, batch_id="B1")])
    answer = await http.get("/api/v1/scan", params={"code": shaped})
    assert answer.status_code == 200 and answer.json()["code"] == shaped


async def test_later_imports_show_on_the_cached_profile(http, world):
    before = (await http.get(f"/api/v1/enterprises/{U1}")).json()
    assert before["sampling"]["total"] == 2
    await post_records(http, [F.sampling("S9", sampled_at="2026-11-01", lot="LB9")])
    after = (await http.get(f"/api/v1/enterprises/{U1}")).json()
    assert after["sampling"]["total"] == 3 and after["sampling"]["items"][0]["sample_id"] == "S9"
    await post_records(http, [F.recall(status="completed", batch_ids=["B1"]),
                              F.batch("B1", produced_at="2025-06-01", expires_at="2026-01-01")])
    done = (await http.get(f"/api/v1/enterprises/{U1}")).json()
    assert done["recalls"] == []  # completed, and the batch is past its shelf life
    await post_records(http, [F.product("P7", name="酸辣螺蛳粉")])
    grown = (await http.get(f"/api/v1/enterprises/{U1}")).json()
    assert grown["products"]["total"] == 2


async def test_enterprise_codes_count_against_the_scan_limit(http, server, world):
    from tracing.service import TraceService

    trace = server[1].ctx.services.get(TraceService)
    trace.settings = trace.settings.with_(scan_rate_limit=2)
    for _ in range(2):
        assert (await http.get("/api/v1/scan", params={"code": U1})).status_code == 200
    limited = await http.get("/api/v1/scan", params={"code": U1})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["message"].startswith("扫码过于频繁")

"""Chinese first, English on request, over real HTTP: the same bad request answers the same
``code`` with a Chinese or an English message, a scan of the demo's recalled batch shows its
alerts in the language asked for (each language cached on its own), an exchange import's
rejections follow the header too, and every answer says its language."""

from __future__ import annotations

import re

import pytest


NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
EN = {"Accept-Language": "en-GB,en;q=0.9,zh-CN;q=0.5"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def english(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{3}", text))


async def test_the_same_bad_request_in_chinese_and_in_english(http):
    zh = await http.get("/api/v1/scan", params={"code": "LZ 0001"})
    en = await http.get("/api/v1/scan", params={"code": "LZ 0001"}, headers=EN)
    assert zh.status_code == en.status_code == 400
    assert zh.json()["error"]["code"] == en.json()["error"]["code"] == "code_malformed"
    assert zh.json()["error"]["rule"] == en.json()["error"]["rule"] == "code_space"
    assert zh.json()["error"]["message"] == "追溯码含有空格，请去掉空格后再输入"
    assert en.json()["error"]["message"] == \
        "The trace code contains spaces; remove them and enter it again"
    assert zh.headers["content-language"] == "zh-CN" and en.headers["content-language"] == "en"
    assert "Accept-Language" in en.headers.get_list("vary")


async def test_a_missing_parameter_and_an_unknown_path_in_english(http):
    missing = await http.get("/api/v1/scan", headers={"Accept-Language": "en"})
    assert missing.json()["error"] == {
        "code": "code_malformed", "field": "code",
        "message": "Send code: the scanned text (URL-encoded)"}
    nowhere = await http.get("/api/v1/nowhere", headers={"Accept-Language": "en"})
    assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "not_found"
    assert nowhere.json()["error"]["message"] == "No such address: /api/v1/nowhere"
    chinese = await http.get("/api/v1/nowhere", headers={"Accept-Language": "fr, *;q=0.1"})
    assert chinese.json()["error"]["message"] == "找不到网址 /api/v1/nowhere"


async def test_a_recalled_batch_in_english_and_in_chinese(http, demo):
    code = demo["recalled_code"]
    for _ in range(2):  # built, then from each language's cache
        default = (await http.get("/api/v1/scan", params={"code": code})).json()
        en = await http.get("/api/v1/scan", params={"code": code}, headers=EN)
        assert en.headers["content-language"] == "en"
        assert "Accept-Language" in en.headers.get_list("vary")
        en = en.json()
        assert default["status"] == en["status"] == "recalled"
        assert [a["kind"] for a in default["alerts"]] == [a["kind"] for a in en["alerts"]]
        recall_zh, recall_en = default["alerts"][0], en["alerts"][0]
        assert recall_zh["kind"] == "recall" and CJK.search(recall_zh["message"])
        assert "召回" in recall_zh["message"]
        assert recall_en["message"].startswith("This batch is being recalled (class")
        assert "12315" in recall_en["message"]
        for alert in en["alerts"]:
            assert english(alert["message"]), alert
        assert default["batch"] == en["batch"] and default["product"] == en["product"]


async def test_an_import_rejection_in_english(http):
    bad = b'{"type": "enterprise", "uscc": 12}\n'
    zh = (await http.post("/api/v1/exchange", content=bad, headers=NDJSON)).json()
    en = (await http.post("/api/v1/exchange", content=bad, headers={**NDJSON, **EN})).json()
    assert [r["code"] for r in zh["rejected"]] == [r["code"] for r in en["rejected"]]
    assert CJK.search(zh["rejected"][0]["message"])
    assert english(en["rejected"][0]["message"]) and not CJK.search(en["rejected"][0]["message"])


async def test_an_enterprise_profile_per_language(http, demo):
    path = f"/api/v1/enterprises/{demo['failed_sampling_uscc']}"
    for _ in range(2):  # built, then from each language's cache
        zh = await http.get(path)
        en = await http.get(path, headers={"Accept-Language": "en"})
        assert zh.status_code == en.status_code == 200
        assert en.headers["content-language"] == "en"
        assert zh.json()["licence"]["state"] == en.json()["licence"]["state"]
        assert CJK.search(zh.json()["licence"]["message"])
        assert not CJK.search(en.json()["licence"]["message"])
        assert zh.json()["name"] == en.json()["name"]  # data stays as recorded


async def test_every_alert_of_the_demo_reads_in_english(http, demo):
    codes = [demo[k] for k in ("ok_code", "recalled_code", "excursion_code",
                               "expired_input_code", "item_code", "case_code", "alias")]
    seen = 0
    for code in codes:
        zh = (await http.get("/api/v1/scan", params={"code": code})).json()
        en = (await http.get("/api/v1/scan", params={"code": code}, headers=EN)).json()
        for before, after in zip(zh["alerts"], en["alerts"], strict=True):
            assert before["kind"] == after["kind"]
            assert after["message"] != before["message"] and english(after["message"]), after
            seen += 1
    assert seen >= 4


async def test_the_resolver_page_of_an_unknown_code_in_english(http):
    html = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    zh = await http.get("/t/NOT-ON-RECORD-1", headers=html)
    en = await http.get("/t/NOT-ON-RECORD-1", headers={**html, "Accept-Language": "en"})
    assert zh.status_code == en.status_code == 404
    assert '<html lang="zh-CN">' in zh.text and "<title>没有找到</title>" in zh.text
    assert '<html lang="en">' in en.text and "<title>Not found</title>" in en.text
    assert "This code is not on record." in en.text and not CJK.search(en.text)

"""core.i18n: Accept-Language negotiation (q-values, default Chinese), translating a tree of
answers, and a stored Text read back as a Text."""

from __future__ import annotations

import pytest

from core.i18n import T, Text, dump, join, load, negotiate, translate, translate_tree


@pytest.mark.parametrize("header, lang", [
    (None, "zh"), ("", "zh"), ("en", "en"), ("EN-us", "en"), ("en-US,en;q=0.9", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en;q=0.5, zh;q=0.4", "en"),
    ("zh-TW, en;q=0.9", "zh"), ("fr", "zh"), ("fr, de;q=0.9", "zh"), ("de, en;q=0.3", "en"),
    ("*", "zh"), ("en;q=0.5, *;q=0.9", "zh"), ("zh;q=0, en;q=0.1", "en"), ("en;q=0", "zh"),
    ("en;q=abc", "zh"), ("en;q=2", "zh"), ("en ; q=0.7 , zh ; q=0.6", "en"), (",,;", "zh"),
])
def test_negotiate(header, lang):
    assert negotiate(header) == lang


def test_translate_tree_renders_every_text_and_leaves_the_rest():
    tree = {"alerts": [{"kind": "expired", "message": T("该批次已于{date}过期，请勿食用。",
                                                        date="2026-01-02"), "n": 3}],
            "name": "螺蛳粉", "none": None, "pair": (T("今天"), 1)}
    assert translate_tree(tree, "en") == {
        "alerts": [{"kind": "expired", "message": "This batch expired on 2026-01-02; do not "
                    "eat it.", "n": 3}],
        "name": "螺蛳粉", "none": None, "pair": ["today", 1]}
    assert translate_tree(tree, "zh") is tree


def test_join_translates_its_separators():
    text = join([T("今天"), "甲", T("无")], "、")
    assert text == "今天、甲、无" and translate(text, "en") == "today, 甲, none"
    assert join([]) == "" and join(["甲"]) == "甲"


def test_a_stored_text_reads_back_translatable():
    text = T("{hours:g}小时内", hours=24.0)
    stored = dump(T("请核对包装：{hours}", hours=text))
    again = load(stored)
    assert isinstance(again, Text) and again == "请核对包装：24小时内"
    assert translate(again.params["hours"], "en") == "within 24 hours"
    assert load("一句话") == "一句话" and dump("一句话") == "一句话"


def test_a_template_kept_for_later_fills_in_as_a_text():
    template = T("许可证已于{until}过期。")
    filled = template.format(until="2026-01-02", days=-3)
    assert isinstance(filled, Text) and filled == "许可证已于2026-01-02过期。"
    assert translate(filled, "en") == "The licence expired on 2026-01-02."

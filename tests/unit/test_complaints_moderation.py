"""The service's own content check, for filings WeChat cannot check (no openid)."""

from __future__ import annotations

import pytest

from complaints.moderation import Policy
from core.errors import InvalidInput


@pytest.mark.parametrize("text, found", [
    ("老板说有问题加微信私了，这家店卖过期牛奶。", "加微信"),
    ("老板说有问题加 微 信私了。", "加微信"),  # spaced out
    ("ＶＸ号是多少都不回，卖过期牛奶。", "vx号"),  # full width, upper case
    ("这家店后厨就是个赌博窝点，卫生很差。", "赌博"),
])
def test_listed_words_hold_the_filing_and_say_which(text, found):
    screen = Policy().screen(text, photos=0)
    assert screen.held and screen.value == "review"
    assert found in screen.reasons[0] and "转人工审核" in screen.reasons[0]


def test_links_and_photos_hold_plain_text_passes():
    linked = Policy().screen("详情见 www.example.top 的帖子，面包发霉。", photos=0)
    assert linked.held and "网址" in linked.reasons[0]
    pictured = Policy().screen("面包发霉了，附两张照片。", photos=2)
    assert pictured.held and "2张照片" in pictured.reasons[0]
    plain = Policy().screen("面包发霉了，商家不给退。", photos=0)
    assert not plain.held and plain.value == "pass" and not plain.deferred
    assert plain.triage() == {"value": "pass", "reasons": list(plain.reasons)}


def test_a_word_file_replaces_the_built_in_list(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# 本地词表\n  地沟油贩子  \n\nＡＢＣ # comment\n", encoding="utf-8")
    policy = Policy.load(path)
    assert policy.words == ("地沟油贩子", "abc")
    assert policy.screen("他就是个地沟油贩子！", photos=0).held
    assert policy.screen("Abc 店", photos=0).held
    assert not policy.screen("加微信私了", photos=0).held  # no longer listed
    assert Policy.load(None) == Policy()


def test_an_unreadable_word_file_is_refused(tmp_path):
    with pytest.raises(InvalidInput) as err:
        Policy.load(tmp_path / "missing.txt")
    assert err.value.code == "moderation_words_unreadable"
    assert err.value.field == "GONGZHI_MODERATION_WORDS" and "无法读取" in err.value.message

from search.pinyin import looks_like_pinyin, normalise_pinyin_query, pinyin_text, readings


def test_phrase_reading_first_for_heteronyms():
    assert readings("重庆小面馆")[0] == ("chongqingxiaomianguan", "cqxmg")
    assert readings("长沙臭豆腐店")[0] == ("changshachoudoufudian", "cscdfd")


def test_other_readings_of_heteronyms_included_and_bounded():
    assert "zhongqingxiaomianguan" in pinyin_text("重庆小面馆")
    assert "zhangsha" in pinyin_text("长沙")
    assert len(readings("长重行乐还都朝少了着", limit=6)) == 6


def test_non_han_kept_and_emoji_dropped():
    assert readings("KFC柳州店")[0] == ("kfcliuzhoudian", "kfclzd")
    assert readings("螺蛳粉😀")[0] == ("luosifen", "lsf")
    assert readings("😀") == [] and readings("") == []


def test_query_helpers():
    assert looks_like_pinyin("Luo Si'fen") and not looks_like_pinyin("螺蛳") and not looks_like_pinyin("a1")
    assert normalise_pinyin_query("Luo Si'fen") == "luosifen"

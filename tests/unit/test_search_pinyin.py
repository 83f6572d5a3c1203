from search.pinyin import (fuzzy, looks_like_pinyin, query_sounds, readings, segment,
                           sound_strings)


def test_phrase_reading_first_for_heteronyms():
    assert readings("重庆小面馆")[0] == ("chongqingxiaomianguan", "cqxmg")
    assert readings("长沙臭豆腐店")[0] == ("changshachoudoufudian", "cscdfd")


def test_other_readings_of_heteronyms_included_and_bounded():
    exact, _ = sound_strings("重庆小面馆")
    assert "zhongqing" in exact and "chongqingxiaomianguan" in exact.split()
    assert "zhangsha" in sound_strings("长沙")[0]
    assert len(readings("长重行乐还都朝少了着", limit=6)) == 6
    assert len(sound_strings("长重行乐还都朝少了着")[0].split()) <= 2 * 6


def test_non_han_kept_and_emoji_dropped():
    assert readings("KFC柳州店")[0] == ("kfcliuzhoudian", "kfclzd")
    assert readings("螺蛳粉😀")[0] == ("luosifen", "lsf")
    assert readings("😀") == [] and readings("") == []
    assert sound_strings("😀") == ("", "") and sound_strings("123") == ("", "")


def test_fuzzy_classes_of_pinyin_keyboards():
    pairs = [("shi", "si"), ("zhang", "zang"), ("chen", "cen"), ("nan", "lan"), ("fang", "fan"),
             ("feng", "fen"), ("xing", "xin"), ("liang", "lian"), ("zh", "z")]
    for a, b in pairs:
        assert fuzzy(a) == fuzzy(b), (a, b)
    assert fuzzy("shi") != fuzzy("xi") and fuzzy("fa") != fuzzy("hua")


def test_homophones_sound_alike_and_others_do_not():
    _, name = sound_strings("柳州冷链物流有限公司")
    assert any(s in name for s in query_sounds("冷连").fuzzy)
    assert any(s in name for s in query_sounds("lenglian").fuzzy)
    assert any(s in name for s in query_sounds("nenglian").fuzzy)  # n/l, eng/en
    assert not any(s in name for s in query_sounds("冷面").fuzzy)
    exact, _ = sound_strings("副食品批发")
    assert "fushipin" in exact and query_sounds("付食品").exact[0] == "fushipin"


def test_segmentation_of_typed_letters():
    assert segment("luosifen")[0] == ["luo", "si", "fen"]
    assert segment("xian") == [["xian"], ["xi", "an"]]
    assert ["fan", "gan"] in segment("fangan") and ["fang", "an"] in segment("fangan")
    assert segment("chongq") == [["chong", "q"]]  # the last syllable as typed so far
    assert segment("lsf") == [] and segment("a1") == []
    assert query_sounds("lsf").fuzzy == ("lsf",)  # initials
    assert query_sounds("nz").fuzzy == ("lz",) and query_sounds("nz").exact == ("nz",)
    assert not query_sounds("螺") and not query_sounds("x")


def test_query_helpers():
    assert looks_like_pinyin("Luo Si'fen") and not looks_like_pinyin("螺蛳") and not looks_like_pinyin("a1")

import pytest

from core.errors import InvalidInput
from core.geo import haversine_km
from search.base import SearchQuery, division_prefix, normalise_text
from search.match import highlight, plan_query


def code_of(params):
    with pytest.raises(InvalidInput) as info:
        SearchQuery.from_params(params)
    return info.value.code, info.value.field


@pytest.mark.parametrize("params, expected", [
    ({}, ("search_query_empty", "q")),
    ({"q": "   "}, ("search_query_empty", "q")),
    ({"q": "螺" * 101}, ("search_query_too_long", "q")),
    ({"q": "x" * 500}, ("search_query_too_long", "q")),
    ({"q": "螺", "kind": "shop"}, ("search_bad_kind", "kind")),
    ({"near": "91,100"}, ("search_bad_coordinates", "near")),
    ({"near": "24.3,190"}, ("search_bad_coordinates", "near")),
    ({"near": "abc"}, ("search_bad_coordinates", "near")),
    ({"near": "nan,1"}, ("search_bad_coordinates", "near")),
    ({"near": "24,109", "radius_km": "-1"}, ("search_bad_radius", "radius_km")),
    ({"near": "24,109", "radius_km": "0"}, ("search_bad_radius", "radius_km")),
    ({"near": "24,109", "radius_km": "inf"}, ("search_bad_radius", "radius_km")),
    ({"near": "24,109", "radius_km": "x"}, ("search_bad_radius", "radius_km")),
    ({"q": "螺", "page": "0"}, ("search_bad_page", "page")),
    ({"q": "螺", "page": "x"}, ("search_bad_page", "page")),
    ({"q": "螺", "page": "10000"}, ("search_bad_page", "page")),
    ({"q": "螺", "size": "51"}, ("search_bad_size", "size")),
    ({"q": "螺", "division": "45x"}, ("search_bad_division", "division")),
    ({"q": " ".join("螺蛳粉柳州城中区") + " 店"}, ("search_too_many_terms", "q")),
    ({"q": "螺", "fuzzy": "maybe"}, ("search_bad_fuzzy", "fuzzy")),
])
def test_bad_input_has_stable_codes(params, expected):
    assert code_of(params) == expected


@pytest.mark.parametrize("params", [{"q": "螺" * 101}, {"q": "螺", "size": "51"},
                                    {"q": "螺", "kind": "shop"}, {"near": "abc"}])
def test_messages_are_chinese_and_name_the_field(params):
    with pytest.raises(InvalidInput) as info:
        SearchQuery.from_params(params)
    message = str(info.value)
    assert info.value.field in message and any("\u4e00" <= c <= "\u9fff" for c in message)


def test_fuzzy_is_on_unless_turned_off():
    assert SearchQuery.from_params({"q": "螺"}).fuzzy is True
    assert SearchQuery.from_params({"q": "螺", "fuzzy": "0"}).fuzzy is False
    assert SearchQuery.from_params({"q": "螺", "fuzzy": "true"}).fuzzy is True


def test_good_params():
    q = SearchQuery.from_params({"q": " 螺蛳粉 ", "kind": "product", "near": "24.3,109.4",
                                 "radius_km": "2.5", "page": "3", "size": "20", "division": "450200"})
    assert (q.kind, q.near, q.radius_km, q.page, q.size, q.offset) == (
        "product", (24.3, 109.4), 2.5, 3, 20, 40)
    assert SearchQuery.from_params({"near": "24.3,109.4"}).q == ""


def test_pure_helpers():
    assert normalise_text("  ＫＦＣ　柳州\x00店 ") == "kfc 柳州 店"
    assert division_prefix("450200") == "4502" and division_prefix("450000") == "45"
    assert division_prefix("450202") == "450202"
    assert 110 < haversine_km(24.0, 109.0, 25.0, 109.0) < 112
    assert highlight("柳州<螺>霸王", plan_query("<螺>")) == "柳州&lt;<em>螺</em>&gt;霸王"
    assert highlight("重庆小面馆", plan_query("cq")) == "重庆小面馆"
    assert highlight("廣西好歡螺", plan_query("广西")) == "<em>廣西</em>好歡螺"
    assert highlight("城中区农副产品贸易市场", plan_query("城中农贸")) == (
        "<em>城中</em>区<em>农</em>副产品<em>贸</em>易市场")
    assert highlight("龙城超市（五一路店）", plan_query("超市五一")) == "龙城<em>超市</em>（<em>五一</em>路店）"


def _partial_by_every_drop(term: str, title: str):
    """:func:`search.match.partial_match` as first written: every character tried as the one
    left out (the reference the shortcut must agree with)."""
    from search.match import partial_positions

    found = partial_positions(term, title)
    if found is not None:
        return 0, found
    if len(term) < 4:
        return None
    absent = [i for i, ch in enumerate(term) if ch not in title]
    if len(absent) > 1:
        return None
    options = [p for i in (absent or range(len(term)))
               if (p := partial_positions(term[:i] + term[i + 1:], title)) is not None]
    return (1, min(options, key=lambda p: (p[-1] - p[0], p[0]))) if options else None


def test_a_doubled_character_typed_once_too_often_is_the_one_left_out():
    from search.match import partial_match

    assert partial_match("广西螺螺蛳粉限公司", "广西柳州螺蛳粉有限公司") == (1, [0, 1, 4, 5, 6, 8, 9, 10])
    assert partial_match("螺螺螺蛳粉店", "螺蛳粉店") is None  # two too many: not a partial match
    assert partial_match("城中农贸", "城中区农副产品贸易市场") == (0, [0, 1, 3, 7])


def test_the_partial_shortcut_agrees_with_trying_every_character():
    import random

    from search.match import partial_match

    rng = random.Random(7)
    chars = "螺蛳粉柳州店王"
    for _ in range(20000):
        term = "".join(rng.choice(chars) for _ in range(rng.randint(4, 9)))
        title = "".join(rng.choice(chars) for _ in range(rng.randint(2, 16)))
        assert partial_match(term, title) == _partial_by_every_drop(term, title), (term, title)

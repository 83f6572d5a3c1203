import json

from search.base import SearchDoc, SearchQuery
from search.elastic_bodies import (BOOSTS, build_mapping, build_search_body, build_source,
                                   build_suggest_body)


def all_leaf_queries(body):
    text = json.dumps(body, ensure_ascii=False)
    assert "query_string" not in text and "simple_query_string" not in text
    return text


def test_mapping_uses_stock_components_and_plugins_when_present():
    mapping = build_mapping()
    props = mapping["mappings"]["properties"]
    assert props["location"]["type"] == "geo_point"
    assert props["suggest"]["type"] == "search_as_you_type"
    assert props["name"]["analyzer"] == "cjk_words"
    assert mapping["settings"]["analysis"]["analyzer"]["cjk_words"]["filter"] == ["lowercase", "cjk_bigram"]
    assert build_mapping(("analysis-smartcn",))["mappings"]["properties"]["name"]["analyzer"] == "smartcn"
    assert build_mapping(("analysis-ik",))["mappings"]["properties"]["name"]["analyzer"] == "ik_max_word"


def test_source_has_pinyin_and_location():
    src = build_source(SearchDoc("enterprise", "K1", "重庆小面馆", identifiers=("jy 2450",),
                                 lat=24.3, lng=109.4))
    assert "chongqingxiaomianguan" in src["pinyin"] and "cqxmg" in src["pinyin"]
    assert src["identifiers"] == ["K1", "JY2450"]
    assert src["location"] == {"lat": 24.3, "lon": 109.4}


def test_metacharacters_stay_literal():
    q = '螺蛳"粉 NEAR(a:b) * AND ~^-'
    text = all_leaf_queries(build_search_body(SearchQuery(q=q)))
    assert '螺蛳\\"粉' in text
    all_leaf_queries(build_suggest_body(q))


def test_tier_boosts_dominate_all_lower_tiers():
    order = ["identifier", "exact_name", "prefix", "substring", "other_field", "pinyin", "active"]
    for i, name in enumerate(order[:-1]):
        assert BOOSTS[name] > sum(BOOSTS[lower] for lower in order[i + 1:])
    body = build_search_body(SearchQuery(q="91450200MA5KLBW001"))
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[0] == {"constant_score": {"filter": {"term": {"identifiers": "91450200MA5KLBW001"}},
                                            "boost": BOOSTS["identifier"]}}
    assert body["query"]["bool"]["should"][0]["constant_score"]["filter"] == {"term": {"status": "active"}}


def test_pinyin_clause_only_for_latin_queries():
    assert "pinyin" in json.dumps(build_search_body(SearchQuery(q="Luo Si")))
    assert '"pinyin"' not in json.dumps(build_search_body(SearchQuery(q="螺蛳")))


def test_geo_filter_sort_and_pagination():
    body = build_search_body(SearchQuery(q="", near=(24.3, 109.4), radius_km=2, page=3, size=10,
                                         kind="enterprise", division="450200"))
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"kind": "enterprise"}} in filters
    assert {"prefix": {"division_code": "4502"}} in filters
    assert {"geo_distance": {"distance": "2km", "location": {"lat": 24.3, "lon": 109.4}}} in filters
    assert body["sort"][0]["_geo_distance"]["unit"] == "km"
    assert (body["from"], body["size"], body["track_total_hits"]) == (20, 10, True)
    with_text = build_search_body(SearchQuery(q="螺", near=(24.3, 109.4)))
    assert with_text["sort"][0] == "_score" and "_geo_distance" in with_text["sort"][1]


def test_substring_uses_unigram_field_for_one_character():
    text = json.dumps(build_search_body(SearchQuery(q="面")), ensure_ascii=False)
    assert '"name.gram1": "面"' in text
    assert '"name.gram2": "螺蛳"' in json.dumps(build_search_body(SearchQuery(q="螺蛳")), ensure_ascii=False)


def test_suggest_body():
    body = build_suggest_body("Chong Q", size=5)
    assert body["size"] == 5
    assert body["query"]["bool"]["should"][0]["multi_match"]["type"] == "bool_prefix"
    assert {"prefix": {"pinyin.raw": "chongq"}} in [c.get("constant_score", {}).get("filter") for c in body["query"]["bool"]["should"]]

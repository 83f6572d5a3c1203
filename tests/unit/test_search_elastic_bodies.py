import json

from search.base import SearchDoc, SearchQuery
from search.elastic import match_label
from search.elastic_bodies import (BOOSTS, IN_TIER, STATUS_SORT, TIER_BOOSTS, build_mapping,
                                   build_search_body, build_source, build_suggest_body,
                                   geo_sort_index)
from search.match import plan_query


def all_leaf_queries(body):
    text = json.dumps(body, ensure_ascii=False)
    assert "query_string" not in text and "simple_query_string" not in text
    return text


def tier_filter(body, tier):
    for clause in body["query"]["bool"]["must"][0]["bool"]["should"]:
        if clause["constant_score"]["boost"] == BOOSTS[tier]:
            return json.dumps(clause["constant_score"]["filter"], ensure_ascii=False)
    return None


def test_mapping_uses_stock_components_and_plugins_when_present():
    mapping = build_mapping()
    props = mapping["mappings"]["properties"]
    assert props["location"]["type"] == "geo_point"
    assert props["sound_fz"]["analyzer"] == props["sound_ex"]["analyzer"] == "gram2"
    assert props["name"]["analyzer"] == "cjk_words"
    assert mapping["settings"]["analysis"]["analyzer"]["cjk_words"]["filter"] == ["lowercase", "cjk_bigram"]
    assert build_mapping(("analysis-smartcn",))["mappings"]["properties"]["name"]["analyzer"] == "smartcn"
    assert build_mapping(("analysis-ik",))["mappings"]["properties"]["name"]["analyzer"] == "ik_max_word"


def test_source_has_folded_text_sounds_and_location():
    src = build_source(SearchDoc("enterprise", "K1", "重慶小麵館", "柳州市（城中區）",
                                 identifiers=("jy 2450",), keywords=("小吃",), lat=24.3, lng=109.4))
    assert src["name"] == "重庆小面馆" and src["other"] == "小吃|柳州市城中区"
    assert "chongqingxiaomianguan" in src["sound_ex"] and "cqxmg" in src["sound_ex"]
    assert "congqinxiaomianguan" in src["sound_fz"]
    assert src["identifiers"] == ["K1", "JY2450"]
    assert src["location"] == {"lat": 24.3, "lon": 109.4}


def test_metacharacters_stay_literal():
    q = '螺蛳"粉 NEAR(a:b) * AND ~^-'
    text = all_leaf_queries(build_search_body(SearchQuery(q=q)))
    assert '"name.raw": "螺蛳粉nearaband"' in text  # folded, and only ever a term's value
    all_leaf_queries(build_suggest_body(q))


def test_tier_boosts_dominate_all_lower_tiers():
    order = list(TIER_BOOSTS)
    for i, name in enumerate(order[:-1]):
        assert BOOSTS[name] > sum(BOOSTS[lower] for lower in order[i + 1:])
    # within-tier shares stay below the gap to the next tier up
    assert BOOSTS["terms"] + IN_TIER["in_name"] + BOOSTS["sound"] + BOOSTS["fuzzy_sound"] + \
        BOOSTS["partial"] < BOOSTS["substring"]
    assert BOOSTS["partial"] + IN_TIER["all_chars"] + IN_TIER["tight"] + IN_TIER["early"] < \
        BOOSTS["fuzzy_sound"]
    body = build_search_body(SearchQuery(q="91450200MA5KLBW001"))
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[0] == {"constant_score": {"filter": {"term": {"identifiers": "91450200MA5KLBW001"}},
                                            "boost": BOOSTS["identifier"]}}
    assert "should" not in body["query"]["bool"]  # one term, no partial: nothing within tiers
    assert body["sort"] == ["_score", STATUS_SORT, {"name_len": "asc"},
                            {"kind": "asc"}, {"key": "asc"}]


def test_sound_clauses_for_letters_and_characters():
    body = build_search_body(SearchQuery(q="Luo Si"))
    assert '"sound_ex": "luosi"' in tier_filter(body, "sound")
    assert '"sound_fz": "luosi"' in tier_filter(body, "fuzzy_sound")
    homophone = build_search_body(SearchQuery(q="冷连"))
    assert '"sound_ex": "lenglian"' in tier_filter(homophone, "sound")
    assert '"sound_fz": "lenlian"' in tier_filter(homophone, "fuzzy_sound")
    assert tier_filter(build_search_body(SearchQuery(q="冷连", fuzzy=False)), "fuzzy_sound") is None
    assert "sound" not in tier_filter(build_search_body(SearchQuery(q="螺")), "partial")


def test_partial_is_an_ordered_span_of_characters_with_a_limit():
    partial = json.loads(tier_filter(build_search_body(SearchQuery(q="城中农贸")), "partial"))
    spans = [c["span_near"] for c in partial["bool"]["must"][0]["bool"]["should"]
             if "span_near" in c]
    assert spans[0]["in_order"] is True and spans[0]["slop"] == 3 * 4 + 2 - 4
    assert [c["span_term"]["name.gram1"] for c in spans[0]["clauses"]] == list("城中农贸")
    assert len(spans) == 1 + 4  # and each leaving one character out


def test_every_term_must_match_somewhere():
    terms = json.loads(tier_filter(build_search_body(SearchQuery(q="米粉 柳城")), "terms"))
    must = terms["bool"]["must"]
    assert len(must) == 2 and '"other.gram2": "柳城"' in json.dumps(must[1], ensure_ascii=False)


def test_traditional_and_full_width_queries_are_folded():
    assert '"name.raw": "广西贸易"' in json.dumps(build_search_body(SearchQuery(q="廣西貿易")),
                                                  ensure_ascii=False)
    assert '"sound_fz": "lz"' in tier_filter(build_search_body(SearchQuery(q="ｌｚ")), "fuzzy_sound")


def test_only_punctuation_matches_nothing():
    body = build_search_body(SearchQuery(q="（）！"))
    assert body["query"]["bool"]["must_not"] == [{"match_all": {}}] and body["sort"][0] == "_score"


def test_match_label_from_indexed_fields():
    src = build_source(SearchDoc("enterprise", "K1", "柳州冷链物流有限公司", "柳州市鹿寨县"))
    assert match_label(plan_query("K1"), src) == "identifier"
    assert match_label(plan_query("柳州冷链物流有限公司"), src) == "exact"
    assert match_label(plan_query("冷连"), src) == "sound"
    assert match_label(plan_query("柳州物流"), src) == "partial"
    assert match_label(plan_query("冷链 鹿寨"), src) == "substring"


def test_geo_filter_sort_and_pagination():
    body = build_search_body(SearchQuery(q="", near=(24.3, 109.4), radius_km=2, page=3, size=10,
                                         kind="enterprise", division="450200"))
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"kind": "enterprise"}} in filters
    assert {"prefix": {"division_code": "4502"}} in filters
    assert {"geo_distance": {"distance": "2km", "location": {"lat": 24.3, "lon": 109.4}}} in filters
    assert body["sort"][0]["_geo_distance"]["unit"] == "km" and geo_sort_index(body) == 0
    assert (body["from"], body["size"], body["track_total_hits"]) == (20, 10, True)
    with_text = build_search_body(SearchQuery(q="螺", near=(24.3, 109.4)))
    assert with_text["sort"][:2] == ["_score", STATUS_SORT]
    assert "_geo_distance" in with_text["sort"][2] and geo_sort_index(with_text) == 2


def test_substring_uses_unigram_field_for_one_character():
    text = json.dumps(build_search_body(SearchQuery(q="面")), ensure_ascii=False)
    assert '"name.gram1": "面"' in text
    assert '"name.gram2": "螺蛳"' in json.dumps(build_search_body(SearchQuery(q="螺蛳")), ensure_ascii=False)


def test_suggest_body_is_the_search_body():
    body = build_suggest_body("Chong Q", size=5)
    assert body["size"] == 5
    assert body["query"] == build_search_body(SearchQuery(q="Chong Q", size=5))["query"]

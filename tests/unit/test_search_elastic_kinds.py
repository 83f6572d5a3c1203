"""The exact Elasticsearch body for each kind of slip of issue 14 (no cluster here: these bodies
are the evidence that the Elasticsearch backend ranks like the embedded one; the contract suite
runs them against a real node wherever GONGZHI_ES_URL is set)."""

from __future__ import annotations

import pytest

from search.base import SearchQuery
from search.elastic_bodies import BOOSTS, build_search_body

SORT = ["_score", {"status_rank": {"order": "asc", "unmapped_type": "byte"}}, {"name_len": "asc"},
        {"kind": "asc"}, {"key": "asc"}]  # tier and score, status rank, shorter name (as embedded)


def phrase(field, text):
    return {"match_phrase": {field: text}}


def anyof(*clauses):
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def allof(*clauses):
    return {"bool": {"must": list(clauses)}}


def span(chars, slop):
    return {"span_near": {"clauses": [{"span_term": {"name.gram1": c}} for c in chars],
                          "slop": slop, "in_order": True}}


def const(clause, boost):
    return {"constant_score": {"filter": clause, "boost": boost}}


def tiers(q, **params):
    body = build_search_body(SearchQuery(q=q, **params))
    assert body["sort"] == SORT and (body["from"], body["size"]) == (0, 10)
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    found = {c["constant_score"]["boost"]: c["constant_score"]["filter"] for c in should}
    assert len(found) == len(should)
    within = [(c["constant_score"]["boost"], c["constant_score"]["filter"])
              for c in body["query"]["bool"].get("should", [])]
    return {name: found.get(boost) for name, boost in BOOSTS.items()}, within


def head(text, ident):
    """Identifier, exact, prefix and substring tiers of a folded query text."""
    return {"identifier": {"term": {"identifiers": ident}}, "exact": {"term": {"name.raw": text}},
            "prefix": {"prefix": {"name.raw": text}}, "substring": phrase("name.gram2", text)}


def test_traditional_characters_are_searched_simplified():
    found, _ = tiers("廣西貿易")
    assert {k: found[k] for k in ("identifier", "exact", "prefix", "substring")} == head(
        "广西贸易", "廣西貿易")
    assert found["terms"] == allof(anyof(phrase("name.gram2", "广西贸易"),
                                         phrase("other.gram2", "广西贸易")))


def test_full_width_letters_are_half_width_initials():
    found, within = tiers("ｌｓｆ")
    assert found["identifier"] == {"term": {"identifiers": "LSF"}}
    base = [phrase("name.gram2", "lsf"), phrase("other.gram2", "lsf")]
    assert found["sound"] == anyof(allof(anyof(*base, phrase("sound_ex", "lsf"))),
                                   phrase("sound_ex", "lsf"))
    assert found["fuzzy_sound"] == anyof(
        allof(anyof(*base, phrase("sound_ex", "lsf"), phrase("sound_fz", "lsf"))),
        phrase("sound_fz", "lsf"))
    assert found["partial"] == allof(anyof(*base, phrase("sound_ex", "lsf"),
                                           phrase("sound_fz", "lsf")))
    assert within == []  # letters: no partial order


def test_homophone_slip_matches_by_sound_with_every_reading():
    found, _ = tiers("冷连")
    base = [phrase("name.gram2", "冷连"), phrase("other.gram2", "冷连")]
    sounds = [phrase("sound_ex", "lenglian"), phrase("sound_ex", "linglian")]
    assert found["sound"] == anyof(allof(anyof(*base, *sounds)), *sounds)
    fuzzy = [phrase("sound_fz", "lenlian"), phrase("sound_fz", "linlian")]
    assert found["fuzzy_sound"] == anyof(allof(anyof(*base, *sounds, *fuzzy)), *fuzzy)


def test_fuzzy_sounds_only_when_asked():
    found, _ = tiers("nenglian")
    base = [phrase("name.gram2", "nenglian"), phrase("other.gram2", "nenglian")]
    assert found["sound"] == anyof(allof(anyof(*base, phrase("sound_ex", "nenglian"))),
                                   phrase("sound_ex", "nenglian"))
    assert found["fuzzy_sound"] == anyof(
        allof(anyof(*base, phrase("sound_ex", "nenglian"), phrase("sound_fz", "lenlian"))),
        phrase("sound_fz", "lenlian"))  # n/l and eng/en
    off, _ = tiers("nenglian", fuzzy=False)
    assert off["fuzzy_sound"] is None and "sound_fz" not in repr(off["partial"])


def test_skipped_characters_are_ordered_spans_and_ordered_within_the_tier():
    found, within = tiers("城中农贸")
    sounds = [phrase("sound_ex", "chengzhongnongmao"), phrase("sound_fz", "cenzonglongmao")]
    spans = [span("城中农贸", 10), span("中农贸", 11), span("城农贸", 11), span("城中贸", 11),
             span("城中农", 11)]  # span limit 3n + 2 = 14 positions; or one left out
    assert found["partial"] == allof(anyof(phrase("name.gram2", "城中农贸"),
                                           phrase("other.gram2", "城中农贸"), *sounds, *spans))
    above = found["fuzzy_sound"]  # the order within applies below every other tier only
    assert within == [
        (40.0, {"bool": {"must": [span("城中农贸", 10)], "must_not": [above]}}),
        (10.0, {"bool": {"must": [span("城中农贸", 4)], "must_not": [above]}}),
        (3.0, {"bool": {"must": [{"span_first": {"match": span("城中农贸", 10), "end": 8}}],
                        "must_not": [above]}}),
    ]


def test_several_terms_each_somewhere_and_more_in_the_name_first():
    found, within = tiers("米粉 柳城")
    assert found["exact"] == {"term": {"name.raw": "米粉柳城"}}
    terms = allof(anyof(phrase("name.gram2", "米粉"), phrase("other.gram2", "米粉")),
                  anyof(phrase("name.gram2", "柳城"), phrase("other.gram2", "柳城")))
    assert found["terms"] == terms
    assert found["sound"] == allof(
        anyof(phrase("name.gram2", "米粉"), phrase("other.gram2", "米粉"),
              phrase("sound_ex", "mifen")),
        anyof(phrase("name.gram2", "柳城"), phrase("other.gram2", "柳城"),
              phrase("sound_ex", "liucheng")))  # no sound of the whole: each term its own
    assert within[:2] == [(400.0, allof(terms, phrase("name.gram2", "米粉"))),
                          (400.0, allof(terms, phrase("name.gram2", "柳城")))]
    assert [b for b, _ in within[2:]] == [20.0, 5.0, 1.5, 20.0, 5.0, 1.5]  # partial, shared


@pytest.mark.parametrize("q", ["廣西貿易", "ｌｓｆ", "冷连", "nenglian", "城中农贸", "米粉 柳城"])
def test_user_text_never_reaches_a_query_parser(q):
    text = repr(build_search_body(SearchQuery(q=q)))
    assert "query_string" not in text and "simple_query_string" not in text

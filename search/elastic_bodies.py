"""Request bodies for :mod:`search.elastic`. Pure functions, unit-tested without a cluster.

The mapping uses only stock analysis components (``standard``, ``ngram``, ``lowercase``,
``cjk_bigram``), so it works on a plain Elasticsearch (or OpenSearch) node; when the
``analysis-smartcn`` or ``analysis-ik`` plugin is present the name's word field uses it.
Pinyin is computed in Python (:mod:`search.pinyin`), so no pinyin plugin is needed.

User text only ever goes into ``term``, ``prefix``, ``match``, ``match_phrase`` and
``multi_match`` queries, which have no query syntax: ``"`` ``*`` ``(`` ``:`` ``AND`` are text.

Ranking is by constant-score tiers whose boosts exceed the sum of all lower ones, so the
order is identifier > exact name > name prefix > name substring > other field > pinyin,
then active before other statuses, then the shorter name.
"""

from __future__ import annotations

from .base import SearchDoc, SearchQuery, division_prefix, normalise_identifier, normalise_text
from .pinyin import looks_like_pinyin, normalise_pinyin_query, readings

BOOSTS = {"identifier": 1000, "exact_name": 500, "prefix": 200, "substring": 50,
          "other_field": 20, "pinyin": 10, "active": 5}
_GRAMS = {"gram1": (1, 1), "gram2": (2, 2)}


def build_mapping(plugins: tuple[str, ...] = ()) -> dict:
    """Settings and mappings for one physical index; ``plugins`` as listed by ``_cat/plugins``."""
    word_analyzer = "cjk_words"
    if "analysis-ik" in plugins:
        word_analyzer = "ik_max_word"
    elif "analysis-smartcn" in plugins:
        word_analyzer = "smartcn"
    gram_fields = {name: {"type": "text", "analyzer": name} for name in _GRAMS}
    return {
        "settings": {
            "number_of_shards": 1,
            "analysis": {
                "tokenizer": {name: {"type": "ngram", "min_gram": lo, "max_gram": hi}
                              for name, (lo, hi) in _GRAMS.items()},
                "analyzer": {
                    "cjk_words": {"type": "custom", "tokenizer": "standard",
                                  "filter": ["lowercase", "cjk_bigram"]},
                    **{name: {"type": "custom", "tokenizer": name, "filter": ["lowercase"]}
                       for name in _GRAMS},
                },
                "normalizer": {"lower": {"type": "custom", "filter": ["lowercase"]}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "kind": {"type": "keyword"},
                "key": {"type": "keyword"},
                "title": {"type": "keyword", "index": False},
                "subtitle": {"type": "keyword", "index": False},
                "name": {"type": "text", "analyzer": word_analyzer, "fields": {
                    "raw": {"type": "keyword", "normalizer": "lower"}, **gram_fields}},
                "name_len": {"type": "integer"},
                "other": {"type": "text", "analyzer": word_analyzer, "fields": gram_fields},
                "pinyin": {"type": "text", "analyzer": "gram2", "fields": {
                    "raw": {"type": "keyword"}}},
                "suggest": {"type": "search_as_you_type"},
                "identifiers": {"type": "keyword"},
                "division_code": {"type": "keyword"},
                "location": {"type": "geo_point"},
                "risk_grade": {"type": "keyword"},
                "status": {"type": "keyword"},
                "alerts": {"type": "keyword"},
            },
        },
    }


def doc_id(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def build_source(doc: SearchDoc) -> dict:
    """The indexed document for ``doc`` (pinyin computed here)."""
    pys = readings(doc.title)
    source = {
        "kind": doc.kind, "key": doc.key, "title": doc.title, "subtitle": doc.subtitle,
        "name": normalise_text(doc.title), "name_len": len(doc.title),
        "other": normalise_text(" ".join((doc.subtitle, *doc.keywords))),
        "pinyin": list(dict.fromkeys(p for pair in pys for p in pair)),
        "suggest": normalise_text(doc.title),
        "identifiers": list(doc.all_identifiers()), "division_code": doc.division_code,
        "risk_grade": doc.risk_grade, "status": doc.status, "alerts": list(doc.alerts),
    }
    if doc.has_point:
        source["location"] = {"lat": doc.lat, "lon": doc.lng}
    return source


def _const(query: dict, boost: int) -> dict:
    return {"constant_score": {"filter": query, "boost": boost}}


def _substring(field: str, text: str) -> dict:
    """Any substring: a phrase of 2-grams, or the 1-gram field for one character."""
    if len(text) == 1:
        return {"term": {f"{field}.gram1": text}}
    return {"match_phrase": {f"{field}.gram2": text}}


def text_clauses(q: str) -> list[dict]:
    """The tiered ``should`` clauses for the user's text ``q``."""
    text = normalise_text(q)
    clauses = []
    ident = normalise_identifier(q)
    if ident:
        clauses.append(_const({"term": {"identifiers": ident}}, BOOSTS["identifier"]))
    clauses += [
        _const({"term": {"name.raw": text}}, BOOSTS["exact_name"]),
        _const({"prefix": {"name.raw": text}}, BOOSTS["prefix"]),
        _const({"bool": {"must": [_substring("name", t) for t in text.split()]}},
               BOOSTS["substring"]),
        _const({"bool": {"must": [_substring("other", t) for t in text.split()]}},
               BOOSTS["other_field"]),
    ]
    py = normalise_pinyin_query(q) if looks_like_pinyin(q) else ""
    if len(py) >= 2:
        clauses.append(_const({"match_phrase": {"pinyin": py}}, BOOSTS["pinyin"]))
    return clauses


def _filters(query: SearchQuery) -> list[dict]:
    filters: list[dict] = []
    if query.kind != "all":
        filters.append({"term": {"kind": query.kind}})
    if query.division:
        filters.append({"prefix": {"division_code": division_prefix(query.division)}})
    if query.near is not None:
        lat, lng = query.near
        filters.append({"geo_distance": {"distance": f"{query.radius_km}km",
                                         "location": {"lat": lat, "lon": lng}}})
    return filters


def _geo_sort(query: SearchQuery) -> dict:
    lat, lng = query.near  # type: ignore[misc]
    return {"_geo_distance": {"location": {"lat": lat, "lon": lng}, "order": "asc",
                              "unit": "km", "distance_type": "arc"}}


def build_search_body(query: SearchQuery) -> dict:
    """The ``_search`` body for a validated query (from/size paging, exact total)."""
    active = _const({"term": {"status": "active"}}, BOOSTS["active"])
    bool_q: dict = {"filter": _filters(query)}
    if query.text:
        bool_q["must"] = [{"bool": {"should": text_clauses(query.q), "minimum_should_match": 1}}]
        bool_q["should"] = [active]
        sort: list = ["_score"]
        if query.near is not None:
            sort.append(_geo_sort(query))
        sort += [{"name_len": "asc"}, {"kind": "asc"}, {"key": "asc"}]
    else:
        bool_q["should"] = [active]
        sort = [_geo_sort(query), "_score", {"kind": "asc"}, {"key": "asc"}]
    return {"query": {"bool": bool_q}, "sort": sort, "from": query.offset, "size": query.size,
            "track_total_hits": True, "track_scores": True}


def build_suggest_body(q: str, size: int = 8) -> dict:
    """Type-ahead: ``search_as_you_type`` bool_prefix on the name, prefix on pinyin readings."""
    text = normalise_text(q)
    should: list[dict] = [
        {"multi_match": {"query": text, "type": "bool_prefix",
                         "fields": ["suggest", "suggest._2gram", "suggest._3gram"]}},
        _const({"prefix": {"name.raw": text}}, BOOSTS["prefix"]),
    ]
    py = normalise_pinyin_query(q) if looks_like_pinyin(q) else ""
    if py:
        should.append(_const({"prefix": {"pinyin.raw": py}}, BOOSTS["pinyin"]))
    return {"query": {"bool": {"should": should, "minimum_should_match": 1}},
            "sort": ["_score", {"name_len": "asc"}, {"key": "asc"}], "size": size}

"""Request bodies for :mod:`search.elastic`. Pure functions, unit-tested without a cluster.

The mapping uses only stock analysis components (``standard``, ``ngram``, ``lowercase``,
``cjk_bigram``), so it works on a plain Elasticsearch (or OpenSearch) node; when the
``analysis-smartcn`` or ``analysis-ik`` plugin is present the name's word field uses it.
Folding (:mod:`search.normalise`) and sound strings (:mod:`search.pinyin`) are computed in
Python and indexed, so no pinyin or OpenCC plugin is needed, and both backends see the same
text.

User text only ever goes into ``term``, ``prefix``, ``match_phrase``, ``span_term`` and
``multi_match`` queries, which have no query syntax: ``"`` ``*`` ``(`` ``:`` ``AND`` are text.

Ranking is by constant-score tiers (those of :mod:`search.match`) whose boosts exceed the
sum of all lower ones, then active before other statuses, then the shorter name. Each tier's
condition is implied by the ones above it, so a document's score is that of its best tier.
Partial matches are ordered spans of the name's characters (``span_near``, ``in_order``,
``slop`` from :func:`search.match.span_limit`).
"""

from __future__ import annotations

from .base import SearchDoc, SearchQuery, division_prefix
from .embedded_sql import OTHER_SEP, title_parts
from .match import Plan, Term, plan_query, span_limit
from .normalise import compact

BOOSTS = {"identifier": 40000, "exact": 20000, "prefix": 8000, "substring": 3000,
          "terms": 1000, "sound": 300, "fuzzy_sound": 100, "partial": 30, "active": 5}
TIER_BOOSTS = ("identifier", "exact", "prefix", "substring", "terms", "sound", "fuzzy_sound",
               "partial")
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
                "sound_ex": {"type": "text", "analyzer": "gram2"},
                "sound_fz": {"type": "text", "analyzer": "gram2"},
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
    """The indexed document for ``doc`` (folded text and sound strings computed here)."""
    name, _t, _p, fuzzy, exact = title_parts(doc.title)
    source = {
        "kind": doc.kind, "key": doc.key, "title": doc.title, "subtitle": doc.subtitle,
        "name": name, "name_len": len(doc.title),
        "other": compact(" ".join(doc.keywords)) + OTHER_SEP + compact(doc.subtitle),
        "sound_ex": exact.split(), "sound_fz": fuzzy.split(),
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


def _any(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses,
                                                          "minimum_should_match": 1}}


def _sounds(field: str, strings: tuple[str, ...]) -> list[dict]:
    return [{"match_phrase": {field: s}} for s in strings if len(s) >= 2]


def _partial(text: str) -> list[dict]:
    """Every character in order within the span limit; for 4+ characters also all but one."""
    options = [text]
    if len(text) >= 4:
        options += [text[:i] + text[i + 1:] for i in range(len(text))]
    return [{"span_near": {"clauses": [{"span_term": {"name.gram1": c}} for c in option],
                           "slop": span_limit(len(text)) - len(option), "in_order": True}}
            for option in options]


def term_clause(term: Term, level: str, fuzzy: bool) -> dict:
    """One term at ``level``: ``terms`` (in the name or other field), ``sound`` (or sounds
    exactly like part of the name), ``fuzzy_sound``, ``partial`` (or its characters in order)."""
    clauses = [_substring("name", term.text), _substring("other", term.text)]
    if level != "terms" and term.sounds:
        clauses += _sounds("sound_ex", term.sounds.exact)
        if level != "sound" and fuzzy:
            clauses += _sounds("sound_fz", term.sounds.fuzzy)
    if level == "partial" and term.partial:
        clauses += _partial(term.text)
    return _any(clauses)


def text_clauses(plan: Plan) -> list[dict]:
    """The tiered ``should`` clauses for a query plan."""
    text, clauses = plan.text, []
    if plan.ident:
        clauses.append(_const({"term": {"identifiers": plan.ident}}, BOOSTS["identifier"]))
    clauses += [_const({"term": {"name.raw": text}}, BOOSTS["exact"]),
                _const({"prefix": {"name.raw": text}}, BOOSTS["prefix"]),
                _const(_substring("name", text), BOOSTS["substring"])]
    exact, fuzzy = plan.sound_strings()
    for level in ("terms", "sound", "fuzzy_sound", "partial"):
        if level == "fuzzy_sound" and not plan.fuzzy:
            continue
        must = {"bool": {"must": [term_clause(t, level, plan.fuzzy) for t in plan.terms]}}
        whole = (_sounds("sound_ex", exact) if level == "sound" else
                 _sounds("sound_fz", fuzzy) if level == "fuzzy_sound" else [])
        clauses.append(_const(_any([must, *whole]), BOOSTS[level]))
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
    plan = plan_query(query.q, query.fuzzy) if query.text else None
    if plan is None and query.near is None:  # only punctuation or emoji: match nothing
        bool_q["must_not"] = [{"match_all": {}}]
    if plan is not None:
        bool_q["must"] = [{"bool": {"should": text_clauses(plan), "minimum_should_match": 1}}]
        bool_q["should"] = [active]
        sort: list = ["_score"]
        if query.near is not None:
            sort.append(_geo_sort(query))
        sort += [{"name_len": "asc"}, {"kind": "asc"}, {"key": "asc"}]
    else:
        bool_q["should"] = [active]
        sort = [_geo_sort(query)] if query.near is not None else []
        sort += ["_score", {"kind": "asc"}, {"key": "asc"}]
    return {"query": {"bool": bool_q}, "sort": sort, "from": query.offset, "size": query.size,
            "track_total_hits": True, "track_scores": True}


def build_suggest_body(q: str, size: int = 8) -> dict:
    """Type-ahead: the matching of :func:`build_search_body`, first page of ``size``."""
    return build_search_body(SearchQuery(q=q, size=size))

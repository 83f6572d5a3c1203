"""Request bodies for :mod:`search.elastic`. Pure functions, unit-tested without a cluster.

The mapping uses only stock analysis components (``standard``, ``ngram``, ``lowercase``,
``cjk_bigram``), so it works on a plain Elasticsearch (or OpenSearch) node; when the
``analysis-smartcn`` or ``analysis-ik`` plugin is present the name's word field uses it.
Folding (:mod:`search.normalise`) and sound strings (:mod:`search.pinyin`) are computed in
Python and indexed, so no pinyin or OpenCC plugin is needed, and both backends see the same
text.

User text only ever goes into ``term``, ``prefix``, ``match_phrase``, ``span_term`` and
``multi_match`` queries, which have no query syntax: ``"`` ``*`` ``(`` ``:`` ``AND`` are text.

Ranking follows the embedded backend's: constant-score tiers (those of :mod:`search.match`)
whose boosts exceed the sum of all lower ones (each tier's condition is implied by the ones
above it, so the order is that of the best tier), then the score within a tier, then status
rank (``status_rank``: active first), then the shorter name. Within tier 4 the documents with
more of the terms in the name come first (:func:`in_name_clauses`, the embedded score exactly).
Partial matches are ordered spans of the name's characters (``span_near``, ``in_order``,
``slop`` from :func:`search.match.span_limit`); within that tier :func:`partial_clauses`
order by all characters found, then a tight span, then a start near the name's start —
buckets of :func:`search.match.partial_score`'s order (missing, skipped, start), not every
value of it.
"""

from __future__ import annotations

from .base import SearchDoc, SearchQuery, division_prefix
from .embedded_sql import OTHER_SEP, status_rank, title_parts
from .match import Plan, Term, plan_query, span_limit
from .normalise import compact

BOOSTS = {"identifier": 40000, "exact": 20000, "prefix": 8000, "substring": 3000,
          "terms": 1000, "sound": 300, "fuzzy_sound": 100, "partial": 30}
# within a tier, shared out over the terms (so at most these totals): below the tier's gap
IN_TIER = {"in_name": 800, "all_chars": 40, "tight": 10, "early": 3}
# an index written before status_rank existed still answers (until `gongzhi reindex`)
STATUS_SORT = {"status_rank": {"order": "asc", "unmapped_type": "byte"}}
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
                "status_rank": {"type": "byte"},
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
        "risk_grade": doc.risk_grade, "status": doc.status,
        "status_rank": status_rank(doc.status), "alerts": list(doc.alerts),
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


def _span(text: str, slop: int) -> dict:
    return {"span_near": {"clauses": [{"span_term": {"name.gram1": c}} for c in text],
                          "slop": slop, "in_order": True}}


def _partial(text: str) -> list[dict]:
    """Every character in order within the span limit; for 4+ characters also all but one."""
    options = [text]
    if len(text) >= 4:
        options += [text[:i] + text[i + 1:] for i in range(len(text))]
    return [_span(option, span_limit(len(text)) - len(option)) for option in options]


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
    for level in ("terms", "sound", "fuzzy_sound", "partial"):
        if level == "fuzzy_sound" and not plan.fuzzy:
            continue
        clauses.append(_const(_tier_filter(plan, level), BOOSTS[level]))
    return clauses


def _tier_filter(plan: Plan, level: str) -> dict:
    exact, fuzzy = plan.sound_strings()
    must = {"bool": {"must": [term_clause(t, level, plan.fuzzy) for t in plan.terms]}}
    whole = (_sounds("sound_ex", exact) if level == "sound" else
             _sounds("sound_fz", fuzzy) if level == "fuzzy_sound" else [])
    return _any([must, *whole])


def in_name_clauses(plan: Plan) -> list[dict]:
    """Tier 4's order: a share of ``in_name`` for each term in the name (not only in the
    address or keywords), given only to documents of tier 4 or better."""
    if len(plan.terms) < 2:
        return []
    terms = _tier_filter(plan, "terms")
    share = IN_TIER["in_name"] / len(plan.terms)
    return [_const({"bool": {"must": [terms, _substring("name", t.text)]}}, share)
            for t in plan.terms]


def partial_clauses(plan: Plan) -> list[dict]:
    """The partial tier's order, for documents below every other tier: per partial term all
    its characters in the span limit (none missing), within ``len`` skipped, starting within
    the name's first ``len`` characters."""
    partial = [t for t in plan.terms if t.partial]
    if not partial:
        return []
    above = _tier_filter(plan, "fuzzy_sound" if plan.fuzzy else "sound")
    out = []
    for t in partial:
        n = len(t.text)
        for name, clause in (("all_chars", _span(t.text, span_limit(n) - n)),
                             ("tight", _span(t.text, n)),
                             ("early", {"span_first": {"match": _span(t.text, span_limit(n) - n),
                                                       "end": 2 * n}})):
            out.append(_const({"bool": {"must": [clause], "must_not": [above]}},
                              IN_TIER[name] / len(partial)))
    return out


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
    bool_q: dict = {"filter": _filters(query)}
    plan = plan_query(query.q, query.fuzzy) if query.text else None
    if plan is None and query.near is None:  # only punctuation or emoji: match nothing
        bool_q["must_not"] = [{"match_all": {}}]
    sort: list = ["_score", STATUS_SORT]
    if plan is not None:
        bool_q["must"] = [{"bool": {"should": text_clauses(plan), "minimum_should_match": 1}}]
        within = in_name_clauses(plan) + partial_clauses(plan)
        if within:
            bool_q["should"] = within
        if query.near is not None:
            sort.append(_geo_sort(query))
        sort.append({"name_len": "asc"})
    elif query.near is not None:  # nearest first, whatever the status (as embedded)
        sort = [_geo_sort(query), STATUS_SORT]
    sort += [{"kind": "asc"}, {"key": "asc"}]
    return {"query": {"bool": bool_q}, "sort": sort, "from": query.offset, "size": query.size,
            "track_total_hits": True, "track_scores": True}


def geo_sort_index(body: dict) -> int | None:
    """Where the distance stands in each hit's ``sort`` values of ``body``, if it is sorted by
    distance."""
    return next((i for i, key in enumerate(body["sort"])
                 if isinstance(key, dict) and "_geo_distance" in key), None)


def build_suggest_body(q: str, size: int = 8) -> dict:
    """Type-ahead: the matching of :func:`build_search_body`, first page of ``size``."""
    return build_search_body(SearchQuery(q=q, size=size))

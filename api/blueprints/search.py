"""``GET /api/v1/search`` and ``GET /api/v1/search/suggest``: enterprises and products."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from core.i18n import T
from api.http import part
from api.openapi import operation, query
from core.errors import InvalidInput
from search.base import (MAX_QUERY_CHARS, MAX_TERMS, SearchBackend, SearchQuery, count_terms,
                         normalise_text)

bp = Blueprint("search")
PARAMS = ("q", "kind", "division", "near", "radius_km", "page", "size", "fuzzy")
BAD_INPUT = ("search_query_empty, search_query_too_long, search_too_many_terms, search_bad_kind, "
             "search_bad_coordinates, search_bad_radius, search_bad_page, search_bad_size, "
             "search_bad_division, search_bad_fuzzy")
HIT = ("{kind, key, title, subtitle, highlight, distance_km, risk_grade, alerts, status, match}; "
       "match is identifier, exact, prefix, substring, sound (sounds like the name, or like it "
       "with a fuzzy pair) or partial (characters of the name skipped): for sound and partial "
       "the page may ask 您是不是要找……")
MAX_SUGGEST = 20


@bp.get("/api/v1/search")
@operation("get", "/api/v1/search", summary="Search enterprises and products", tag="search",
           params=[query("q", "name, part of a name, pinyin, initials, credit code, licence "
                          "number or GTIN; traditional characters, full-width letters, "
                          "homophones and skipped characters are found too; up to 8 terms "
                          "separated by spaces, each must match; may be empty when near is "
                          "given"),
                   query("kind", "enterprise, product or all",
                         schema={"enum": ["enterprise", "product", "all"], "default": "all"}),
                   query("division", "administrative division code (2-6 digits); a city "
                                     "code includes its districts"),
                   query("near", "'<lat>,<lng>' (WGS-84): only results within radius_km, "
                                 "nearest first when q is empty"),
                   query("radius_km", "radius for near, above 0 and at most 100",
                         schema={"type": "number", "default": 5}),
                   query("page", "page number from 1", schema={"type": "integer", "default": 1}),
                   query("size", "results per page, 1-50",
                         schema={"type": "integer", "default": 10}),
                   query("fuzzy", "1 (default) or 0: the fuzzy sounds of pinyin keyboards "
                                  "(s/sh, z/zh, c/ch, n/l, an/ang, en/eng, in/ing) match too",
                         schema={"type": "integer", "enum": [0, 1], "default": 1})],
           responses={200: '{"total", "total_is_lower_bound", "hits": [' + HIT + '], '
                           '"took_ms"}; a page past the end has no hits'},
           errors={400: BAD_INPUT})
async def search(request):
    params = {name: request.args.get(name) for name in PARAMS if name in request.args}
    result = await part(request, SearchBackend).search(SearchQuery.from_params(params))
    return json(result.as_dict(), ensure_ascii=False)


@bp.get("/api/v1/search/suggest")
@operation("get", "/api/v1/search/suggest", summary="Type-ahead names for a search box",
           tag="search",
           params=[query("q", "what was typed so far; empty gives no suggestions"),
                   query("size", "how many, 1-20", schema={"type": "integer", "default": 8})],
           responses={200: '{"hits": [...]} (the hit shape and matching of /api/v1/search)'},
           errors={400: "search_query_too_long, search_too_many_terms, search_bad_size"})
async def suggest(request):
    q = request.args.get("q") or ""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(T("q（搜索词）最多 {MAX_QUERY_CHARS} 个字符",
                             MAX_QUERY_CHARS=MAX_QUERY_CHARS), field="q",
                           code="search_query_too_long")
    if count_terms(q) > MAX_TERMS:
        raise InvalidInput(T("q（搜索词）最多 {MAX_TERMS} 个词", MAX_TERMS=MAX_TERMS), field="q",
                           code="search_too_many_terms")
    size = _size(request.args.get("size"))
    hits = await part(request, SearchBackend).suggest(q, size) if normalise_text(q) else []
    return json({"hits": [h.as_dict() for h in hits]}, ensure_ascii=False)


def _size(raw: str | None) -> int:
    try:
        size = int(raw) if raw else 8
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_SUGGEST:
        raise InvalidInput(T("size（条数）应在 1～{MAX_SUGGEST} 之间",
                             MAX_SUGGEST=MAX_SUGGEST), field="size",
                           code="search_bad_size")
    return size

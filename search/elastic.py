"""ElasticsearchSearchBackend on the official async client (8.x).

Documents live in versioned physical indices ``<prefix>-search-<n>`` behind the alias
``<prefix>-search``; :meth:`rebuild` bulk-loads a new physical index and moves the alias in one
``_aliases`` call, so searches never see a half-built index. Engine and connection errors
become :class:`core.errors.UpstreamError` (502); user text never reaches a query parser.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from typing import AsyncIterable, Iterable

from elasticsearch import AsyncElasticsearch, NotFoundError
from elasticsearch.exceptions import ApiError, TransportError
from elasticsearch.helpers import async_bulk
from elastic_transport import AiohttpHttpNode

from core.errors import UpstreamError

from .base import (DEFAULT_RADIUS_KM, SearchBackend, SearchDoc, SearchHit, SearchQuery,
                   SearchResult)
from .elastic_bodies import (build_mapping, build_search_body, build_source, doc_id,
                             geo_sort_index)
from .match import TIER_MATCH, Fields, Plan, classify, highlight, plan_query

from core.i18n import T

_ERRORS = (ApiError, TransportError)
_COMPAT = re.compile(r"application/vnd\.elasticsearch\+([a-z-]+); compatible-with=\d+")


class PlainJsonNode(AiohttpHttpNode):
    """Sends ``application/json`` instead of the client's ``compatible-with=8`` media type.

    Elasticsearch 8 accepts both; OpenSearch-compatible servers (osmem-server) only the plain one.
    """

    async def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = _COMPAT.sub(r"application/\1", headers[name])
        return await super().perform_request(method, target, body, headers, **kwargs)


def match_label(plan: Plan, src: dict) -> str:
    """How a hit matched, from its indexed fields (the ranking's own tiers)."""
    if plan.ident and plan.ident in (src.get("identifiers") or ()):
        return "identifier"
    fields = Fields(src.get("name", ""), src.get("other", ""),
                    " ".join(src.get("sound_ex") or ()), " ".join(src.get("sound_fz") or ()))
    found = classify(plan, fields)
    return TIER_MATCH[found[0]] if found else "partial"


async def _aiter(docs):
    if hasattr(docs, "__aiter__"):
        async for doc in docs:
            yield doc
    else:
        for doc in docs:
            yield doc


class ElasticsearchSearchBackend(SearchBackend):
    """Search in Elasticsearch 8 (stock analysis; smartcn/IK used when installed)."""

    def __init__(self, url: str, index_prefix: str = "gongzhi", *, refresh: str | bool = "wait_for",
                 plain_json: bool = False, client: AsyncElasticsearch | None = None):
        node = {"node_class": PlainJsonNode} if plain_json else {}
        self.es = client or AsyncElasticsearch(url, request_timeout=30, **node)
        self.alias = f"{index_prefix}-search"
        self.refresh = refresh
        self._write_lock = asyncio.Lock()
        self._pending: list[tuple[str, tuple]] | None = None

    async def _plugins(self) -> tuple[str, ...]:
        try:
            rows = await self.es.cat.plugins(format="json")
            return tuple(row.get("component", "") for row in rows.body)
        except _ERRORS:
            return ()

    async def _create_physical(self) -> str:
        name = f"{self.alias}-{time.time_ns()}"
        body = build_mapping(await self._plugins())
        await self.es.indices.create(index=name, settings=body["settings"],
                                     mappings=body["mappings"])
        return name

    async def _physical(self) -> list[str]:
        try:
            return list((await self.es.indices.get_alias(name=self.alias)).body)
        except NotFoundError:
            return []

    async def _ensure(self) -> None:
        if not await self._physical():
            name = await self._create_physical()
            await self.es.indices.update_aliases(
                actions=[{"add": {"index": name, "alias": self.alias}}])

    async def _bulk(self, index: str, op: str, args: tuple, refresh) -> int:
        if op == "index":
            actions = ({"_op_type": "index", "_index": index, "_id": doc_id(d.kind, d.key),
                        "_source": build_source(d)} for d in args)
        else:
            kind, keys = args
            actions = ({"_op_type": "delete", "_index": index, "_id": doc_id(kind, k)}
                       for k in keys)
        ok, _errors = await async_bulk(self.es, actions, refresh=refresh, chunk_size=1000,
                                       raise_on_error=op == "index")
        return ok

    async def _write(self, op: str, args: tuple) -> int:
        try:
            async with self._write_lock:
                await self._ensure()
                if self._pending is not None:
                    self._pending.append((op, args))
                return await self._bulk(self.alias, op, args, self.refresh)
        except _ERRORS as exc:
            raise UpstreamError(T("写入搜索索引失败：{exc}", exc=exc)) from exc

    async def index(self, docs: Iterable[SearchDoc]) -> int:
        docs = tuple(docs)
        return await self._write("index", docs) if docs else 0

    async def remove(self, kind: str, keys: Iterable[str]) -> int:
        keys = tuple(keys)
        return await self._write("remove", (kind, keys)) if keys else 0

    async def _search(self, body: dict) -> dict | None:
        try:
            return (await self.es.search(index=self.alias, **body)).body
        except NotFoundError:
            return None
        except _ERRORS as exc:
            raise UpstreamError(T("搜索失败：{exc}", exc=exc)) from exc

    @staticmethod
    def _hit(raw: dict, plan: Plan | None, geo_at: int | None) -> SearchHit:
        src = raw["_source"]
        distance = None
        if geo_at is not None:  # the sort value of the distance (the score is a float too)
            distance = round(raw["sort"][geo_at], 3)
        return SearchHit(kind=src["kind"], key=src["key"], title=src["title"],
                         subtitle=src["subtitle"],
                         highlight=highlight(src["title"], plan) if plan else html.escape(
                             src["title"]),
                         distance_km=distance, risk_grade=src.get("risk_grade"),
                         alerts=tuple(src.get("alerts") or ()), status=src["status"],
                         match=match_label(plan, src) if plan else "")

    async def search(self, query: SearchQuery) -> SearchResult:
        query = query.validate()
        started = time.perf_counter()
        request = build_search_body(query)
        body = await self._search(request)
        if body is None:
            return SearchResult(total=0, hits=[], took_ms=(time.perf_counter() - started) * 1e3)
        plan = plan_query(query.q, query.fuzzy) if query.text else None
        hits = [self._hit(raw, plan, geo_sort_index(request)) for raw in body["hits"]["hits"]]
        return SearchResult(total=body["hits"]["total"]["value"], hits=hits,
                            took_ms=(time.perf_counter() - started) * 1e3)

    async def suggest(self, q: str, size: int = 8) -> list[SearchHit]:
        query = SearchQuery(q=q[:100], size=max(1, min(size, 50)))
        if not query.text:
            return []
        return (await self.search(query)).hits

    async def nearby(self, lat: float, lng: float, radius_km: float = DEFAULT_RADIUS_KM,
                     kind: str = "all", size: int = 20) -> list[SearchHit]:
        query = SearchQuery(near=(lat, lng), radius_km=radius_km, kind=kind, size=size)
        return (await self.search(query)).hits

    async def count(self, kind: str | None = None) -> int:
        query = {"match_all": {}} if kind is None else {"term": {"kind": kind}}
        try:
            return (await self.es.count(index=self.alias, query=query)).body["count"]
        except NotFoundError:
            return 0
        except _ERRORS as exc:
            raise UpstreamError(T("搜索计数失败：{exc}", exc=exc)) from exc

    async def drop(self) -> None:
        async with self._write_lock:
            try:
                found = await self.es.indices.get(index=f"{self.alias}-*",
                                                  allow_no_indices=True, expand_wildcards="all")
                for name in found.body:  # by name: wildcard deletes are refused by default
                    await self.es.indices.delete(index=name)
            except _ERRORS as exc:
                raise UpstreamError(T("删除搜索索引失败：{exc}", exc=exc)) from exc

    async def rebuild(self, docs: Iterable[SearchDoc] | AsyncIterable[SearchDoc]) -> int:
        try:
            name = await self._create_physical()
            self._pending = []
            count, batch = 0, []
            async for doc in _aiter(docs):
                batch.append(doc)
                if len(batch) >= 1000:
                    count += await self._bulk(name, "index", tuple(batch), False)
                    batch = []
            if batch:
                count += await self._bulk(name, "index", tuple(batch), False)
            async with self._write_lock:
                for op, args in self._pending:
                    await self._bulk(name, op, args, False)
                await self.es.indices.refresh(index=name)
                old = await self._physical()
                actions = [{"remove": {"index": o, "alias": self.alias}} for o in old]
                actions.append({"add": {"index": name, "alias": self.alias}})
                await self.es.indices.update_aliases(actions=actions)
                for o in old:
                    await self.es.indices.delete(index=o)
            return count
        except _ERRORS as exc:
            raise UpstreamError(T("重建搜索索引失败：{exc}", exc=exc)) from exc
        finally:
            self._pending = None

    async def close(self) -> None:
        await self.es.close()

    async def ping(self) -> bool:
        try:
            return bool(await self.es.ping())
        except _ERRORS:
            return False

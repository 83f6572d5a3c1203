"""The search index follows the database through the change outbox (SQLite or PostgreSQL)."""

from __future__ import annotations

import io

import pytest

from core.outbox import OutboxWorker, drain_outbox
from search.base import SearchQuery
from search.embedded import EmbeddedSearchBackend
from tracing.indexing import iter_all_docs, search_sync_handler, sync_search
from tracing.demo.generator import DEMO_KEYS, write_demo
from tracing.demo.names import gtin_for, uscc_for
from tracing.exchange.importer import ExchangeImporter
from core.outbox import ChangeOutbox
from tracing.model.models import Enterprise, Product

LBW = uscc_for(900, "450204")
GTIN = gtin_for(900, 0)
ENTERPRISE = {"type": "enterprise", "uscc": LBW, "name": "柳州螺霸王食品有限公司",
              "kind": "producer", "licence_no": "SC10345020400123", "address": "柳州市柳南区航岭路17号",
              "division_code": "450204", "lat": 24.305, "lng": 109.389, "risk_grade": "A"}
PRODUCT = {"type": "product", "product_id": "P-LBW-280", "enterprise_uscc": LBW,
           "name": "螺霸王螺蛳粉", "gtin": GTIN, "spec": "280g/袋", "brand": "螺霸王",
           "category": "方便食品"}


def ndjson(*records) -> list[bytes]:
    import orjson

    return [orjson.dumps(r) for r in records]


async def keys(search, **params) -> list[str]:
    return [h.key for h in (await search.search(SearchQuery(**params))).hits]


@pytest.fixture
async def search(tmp_path):
    backend = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
    yield backend
    await backend.close()


class FailingSearch(EmbeddedSearchBackend):
    fail = True

    async def index(self, docs):
        if self.fail:
            raise ConnectionError("search is down")
        return await super().index(docs)


async def import_with_drain(search, lines) -> None:
    handlers = [search_sync_handler(search)]

    async def committed(touched):
        await drain_outbox(handlers=handlers)

    result = await ExchangeImporter(on_commit=committed).run(lines)
    assert not result.rejected, result.rejected


async def test_import_indexes_enterprise_and_product_documents(db, search):
    await import_with_drain(search, ndjson(ENTERPRISE, PRODUCT))
    hit = (await search.search(SearchQuery(q="SC10345020400123"))).hits[0]
    assert (hit.key, hit.title, hit.risk_grade) == (LBW, ENTERPRISE["name"], "A")
    product = (await search.search(SearchQuery(q=GTIN))).hits[0]
    assert product.key == "P-LBW-280" and product.subtitle == "柳州螺霸王食品有限公司 280g/袋"
    assert "P-LBW-280" in await keys(search, q="lbw")
    near = await search.nearby(24.305, 109.389, radius_km=1, kind="product")
    assert [h.key for h in near] == ["P-LBW-280"]  # the producer's place
    assert await ChangeOutbox.all().count() == 0


async def test_alerts_and_producer_changes_reach_related_documents(db, search):
    await import_with_drain(search, ndjson(ENTERPRISE, PRODUCT))
    await import_with_drain(search, ndjson(
        {**ENTERPRISE, "name": "柳州螺霸王集团有限公司", "status": "suspended"},
        {"type": "batch", "batch_id": "B1", "product_id": "P-LBW-280", "lot": "L1",
         "produced_at": "2026-09-01"},
        {"type": "recall", "recall_id": "R1", "level": 2, "reason": "菌落总数超标",
         "started_at": "2026-09-20", "batch_ids": ["B1"], "status": "ongoing"},
        {"type": "sampling", "sample_id": "S1", "enterprise_uscc": LBW, "product_name": "螺蛳粉",
         "sampled_at": "2026-09-10", "result": "fail", "authority": "柳州市市场监督管理局"}))
    ent = (await search.search(SearchQuery(q=LBW))).hits[0]
    assert ent.title == "柳州螺霸王集团有限公司" and ent.status == "suspended"
    assert ent.alerts == ("recall", "sampling_failed")
    prod = (await search.search(SearchQuery(q="P-LBW-280"))).hits[0]
    assert prod.alerts == ("recall",) and prod.subtitle.startswith("柳州螺霸王集团")


async def test_documents_of_deleted_rows_are_removed(db, search):
    await import_with_drain(search, ndjson(ENTERPRISE, PRODUCT))
    await Product.filter(product_id="P-LBW-280").delete()
    await sync_search(search=search, touched={"product": {"P-LBW-280"}})
    assert await search.count("product") == 0 and await search.count("enterprise") == 1


async def test_a_failing_index_loses_nothing(db, tmp_path):
    """Data committed, index down: the outbox keeps the keys; a later drain catches up."""
    search = FailingSearch(tmp_path / "search.sqlite3")
    handlers = [search_sync_handler(search)]
    worker = OutboxWorker(handlers)

    async def committed(touched):
        with pytest.raises(ConnectionError):
            await worker.drain_now()

    result = await ExchangeImporter(on_commit=committed).run(ndjson(ENTERPRISE, PRODUCT))
    assert result.accepted == 2
    assert await Enterprise.all().count() == 1 and await search.count() == 0
    rows = await ChangeOutbox.all().values_list("kind", "attempts")
    assert {k for k, _ in rows} == {"enterprise", "product"} and all(a == 1 for _, a in rows)

    search.fail = False
    assert await worker.drain_now() == 2
    assert await ChangeOutbox.all().count() == 0
    assert await keys(search, q="螺霸王", kind="enterprise") == [LBW]
    await search.close()


async def test_outbox_worker_retries_with_backoff(db, tmp_path):
    import asyncio

    search = FailingSearch(tmp_path / "search.sqlite3")
    worker = OutboxWorker([search_sync_handler(search)], interval=0.05, max_backoff=0.2)
    await ExchangeImporter().run(ndjson(ENTERPRISE))
    task = asyncio.create_task(worker.run())
    try:
        for _ in range(200):  # a loaded machine may run the worker late: wait for 2 attempts
            await asyncio.sleep(0.05)
            if await ChangeOutbox.filter(attempts__gte=2).count():
                break
        assert await ChangeOutbox.filter(attempts__gte=2).count() == 1  # retried, still queued
        search.fail = False
        for _ in range(50):
            await asyncio.sleep(0.05)
            if not await ChangeOutbox.all().count():
                break
        assert await search.count("enterprise") == 1
    finally:
        task.cancel()
        await search.close()


async def test_every_document_of_the_demo_streams_for_a_reindex(db, search):
    buffer = io.StringIO()
    counts = write_demo(buffer, enterprises=10)
    await ExchangeImporter().run(buffer.getvalue().encode().splitlines())
    docs = [doc async for doc in iter_all_docs(page=7)]
    assert len(docs) == counts["enterprise"] + counts["product"]
    assert len({(d.kind, d.key) for d in docs}) == len(docs)
    await search.rebuild(docs)
    hit = (await search.search(SearchQuery(q=DEMO_KEYS["failed_sampling_uscc"]))).hits[0]
    assert "sampling_failed" in hit.alerts


async def test_a_completed_recall_alerts_within_the_shelf_life_and_a_withdrawn_one_not(db, search):
    from datetime import date, timedelta

    today = date.today()
    batch = {"type": "batch", "batch_id": "B1", "product_id": "P-LBW-280", "lot": "L1",
             "produced_at": (today - timedelta(days=20)).isoformat(),
             "expires_at": (today + timedelta(days=30)).isoformat()}
    recall = {"type": "recall", "recall_id": "R1", "level": 2, "reason": "菌落总数超标",
              "started_at": (today - timedelta(days=5)).isoformat(), "batch_ids": ["B1"],
              "status": "completed"}
    await import_with_drain(search, ndjson(ENTERPRISE, PRODUCT, batch, recall))
    assert (await search.search(SearchQuery(q="P-LBW-280"))).hits[0].alerts == ("recall",)
    await import_with_drain(search, ndjson({**batch, "expires_at": (
        today - timedelta(days=1)).isoformat()}))
    assert (await search.search(SearchQuery(q="P-LBW-280"))).hits[0].alerts == ()
    await import_with_drain(search, ndjson({**batch}, {**recall, "status": "ongoing",
                                                       "correction_reason": "重新启动"}))
    assert (await search.search(SearchQuery(q="P-LBW-280"))).hits[0].alerts == ("recall",)
    await import_with_drain(search, ndjson({**recall, "status": "withdrawn",
                                            "correction_reason": "误发"}))
    assert (await search.search(SearchQuery(q=LBW))).hits[0].alerts == ()
    assert (await search.search(SearchQuery(q="P-LBW-280"))).hits[0].alerts == ()

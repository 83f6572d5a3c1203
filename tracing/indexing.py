"""Keep the search index true to the database: documents built in bulk from the trace model.

The importer writes the touched keys to ``change_outbox`` in the same transaction as the data;
the outbox drain hands them to :func:`search_sync_handler`, which rebuilds the documents of
those keys (and of the documents that show them: an enterprise's products carry its name and
place, an enterprise carries its products' recalls) and removes documents whose rows are gone.
:func:`iter_all_docs` streams every document, page by page, for ``gongzhi reindex``.

A few queries per page of keys, never one per document.

A recall alerts a product and its producer while it can still concern food on sale: while it
is ongoing, and once completed as long as a recalled batch is within its shelf life (for a
recall of a whole product, the recall's start plus the product's shelf life bounds that). A
recall withdrawn as issued by mistake alerts nothing. The date is the one of the indexing:
``gongzhi reindex`` (which ``gongzhi up`` runs) brings such alerts up to date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import AsyncIterator, Callable, Iterable, Iterator

from core.clock import SHANGHAI
from search.base import SearchBackend, SearchDoc
from tracing.model.models import Enforcement, Enterprise, Product, Recall, RecallBatch, Sampling

PAGE = 500  # keys per IN (...) list: well under SQLite's bound-variable limit
ENTERPRISE_FIELDS = ("uscc", "name", "kind", "licence_no", "address", "division_code", "lat",
                     "lng", "risk_grade", "status")
PRODUCT_FIELDS = ("product_id", "name", "gtin", "gtin14", "brand", "spec", "category",
                  "enterprise_id", "enterprise__name", "enterprise__division_code",
                  "enterprise__lat", "enterprise__lng", "enterprise__risk_grade",
                  "enterprise__status")


def _pages(keys: Iterable[str], size: int = PAGE) -> Iterator[list[str]]:
    keys = sorted(set(keys))
    for start in range(0, len(keys), size):
        yield keys[start:start + size]


def enterprise_doc(row: dict, alerts: Iterable[str] = ()) -> SearchDoc:
    """The document of one enterprise row (``Enterprise.values(*ENTERPRISE_FIELDS)``)."""
    return SearchDoc(
        kind="enterprise", key=row["uscc"], title=row["name"], subtitle=row["address"] or "",
        identifiers=tuple(i for i in (row["uscc"], row["licence_no"]) if i),
        keywords=tuple(k for k in (row["kind"],) if k), division_code=row["division_code"] or "",
        lat=row["lat"], lng=row["lng"], risk_grade=row["risk_grade"],
        status=row["status"] or "active", alerts=tuple(sorted(set(alerts))))


def product_doc(row: dict, alerts: Iterable[str] = ()) -> SearchDoc:
    """The document of one product row (``Product.values(*PRODUCT_FIELDS)``): the producer's
    name and the spec as subtitle, the producer's place for nearby searches."""
    subtitle = " ".join(x for x in (row["enterprise__name"], row["spec"]) if x)
    return SearchDoc(
        kind="product", key=row["product_id"], title=row["name"], subtitle=subtitle,
        identifiers=tuple(dict.fromkeys(i for i in (row["gtin"], row["gtin14"]) if i)),
        keywords=tuple(k for k in (row["brand"], row["category"]) if k),
        division_code=row["enterprise__division_code"] or "", lat=row["enterprise__lat"],
        lng=row["enterprise__lng"], risk_grade=row["enterprise__risk_grade"],
        status=row["enterprise__status"] or "active", alerts=tuple(sorted(set(alerts))))


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _in_shelf_life(status: str, last_day: date | None, today: date) -> bool:
    """Whether a recall still concerns food on sale (see the module)."""
    return status == "ongoing" or last_day is None or last_day >= today


async def _recalled(**filters) -> list[tuple[str, str]]:
    """(product_id, enterprise_uscc) of every recall naming a product or its batches that
    still concerns food on sale."""
    today = _today()
    direct = await (Recall.filter(product_id__isnull=False, **filters).exclude(status="withdrawn")
                    .values_list("product_id", "product__enterprise_id", "status", "started_at",
                                 "product__shelf_life_days"))
    by_batch = await (RecallBatch.filter(**{f"batch__{k}": v for k, v in filters.items()})
                      .exclude(recall__status="withdrawn")
                      .values_list("batch__product_id", "batch__product__enterprise_id",
                                   "recall__status", "batch__expires_at"))
    return [(p, e) for p, e, status, started, days in direct
            if _in_shelf_life(status, started + timedelta(days=days) if days else None, today)
            ] + [(p, e) for p, e, status, expires in by_batch
                 if _in_shelf_life(status, expires, today)]


async def enterprise_docs(keys: list[str]) -> list[SearchDoc]:
    """Documents of the enterprises among ``keys`` (one page): four queries."""
    rows = await Enterprise.filter(uscc__in=keys).values(*ENTERPRISE_FIELDS)
    alerts: dict[str, set[str]] = {}
    failed = await Sampling.filter(enterprise_id__in=keys, result="fail").values_list(
        "enterprise_id", flat=True)
    enforced = await Enforcement.filter(enterprise_id__in=keys).values_list(
        "enterprise_id", flat=True)
    for uscc in failed:
        alerts.setdefault(uscc, set()).add("sampling_failed")
    for uscc in enforced:
        alerts.setdefault(uscc, set()).add("enforcement")
    for _, uscc in await _recalled(product__enterprise_id__in=keys):
        alerts.setdefault(uscc, set()).add("recall")
    return [enterprise_doc(row, alerts.get(row["uscc"], ())) for row in rows]


async def product_docs(keys: list[str]) -> list[SearchDoc]:
    """Documents of the products among ``keys`` (one page): three queries."""
    rows = await Product.filter(product_id__in=keys).values(*PRODUCT_FIELDS)
    recalled = {pid for pid, _ in await _recalled(product_id__in=keys)}
    return [product_doc(row, ("recall",) if row["product_id"] in recalled else ())
            for row in rows]


async def _expand(touched: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    """Enterprise and product keys whose documents the touched keys change."""
    enterprises = set(touched.get("enterprise", ()))
    products = set(touched.get("product", ()))
    for page in _pages(touched.get("batch", ())):  # a batch recall alerts product and producer
        found = await RecallBatch.filter(batch_id__in=page).values_list(
            "batch__product_id", "batch__product__enterprise_id")
        products.update(p for p, _ in found)
        enterprises.update(e for _, e in found)
    for page in _pages(products):  # a product recall alerts its producer
        found = await Recall.filter(product_id__in=page).values_list(
            "product__enterprise_id", flat=True)
        enterprises.update(found)
    for page in _pages(touched.get("enterprise", ())):  # products show their producer
        products.update(await Product.filter(enterprise_id__in=page).values_list(
            "product_id", flat=True))
    return enterprises, products


async def sync_search(*, search: SearchBackend, touched: dict[str, set[str]]) -> int:
    """Re-index the documents the touched keys change; remove those whose rows are gone."""
    enterprises, products = await _expand(touched)
    done = 0
    for kind, keys, build in (("enterprise", enterprises, enterprise_docs),
                              ("product", products, product_docs)):
        for page in _pages(keys):
            docs = await build(page)
            done += await search.index(docs)
            gone = set(page) - {d.key for d in docs}
            if gone:
                done += await search.remove(kind, sorted(gone))
    return done


def search_sync_handler(search: SearchBackend):
    """An outbox handler (``Services.on_change``) that keeps ``search`` true."""

    async def handle(touched: dict[str, set[str]]) -> None:
        await sync_search(search=search, touched=touched)

    handle.__name__ = "sync_search"
    return handle


async def _keys_after(model, pk: str, last: str | None, size: int) -> list[str]:
    query = model.all() if last is None else model.filter(**{f"{pk}__gt": last})
    return await query.order_by(pk).limit(size).values_list(pk, flat=True)


async def iter_all_docs(page: int = 2000) -> AsyncIterator[SearchDoc]:
    """Every enterprise, then every product document, read in pages by key (keyset paging)."""
    for model, pk, build in ((Enterprise, "uscc", enterprise_docs),
                             (Product, "product_id", product_docs)):
        last = None
        while True:
            keys = await _keys_after(model, pk, last, page)
            if not keys:
                break
            for start in range(0, len(keys), PAGE):
                for doc in await build(keys[start:start + PAGE]):
                    yield doc
            last = keys[-1]


async def count_all() -> int:
    """How many documents :func:`iter_all_docs` yields."""
    return await Enterprise.all().count() + await Product.all().count()


async def rebuild_index(*, search: SearchBackend, page: int = 2000,
                        progress: Callable[[int], None] | None = None) -> int:
    """Rebuild ``search`` from the database beside the live index, then swap atomically."""

    async def docs():
        async for doc in iter_all_docs(page):
            if progress is not None:
                progress(1)
            yield doc

    return await search.rebuild(docs())

"""Keeping profiles and scan views true after each import (an outbox handler).

The importer names what it touched (``enterprise``, ``product``, ``batch``, ``code``,
``recall``, ``notice`` keys). A profile shows its enterprise's products, sampling and
enforcement results, and the recalls of its products and batches: the enterprises behind
the touched keys lose their cached profile. A notice that arrives after its recall must show
in the scan view of the recalled batches: their trace views are dropped too (the trace
feature's own handler does not know what a notice names).
"""

from __future__ import annotations

from collections.abc import Iterable

from core.outbox import Handler
from profiles import sql
from tracing.view.cache import ViewCache

_BY_PRODUCT = "SELECT DISTINCT enterprise_uscc AS uscc FROM product WHERE product_id IN ({keys})"
_BY_BATCH = ("SELECT DISTINCT p.enterprise_uscc AS uscc FROM batch b "
             "JOIN product p ON p.product_id = b.product_id WHERE b.batch_id IN ({keys})")
_BY_RECALL = ("SELECT p.enterprise_uscc AS uscc, r.product_id, NULL AS batch_id FROM recall r "
              "JOIN product p ON p.product_id = r.product_id WHERE r.recall_id IN ({keys}) "
              "UNION SELECT p.enterprise_uscc, b.product_id, b.batch_id FROM recall_batch rb "
              "JOIN batch b ON b.batch_id = rb.batch_id "
              "JOIN product p ON p.product_id = b.product_id WHERE rb.recall_id IN ({keys2})")


async def _column(sql_text: str, keys: Iterable[str], column: str = "uscc") -> set[str]:
    return {row[column] async for row in sql.rows_in(sql_text, keys)}


async def recall_reach(recall_ids: Iterable[str]) -> tuple[set[str], set[str]]:
    """The enterprises a set of recalls names and the trace-view tags of what they recall."""
    usccs, tags = set(), set()
    for page in sql.pages(recall_ids):
        marks = sql.marks(len(page))
        for row in await sql.rows(_BY_RECALL.format(keys=marks, keys2=marks), page + page):
            usccs.add(row["uscc"])
            tags.add(f"product:{row['product_id']}")
            if row["batch_id"]:
                tags.add(f"batch:{row['batch_id']}")
    return usccs, tags


async def notice_reach(notice_ids: Iterable[str]) -> tuple[set[str], set[str]]:
    """What touched notices name: enterprises whose profile shows them, view tags."""
    related: set[str] = set()
    async for row in sql.rows_in("SELECT related FROM notice WHERE notice_id IN ({keys})",
                                 notice_ids):
        related.update(k for k in sql.json(row["related"], []) if isinstance(k, str))
    if not related:
        return set(), set()
    usccs, tags = await recall_reach(related)
    usccs |= await _column("SELECT uscc FROM enterprise WHERE uscc IN ({keys})", related)
    tags |= {f"{kind}:{key}" for key in related for kind in ("batch", "product")}
    return usccs, tags


async def affected(touched: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    """(enterprises whose profile changed, trace-view tags to drop beyond the trace
    feature's own) for one drained set of changes."""
    usccs = set(touched.get("enterprise", ()))
    usccs |= await _column(_BY_PRODUCT, touched.get("product", ()))
    usccs |= await _column(_BY_BATCH, touched.get("batch", ()))
    recalled, tags = await recall_reach(touched.get("recall", ()))
    noticed, notice_tags = await notice_reach(touched.get("notice", ()))
    return usccs | recalled | noticed, notice_tags


def profile_change_handler(*, invalidate_profiles, trace_cache: ViewCache) -> Handler:
    """The outbox handler: drop stale profiles (and views that must show a new notice)."""

    async def keep_profiles(touched: dict[str, set[str]]) -> None:
        usccs, tags = await affected(touched)
        if usccs:
            await invalidate_profiles(usccs)
        if tags:
            await trace_cache.invalidate(tags)

    return keep_profiles

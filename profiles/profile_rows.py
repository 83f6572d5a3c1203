"""The rows of one enterprise's public profile, read in six statements (plus one for the
notices of its recalls, when it has any). What they become is decided in
:mod:`profiles.profile` (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import NotFound
from core.i18n import T
from profiles import sql
from tracing.view.notices import notices_naming

PRODUCTS_SHOWN = 100
SAMPLINGS_SHOWN = 20
ENFORCEMENTS_SHOWN = 10


@dataclass
class ProfileRows:
    enterprise: dict
    totals: dict  # products, samplings, failed, enforcements and their latest updates
    products: list[dict] = field(default_factory=list)
    samplings: list[dict] = field(default_factory=list)
    enforcements: list[dict] = field(default_factory=list)
    recalls: list[dict] = field(default_factory=list)  # one row per recall and batch


_TOTALS = (
    "SELECT (SELECT COUNT(*) FROM product WHERE enterprise_uscc = ?) AS products, "
    "(SELECT MAX(updated_at) FROM product WHERE enterprise_uscc = ?) AS products_updated, "
    "(SELECT COUNT(*) FROM sampling WHERE enterprise_uscc = ?) AS samplings, "
    "(SELECT COUNT(*) FROM sampling WHERE enterprise_uscc = ? AND result = 'fail') AS failed, "
    "(SELECT MAX(updated_at) FROM sampling WHERE enterprise_uscc = ?) AS samplings_updated, "
    "(SELECT COUNT(*) FROM enforcement WHERE enterprise_uscc = ?) AS enforcements, "
    "(SELECT MAX(updated_at) FROM enforcement WHERE enterprise_uscc = ?) AS enforcements_updated")
_RECALL_COLS = ("r.recall_id, r.level, r.reason, r.started_at, r.status, r.updated_at, "
                "p.product_id, p.name AS product_name, p.shelf_life_days")


async def enterprise_row(uscc: str) -> dict:
    """The enterprise's own row; ``enterprise_not_found`` (404) when there is none."""
    found = await sql.rows(
        "SELECT uscc, name, kind, licence_no, licence_valid_until, address, division_code, "
        "lat, lng, risk_grade, status, public_phone, updated_at FROM enterprise WHERE uscc = ?",
        [uscc])
    if not found:
        raise NotFound(T("平台上没有统一社会信用代码为 {uscc} 的主体。",
                         uscc=uscc), field="uscc", code="enterprise_not_found")
    return found[0]


async def profile_rows(uscc: str) -> ProfileRows:
    """Everything the public profile of ``uscc`` shows."""
    rows = ProfileRows(enterprise=await enterprise_row(uscc),
                       totals=(await sql.rows(_TOTALS, [uscc] * 7))[0])
    rows.products = await sql.rows(
        "SELECT product_id, name, brand, spec, gtin, category FROM product "
        "WHERE enterprise_uscc = ? ORDER BY product_id LIMIT ?", [uscc, PRODUCTS_SHOWN])
    rows.samplings = await sql.rows(
        "SELECT sample_id, product_name, lot, sampled_at, result, failed_items, authority, "
        "report_no FROM sampling WHERE enterprise_uscc = ? "
        "ORDER BY sampled_at DESC, sample_id DESC LIMIT ?", [uscc, SAMPLINGS_SHOWN])
    rows.enforcements = await sql.rows(
        "SELECT case_no, decided_at, violation, penalty, authority FROM enforcement "
        "WHERE enterprise_uscc = ? ORDER BY decided_at DESC, case_no DESC LIMIT ?",
        [uscc, ENFORCEMENTS_SHOWN])
    rows.recalls = await recall_rows(uscc)
    return rows


async def recall_rows(uscc: str) -> list[dict]:
    """Recalls naming the enterprise's products or batches (one row per recalled batch of
    it; ``batch_id`` None for a recall of a whole product), with their recall notices."""
    found = await sql.rows(
        f"SELECT {_RECALL_COLS}, b.batch_id, b.lot, b.expires_at FROM recall r "
        "JOIN recall_batch rb ON rb.recall_id = r.recall_id "
        "JOIN batch b ON b.batch_id = rb.batch_id "
        "JOIN product p ON p.product_id = b.product_id WHERE p.enterprise_uscc = ? "
        f"UNION ALL SELECT {_RECALL_COLS}, NULL, NULL, NULL FROM recall r "
        "JOIN product p ON p.product_id = r.product_id WHERE p.enterprise_uscc = ?",
        [uscc, uscc])
    if found:
        notices = await notices_naming({r["recall_id"] for r in found}, kind="recall")
        for row in found:
            row["notices"] = notices.get(row["recall_id"], [])
    return found

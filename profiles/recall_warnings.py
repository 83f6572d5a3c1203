"""Recall warnings to the people who already bought: when a recall arrives, every consumer who
scanned an affected code while logged in and agreed to be told gets a WeChat subscribe
message, through a durable outbox (``recall_message``).

Affected: the batches the recall names (every batch of its product, for a product recall)
and, through forward tracing, the batches made from them. Recipients: scans of those batches
with a user pseudonym, joined to that user's consent to the recall template. One message per
recall and person (a unique key: re-importing a recall sends nothing twice). Recalls that are
not ``ongoing`` (completed, withdrawn) send nothing.

The enqueueing is an outbox handler (``touched["recall"]``), so a crash between an import and
it loses nothing; :class:`RecallMessenger` sends the queued messages (see its docstring).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import orjson

from profiles import sql
from profiles.downstream import downstream_batches

THING_MAX = 20  # WeChat's limit on a "thing" field of a subscribe message


def _thing(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= THING_MAX else text[:THING_MAX - 1] + "…"


def message_payload(recall: dict, *, product: str, code: str, page: str) -> dict:
    """The subscribe message of one recall for one person (template TPL_RECALL_NOTICE:
    product, reason, start date, what to do) and the page it opens."""
    started = sql.day(recall["started_at"])
    return {"page": f"{page}?code={code}", "data": {
        "thing1": _thing(product), "thing2": _thing(recall["reason"]),
        "date3": f"{started.year}年{started.month:02d}月{started.day:02d}日",
        "thing4": _thing("请停止食用，可退货或拨打12315")}}


async def affected_batch_ids(recall: dict, *, depth: int) -> set[str]:
    """The batches a recall names and, forward, those made from them."""
    named = {r["batch_id"] for r in await sql.rows(
        "SELECT batch_id FROM recall_batch WHERE recall_id = ? UNION "
        "SELECT batch_id FROM batch WHERE product_id = ?",
        [recall["recall_id"], recall["product_id"] or ""])}
    found = set(named)
    for batch_id in named:
        found.update(r["batch_id"] for r in await downstream_batches(batch_id, depth=depth))
    return found


async def _recipients(batch_ids: Iterable[str], template_id: str) -> dict[str, dict]:
    """Consenting people who scanned one of the batches: their latest scan of them."""
    latest: dict[str, dict] = {}
    async for row in sql.rows_in(
            "SELECT s.user_hash, s.subject, s.scanned_at, p.name AS product_name "
            "FROM scan s JOIN consumer_subscription c ON c.user_hash = s.user_hash "
            "JOIN batch b ON b.batch_id = s.batch_id "
            "JOIN product p ON p.product_id = b.product_id "
            "WHERE s.batch_id IN ({keys}) AND c.template_id = ? AND c.grants > 0 "
            "AND c.openid IS NOT NULL", batch_ids, params_after=(template_id,)):
        seen = latest.get(row["user_hash"])
        if seen is None or str(row["scanned_at"]) > str(seen["scanned_at"]):
            latest[row["user_hash"]] = row
    return latest


async def enqueue_recall_warnings(recall_ids: Iterable[str], *, template_id: str, page: str,
                                  depth: int, now: datetime) -> int:
    """Queue one message per consenting person for each ongoing recall; return how many
    were new."""
    queued = 0
    async for recall in sql.rows_in(
            "SELECT recall_id, reason, started_at, status, product_id FROM recall "
            "WHERE recall_id IN ({keys})", recall_ids):
        if recall["status"] != "ongoing":
            continue
        people = await _recipients(await affected_batch_ids(recall, depth=depth), template_id)
        rows = [[recall["recall_id"], user, template_id, orjson.dumps(message_payload(
            recall, product=scan["product_name"], code=scan["subject"], page=page)).decode(),
            "pending", 0, sql.stamp(now), sql.stamp(now)] for user, scan in people.items()]
        queued += await _insert_new(rows)
    return queued


async def _insert_new(rows: list[list]) -> int:
    """Insert messages, skipping (recall, person) pairs already queued; return new ones."""
    if not rows:
        return 0
    before = await sql.value("SELECT COUNT(*) FROM recall_message WHERE recall_id = ?",
                             [rows[0][0]])
    client = sql.conn()
    await client.execute_many(sql.dialect_sql(client, (
        "INSERT INTO recall_message (recall_id, user_hash, template_id, payload, status, "
        "attempts, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (recall_id, user_hash) DO NOTHING")), rows)
    after = await sql.value("SELECT COUNT(*) FROM recall_message WHERE recall_id = ?",
                            [rows[0][0]])
    return int(after) - int(before)


def recall_warning_handler(*, template_id: str, page: str, depth: int, clock, wake):
    """The outbox handler: queue warnings for recalls an import touched, wake the sender."""

    async def warn_buyers(touched: dict[str, set[str]]) -> None:
        recalls = touched.get("recall")
        if recalls and await enqueue_recall_warnings(recalls, template_id=template_id,
                                                     page=page, depth=depth, now=clock()):
            wake()

    return warn_buyers

"""Writing validated exchange records: bulk upserts by key with each record's history,
append-only events with their hash chain, link rows, and the change outbox, all inside the
caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import is_postgres, param_marks
from tracing.model.chain import GENESIS, canonical, row_hash
from tracing.exchange.fields import RecordError
from tracing.exchange.history import version_records
from tracing.exchange.records import Record
from tracing.exchange.sql import stored_keys, write_rows
from tracing.codes.identifiers import gtin14
from core.i18n import T
from core.outbox import ChangeOutbox
from tracing.model.models import (RECORD_MODELS, Event, EventInput, Product, RecallBatch,
                                  RecordVersion)

TYPE_ORDER = ("enterprise", "product", "batch", "code", "code_alias", "event", "sampling",
              "enforcement", "recall", "notice")
MODELS = RECORD_MODELS

Ready = list[tuple[int, Record]]
Touched = dict[str, set[str]]


async def write_chunk(ready: Ready, conn: BaseDBAsyncClient, *, now: datetime
                      ) -> tuple[Touched, list]:
    """Write records (already in type order); return touched keys and rejected lines."""
    by_type: dict[str, Ready] = defaultdict(list)
    for item in ready:
        by_type[item[1].type].append(item)
    touched: Touched = defaultdict(set)
    rejected: list[tuple[int, RecordError]] = []
    for rtype in TYPE_ORDER:
        items = by_type.get(rtype)
        if not items:
            continue
        if rtype == "event":
            await _write_events(items, conn, touched, rejected)
            continue
        if rtype == "batch":
            await _derive_expiry(items, conn)
        versions = await version_records(rtype, items, conn, now=now)
        rejected.extend(versions.rejected)
        if not versions.write:
            continue
        records = [r for _, r in versions.write]
        await write_rows(RecordVersion, versions.history, conn, upsert=False)
        await _upsert(rtype, [r.values for r in records], conn)
        if rtype == "recall":
            await _link_recalls(records, conn)
        _touch(rtype, records, touched)
        _touch(rtype, [Record(rtype, key, old) for key, old in versions.previous.items()],
               touched)
    await _write_outbox(touched, conn)
    return touched, rejected


RENAME = {"code_alias": (("code", "code_id"),)}
_ENTERPRISE_FK = (("enterprise_uscc", "enterprise_id"),)


async def _upsert(rtype: str, values: list[dict], conn: BaseDBAsyncClient) -> None:
    """Rows are the validated values themselves (the writer reads renamed keys in place)."""
    if rtype == "product":
        values = [{**v, "gtin14": gtin14(v["gtin"]) if v.get("gtin") else None} for v in values]
    await write_rows(MODELS[rtype], values, conn, upsert=True,
                     rename=RENAME.get(rtype, _ENTERPRISE_FK))


async def _derive_expiry(items: Ready, conn: BaseDBAsyncClient) -> None:
    """expires_at = produced_at + the product's shelf life, when the batch does not say."""
    wanted = {r.values["product_id"] for _, r in items if "expires_at" not in r.values}
    if not wanted:
        return
    shelf = dict(await Product.filter(product_id__in=list(wanted)).using_db(conn)
                 .values_list("product_id", "shelf_life_days"))
    for _, record in items:
        days = shelf.get(record.values["product_id"])
        if "expires_at" not in record.values and days:
            record.values["expires_at"] = record.values["produced_at"] + timedelta(days=days)


async def _write_events(items: Ready, conn, touched: Touched, rejected: list) -> None:
    ids = [r.key for _, r in items]
    stored = await stored_keys(Event._meta.db_table, "event_id", ids, conn)  # usually none
    existing = {row["event_id"]: row for row in await Event.filter(event_id__in=stored)
                .using_db(conn).values(*_CONTENT_COLUMNS)} if stored else {}
    batch_ids = list({r.values["batch_id"] for _, r in items})
    heads = await _lock_heads(batch_ids, conn)
    targets = [r.values["corrects"] for _, r in items if r.values.get("corrects")]
    batch_of = dict(await Event.filter(event_id__in=targets).using_db(conn)
                    .values_list("event_id", "batch_id")) if targets else {}
    new_rows, links = [], []
    for line, record in items:
        v = record.values
        if record.key in existing:
            if canonical(existing[record.key]) != canonical(v):
                rejected.append((line, RecordError(
                    T("事件 {key} 已以不同内容登记；事件只能追加：请发送带 corrects 的新事件",
                      key=record.key), field="event_id",
                    code="event_immutable")))
            continue
        target = v.get("corrects")
        if target and batch_of.get(target) != v["batch_id"]:
            rejected.append((line, RecordError(
                T("corrects 指向的事件 {target} 属于另一批次", target=target), field="corrects",
                code="corrects_other_batch")))
            continue
        head, length = heads[v["batch_id"]]
        prev = head or GENESIS
        digest = row_hash(prev, v)
        heads[v["batch_id"]] = (digest, length + 1)
        batch_of[record.key] = v["batch_id"]
        new_rows.append({**v, "seq": length + 1, "prev_hash": prev, "hash": digest})
        links.extend({"event_id": record.key, "batch_id": v["batch_id"], "input_batch_id": b}
                     for b in v.get("inputs", ()))
        touched["batch"].add(v["batch_id"])
    if not new_rows:
        return
    await write_rows(Event, new_rows, conn, upsert=False)
    await write_rows(EventInput, links, conn, upsert=False)
    head, length, batch = param_marks(conn, 3)
    await conn.execute_many(
        f"UPDATE batch SET chain_head={head}, chain_length={length} WHERE batch_id={batch}",
        [[h, n, b] for b, (h, n) in heads.items() if b in touched["batch"]])


async def _lock_heads(batch_ids: list[str], conn) -> dict[str, tuple[str | None, int]]:
    """Chain heads of the batches, locked (PostgreSQL) in key order so that concurrent
    imports into one batch queue instead of colliding on (batch_id, seq)."""
    ordered = sorted(batch_ids)
    if is_postgres(conn):
        sql = ("SELECT batch_id, chain_head, chain_length FROM batch WHERE batch_id = ANY($1) "
               "ORDER BY batch_id FOR UPDATE")
        rows = await conn.execute_query_dict(sql, [ordered])
    else:  # SQLite serialises writers on the database file
        marks = ", ".join(param_marks(conn, len(ordered)))
        rows = await conn.execute_query_dict(
            f"SELECT batch_id, chain_head, chain_length FROM batch WHERE batch_id IN ({marks})",
            ordered)
    return {r["batch_id"]: (r["chain_head"], r["chain_length"]) for r in rows}


_CONTENT_COLUMNS = ("event_id", "batch_id", "kind", "occurred_at", "place_uscc", "place",
                    "actor", "quantity", "unit", "inputs", "detail", "corrects", "extra")


async def _link_recalls(records: list[Record], conn: BaseDBAsyncClient) -> None:
    ids = [r.key for r in records]
    await RecallBatch.filter(recall_id__in=ids).using_db(conn).delete()
    links = [{"recall_id": r.key, "batch_id": b}
             for r in records for b in dict.fromkeys(r.values.get("batch_ids", ()))]
    await write_rows(RecallBatch, links, conn, upsert=False)


def _touch(rtype: str, records: list[Record], touched: Touched) -> None:
    """Which public views each record changes (search documents and trace views)."""
    for r in records:
        v = r.values
        if rtype in ("enterprise", "product", "batch"):
            touched[rtype].add(r.key)
        if rtype in ("sampling", "enforcement"):
            touched["enterprise"].add(v["enterprise_uscc"])
        if rtype == "code":
            touched["code"].add(r.key)
            touched["batch"].add(v["batch_id"])
        if rtype == "code_alias":
            touched["code"].add(v["code"])
        if rtype == "recall":
            touched["batch"].update(v.get("batch_ids", ()))
            if v.get("product_id"):
                touched["product"].add(v["product_id"])
        if rtype in ("recall", "notice"):  # recall warnings, notice links (profiles)
            touched[rtype].add(r.key)


async def _write_outbox(touched: Touched, conn: BaseDBAsyncClient) -> None:
    rows = [{"kind": kind, "key": key} for kind, keys in touched.items() for key in keys]
    await write_rows(ChangeOutbox, rows, conn, upsert=False)

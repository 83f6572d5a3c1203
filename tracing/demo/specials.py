"""The special cases of the first cluster, behind the well-known keys of :data:`DEMO_KEYS`:

- the ok batch: case, item and withdrawn codes, a cross-region alias, a quantity correction;
- the recalled batch: a recall event, then its failed sampling, the recall record and notice;
- the temperature excursion: a snail batch destroyed at the producer;
- the enforcement against the core caterer, and the notices of all this.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tracing.demo import names
from tracing.demo.cluster import Cluster
from tracing.demo.context import Context
from tracing.demo.keys import (
    DEMO_KEYS,
    ENFORCEMENT_CASE,
    ISSUER,
    OK_CODE,
    RECALL_ID,
)
from tracing.demo.official import notice, sampling
from tracing.demo.supply import raw_batch


def ok_extras(cluster: Cluster, batch: dict, events: list) -> None:
    """Item, case and withdrawn codes, a cross-region alias and a quantity correction."""
    bid = batch["batch_id"]
    cluster.out["code"] += [
        {"type": "code", "code": DEMO_KEYS["case_code"], "batch_id": bid, "level": "case",
         "serial": "C001", "issuer": ISSUER},
        {"type": "code", "code": DEMO_KEYS["item_code"], "batch_id": bid, "level": "item",
         "serial": "000001", "issuer": ISSUER},
        {"type": "code", "code": DEMO_KEYS["withdrawn_code"], "batch_id": bid,
         "level": "item", "serial": "000002", "issuer": ISSUER, "status": "withdrawn"}]
    cluster.out["code_alias"].append({"type": "code_alias", "alias": DEMO_KEYS["alias"],
                                      "code": OK_CODE, "issuer": "京津冀冷链"})
    _correction(cluster, events)


def _correction(cluster: Cluster, events: list) -> None:
    """The storage-in event, stored with a digit missing, and its correction right after it."""
    stored = next(e for e in events if e["kind"] == "storage_in")
    fix = dict(stored, event_id=cluster.ctx.next_id("event", "E", 10),
               corrects=stored["event_id"], detail={"reason": "入库数量录入少一位，更正"})
    stored["quantity"] //= 10
    cluster.out["event"].insert(cluster.out["event"].index(stored) + 1, fix)


def recall(cluster: Cluster, batch: dict, prod: dict, producer: dict) -> None:
    """The producer's recall event on the recalled batch; the records follow in :func:`story`."""
    cluster.chain(batch, [("recall", _recall_started(cluster.ctx), producer, {
        "quantity": batch["quantity"], "unit": "袋", "detail": {"recall_id": RECALL_ID}})])
    cluster.recalled = (batch, prod, producer)


def excursion(cluster: Cluster) -> None:
    """A snail batch whose cold chain broke on the way to the first producer."""
    farm, producer = cluster.by_role["snail"][0], cluster.by_role["producer"][0]
    raw_batch(cluster, farm["products"][0], cluster.ctx.today - timedelta(days=30), producer,
              excursion=True)


def story(cluster: Cluster, sample_ids: list[str]) -> None:
    """Failed sampling, recall, enforcement and notices of the special cluster."""
    ctx = cluster.ctx
    batch, prod, producer = cluster.recalled
    failed = sampling(cluster, batch, ctx.today - timedelta(days=20),
                      [names.STORY["failed_item"]])
    started = _recall_started(ctx)
    caterer = cluster.by_role["caterer"][0]
    cluster.out["tail"] += [
        _enforcement(caterer, started),
        {"type": "recall", "recall_id": RECALL_ID, "level": 2, "reason": names.STORY["reason"],
         "started_at": started.date().isoformat(), "batch_ids": [batch["batch_id"]],
         "status": "ongoing"},
        notice(ctx, "recall", started, [RECALL_ID, batch["batch_id"]],
               producer=producer["name"], product=prod["rec"]["name"], lot=batch["lot"]),
        notice(ctx, "sampling", started - timedelta(days=5), [failed] + sample_ids[:20],
               count=len(sample_ids) + 1),
        notice(ctx, "enforcement", started - timedelta(days=28),
               [ENFORCEMENT_CASE, caterer["uscc"]], name=caterer["name"]),
        notice(ctx, "announcement", ctx.at(ctx.today - timedelta(days=100), 9), []),
    ]


def _enforcement(caterer: dict, started: datetime) -> dict:
    return {"type": "enforcement", "case_no": ENFORCEMENT_CASE,
            "enterprise_uscc": caterer["uscc"], "document_no": names.STORY["document_no"],
            "decided_at": (started - timedelta(days=30)).date().isoformat(),
            "violation": names.STORY["violation"], "penalty": names.STORY["penalty"],
            "authority": names.SAMPLING_AUTHORITY, "source_system": "LZ-SUPERVISION"}


def _recall_started(ctx: Context) -> datetime:
    return ctx.at(ctx.today - timedelta(days=7), 10)

"""Luosifen batches: a producer plans its batches, draws raw batches from the cluster's
suppliers (fresh snails every time, other stock for up to 20 days while it keeps), produces,
inspects, stores and ships to a wholesaler, who ships part on to a shop that sells some.

In the special cluster the first producer's first product also makes the ok and the recalled
batch (:mod:`tracing.demo.specials`), and the first batch made with an expired input gets a
known code (fresh wet rice noodles keep three days, the stock is drawn on for twenty).
"""

from __future__ import annotations

from datetime import date, timedelta

from tracing.demo import names, specials
from tracing.demo.cluster import Cluster
from tracing.demo.context import Context
from tracing.demo.keys import (EXPIRED_INPUT_CODE, ISSUER, OK_CODE, OK_LOT, RECALLED_CODE,
                               RECALLED_LOT)
from tracing.demo.supply import PERISHABLE, party, raw_batch

SPECIAL_LOTS = {"ok": OK_LOT, "recalled": RECALLED_LOT}
SPECIAL_CODES = {"ok": OK_CODE, "recalled": RECALLED_CODE}
LABELS = (("case", "C001"), ("item", "000001"), ("item", "000002"))


def producer_batches(cluster: Cluster, producer: dict) -> None:
    """Every planned batch of ``producer``, in production order, with its raw inputs."""
    held: dict[str, tuple[dict, date]] = {}  # ingredient -> (raw batch, intake day)
    for made, prod, special in sorted(_plans(cluster, producer), key=lambda p: p[0]):
        inputs = []
        for ing, suppliers in cluster.stock.items():
            stock = held.get(ing)
            if _draw_again(cluster, stock, ing, made, special):
                stock = held[ing] = _draw(cluster, suppliers, made, producer)
            inputs.append(stock[0]["batch_id"])
        luosifen_batch(cluster, producer, prod, made, inputs, special)


def _draw_again(cluster: Cluster, stock: tuple[dict, date] | None, ing: str, made: date,
                special: str) -> bool:
    """Whether the producer takes in a new raw batch: always fresh snails, other stock for
    up to 20 days while it keeps. Stock past its expiry is used once, in the first cluster
    (the demo's expired-input case, which the trace view flags)."""
    if stock is None or ing == "snail" or (made - stock[1]).days > 20:
        return True
    if date.fromisoformat(stock[0]["expires_at"]) >= made:
        return False
    return not (cluster.special and not special and not _expired_shown(cluster))


def _draw(cluster: Cluster, suppliers: list, made: date, producer: dict) -> tuple[dict, date]:
    """A raw batch taken in 1-3 days before ``made`` (perishables the day before)."""
    r = cluster.ctx.rng
    days = r.randint(1, 3)
    prod = r.choice(suppliers)
    intake = made - timedelta(days=1 if prod["rec"]["shelf_life_days"] <= PERISHABLE else days)
    return raw_batch(cluster, prod, intake, producer), intake


def _plans(cluster: Cluster, producer: dict) -> list[tuple[date, dict, str]]:
    """(production day, product, special) of one to three batches per product."""
    ctx, r = cluster.ctx, cluster.ctx.rng
    plans = []
    for n, prod in enumerate(producer["products"]):
        count = r.randint(1, 3)
        if cluster.special and producer is cluster.by_role["producer"][0] and n == 0:
            plans += [(ctx.today - timedelta(days=60), prod, "ok"),
                      (ctx.today - timedelta(days=45), prod, "recalled")]
            count = max(0, count - 2)
        plans += [(ctx.today - timedelta(days=r.randint(2, 120)), prod, "")
                  for _ in range(count)]
    return plans


def luosifen_batch(cluster: Cluster, producer: dict, prod: dict, made: date, inputs: list,
                   special: str) -> None:
    """One luosifen batch made of the ``inputs`` raw batches, and its way to the shop."""
    r = cluster.ctx.rng
    lot = SPECIAL_LOTS.get(special) or f"L{made:%y%m%d}{r.choice('ABC')}"
    code = SPECIAL_CODES.get(special, "")
    if cluster.special and not special and _first_expired(cluster, inputs, made):
        code = EXPIRED_INPUT_CODE
    batch = cluster.batch(prod, made, lot, r.randint(20, 200) * 100, code)
    events = cluster.chain(batch, _steps(cluster, producer, made, batch["quantity"], inputs,
                                         bool(special)))
    if not special and r.random() < 0.25:  # some lines print case and item labels
        cluster.out["code"] += [{"type": "code", "code": f"{cluster.last_code}{serial}",
                                 "batch_id": batch["batch_id"], "level": level,
                                 "serial": serial, "issuer": ISSUER} for level, serial in LABELS]
    if special == "ok":
        specials.ok_extras(cluster, batch, events)
    elif special == "recalled":
        specials.recall(cluster, batch, prod, producer)


def _expired_shown(cluster: Cluster) -> bool:
    return any(c["code"] == EXPIRED_INPUT_CODE for c in cluster.out["code"])


def _first_expired(cluster: Cluster, inputs: list, made: date) -> bool:
    """Whether this is the cluster's first batch made with an input expired before ``made``."""
    if _expired_shown(cluster):
        return False
    ends = {b["batch_id"]: b["expires_at"] for b in cluster.out["batch"]}
    return any(i in ends and date.fromisoformat(ends[i]) < made for i in inputs)


def _steps(cluster: Cluster, producer: dict, made: date, qty: int, inputs: list,
           special: bool) -> list[tuple]:
    """The route of a batch (wholesaler, shop, days, quantity sent on) and its steps."""
    r = cluster.ctx.rng
    whole = r.choice(cluster.by_role["wholesaler"])
    shop = cluster.by_role["retailer"][0] if special else r.choice(
        [e for e in cluster.ents if e["role"] in names.RETAIL])
    out_day = made + timedelta(days=r.randint(1, 5))
    on_day = out_day + timedelta(days=r.randint(1, 4))
    sent = min(qty, r.randint(5, 60) * 20)
    return (_factory(cluster.ctx, producer, whole, made, out_day, qty, inputs)
            + _trade(cluster.ctx, producer, whole, shop, out_day, on_day, qty, sent))


def _factory(ctx: Context, producer: dict, whole: dict, made: date, out_day: date, qty: int,
             inputs: list) -> list[tuple]:
    """Production, inspection and storage at the producer, shipping to the wholesaler."""
    r = ctx.rng
    return [
        ("production", ctx.at(made, 9, r.randint(0, 59)), producer,
         {"quantity": qty, "unit": "袋", "inputs": inputs}),
        ("inspection", ctx.at(made, 15, r.randint(0, 59)), producer,
         ctx.inspection(names.FACTORY_CHECK, made, "CC")),
        ("storage_in", ctx.at(made, 17, 30), producer, {"quantity": qty, "unit": "袋"}),
        ("storage_out", ctx.at(out_day, 8), producer, {"quantity": qty, "unit": "袋"}),
        ("shipping", ctx.at(out_day, 8, 30), producer, {"quantity": qty, "unit": "袋", "detail": {
            "counterparty": party(whole),
            "vehicle": {"plate": f"桂B{r.randrange(10**5):05d}", "kind": "厢式货车"}}}),
    ]


def _trade(ctx: Context, producer: dict, whole: dict, shop: dict, out_day: date, on_day: date,
           qty: int, sent: int) -> list[tuple]:
    """Receiving at the wholesaler, shipping on to the shop, receiving and sale there."""
    r = ctx.rng
    return [
        ("receiving", ctx.at(out_day, 11, r.randint(0, 59)), whole, {
            "quantity": qty, "unit": "袋", "detail": {"counterparty": party(producer)}}),
        ("shipping", ctx.at(on_day, 7), whole, {
            "quantity": sent, "unit": "袋", "detail": {"counterparty": party(shop)}}),
        ("receiving", ctx.at(on_day, 9, r.randint(0, 59)), shop, {
            "quantity": sent, "unit": "袋", "detail": {"counterparty": party(whole)}}),
        ("sale", ctx.at(on_day + timedelta(days=r.randint(1, 10)), r.randint(10, 20)), shop,
         {"quantity": max(1, sent // r.randint(2, 5)), "unit": "袋"}),
    ]


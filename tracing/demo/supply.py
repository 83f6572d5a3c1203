"""Raw-material batches: made and inspected at the supplier, kept cold (snails) with
temperatures and certificates, shipped to a producer and taken in there.

The temperature excursion is a variant of the cold chain: a fixed lot and code, readings
that climb past 8 ℃, and destruction at the producer instead of intake.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tracing.demo import names
from tracing.demo.cluster import Cluster
from tracing.demo.context import Context
from tracing.demo.keys import EXCURSION_CODE, EXCURSION_LOT

PERISHABLE = 7  # days of shelf life: such raw batches are made the day before they ship


def raw_batch(cluster: Cluster, prod: dict, intake: date, producer: dict,
              excursion: bool = False) -> dict:
    """A batch of supplier product ``prod`` delivered to ``producer`` on ``intake``."""
    ctx, r = cluster.ctx, cluster.ctx.rng
    days = 1 if prod["ing"] == "snail" else r.randint(3, 10)
    made = intake - timedelta(days=1 if prod["rec"]["shelf_life_days"] <= PERISHABLE else days)
    lot = EXCURSION_LOT if excursion else f"{made:%y%m%d}{r.randint(1, 9):02d}"
    batch = cluster.batch(prod, made, lot, r.randint(20, 200) * 10,
                          EXCURSION_CODE if excursion else "")
    qty, unit = batch["quantity"], batch["unit"]
    times = (ctx.at(made, 6, r.randint(0, 59)), ctx.at(made, 10, r.randint(0, 59)))
    steps = _made_and_inspected(ctx, prod, made, times, qty, unit)
    depart = ctx.at(intake, 7, r.randint(0, 30))
    ship = {"quantity": qty, "unit": unit, "detail": {"counterparty": party(producer)}}
    sender = prod["owner"]
    if prod["cold"]:
        sender = cluster.by_role["cold_storage"][0]
        steps += _cold_storage(ctx, sender, made, intake, qty, unit)
        ship["detail"].update(_cold_papers(ctx, prod["owner"], sender, made, depart, excursion))
    steps.append(("shipping", depart, sender, ship))
    steps.append(_arrival(prod, producer, depart + timedelta(hours=3), qty, unit, excursion))
    cluster.chain(batch, steps)
    cluster.used.add(prod["rec"]["product_id"])
    return batch


def raw_only(cluster: Cluster) -> None:
    """Supplier products no producer here used still get one inspected batch."""
    ctx, r = cluster.ctx, cluster.ctx.rng
    for ings in cluster.stock.values():
        for prod in ings:
            if prod["rec"]["product_id"] in cluster.used:
                continue
            made = ctx.today - timedelta(days=r.randint(2, 120))
            batch = cluster.batch(prod, made, f"{made:%y%m%d}{r.randint(1, 9):02d}",
                                  r.randint(20, 200) * 10)
            times = (ctx.at(made, 7), ctx.at(made, 11))
            cluster.chain(batch, _made_and_inspected(ctx, prod, made, times, batch["quantity"],
                                                     batch["unit"]))


def _made_and_inspected(ctx: Context, prod: dict, made: date, times: tuple, qty: int,
                        unit: str) -> list[tuple]:
    """Production and inspection at the supplier, at the two ``times``."""
    supplier = prod["owner"]
    return [("production", times[0], supplier, {"quantity": qty, "unit": unit}),
            ("inspection", times[1], supplier,
             ctx.inspection(names.RAW_INSPECTIONS[prod["ing"]], made, "JC"))]


def _cold_storage(ctx: Context, store: dict, made: date, intake: date, qty: int,
                  unit: str) -> list[tuple]:
    return [("storage_in", ctx.at(made, 15), store, {"quantity": qty, "unit": unit}),
            ("storage_out", ctx.at(intake, 5, 30), store, {"quantity": qty, "unit": unit})]


def _cold_papers(ctx: Context, supplier: dict, store: dict, made: date, depart: datetime,
                 excursion: bool) -> dict:
    """Shipping detail of the cold chain: five readings half an hour apart, certificates."""
    r = ctx.rng
    temperatures = [
        {"at": (depart + timedelta(minutes=30 * i)).isoformat(),
         "celsius": round(4.5 + 1.7 * i if excursion else r.uniform(1.0, 5.0), 1)}
        for i in range(5)]
    return {"temperatures": temperatures,
            "certificates": _certificates(ctx, supplier, store, made)}


def _certificates(ctx: Context, supplier: dict, store: dict, made: date) -> list[dict]:
    r = ctx.rng
    return [{"kind": "quarantine", "number": f"45{r.randrange(10**10):010d}",
             "issuer": names.CERT_ISSUERS["quarantine"].format(d=supplier["district"])},
            {"kind": "disinfection", "number": f"XD{made:%Y%m%d}{r.randrange(999):03d}",
             "issuer": store["name"]},
            {"kind": "nucleic_acid", "number": f"HS{made:%Y%m%d}{r.randrange(10**4):04d}",
             "issuer": names.CERT_ISSUERS["nucleic_acid"]}]


def _arrival(prod: dict, producer: dict, when: datetime, qty: int, unit: str,
             excursion: bool) -> tuple:
    """Intake at the producer, or, after an excursion, destruction there."""
    if excursion:
        return ("destruction", when, producer, {"quantity": qty, "unit": unit,
                "detail": {"reason": "冷链运输途中温度超过8℃，拒收并监督销毁"}})
    return ("raw_material_intake", when, producer, {"quantity": qty, "unit": unit,
            "detail": {"counterparty": party(prod["owner"])}})


def party(e: dict) -> dict:
    """The counterparty of a shipment or receipt."""
    return {"name": e["name"], "uscc": e["uscc"]}

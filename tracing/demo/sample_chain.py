"""A synthetic trace chain of a given shape, as exchange records (benchmarks and tests).

:func:`chain_records` makes one finished-product batch with ``events`` events (production
with ``inputs`` raw-material batches, inspections, storage, shipping with temperatures and
certificates, receiving, sale) and ``inputs`` raw-material batches from their own producers,
each with production, inspection and shipping events. Codes are ``<prefix>0000`` for the
product batch and ``<prefix>0001``... for the inputs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.clock import SHANGHAI
from tracing.codes.identifiers import gtin_check_digit, make_uscc

START = datetime(2026, 9, 1, 8, tzinfo=SHANGHAI)
MAIN_KINDS = ("inspection", "storage_in", "storage_out", "shipping", "receiving", "sale")


def _gtin(n: int) -> str:
    body = f"69{n:010d}"
    return body + gtin_check_digit(body)


def chain_records(*, prefix: str = "BENCH", events: int = 20, inputs: int = 5,
                  seed: int = 1) -> list[dict]:
    """Exchange records (reference order) of one product batch and its input batches."""
    ents = [make_uscc("9", "1", "450204", f"{seed:03d}{i:05d}") for i in range(inputs + 1)]
    event = _Events(prefix, ents)
    records = _enterprises(prefix, ents) + _products(prefix, ents, seed) + _batches(prefix, inputs)
    for i in range(1, inputs + 1):
        records += _input_events(event, i)
    return records + _main_events(event, events, inputs)


class _Events:
    """Makes the events of one chain, numbered ``<prefix>-E00001``... in the order made."""

    def __init__(self, prefix: str, ents: list[str]):
        self.prefix, self.ents, self.seq = prefix, ents, 0

    def __call__(self, batch: int, kind: str, at: datetime, **more) -> dict:
        self.seq += 1
        return {"type": "event", "event_id": f"{self.prefix}-E{self.seq:05d}",
                "batch_id": f"{self.prefix}-B{batch}", "kind": kind,
                "occurred_at": at.isoformat(), "place_uscc": self.ents[batch],
                "actor": "覃明", "quantity": 1000, "unit": "袋", **more}


def _enterprises(prefix: str, ents: list[str]) -> list[dict]:
    return [{"type": "enterprise", "uscc": uscc, "name": f"{prefix} 企业 {i}",
             "kind": "producer" if i == 0 else "farm",
             "licence_no": f"SC{10345020400000 + i:014d}",
             "address": "广西柳州市柳南区航岭路1号", "division_code": "450204",
             "lat": 24.31, "lng": 109.38, "legal_representative": "韦明",
             "public_phone": "0772-1234567", "status": "active", "risk_grade": "A"}
            for i, uscc in enumerate(ents)]


def _products(prefix: str, ents: list[str], seed: int) -> list[dict]:
    return [{"type": "product", "product_id": f"{prefix}-P{i}",
             "enterprise_uscc": uscc, "name": f"{prefix} 产品 {i}",
             "gtin": _gtin(seed * 100 + i), "shelf_life_days": 365,
             "storage": "0-4℃冷藏" if i == 1 else "常温", "standard": "GB 2713"}
            for i, uscc in enumerate(ents)]


def _batches(prefix: str, inputs: int) -> list[dict]:
    """Batch 0 (the product) made at the start, the inputs three days before; one code each."""
    records = []
    for i in range(inputs + 1):
        records.append({"type": "batch", "batch_id": f"{prefix}-B{i}",
                        "product_id": f"{prefix}-P{i}", "lot": f"L{i:04d}",
                        "produced_at": (START - timedelta(days=3 if i else 0)).date().isoformat(),
                        "quantity": 1000, "unit": "袋"})
        records.append({"type": "code", "code": f"{prefix}{i:04d}", "batch_id": f"{prefix}-B{i}",
                        "level": "batch", "issuer": "bench"})
    return records


def _input_events(event: _Events, i: int) -> list[dict]:
    """Production, inspection and cold shipping of input batch ``i``."""
    t = START - timedelta(days=3)
    return [
        event(i, "production", t),
        event(i, "inspection", t + timedelta(hours=2), detail={"inspection": {
            "item": "铅、镉", "result": "pass", "inspector": "林永福"}}),
        event(i, "shipping", t + timedelta(days=2), detail={
            "temperatures": [{"at": (t + timedelta(days=2, minutes=m)).isoformat(),
                              "celsius": 3.5} for m in (0, 30, 60)],
            "certificates": [{"kind": "quarantine", "number": f"Q{i:06d}"}]}),
    ]


def _main_events(event: _Events, events: int, inputs: int) -> list[dict]:
    """Production of batch 0 from the inputs, then ``events - 1`` steps three hours apart."""
    prefix = event.prefix
    main = [event(0, "production", START,
                  inputs=[f"{prefix}-B{i}" for i in range(1, inputs + 1)])]
    for n in range(1, events):
        kind = MAIN_KINDS[(n - 1) % len(MAIN_KINDS)]
        more = {}
        if kind == "inspection":
            more = {"detail": {"inspection": {"item": "菌落总数", "result": "pass"}}}
        main.append(event(0, kind, START + timedelta(hours=3 * n), **more))
    return main

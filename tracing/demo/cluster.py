"""A cluster: one self-contained slice of the chain (about 10-20 enterprises) whose records
are collected by kind and written together, so memory stays flat at any scale.

:class:`Cluster` holds the cluster's state and the two sinks every builder writes through:
:meth:`Cluster.batch` (a batch and its batch-level code) and :meth:`Cluster.chain` (events).
"""

from __future__ import annotations

from datetime import date, timedelta

from tracing.demo.context import Context
from tracing.demo.enterprises import roster
from tracing.demo.keys import ISSUER

# record kinds in reference order; "tail" holds sampling, enforcement, recall and notice
KINDS = ("enterprise", "product", "batch", "code", "code_alias", "event", "tail")


class Cluster:
    """One slice of the chain: its enterprises, the records built so far, and the stock."""

    def __init__(self, ctx: Context, size: int, special: bool):
        self.ctx, self.special = ctx, special
        self.out: dict[str, list] = {k: [] for k in KINDS}
        records, self.ents = roster(ctx, size, special)
        self.out["enterprise"] += records
        self.by_role: dict[str, list] = {}
        for e in self.ents:
            self.by_role.setdefault(e["role"], []).append(e)
        self.stock: dict[str, list] = {}  # ingredient -> supplier products
        self.used: set[str] = set()  # product ids some producer drew raw batches of
        self.last_code = ""
        self.recalled: tuple[dict, dict, dict] | None = None  # batch, product, producer

    def batch(self, prod: dict, produced: date, lot: str, quantity: int, code: str = "") -> dict:
        """Add a batch of ``prod`` and its batch-level code (``code`` or the next one)."""
        ctx = self.ctx
        rec = {"type": "batch", "batch_id": ctx.next_id("batch", "B", 9),
               "product_id": prod["rec"]["product_id"], "lot": lot,
               "produced_at": produced.isoformat(), "quantity": quantity, "unit": prod["unit"],
               "expires_at": (produced + timedelta(days=prod["rec"]["shelf_life_days"])
                              ).isoformat()}
        self.out["batch"].append(rec)
        if not code:
            ctx.code += 1
            code = f"LZ{prod['owner']['uscc'][6:8]}{ctx.code:010d}"
        self.out["code"].append({"type": "code", "code": code, "batch_id": rec["batch_id"],
                                 "level": "batch", "issuer": ISSUER})
        self.last_code = code
        return rec

    def chain(self, batch: dict, steps: list) -> list[dict]:
        """Append the events of ``steps`` (kind, time, place, extra) that happened by now."""
        events = []
        for kind, when, place, extra in steps:
            if when > self.ctx.now:
                break
            ev = {"type": "event", "event_id": self.ctx.next_id("event", "E", 10),
                  "batch_id": batch["batch_id"], "kind": kind,
                  "occurred_at": when.isoformat(), "place_uscc": place["uscc"],
                  "actor": extra.pop("actor", None) or self.ctx.person()}
            ev.update(extra)
            events.append(ev)
        self.out["event"].extend(events)
        return events

"""The trace view of a scan, built from its rows with the rules applied: pure, no I/O.

:func:`build_view` turns the :class:`~tracing.view.queries.ViewRows` of a resolved scan into
a :class:`View`: the body (product, batch, producer, shown events, input tree, certificates,
inspections), the alerts that do not depend on the scan (sorted, see :mod:`tracing.view.rules`),
the status they give, and the cache tags of everything shown.

For a batch-level scan the inputs are walked depth first from the scanned batch, following the
inputs its shown events name (corrections applied), at most ``rows.depth`` levels and never
round a cycle. An input's recalls, failed samplings, temperature excursions and expired inputs
are alerts of its own node and, unless they are only information, of the whole view. The
scanned batch also gets the inputs it was made of after their expiry, and the related risk of
cold stores and vehicles it shared with a batch that failed an inspection. A product-level scan
cannot tell which batch the pack is from: a recall of only some batches says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.i18n import T
from tracing.view import coldchain, inputs, recalls, related, rules, shapes
from tracing.view.corrections import sampling_correction_alert
from tracing.view.queries import ViewRows


@dataclass
class View:
    body: dict  # everything but status, alerts and scans
    alerts: list[dict]
    status: str
    tags: set[str] = field(default_factory=set)
    subject: str = ""
    level: str = "batch"
    quantity: float | None = None
    queries: int = 0


def build_view(rows: ViewRows, *, today: date, limits: rules.Limits) -> View:
    """The view of ``rows`` on ``today`` (Asia/Shanghai): body, static alerts and status,
    cache tags."""
    if rows.resolved.level == "product":
        return _product_view(rows, today=today)
    return _batch_view(rows, today=today, limits=limits)


# ------------------------------------------------------------------ batch level

@dataclass(frozen=True)
class _Chain:
    """The rows of a batch-level view, indexed for the walk through its inputs."""

    batches: dict[str, dict]  # by batch id, the scanned batch first
    shown: dict[str, list[dict]]  # events by batch id, corrections applied
    children: dict[str, list[str]]  # input batches read below each batch, in query order
    recalls: tuple[dict, ...]
    samplings: tuple[dict, ...]
    depth: int
    limits: rules.Limits

    def samplings_of(self, b: dict) -> list[dict]:
        return [s for s in self.samplings if s["enterprise_uscc"] == b["uscc"]
                and s["lot"] == b["lot"] and _same_product(s["product_name"], b["p_name"])]

    def used_inputs(self, batch_id: str) -> list[str]:
        """Input batches named by the batch's shown events (and read in the tree)."""
        named = [i for ev in self.shown.get(batch_id, []) for i in ev.get("inputs") or ()]
        return [b for b in dict.fromkeys(named) if b in self.children.get(batch_id, ())]

    def excursions(self, b: dict, events: list[dict]) -> list[dict]:
        """Readings outside the cold-chain range of the batch's product (GB 31605-2020)."""
        cls = coldchain.storage_class(b.get("storage_class"), b.get("storage"))
        return coldchain.excursions(events, coldchain.temperature_range(cls, self.limits))

    def expired_inputs(self, batch_id: str) -> list[dict]:
        """Inputs of the batch's shown events that had expired before they were used."""
        used = set(self.used_inputs(batch_id))
        found = inputs.expired_inputs(self.shown.get(batch_id, []), self.batches)
        return [x for x in found if x["batch"]["batch_id"] in used]


def _same_product(sampled_name: str | None, product_name: str) -> bool:
    return not sampled_name or sampled_name == product_name


def _index(rows: ViewRows, limits: rules.Limits) -> _Chain:
    events_of: dict[str, list[dict]] = {}
    for ev in rows.events:
        events_of.setdefault(ev["batch_id"], []).append(ev)
    children: dict[str, list[str]] = {}
    for parent, batch_id in rows.links:
        below = children.setdefault(parent, [])
        if batch_id not in below:
            below.append(batch_id)
    return _Chain(batches={b["batch_id"]: b for b in rows.batches},
                  shown={bid: rules.apply_corrections(evs) for bid, evs in events_of.items()},
                  children=children, recalls=rows.recalls, samplings=rows.samplings,
                  depth=rows.depth, limits=limits)


@dataclass
class _Found:
    """What the whole view gathers from the scanned batch and every input shown."""

    alerts: list[dict]
    tags: set[str]
    certificates: list[dict]


def _batch_view(rows: ViewRows, *, today: date, limits: rules.Limits) -> View:
    resolved, row = rows.resolved, rows.resolved.row
    chain = _index(rows, limits)
    own_events = chain.shown.get(row["batch_id"], [])
    own_samplings = chain.samplings_of(row)
    found = _Found(alerts=_own_alerts(chain, rows, own_events, own_samplings, today),
                   tags=_own_tags(rows), certificates=_own_certificates(row, own_events))
    tree = [_input_node(chain, found, c, 1, (row["batch_id"], c), today)
            for c in chain.used_inputs(row["batch_id"])]
    found.tags.update(_place_tags(own_events))
    alerts = rules.sort_alerts(found.alerts)
    body = {
        "code": resolved.code["code"] if resolved.code else None,
        "level": resolved.level,
        "resolved": shapes.resolved_json(resolved),
        "product": shapes.product_json(row),
        "batch": shapes.batch_json(row),
        "enterprise": shapes.enterprise_json(row, _enforcements(rows)),
        "events": [rules.public_event(e) for e in own_events],
        "inputs": tree,
        "certificates": found.certificates,
        "inspections": {"sampling": [shapes.sampling_json(s) for s in own_samplings],
                        "factory": [shapes.inspection_json(e) for e in own_events
                                    if (e.get("detail") or {}).get("inspection")]},
        "complaint": shapes.complaint_link(resolved.code["code"] if resolved.code else None,
                                           row),
    }
    return View(body=body, alerts=alerts, status=rules.status_of(alerts), tags=found.tags,
                subject=resolved.subject, level=resolved.level, quantity=row.get("quantity"),
                queries=rows.queries)


def _own_alerts(chain: _Chain, rows: ViewRows, events: list[dict], samplings: list[dict],
                today: date) -> list[dict]:
    """Alerts of the scanned batch itself (unsorted)."""
    row = rows.resolved.row
    return (recalls.batch_recall_alerts(chain.recalls, row, today=today)
            + rules.expiry_alerts(row.get("expires_at"), today, chain.limits)
            + rules.sampling_alerts(samplings, own=True)
            + coldchain.excursion_alerts(chain.excursions(row, events), own=True)
            + inputs.expired_input_alerts(chain.expired_inputs(row["batch_id"]), own=True)
            + related.related_risk_alerts(events, rows.related)
            + [a for a in map(sampling_correction_alert, samplings) if a]
            + rules.licence_alerts(shapes.licence_facts(row), today))


def _own_tags(rows: ViewRows) -> set[str]:
    resolved, row = rows.resolved, rows.resolved.row
    tags = {f"batch:{row['batch_id']}", f"product:{row['product_id']}",
            f"enterprise:{row['uscc']}"}
    if resolved.code:
        tags.add(f"code:{resolved.code['code']}")
    if resolved.alias:
        tags.add(f"code:{resolved.alias['alias']}")
    return tags


def _place_tags(events: list[dict]) -> set[str]:
    return {f"enterprise:{e['place_uscc']}" for e in events if e.get("place_uscc")}


def _own_certificates(row: dict, events: list[dict]) -> list[dict]:
    """The producer's licence (if any), then the certificates the batch's events carry."""
    certificates = rules.certificates(events, row["batch_id"])
    if row.get("licence_no"):
        certificates.insert(0, shapes.licence_certificate(row))
    return certificates


def _enforcements(rows: ViewRows) -> list[dict]:
    return [shapes.enforcement_json(r) for r in rows.enforcements]


def _input_node(chain: _Chain, found: _Found, batch_id: str, level: int,
                path: tuple[str, ...], today: date) -> dict:
    """One input batch of the tree (at ``level``, reached along ``path``) and its inputs."""
    b = chain.batches[batch_id]
    events = chain.shown.get(batch_id, [])
    alerts = _input_alerts(chain, b, events, today)
    found.alerts.extend(a for a in alerts if a["severity"] != "info")
    found.tags.update({f"batch:{batch_id}", f"product:{b['product_id']}",
                       f"enterprise:{b['uscc']}"}, _place_tags(events))
    found.certificates.extend(rules.certificates(events, batch_id))
    children = [] if level >= chain.depth else [
        _input_node(chain, found, c, level + 1, path + (c,), today)
        for c in chain.used_inputs(batch_id) if c not in path]
    return {"batch": shapes.batch_json(b), "product": shapes.input_product_json(b),
            "producer": shapes.input_producer_json(b),
            "events": [rules.public_event(e, compact=True) for e in events],
            "alerts": rules.sort_alerts(alerts), "inputs": children}


def _input_alerts(chain: _Chain, b: dict, events: list[dict], today: date) -> list[dict]:
    label = T("{product}（批号{lot}）", product=b["p_name"], lot=b["lot"])
    return (recalls.batch_recall_alerts(chain.recalls, b, today=today, label=label)
            + rules.sampling_alerts(chain.samplings_of(b), own=False, batch_label=label)
            + coldchain.excursion_alerts(chain.excursions(b, events), own=False,
                                         batch_label=label)
            + inputs.expired_input_alerts(chain.expired_inputs(b["batch_id"]), own=False,
                                          batch_label=label))


# ------------------------------------------------------------------ product level

def _product_view(rows: ViewRows, *, today: date) -> View:
    """The product, its producer, its last five batches and any recall of the product or of
    those batches."""
    resolved, row = rows.resolved, rows.resolved.row
    alerts = rules.sort_alerts(_product_alerts(rows, today))
    body = {"code": None, "level": "product", "resolved": shapes.resolved_json(resolved),
            "product": shapes.product_json(row), "batch": None,
            "enterprise": shapes.enterprise_json(row, _enforcements(rows)),
            "recent_batches": [shapes.batch_json(b) for b in rows.recent_batches],
            "events": [], "inputs": [], "certificates": [], "inspections": {},
            "complaint": shapes.complaint_link(None, row)}
    tags = {f"product:{row['product_id']}", f"enterprise:{row['uscc']}",
            f"batches-of:{row['product_id']}",
            *(f"batch:{b['batch_id']}" for b in rows.recent_batches)}
    return View(body=body, alerts=alerts, status=rules.status_of(alerts), tags=tags,
                subject=resolved.subject, level="product", quantity=None, queries=rows.queries)


def _product_alerts(rows: ViewRows, today: date) -> list[dict]:
    """Recall and licence alerts (unsorted); a recall of only some batches says so."""
    row = rows.resolved.row
    return (recalls.product_recall_alerts(rows.recalls, row, today=today)
            + rules.licence_alerts(shapes.licence_facts(row), today))

"""Every row a trace view shows, read with a fixed small number of queries and nothing decided.

After :func:`~tracing.view.resolve.resolve` (one query for a code), :func:`fetch_view_rows`
reads, for a batch-level code, whatever the depth:

2. the input tree: one recursive query over ``event_input`` joined to batches, products and
   producers, bounded by ``depth``;
3. the events of the batch and every input batch, with the names of their places;
4. recalls naming any of those batches or products (and, only when there are some, the
   recall notices naming them: :mod:`tracing.view.notices`);
5. sampling results of those producers for those lots;
6. the producer's latest enforcement decisions;
7. for a cold-chain batch that was in a store or a vehicle only: the events of other batches
   with a failed inspection that were there around the same time (what to look for is worked
   out by :func:`tracing.view.related.lookup`; what they mean is decided by the builder).

For a product-level scan: the product's last five batches, the recalls of the product or of
those batches, and the producer's enforcement decisions. Values come decoded (dates, instants,
JSON), the same Python types on SQLite and PostgreSQL; what the view shows of them is decided
by :func:`tracing.view.build.build_view`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracing.view import coldchain, related
from tracing.view.notices import notices_naming
from tracing.view.resolve import Resolved
from tracing.view.rules import apply_corrections
from tracing.view.sql import (
    BATCH_COLUMNS,
    BATCH_JOINS,
    as_date,
    as_json,
    as_moment,
    decode_batch,
    detail_sql,
    fetch_dicts,
    instant_param,
    placeholders,
)


@dataclass(frozen=True)
class ViewRows:
    """What :func:`fetch_view_rows` read for one resolved scan (plain dicts, decoded)."""

    resolved: Resolved
    depth: int  # how many levels of inputs were read
    batches: tuple[dict, ...] = ()  # the scanned batch (``resolved.row``) first, then its inputs
    links: tuple[tuple[str, str], ...] = ()  # (output batch, input batch) of the input tree
    events: tuple[dict, ...] = ()  # of every batch, by batch and sequence, corrections included
    recalls: tuple[dict, ...] = ()  # one row per recall and named batch (``batch_id`` or None)
    samplings: tuple[dict, ...] = ()
    enforcements: tuple[dict, ...] = ()  # the producer's latest five, newest first
    recent_batches: tuple[dict, ...] = ()  # product level: the product's last five batches
    # events of other batches with a failed inspection that shared a store or vehicle with
    # the scanned batch (cold chain only; see tracing.view.related)
    related: tuple[dict, ...] = ()
    queries: int = 0  # statements sent, resolution included


async def fetch_view_rows(resolved: Resolved, *, depth: int) -> ViewRows:
    """The rows of the view of ``resolved``, inputs read ``depth`` levels deep."""
    if resolved.level == "product":
        return await _product_rows(resolved, depth)
    row = resolved.row
    tree = await _input_tree(row["batch_id"], depth) if depth > 0 else []
    batches = {row["batch_id"]: row}
    for node in tree:
        batches.setdefault(node["batch_id"], node)
    ids = list(batches)
    events = await _events(ids)
    recalls = await _recalls(ids, list({b["product_id"] for b in batches.values()}))
    notice_queries = await attach_notices(recalls)
    samplings = await _samplings(list({b["uscc"] for b in batches.values()}),
                                 list({b["lot"] for b in batches.values()}))
    enforcements = await _enforcements(row["uscc"])
    near = await _related(row, [e for e in events if e["batch_id"] == row["batch_id"]])
    return ViewRows(resolved=resolved, depth=depth, batches=tuple(batches.values()),
                    links=tuple((node["parent"], node["batch_id"]) for node in tree),
                    events=tuple(events), recalls=tuple(recalls), samplings=tuple(samplings),
                    enforcements=tuple(enforcements), related=tuple(near or ()),
                    queries=resolved.queries + (5 if depth > 0 else 4) + notice_queries
                    + (near is not None))


async def _input_tree(batch_id: str, depth: int) -> list[dict]:
    rows = await fetch_dicts(
        "WITH RECURSIVE tree(parent, batch_id, depth) AS ("
        " SELECT output_batch_id, input_batch_id, 1 FROM event_input"
        " WHERE output_batch_id = ?"
        " UNION SELECT ei.output_batch_id, ei.input_batch_id, t.depth + 1"
        " FROM event_input ei JOIN tree t ON ei.output_batch_id = t.batch_id"
        " WHERE t.depth < ?) "
        f"SELECT t.parent, t.depth, {BATCH_COLUMNS} FROM tree t "
        f"JOIN batch b ON b.batch_id = t.batch_id {BATCH_JOINS}", [batch_id, depth])
    return [decode_batch(row) for row in rows]


async def _events(batch_ids: list[str]) -> list[dict]:
    rows = await fetch_dicts(
        "SELECT ev.event_id, ev.batch_id, ev.seq, ev.kind, ev.occurred_at, ev.place_uscc, "
        "ev.place, ev.actor, ev.quantity, ev.unit, ev.inputs, ev.detail, ev.corrects, "
        "pe.name AS place_name, pe.division_code AS place_division FROM event ev "
        "LEFT JOIN enterprise pe ON pe.uscc = ev.place_uscc "
        f"WHERE ev.batch_id IN ({placeholders(len(batch_ids))}) ORDER BY ev.batch_id, ev.seq",
        batch_ids)
    for ev in rows:
        ev["occurred_at"] = as_moment(ev["occurred_at"])
        for name, default in (("place", None), ("inputs", []), ("detail", {})):
            ev[name] = as_json(ev[name], default)
    return rows


async def _recalls(batch_ids: list[str], product_ids: list[str]) -> list[dict]:
    # The second condition repeats the first on ``recall`` alone, so both databases can
    # look recalls up by index (an OR across the two joined tables scans every recall).
    batches, products = placeholders(len(batch_ids)), placeholders(len(product_ids))
    rows = await fetch_dicts(
        "SELECT r.recall_id, r.level, r.reason, r.started_at, r.status, r.product_id, "
        "r.correction, rb.batch_id FROM recall r "
        "LEFT JOIN recall_batch rb ON rb.recall_id = r.recall_id "
        f"WHERE (rb.batch_id IN ({batches}) OR r.product_id IN ({products})) "
        f"AND (r.recall_id IN (SELECT recall_id FROM recall_batch WHERE batch_id IN "
        f"({batches})) OR r.product_id IN ({products}))",
        [*batch_ids, *product_ids, *batch_ids, *product_ids])
    return _with_dates(_corrections(rows), "started_at")


async def _samplings(producers: list[str], lots: list[str]) -> list[dict]:
    rows = await fetch_dicts(
        "SELECT sample_id, enterprise_uscc, product_name, lot, sampled_at, result, failed_items,"
        " authority, report_no, correction FROM sampling "
        f"WHERE enterprise_uscc IN ({placeholders(len(producers))}) "
        f"AND lot IN ({placeholders(len(lots))})", [*producers, *lots])
    for s in rows:
        s["failed_items"] = as_json(s["failed_items"], [])
    return _with_dates(_corrections(rows), "sampled_at")


async def _enforcements(uscc: str) -> list[dict]:
    rows = await fetch_dicts("SELECT case_no, decided_at, violation, penalty, authority, "
                             "correction FROM enforcement WHERE enterprise_uscc = ? "
                             "ORDER BY decided_at DESC LIMIT 5", [uscc])
    return _with_dates(_corrections(rows), "decided_at")


def _corrections(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["correction"] = as_json(row["correction"], None)
    return rows


async def attach_notices(recalls: list[dict]) -> int:
    """Give each recall row the recall notices naming it (``notices``): one more statement,
    only when there are recalls. Returns the number of statements."""
    if not recalls:
        return 0
    found = await notices_naming({r["recall_id"] for r in recalls}, kind="recall")
    for r in recalls:
        r["notices"] = found.get(r["recall_id"], [])
    return 1


def _with_dates(rows: list[dict], name: str) -> list[dict]:
    for row in rows:
        row[name] = as_date(row[name])
    return rows


async def _product_rows(resolved: Resolved, depth: int) -> ViewRows:
    """Product level (retail barcode, or a GS1 code whose lot is unknown)."""
    product_id = resolved.row["product_id"]
    recent = await fetch_dicts(
        "SELECT batch_id, lot, produced_at, expires_at, quantity, unit "
        "FROM batch WHERE product_id = ? ORDER BY produced_at DESC, batch_id LIMIT 5", [product_id])
    ids = [b["batch_id"] for b in recent] or [""]
    recalls = await fetch_dicts(
        "SELECT DISTINCT r.recall_id, r.level, r.reason, r.started_at, r.status, r.product_id, "
        "r.correction FROM recall r "
        "LEFT JOIN recall_batch rb ON rb.recall_id = r.recall_id "
        f"WHERE r.product_id = ? OR rb.batch_id IN ({placeholders(len(ids))})",
        [product_id, *ids])
    notice_queries = await attach_notices(recalls)
    enforcements = await _enforcements(resolved.row["uscc"])
    return ViewRows(resolved=resolved, depth=depth,
                    recent_batches=tuple(decode_batch(b) for b in recent),
                    recalls=tuple(_with_dates(_corrections(recalls), "started_at")),
                    enforcements=tuple(enforcements), queries=resolved.queries + 3 + notice_queries)


async def _related(row: dict, events: list[dict]) -> list[dict] | None:
    """Events of batches with a failed inspection that were in the scanned batch's cold
    stores or vehicles around its time there; None when no query was needed (not cold
    chain, or never in a store or vehicle)."""
    if not coldchain.is_cold_chain(row.get("storage_class"), row.get("storage")):
        return None
    wanted = related.lookup(related.stays(apply_corrections(events)))
    if wanted is None:
        return None
    near, params = _near(wanted)
    rows = await fetch_dicts(
        f"WITH near(batch_id) AS ({near}), failed(batch_id) AS ("
        "SELECT DISTINCT f.batch_id FROM event f JOIN near n ON n.batch_id = f.batch_id "
        f"WHERE {detail_sql('f', 'inspection', 'result')} = 'fail' AND f.batch_id <> ?) "
        "SELECT ev.batch_id, ev.event_id, ev.seq, ev.kind, ev.occurred_at, ev.place_uscc, "
        "ev.detail, ev.corrects, pe.name AS place_name, b.lot, p.name AS p_name "
        "FROM event ev JOIN failed x ON x.batch_id = ev.batch_id "
        "JOIN batch b ON b.batch_id = ev.batch_id JOIN product p ON p.product_id = b.product_id "
        "LEFT JOIN enterprise pe ON pe.uscc = ev.place_uscc ORDER BY ev.batch_id, ev.seq",
        [*params, row["batch_id"]])
    for ev in rows:
        ev["occurred_at"] = as_moment(ev["occurred_at"])
        ev["detail"] = as_json(ev["detail"], {})
    return rows


def _near(wanted: related.Lookup) -> tuple[str, list]:
    """The batches with an event at the stores or in the vehicles of ``wanted`` in its time
    range (the partial indexes of migration 0009 serve both parts)."""
    parts, params = [], []
    for column, keys in (("o.kind IN ('storage_in', 'storage_out') AND o.place_uscc",
                          wanted.stores),
                         (detail_sql("o", "vehicle", "plate"), wanted.plates)):
        if not keys:
            continue
        until = "" if wanted.end is None else " AND o.occurred_at <= ?"
        parts.append(f"SELECT o.batch_id FROM event o WHERE {column} IN "
                     f"({placeholders(len(keys))}) AND o.occurred_at >= ?{until}")
        params += [*keys, instant_param(wanted.start)]
        params += [] if wanted.end is None else [instant_param(wanted.end)]
    return " UNION ".join(parts), params

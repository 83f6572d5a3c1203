"""The public trace view of a scanned code, read with a fixed small number of queries.

:func:`resolve` finds what a :class:`~tracing.codes.parse.ParsedCode` names, falling back up the
tree like a GS1 resolver (serial → lot → product, saying so); unknown codes raise
``code_not_found`` (404), withdrawn ones ``code_withdrawn`` (410).
:func:`assemble` builds the view. Queries for a batch-level code, whatever the depth:

1. the code (or its alias from another region) with its batch, product and producer;
2. the input tree: one recursive query over ``event_input`` joined to batches, products and
   producers, bounded by ``settings.trace_depth``;
3. the events of the batch and every input batch, with the names of their places;
4. recalls naming any of those batches or products;
5. sampling results of those producers for those lots;
6. the producer's latest enforcement decisions.

What the view shows is decided in :mod:`tracing.view.rules` (pure).
"""

from __future__ import annotations

import sqlite3
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import orjson
from tortoise import connections

from core.errors import Gone, NotFound
from tracing.view import masking, rules
from tracing.codes.parse import ParsedCode

NOT_FOUND = ("这个码不在追溯平台的记录中。如果它印在食品包装上，可能是仿冒产品，"
             "请保留包装并通过12315举报。 This code is not on record; if it is printed on a "
             "food pack it may be fake: keep the pack and report it.")
WITHDRAWN = ("这个码已被发码方作废，印有它的包装不应在售。如您买到，请通过12315举报。 This code "
             "was withdrawn by its issuer; report the pack if you bought it.")

_CODE_COLS = "c.code, c.level, c.serial, c.issuer, c.status AS code_status"
_BATCH_COLS = ("b.batch_id, b.lot, b.produced_at, b.expires_at, b.quantity, b.unit, "
               "p.product_id, p.name AS p_name, p.gtin, p.brand, p.spec, p.category, "
               "p.standard, p.ingredients, p.shelf_life_days, p.storage, "
               "e.uscc, e.name AS e_name, e.kind AS e_kind, e.licence_no, "
               "e.licence_valid_until, e.address, e.division_code, e.lat, e.lng, "
               "e.risk_grade, e.status AS e_status, e.public_phone")
_JOINS = ("JOIN product p ON p.product_id = b.product_id "
          "JOIN enterprise e ON e.uscc = p.enterprise_uscc")


@dataclass
class Resolved:
    """What a scan names: a code (batch, case or item level), a lot or a product."""

    level: str  # batch | case | item | product
    subject: str  # the key scans of this thing are counted under
    row: dict  # batch, product and producer columns (product columns only for level product)
    code: dict | None = None  # code, level, serial, issuer
    alias: dict | None = None  # {"alias", "issuer"} when scanned through another region's code
    fallback: dict | None = None  # {"from", "to", "message"} when a lower level was unknown
    queries: int = 0


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


# ------------------------------------------------------------------ SQL helpers

def _conn():
    return connections.get("default")


def _sql(conn, sql: str) -> str:
    if conn.capabilities.dialect != "postgres":
        return sql
    parts = sql.split("?")
    return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, 1))


async def _rows(sql: str, params: list) -> list[dict]:
    """Every statement of a view goes through here (fresh dicts, ours to change)."""
    conn = _conn()
    reader = _sqlite_reader(conn)
    if reader is not None:
        cursor = reader.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    return await conn.execute_query_dict(_sql(conn, sql), params)


_readers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sqlite_reader(conn) -> sqlite3.Connection | None:
    """On SQLite, a connection of this process for the view's reads, on the event-loop thread.

    Through Tortoise each of a view's queries hops to aiosqlite's thread and back (a queue,
    a future, a self-pipe wake-up: about as much CPU as the indexed query itself). In WAL mode
    a separate reader sees every committed write and never waits for the writer; each
    statement reads in its own transaction, as Tortoise's autocommit reads did. ``None`` on
    PostgreSQL or an in-memory database. One reader per Tortoise client (dropped with it).
    """
    reader = _readers.get(conn)
    if reader is None:
        path = getattr(conn, "filename", None)
        if conn.capabilities.dialect != "sqlite" or not path or path == ":memory:":
            return None
        reader = sqlite3.connect(path, timeout=10, isolation_level=None)
        _readers[conn] = reader
    return reader


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    if isinstance(value, (bytes, str)):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return default
    return value


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ------------------------------------------------------------------ resolution

async def resolve(parsed: ParsedCode) -> Resolved:
    """What ``parsed`` names; raise ``code_not_found`` or ``code_withdrawn``."""
    if parsed.code is not None:
        return await _resolve_code(parsed.code)
    return await _resolve_gs1(parsed)


async def _resolve_code(code: str) -> Resolved:
    rows = await _rows(
        f"SELECT {_CODE_COLS}, {_BATCH_COLS}, "
        "(SELECT a.issuer FROM code_alias a WHERE a.alias = ? AND a.code = c.code) AS a_issuer "
        f"FROM trace_code c JOIN batch b ON b.batch_id = c.batch_id {_JOINS} "
        "WHERE c.code IN (?, (SELECT a.code FROM code_alias a WHERE a.alias = ?)) "
        "ORDER BY CASE WHEN c.code = ? THEN 0 ELSE 1 END LIMIT 1", [code, code, code, code])
    if not rows:
        raise NotFound(NOT_FOUND, field="code", code="code_not_found")
    row = rows[0]
    if row["code_status"] == "withdrawn":
        raise Gone(WITHDRAWN, field="code", code="code_withdrawn")
    alias = None
    if row["code"] != code:
        alias = {"alias": code, "issuer": row["a_issuer"]}
    return Resolved(level=row["level"] or "batch", subject=row["code"], row=row,
                    code={k: row[k] for k in ("code", "level", "serial", "issuer")},
                    alias=alias, queries=1)


async def _resolve_gs1(parsed: ParsedCode) -> Resolved:
    gtin, queries, fallback = parsed.gtin, 0, None
    if parsed.serial is not None:
        lot_filter, params = ("AND b.lot = ? ", [parsed.lot]) if parsed.lot else ("", [])
        rows = await _rows(
            f"SELECT {_CODE_COLS}, {_BATCH_COLS} FROM trace_code c "
            f"JOIN batch b ON b.batch_id = c.batch_id {_JOINS} "
            f"WHERE p.gtin14 = ? AND c.serial = ? {lot_filter}LIMIT 2",
            [gtin, parsed.serial, *params])
        queries += 1
        if len(rows) == 1:
            row = rows[0]
            if row["code_status"] == "withdrawn":
                raise Gone(WITHDRAWN, field="code", code="code_withdrawn")
            return Resolved(level=row["level"] or "item", subject=row["code"], row=row,
                            code={k: row[k] for k in ("code", "level", "serial", "issuer")},
                            queries=queries)
        fallback = {"from": "serial", "serial": parsed.serial}
    if parsed.lot is not None:
        rows = await _rows(
            f"SELECT {_BATCH_COLS} FROM batch b {_JOINS} WHERE p.gtin14 = ? AND b.lot = ? "
            "ORDER BY b.produced_at DESC LIMIT 1", [gtin, parsed.lot])
        queries += 1
        if rows:
            if fallback:
                fallback.update(to="lot", message=(
                    f"序列号 {parsed.serial} 未登记，以下是批号 {parsed.lot} 的追溯信息。 "
                    f"Serial {parsed.serial} is not on record; showing lot {parsed.lot}."))
            return Resolved(level="batch", subject=f"01/{gtin}/10/{parsed.lot}", row=rows[0],
                            fallback=fallback, queries=queries)
        fallback = {"from": "lot" if not fallback else "serial", "lot": parsed.lot,
                    **(fallback or {})}
    rows = await _rows(
        "SELECT p.product_id, p.name AS p_name, p.gtin, p.brand, p.spec, p.category, "
        "p.standard, p.ingredients, p.shelf_life_days, p.storage, e.uscc, e.name AS e_name, "
        "e.kind AS e_kind, e.licence_no, e.licence_valid_until, e.address, e.division_code, "
        "e.lat, e.lng, e.risk_grade, e.status AS e_status, e.public_phone "
        "FROM product p JOIN enterprise e ON e.uscc = p.enterprise_uscc WHERE p.gtin14 = ? "
        "ORDER BY p.product_id LIMIT 1", [gtin])
    queries += 1
    if not rows:
        raise NotFound(NOT_FOUND, field="code", code="code_not_found")
    if fallback:
        what = f"批号 {parsed.lot}" if parsed.lot else f"序列号 {parsed.serial}"
        fallback.update(to="product", message=(
            f"{what} 未登记，以下是该商品（GTIN {gtin}）的信息，无法确认具体批次。 "
            f"{'Lot ' + parsed.lot if parsed.lot else 'Serial ' + str(parsed.serial)} is not "
            "on record; showing the product, the batch cannot be confirmed."))
    return Resolved(level="product", subject=f"01/{gtin}", row=rows[0], fallback=fallback,
                    queries=queries)


# ------------------------------------------------------------------ assembly

def _product(row: dict) -> dict:
    return {"product_id": row["product_id"], "name": row["p_name"], "gtin": row.get("gtin"),
            "brand": row.get("brand"), "spec": row.get("spec"), "category": row.get("category"),
            "standard": row.get("standard"), "ingredients": _json(row.get("ingredients"), []),
            "shelf_life_days": row.get("shelf_life_days"), "storage": row.get("storage")}


def _enterprise(row: dict, enforcements: list[dict] | None = None) -> dict:
    out = {"uscc": row["uscc"], "name": row["e_name"], "kind": row.get("e_kind"),
           "status": row.get("e_status"), "licence_no": row.get("licence_no"),
           "licence_valid_until": rules.iso_date(_date(row.get("licence_valid_until"))),
           "address": row.get("address"), "division_code": row.get("division_code"),
           "lat": row.get("lat"), "lng": row.get("lng"), "risk_grade": row.get("risk_grade"),
           "public_phone": row.get("public_phone")}
    if enforcements is not None:
        out["enforcements"] = enforcements
    return out


def _batch(row: dict) -> dict:
    return {"batch_id": row["batch_id"], "lot": row["lot"],
            "produced_at": rules.iso_date(_date(row["produced_at"])),
            "expires_at": rules.iso_date(_date(row.get("expires_at"))),
            "quantity": row.get("quantity"), "unit": row.get("unit")}


def _enterprise_alert_row(row: dict) -> dict:
    return {"uscc": row["uscc"], "name": row["e_name"], "status": row.get("e_status"),
            "licence_valid_until": _date(row.get("licence_valid_until"))}


async def assemble(resolved: Resolved, *, depth: int, today: date, limits: rules.Limits) -> View:
    """The view of a resolved code: body, static alerts and status, cache tags."""
    if resolved.level == "product":
        return await _assemble_product(resolved, today=today, limits=limits)
    row = resolved.row
    queries = resolved.queries
    tree = []
    if depth > 0:
        tree = await _rows(
            "WITH RECURSIVE tree(parent, batch_id, depth) AS ("
            " SELECT output_batch_id, input_batch_id, 1 FROM event_input"
            " WHERE output_batch_id = ?"
            " UNION SELECT ei.output_batch_id, ei.input_batch_id, t.depth + 1"
            " FROM event_input ei JOIN tree t ON ei.output_batch_id = t.batch_id"
            " WHERE t.depth < ?) "
            f"SELECT t.parent, t.depth, {_BATCH_COLS} FROM tree t "
            f"JOIN batch b ON b.batch_id = t.batch_id {_JOINS}", [row["batch_id"], depth])
        queries += 1
    batches = {row["batch_id"]: row}
    for node in tree:
        batches.setdefault(node["batch_id"], node)
    ids = list(batches)
    event_rows = await _rows(
        "SELECT ev.event_id, ev.batch_id, ev.seq, ev.kind, ev.occurred_at, ev.place_uscc, "
        "ev.place, ev.actor, ev.quantity, ev.unit, ev.inputs, ev.detail, ev.corrects, "
        "pe.name AS place_name, pe.division_code AS place_division FROM event ev "
        "LEFT JOIN enterprise pe ON pe.uscc = ev.place_uscc "
        f"WHERE ev.batch_id IN ({_marks(len(ids))}) ORDER BY ev.batch_id, ev.seq", ids)
    products = list({b["product_id"] for b in batches.values()})
    # The second condition repeats the first on ``recall`` alone, so both databases can
    # look recalls up by index (an OR across the two joined tables scans every recall).
    recalls = await _rows(
        "SELECT r.recall_id, r.level, r.reason, r.started_at, r.status, r.product_id, "
        "rb.batch_id FROM recall r LEFT JOIN recall_batch rb ON rb.recall_id = r.recall_id "
        f"WHERE (rb.batch_id IN ({_marks(len(ids))}) OR r.product_id IN "
        f"({_marks(len(products))})) AND (r.recall_id IN (SELECT recall_id FROM recall_batch "
        f"WHERE batch_id IN ({_marks(len(ids))})) OR r.product_id IN "
        f"({_marks(len(products))}))", [*ids, *products, *ids, *products])
    producers = list({b["uscc"] for b in batches.values()})
    lots = list({b["lot"] for b in batches.values()})
    samplings = await _rows(
        "SELECT sample_id, enterprise_uscc, product_name, lot, sampled_at, result, failed_items,"
        " authority, report_no FROM sampling "
        f"WHERE enterprise_uscc IN ({_marks(len(producers))}) AND lot IN ({_marks(len(lots))})",
        [*producers, *lots])
    enforcements = await _enforcements(row["uscc"])
    queries += 4  # events, recalls, samplings, enforcements
    events_of: dict[str, list[dict]] = {}
    for ev in event_rows:
        ev["occurred_at"] = _moment(ev["occurred_at"])
        for name, default in (("place", None), ("inputs", []), ("detail", {})):
            ev[name] = _json(ev[name], default)
        events_of.setdefault(ev["batch_id"], []).append(ev)
    shown = {bid: rules.apply_corrections(evs) for bid, evs in events_of.items()}
    for s in samplings:
        s["failed_items"] = _json(s["failed_items"], [])
        s["sampled_at"] = _date(s["sampled_at"])
    for r in recalls:
        r["started_at"] = _date(r["started_at"])

    def samplings_of(b: dict) -> list[dict]:
        return [s for s in samplings if s["enterprise_uscc"] == b["uscc"] and s["lot"] == b["lot"]
                and _same_product(s["product_name"], b["p_name"])]

    def recalls_of(b: dict) -> list[dict]:
        seen, out = set(), []
        for r in recalls:
            hit = r["batch_id"] == b["batch_id"] or r["product_id"] == b["product_id"]
            if hit and r["recall_id"] not in seen:
                seen.add(r["recall_id"])
                out.append(r)
        return out

    own_events = shown.get(row["batch_id"], [])
    own_samplings = samplings_of(row)
    alerts = (rules.recall_alerts(recalls_of(row))
              + rules.expiry_alerts(_date(row.get("expires_at")), today, limits)
              + rules.sampling_alerts(own_samplings, own=True)
              + rules.excursion_alerts(rules.excursions(own_events, rules.temperature_limit(
                  row.get("storage"), limits)), own=True)
              + rules.licence_alerts(_enterprise_alert_row(row), today))
    tags = {f"batch:{row['batch_id']}", f"product:{row['product_id']}",
            f"enterprise:{row['uscc']}"}
    if resolved.code:
        tags.add(f"code:{resolved.code['code']}")
    if resolved.alias:
        tags.add(f"code:{resolved.alias['alias']}")
    certs = rules.certificates(own_events, row["batch_id"])
    if row.get("licence_no"):
        certs.insert(0, {"kind": "licence", "number": row["licence_no"], "issuer": None,
                         "valid_until": rules.iso_date(_date(row.get("licence_valid_until"))),
                         "uscc": row["uscc"]})
    tree_children: dict[str, list[str]] = {}
    for node in tree:
        tree_children.setdefault(node["parent"], [])
        if node["batch_id"] not in tree_children[node["parent"]]:
            tree_children[node["parent"]].append(node["batch_id"])

    def used_inputs(batch_id: str) -> list[str]:
        named = [i for ev in shown.get(batch_id, []) for i in ev.get("inputs") or ()]
        return [b for b in dict.fromkeys(named) if b in tree_children.get(batch_id, ())]

    def input_view(batch_id: str, level: int, path: tuple[str, ...]) -> dict:
        b = batches[batch_id]
        evs = shown.get(batch_id, [])
        label = f"{b['p_name']}（批号{b['lot']}）"
        sub_alerts = (rules.recall_alerts(recalls_of(b))
                      + rules.sampling_alerts(samplings_of(b), own=False, batch_label=label)
                      + rules.excursion_alerts(rules.excursions(evs, rules.temperature_limit(
                          b.get("storage"), limits)), own=False, batch_label=label))
        alerts.extend(a for a in sub_alerts if a["kind"] != "recall_completed")
        tags.update({f"batch:{batch_id}", f"product:{b['product_id']}",
                     f"enterprise:{b['uscc']}"})
        tags.update(f"enterprise:{e['place_uscc']}" for e in evs if e.get("place_uscc"))
        certs.extend(rules.certificates(evs, batch_id))
        children = [] if level >= depth else [
            input_view(c, level + 1, path + (c,)) for c in used_inputs(batch_id)
            if c not in path]
        return {"batch": _batch(b), "product": {"product_id": b["product_id"],
                                                 "name": b["p_name"], "brand": b.get("brand"),
                                                 "category": b.get("category")},
                "producer": {"uscc": b["uscc"], "name": b["e_name"], "kind": b.get("e_kind"),
                             "division_code": b.get("division_code"),
                             "status": b.get("e_status")},
                "events": [rules.public_event(e, compact=True) for e in evs],
                "alerts": rules.sort_alerts(sub_alerts), "inputs": children}

    inputs = [input_view(c, 1, (row["batch_id"], c)) for c in used_inputs(row["batch_id"])]
    tags.update(f"enterprise:{e['place_uscc']}" for e in own_events if e.get("place_uscc"))
    alerts = rules.sort_alerts(alerts)
    body = {
        "code": resolved.code["code"] if resolved.code else None,
        "level": resolved.level,
        "resolved": _resolved_part(resolved),
        "product": _product(row),
        "batch": _batch(row),
        "enterprise": _enterprise(row, enforcements),
        "events": [rules.public_event(e) for e in own_events],
        "inputs": inputs,
        "certificates": certs,
        "inspections": {"sampling": [_sampling(s) for s in own_samplings],
                        "factory": [_inspection(e) for e in own_events
                                    if (e.get("detail") or {}).get("inspection")]},
    }
    return View(body=body, alerts=alerts, status=rules.status_of(alerts), tags=tags,
                subject=resolved.subject, level=resolved.level, quantity=row.get("quantity"),
                queries=queries)


async def _enforcements(uscc: str) -> list[dict]:
    rows = await _rows("SELECT case_no, decided_at, violation, penalty, authority "
                       "FROM enforcement WHERE enterprise_uscc = ? "
                       "ORDER BY decided_at DESC LIMIT 5", [uscc])
    return [{**r, "decided_at": rules.iso_date(_date(r["decided_at"])),
             "violation": masking.scrub(r["violation"]), "penalty": masking.scrub(r["penalty"])}
            for r in rows]


def _same_product(sampled_name: str | None, product_name: str) -> bool:
    return not sampled_name or sampled_name == product_name


def _sampling(s: dict) -> dict:
    return {"sample_id": s["sample_id"], "sampled_at": rules.iso_date(s["sampled_at"]),
            "result": s["result"], "failed_items": s["failed_items"],
            "authority": s["authority"], "report_no": s["report_no"]}


def _inspection(event: dict) -> dict:
    detail = masking.public_detail(event.get("detail"))
    return {"event_id": event["event_id"], "occurred_at": rules.local_iso(event["occurred_at"]),
            **detail["inspection"]}


def _resolved_part(resolved: Resolved) -> dict:
    out: dict[str, Any] = {"subject": resolved.subject}
    if resolved.code:
        out.update(serial=resolved.code.get("serial"), issuer=resolved.code.get("issuer"))
    if resolved.alias:
        out["alias"] = resolved.alias
    if resolved.fallback:
        out["fallback"] = resolved.fallback
    return out


async def _assemble_product(resolved: Resolved, *, today: date, limits: rules.Limits) -> View:
    """Product level (retail barcode, or a GS1 code whose lot is unknown): the product, its
    producer, its last five batches and any recall of the product or those batches."""
    row = resolved.row
    recent = await _rows("SELECT batch_id, lot, produced_at, expires_at, quantity, unit "
                         "FROM batch WHERE product_id = ? ORDER BY produced_at DESC LIMIT 5",
                         [row["product_id"]])
    ids = [b["batch_id"] for b in recent] or [""]
    recalls = await _rows(
        "SELECT DISTINCT r.recall_id, r.level, r.reason, r.started_at, r.status, r.product_id "
        "FROM recall r "
        "LEFT JOIN recall_batch rb ON rb.recall_id = r.recall_id "
        f"WHERE r.product_id = ? OR rb.batch_id IN ({_marks(len(ids))})",
        [row["product_id"], *ids])
    enforcements = await _enforcements(row["uscc"])
    for r in recalls:
        r["started_at"] = _date(r["started_at"])
    alerts = rules.recall_alerts(recalls) + rules.licence_alerts(_enterprise_alert_row(row), today)
    whole = {r["recall_id"] for r in recalls if r["product_id"] == row["product_id"]}
    for a in alerts:  # a product-level scan cannot tell which batch the pack is from
        if a["kind"] == "recall" and a["recall_id"] not in whole:
            a["severity"], a["kind"] = "high", "recall_of_some_batches"
            a["message"] = ("该商品有批次正在召回，请核对包装上的批号。 Some batches of this "
                            "product are recalled: check the lot on the pack.")
    alerts = rules.sort_alerts(alerts)
    body = {"code": None, "level": "product", "resolved": _resolved_part(resolved),
            "product": _product(row), "batch": None, "enterprise": _enterprise(row, enforcements),
            "recent_batches": [_batch(b) for b in recent],
            "events": [], "inputs": [], "certificates": [], "inspections": {}}
    tags = {f"product:{row['product_id']}", f"enterprise:{row['uscc']}",
            f"batches-of:{row['product_id']}",
            *(f"batch:{b['batch_id']}" for b in recent)}
    return View(body=body, alerts=alerts, status=rules.status_of(alerts), tags=tags,
                subject=resolved.subject, level="product", quantity=None,
                queries=resolved.queries + 3)

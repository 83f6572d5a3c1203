"""Forward tracing (顺向追踪): where a batch went.

From a batch, the batches that used it as an input (recursively, over ``event_input``, at most
``depth`` levels and :data:`MAX_BATCHES` batches) and, for it and each of them, the
enterprises that received it: the counterparty of a shipping event, the place of a receiving,
storage-in or sale event. Only enterprises are named, by their credit code: a counterparty or
place without one may be a natural person and is only counted (``unnamed``). Corrections are
applied to events first, so a corrected shipment goes where the correction says.

:func:`sold_to_sentence` says it in one line for a recall notice: 该批次销往……
"""

from __future__ import annotations

from core.errors import InvalidInput, NotFound
from core.i18n import T, join
from profiles import sql
from tracing.codes.identifiers import IdentifierError, validate_uscc
from tracing.view import rules

MAX_DEPTH = 10
MAX_BATCHES = 500
RECEIVING_KINDS = ("shipping", "receiving", "storage_in", "sale")
_BATCH = ("b.batch_id, b.lot, b.produced_at, b.product_id, p.name AS product_name, "
          "p.enterprise_uscc AS producer_uscc, e.name AS producer_name")
_JOINS = ("JOIN product p ON p.product_id = b.product_id "
          "JOIN enterprise e ON e.uscc = p.enterprise_uscc")


def check_batch_id(raw: str) -> str:
    """A batch key as the exchange allows it (1–128 printable characters)."""
    if not raw or len(raw) > 128 or not raw.isprintable():
        raise InvalidInput(T("批次编号须为 1–128 个可打印字符"), field="batch_id",
                           code="batch_id_malformed")
    return raw


async def batch_row(batch_id: str) -> dict:
    found = await sql.rows(f"SELECT {_BATCH} FROM batch b {_JOINS} WHERE b.batch_id = ?",
                           [check_batch_id(batch_id)])
    if not found:
        raise NotFound(T("平台上没有批次 {batch_id}",
                         batch_id=batch_id), field="batch_id", code="batch_not_found")
    return found[0]


async def downstream_batches(batch_id: str, *, depth: int = MAX_DEPTH,
                             limit: int = MAX_BATCHES) -> list[dict]:
    """Batches that used ``batch_id`` as an input, directly or not: one row each (its
    shallowest place in the tree), with ``parent`` and ``depth``."""
    found = await sql.rows(
        "WITH RECURSIVE fwd(parent, batch_id, depth) AS ("
        " SELECT input_batch_id, output_batch_id, 1 FROM event_input WHERE input_batch_id = ?"
        " UNION SELECT ei.input_batch_id, ei.output_batch_id, f.depth + 1"
        " FROM event_input ei JOIN fwd f ON ei.input_batch_id = f.batch_id"
        " WHERE f.depth < ?) "
        f"SELECT f.parent, f.depth, {_BATCH} FROM fwd f "
        f"JOIN batch b ON b.batch_id = f.batch_id {_JOINS} "
        "ORDER BY f.depth, b.batch_id LIMIT ?", [batch_id, depth, limit * 4])
    seen: dict[str, dict] = {}
    for row in found:
        if row["batch_id"] != batch_id and row["batch_id"] not in seen:
            seen[row["batch_id"]] = row
    return list(seen.values())[:limit]


def _valid_uscc(value: object) -> str | None:
    try:
        return validate_uscc(value) if isinstance(value, str) else None
    except IdentifierError:
        return None


def receiver_of(event: dict) -> str | None:
    """The credit code of who received the goods in ``event`` (None: nobody, or no enterprise)."""
    if event["kind"] == "shipping":
        counterparty = (event.get("detail") or {}).get("counterparty") or {}
        return _valid_uscc(counterparty.get("uscc"))
    return _valid_uscc(event.get("place_uscc"))


async def receivers(batch_ids: list[str], producers: dict[str, str]) -> dict[str, dict]:
    """For each batch, ``{"items": [enterprise...], "unnamed": n}``: who received it."""
    events: dict[str, list[dict]] = {}
    async for row in sql.rows_in(
            "SELECT event_id, batch_id, seq, kind, occurred_at, place_uscc, place, actor, "
            "quantity, unit, inputs, detail, corrects FROM event "
            "WHERE batch_id IN ({keys}) ORDER BY batch_id, seq", batch_ids):
        row["detail"] = sql.json(row["detail"], {})
        row["occurred_at"] = sql.instant(row["occurred_at"])
        events.setdefault(row["batch_id"], []).append(row)
    out: dict[str, dict] = {b: {"items": [], "unnamed": 0} for b in batch_ids}
    wanted: set[str] = set()
    for batch_id, rows in events.items():
        firsts: dict[str, dict] = {}
        for event in rules.apply_corrections(rows):
            if event["kind"] not in RECEIVING_KINDS:
                continue
            uscc = receiver_of(event)
            if uscc is None:
                out[batch_id]["unnamed"] += 1
            elif uscc != producers.get(batch_id):
                hit = firsts.setdefault(uscc, {"uscc": uscc, "first_at": event["occurred_at"],
                                               "via": []})
                hit["via"] = sorted({*hit["via"], event["kind"]})
                wanted.add(uscc)
        out[batch_id]["items"] = list(firsts.values())
    await _name(out, wanted)
    return out


async def _name(out: dict[str, dict], usccs: set[str]) -> None:
    """Names, kinds and districts of the receivers, from the enterprise table."""
    known = {r["uscc"]: r async for r in sql.rows_in(
        "SELECT uscc, name, kind, division_code FROM enterprise WHERE uscc IN ({keys})", usccs)}
    for part in out.values():
        for item in part["items"]:
            row = known.get(item["uscc"], {})
            item.update(name=row.get("name"), kind=row.get("kind"),
                        division_code=row.get("division_code"),
                        first_at=rules.local_iso(item["first_at"]))
        part["items"].sort(key=lambda i: (i["first_at"] or "", i["uscc"]))


def _batch_part(row: dict) -> dict:
    return {"batch_id": row["batch_id"], "lot": row["lot"],
            "produced_at": sql.day(row["produced_at"]).isoformat(),
            "product": {"product_id": row["product_id"], "name": row["product_name"]},
            "producer": {"uscc": row["producer_uscc"], "name": row["producer_name"]}}


async def downstream(batch_id: str, *, depth: int = MAX_DEPTH) -> dict:
    """Where a batch went: its receivers, the batches made from it and theirs."""
    root = await batch_row(batch_id)
    made = await downstream_batches(root["batch_id"], depth=depth)
    producers = {r["batch_id"]: r["producer_uscc"] for r in [root, *made]}
    got = await receivers(list(producers), producers)
    used_in = [{**_batch_part(r), "parent": r["parent"], "depth": r["depth"],
                "receivers": got[r["batch_id"]]["items"],
                "unnamed_receivers": got[r["batch_id"]]["unnamed"]} for r in made]
    sold_to: dict[str, dict] = {}
    for part in [got[root["batch_id"]]["items"], *(u["receivers"] for u in used_in)]:
        for item in part:
            sold_to.setdefault(item["uscc"], {k: item[k] for k in ("uscc", "name", "kind",
                                                                    "division_code")})
    answer = {"batch": _batch_part(root), "receivers": got[root["batch_id"]]["items"],
              "unnamed_receivers": got[root["batch_id"]]["unnamed"], "used_in": used_in,
              "sold_to": list(sold_to.values()), "truncated": len(made) >= MAX_BATCHES}
    answer["summary"] = sold_to_sentence(answer)
    return answer


def sold_to_sentence(answer: dict) -> str:
    """``该批次销往：甲、乙；用作原料生产了：丙（批号L1）。`` (or that nothing is on record)."""
    names = [s["name"] or s["uscc"] for s in answer["sold_to"]]
    made = [T("{product}（批号{lot}）", product=u["product"]["name"], lot=u["lot"])
            for u in answer["used_in"]]
    parts = []
    if names:
        shown = join(names[:20], "、")
        parts.append(T("该批次销往：{names}等{n}家", names=shown, n=len(names))
                     if len(names) > 20 else T("该批次销往：{names}", names=shown))
    if made:
        shown = join(made[:20], "、")
        parts.append(T("用作原料生产了：{batches}等{n}个批次", batches=shown, n=len(made))
                     if len(made) > 20 else T("用作原料生产了：{batches}", batches=shown))
    return T("{parts}。", parts=join(parts, "；")) if parts else T("平台上没有该批次的去向记录。")

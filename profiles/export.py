"""The regulator's trace export (FSMA 204's "electronic sortable spreadsheet"): every event of
the matching batches and of the batches linked to them through inputs, backward (what they
were made from) and forward (what was made from them), one row per event with its key data
elements. Written as CSV or XLSX by :mod:`profiles.export_formats`.

Matching: ``product_id`` with a production-date range ``from``/``to`` (days, both included),
or ``lot`` (optionally with ``product_id``). An answer covers at most
``settings.export_page_batches`` matching batches, in production order; when more match, it
says where the next page starts (``next_cursor``) and the caller asks again: a ten-year range
is many pages, never one answer held in memory. Rows are read and written in chunks
(:data:`CHUNK` batches), so memory stays flat whatever a page holds.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import orjson

from core.errors import InvalidInput
from core.i18n import T
from profiles import sql
from profiles.staff import StaffIdentity

MAX_DEPTH = 10
CHUNK = 500
KIND_LABELS = {
    "raw_material_intake": "原料进货", "production": "生产加工", "inspection": "检验",
    "storage_in": "入库", "storage_out": "出库", "shipping": "发货运输", "receiving": "收货",
    "sale": "销售", "import_clearance": "进口通关", "recall": "召回", "destruction": "销毁",
}


@dataclass(frozen=True)
class ExportQuery:
    product_id: str | None
    first: date | None
    last: date | None
    lot: str | None
    after: tuple[date, str] | None  # the last matching batch of the previous page
    page: int

    def describe(self) -> str:
        """A file name part (ASCII): what was asked."""
        if self.lot:
            return "lot-" + "".join(c if c.isalnum() else "_" for c in self.lot)[:40]
        return f"{_ascii(self.product_id)}-{self.first}-{self.last}"


def _ascii(text: str | None) -> str:
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in text or "")[:40]


def _day(raw: str | None, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(T("{field} 须为日期，如 2026-10-01", field=field), field=field,
                           code="invalid_date") from None


def _key(raw: str | None, field: str) -> str | None:
    if raw is None or raw == "":
        return None
    if len(raw) > 128 or not raw.isprintable():
        raise InvalidInput(T("{field} 须为 1–128 个可打印字符",
                             field=field), field=field, code="invalid_key")
    return raw


def parse_cursor(raw: str | None) -> tuple[date, str] | None:
    if not raw:
        return None
    try:
        day, batch_id = orjson.loads(base64.urlsafe_b64decode(raw.encode() + b"=="))
        return date.fromisoformat(day), str(batch_id)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise InvalidInput(T("cursor 无效；请使用上一页返回的 next_cursor"), field="cursor",
                           code="invalid_cursor") from None


def make_cursor(batch: dict) -> str:
    raw = orjson.dumps([sql.day(batch["produced_at"]).isoformat(), batch["batch_id"]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_query(params: dict[str, str], *, page: int) -> ExportQuery:
    """The export asked for, or 400 naming the field."""
    product_id, lot = _key(params.get("product_id"), "product_id"), _key(params.get("lot"), "lot")
    first, last = _day(params.get("from"), "from"), _day(params.get("to"), "to")
    if lot is None:
        if product_id is None or first is None or last is None:
            raise InvalidInput(T("请指定 product_id 和生产日期范围 from、to，或指定批号 lot"),
                               field="product_id", code="export_query_missing")
        if first > last:
            raise InvalidInput(T("from 不能晚于 to"), field="from", code="invalid_range")
    return ExportQuery(product_id, first, last, lot, parse_cursor(params.get("cursor")), page)


_IN_DIVISION = ("product_id IN (SELECT p.product_id FROM product p JOIN enterprise e "
                "ON e.uscc = p.enterprise_uscc WHERE e.division_code = ?)")


async def _check_product(query: ExportQuery, staff: StaffIdentity) -> None:
    """A handler asking for a product of another district's producer: 403."""
    if staff.district_only is None or query.product_id is None:
        return
    found = await sql.rows("SELECT e.division_code FROM product p JOIN enterprise e ON "
                           "e.uscc = p.enterprise_uscc WHERE p.product_id = ?",
                           [query.product_id])
    if found:
        staff.check_district(found[0]["division_code"],
                             what=T("产品 {product_id} 的生产企业", product_id=query.product_id))


async def matching_batches(query: ExportQuery, staff: StaffIdentity
                           ) -> tuple[list[dict], str | None]:
    """One page of matching batches in production order, and the next page's cursor.

    A handler gets the batches of its district's producers only (403 when it names a
    product of another district); their inputs and what was made from them follow
    wherever they are, as a trace must."""
    await _check_product(query, staff)
    where, args = [], []
    if staff.district_only is not None:
        where.append(_IN_DIVISION)
        args.append(staff.district_only)
    if query.product_id:
        where.append("product_id = ?")
        args.append(query.product_id)
    if query.lot:
        where.append("lot = ?")
        args.append(query.lot)
    if query.first:
        where.append("produced_at >= ? AND produced_at <= ?")
        args += [query.first, query.last]
    if query.after:
        where.append("(produced_at > ? OR (produced_at = ? AND batch_id > ?))")
        args += [query.after[0], query.after[0], query.after[1]]
    found = await sql.rows(
        f"SELECT batch_id, produced_at FROM batch WHERE {' AND '.join(where)} "
        "ORDER BY produced_at, batch_id LIMIT ?", [*args, query.page + 1])
    more = len(found) > query.page
    page = found[:query.page]
    return page, make_cursor(page[-1]) if more else None


async def _walk(start: list[str], *, forward: bool, seen: dict[str, int], sign: int) -> None:
    """Batches linked to ``start`` through inputs, level by level (``seen``: batch -> depth,
    negative upstream, positive downstream; a batch keeps the first depth it was seen at)."""
    frontier = start
    here, there = ("input_batch_id", "output_batch_id") if forward else (
        "output_batch_id", "input_batch_id")
    for level in range(1, MAX_DEPTH + 1):
        found = {row["linked"] async for row in sql.rows_in(
            f"SELECT DISTINCT {there} AS linked FROM event_input WHERE {here} IN ({{keys}})",
            frontier)}
        frontier = [b for b in sorted(found) if b not in seen]
        if not frontier:
            return
        for batch_id in frontier:
            seen[batch_id] = sign * level


async def related_batches(matched: list[str]) -> dict[str, int]:
    """The matched batches (depth 0), their inputs (negative depths), and what was made from
    them (positive depths), in that order."""
    seen = {batch_id: 0 for batch_id in matched}
    await _walk(matched, forward=False, seen=seen, sign=-1)
    await _walk(matched, forward=True, seen=seen, sign=1)
    return seen


_ROW_SQL = (
    "SELECT ev.event_id, ev.batch_id, ev.seq, ev.kind, ev.occurred_at, ev.place_uscc, "
    "ev.place, ev.quantity, ev.unit, ev.inputs, ev.detail, ev.corrects, ev.recorded_at, "
    "ev.hash, b.lot, b.produced_at, b.expires_at, p.product_id, p.name AS product_name, "
    "p.gtin, p.enterprise_uscc AS producer_uscc, e.name AS producer_name, "
    "pe.name AS place_name, pe.division_code AS place_division FROM event ev "
    "JOIN batch b ON b.batch_id = ev.batch_id JOIN product p ON p.product_id = b.product_id "
    "JOIN enterprise e ON e.uscc = p.enterprise_uscc "
    "LEFT JOIN enterprise pe ON pe.uscc = ev.place_uscc "
    "WHERE ev.batch_id IN ({keys}) ORDER BY ev.batch_id, ev.seq")


async def event_rows(related: dict[str, int]) -> AsyncIterator[list[dict]]:
    """Every event of the related batches, a chunk of batches at a time (matched batches
    first, then inputs, then downstream)."""
    order = sorted(related, key=lambda b: (0 if related[b] == 0 else 1 if related[b] < 0
                                           else 2, abs(related[b])))
    for start in range(0, len(order), CHUNK):
        chunk = order[start:start + CHUNK]
        rows = await sql.rows(_ROW_SQL.format(keys=sql.marks(len(chunk))), chunk)
        rank = {b: i for i, b in enumerate(chunk)}
        rows.sort(key=lambda r: (rank[r["batch_id"]], r["seq"]))
        for row in rows:
            row["depth"] = related[row["batch_id"]]
        yield rows

"""What a scanned code names: a code, a lot or a product, read with one to three queries.

:func:`resolve` finds what a :class:`~tracing.codes.parse.ParsedCode` names, falling back up the
tree like a GS1 resolver (serial → lot → product, saying so); unknown codes raise
``code_not_found`` (404), withdrawn ones ``code_withdrawn`` (410).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Gone, NotFound
from core.i18n import T
from tracing.codes.parse import ParsedCode
from tracing.view.sql import (
    BATCH_COLUMNS,
    BATCH_JOINS,
    CODE_COLUMNS,
    PRODUCT_COLUMNS,
    decode_batch,
    fetch_dicts,
)

NOT_FOUND = T("这个码不在追溯平台的记录中。如果它印在食品包装上，可能是仿冒产品，"
              "请保留包装并通过12315举报。")
WITHDRAWN = T("这个码已被发码方作废，印有它的包装不应在售。如您买到，请通过12315举报。")
CODE_FIELDS = ("code", "level", "serial", "issuer")


@dataclass(frozen=True)
class Resolved:
    """What a scan names: a code (batch, case or item level), a lot or a product."""

    level: str  # batch | case | item | product
    subject: str  # the key scans of this thing are counted under
    row: dict  # batch, product and producer columns (product columns only for level product)
    code: dict | None = None  # code, level, serial, issuer
    alias: dict | None = None  # {"alias", "issuer"} when scanned through another region's code
    fallback: dict | None = None  # {"from", "to", "message"} when a lower level was unknown
    queries: int = 0


async def resolve(parsed: ParsedCode) -> Resolved:
    """What ``parsed`` names; raise ``code_not_found`` or ``code_withdrawn``."""
    if parsed.code is not None:
        return await _resolve_code(parsed.code)
    return await _resolve_gs1(parsed)


def _not_withdrawn(row: dict) -> dict:
    if row["code_status"] == "withdrawn":
        raise Gone(WITHDRAWN, field="code", code="code_withdrawn")
    return decode_batch(row)


async def _resolve_code(code: str) -> Resolved:
    rows = await fetch_dicts(
        f"SELECT {CODE_COLUMNS}, {BATCH_COLUMNS}, "
        "(SELECT a.issuer FROM code_alias a WHERE a.alias = ? AND a.code = c.code) AS a_issuer "
        f"FROM trace_code c JOIN batch b ON b.batch_id = c.batch_id {BATCH_JOINS} "
        "WHERE c.code IN (?, (SELECT a.code FROM code_alias a WHERE a.alias = ?)) "
        "ORDER BY CASE WHEN c.code = ? THEN 0 ELSE 1 END LIMIT 1", [code, code, code, code])
    if not rows:
        raise NotFound(NOT_FOUND, field="code", code="code_not_found")
    row = _not_withdrawn(rows[0])
    alias = None
    if row["code"] != code:
        alias = {"alias": code, "issuer": row["a_issuer"]}
    return Resolved(level=row["level"] or "batch", subject=row["code"], row=row,
                    code={k: row[k] for k in CODE_FIELDS}, alias=alias, queries=1)


async def _resolve_gs1(parsed: ParsedCode) -> Resolved:
    queries, fallback = 0, None
    if parsed.serial is not None:
        found = await _resolve_serial(parsed)
        if found is not None:
            return found
        queries, fallback = 1, {"from": "serial", "serial": parsed.serial}
    if parsed.lot is not None:
        rows = await fetch_dicts(
            f"SELECT {BATCH_COLUMNS} FROM batch b {BATCH_JOINS} WHERE p.gtin14 = ? AND b.lot = ? "
            "ORDER BY b.produced_at DESC LIMIT 1", [parsed.gtin, parsed.lot])
        queries += 1
        if rows:
            return Resolved(level="batch", subject=f"01/{parsed.gtin}/10/{parsed.lot}",
                            row=decode_batch(rows[0]), fallback=_to_lot(fallback, parsed),
                            queries=queries)
        fallback = {"from": "lot" if not fallback else "serial", "lot": parsed.lot,
                    **(fallback or {})}
    return await _resolve_product(parsed, fallback, queries)


async def _resolve_serial(parsed: ParsedCode) -> Resolved | None:
    """The code with this serial (and lot, if given); None unless exactly one matches."""
    lot_filter, params = ("AND b.lot = ? ", [parsed.lot]) if parsed.lot else ("", [])
    rows = await fetch_dicts(
        f"SELECT {CODE_COLUMNS}, {BATCH_COLUMNS} FROM trace_code c "
        f"JOIN batch b ON b.batch_id = c.batch_id {BATCH_JOINS} "
        f"WHERE p.gtin14 = ? AND c.serial = ? {lot_filter}LIMIT 2",
        [parsed.gtin, parsed.serial, *params])
    if len(rows) != 1:
        return None
    row = _not_withdrawn(rows[0])
    return Resolved(level=row["level"] or "item", subject=row["code"], row=row,
                    code={k: row[k] for k in CODE_FIELDS}, queries=1)


def _to_lot(fallback: dict | None, parsed: ParsedCode) -> dict | None:
    if fallback:
        fallback.update(to="lot", message=(
            T("序列号 {serial} 未登记，以下是批号 {lot} 的追溯信息。", serial=parsed.serial,
              lot=parsed.lot)))
    return fallback


async def _resolve_product(parsed: ParsedCode, fallback: dict | None,
                           queries: int) -> Resolved:
    gtin = parsed.gtin
    rows = await fetch_dicts(
        f"SELECT {PRODUCT_COLUMNS} "
        "FROM product p JOIN enterprise e ON e.uscc = p.enterprise_uscc WHERE p.gtin14 = ? "
        "ORDER BY p.product_id LIMIT 1", [gtin])
    if not rows:
        raise NotFound(NOT_FOUND, field="code", code="code_not_found")
    if fallback:
        what = T("批号 {lot}", lot=parsed.lot) if parsed.lot else \
            T("序列号 {serial}", serial=parsed.serial)
        fallback.update(to="product", message=(
            T("{what} 未登记，以下是该商品（GTIN {gtin}）的信息，无法确认具体批次。",
              what=what, gtin=gtin)))
    return Resolved(level="product", subject=f"01/{gtin}", row=decode_batch(rows[0]),
                    fallback=fallback, queries=queries + 1)

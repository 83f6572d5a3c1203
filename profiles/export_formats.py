"""The trace export's columns and its two formats.

One row per event with the key data elements of FSMA 204 as this platform has them: the
traceability lot code (``lot``) and its source (the producer), the product, the quantity and
unit, where (credit code, name, division), when (Asia/Shanghai), what happened, who the
goods went to or came from, the input lots of a transformation, the reference documents
(inspection reports, certificates), plus how the batch relates to what was asked
(``depth``: 0 asked, negative upstream, positive downstream) and the record's hash.

CSV is UTF-8 with a byte-order mark (spreadsheets then read Chinese right) and streamed as
it is written. XLSX is written with openpyxl in write-only mode (rows go to a temporary file
as they come, memory stays flat) and sent once saved; times are real date-times there, so
the sheet sorts by them.
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime

from openpyxl import Workbook

from core.clock import SHANGHAI
from profiles import sql
from profiles.export import KIND_LABELS

COLUMNS = (
    ("depth", "层级(depth)"), ("relation", "关系"), ("event_id", "事件编号(event_id)"),
    ("kind", "事件类型(kind)"), ("kind_label", "事件"), ("occurred_at", "发生时间"),
    ("batch_id", "批次编号(batch_id)"), ("lot", "批号(lot)"), ("produced_at", "生产日期"),
    ("expires_at", "保质期至"), ("product_id", "产品编号(product_id)"),
    ("product_name", "产品名称"), ("gtin", "GTIN"), ("quantity", "数量"), ("unit", "单位"),
    ("place_uscc", "地点统一社会信用代码"), ("place_name", "地点名称"),
    ("place_division", "地点行政区划"), ("counterparty_uscc", "交易对方统一社会信用代码"),
    ("counterparty_name", "交易对方"), ("inputs", "投入批次(inputs)"),
    ("documents", "参考文件(报告、证书编号)"), ("producer_uscc", "批次来源统一社会信用代码"),
    ("producer_name", "批次来源"), ("corrects", "更正的事件"), ("recorded_at", "记录时间"),
    ("hash", "哈希"),
)
SHEET = "追溯事件"
CERTIFICATES = {"licence": "许可证", "quarantine": "检疫证明", "customs": "报关单",
                "disinfection": "消毒证明", "nucleic_acid": "核酸检测报告",
                "inspection_report": "检验报告", "origin": "产地证明", "other": "证明"}
CHUNK_BYTES = 256 * 1024


def _relation(depth: int) -> str:
    if depth == 0:
        return "查询批次"
    return f"原料（上游第{-depth}层）" if depth < 0 else f"下游（第{depth}层）"


def _local(raw) -> datetime | None:
    moment = sql.instant(raw)
    return moment.astimezone(SHANGHAI).replace(tzinfo=None) if moment else None


def _documents(detail: dict) -> str:
    found = []
    inspection = detail.get("inspection")
    if isinstance(inspection, dict) and inspection.get("report_no"):
        found.append(f"检验报告 {inspection['report_no']}")
    for cert in detail.get("certificates") or ():
        if isinstance(cert, dict) and cert.get("number"):
            kind = CERTIFICATES.get(cert.get("kind"), cert.get("kind") or "证明")
            found.append(f"{kind} {cert['number']}")
    return "；".join(found)


def export_row(row: dict) -> dict:
    """The values of one event's row (times as local naive date-times, days as dates)."""
    detail = sql.json(row["detail"], {}) or {}
    place = sql.json(row["place"], None) or {}
    counterparty = detail.get("counterparty") if isinstance(detail.get("counterparty"),
                                                            dict) else {}
    return {
        "depth": row["depth"], "relation": _relation(row["depth"]),
        "event_id": row["event_id"], "kind": row["kind"],
        "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
        "occurred_at": _local(row["occurred_at"]), "batch_id": row["batch_id"],
        "lot": row["lot"], "produced_at": sql.day(row["produced_at"]),
        "expires_at": sql.day(row["expires_at"]), "product_id": row["product_id"],
        "product_name": row["product_name"], "gtin": row["gtin"],
        "quantity": row["quantity"], "unit": row["unit"], "place_uscc": row["place_uscc"],
        "place_name": row["place_name"] or place.get("name"),
        "place_division": row["place_division"] or place.get("division_code"),
        "counterparty_uscc": counterparty.get("uscc"),
        "counterparty_name": counterparty.get("name"),
        "inputs": ";".join(str(i) for i in sql.json(row["inputs"], []) or ()),
        "documents": _documents(detail), "producer_uscc": row["producer_uscc"],
        "producer_name": row["producer_name"], "corrects": row["corrects"],
        "recorded_at": _local(row["recorded_at"]), "hash": row["hash"],
    }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


async def csv_chunks(chunks: AsyncIterator[list[dict]]) -> AsyncIterator[bytes]:
    """The CSV file, a few hundred kilobytes at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    yield "\ufeff".encode() + out.getvalue().encode()
    _empty(out)
    async for rows in chunks:
        for row in rows:
            values = export_row(row)
            writer.writerow([_text(values[name]) for name, _ in COLUMNS])
        if out.tell() >= CHUNK_BYTES:
            yield out.getvalue().encode()
            _empty(out)
    if out.tell():
        yield out.getvalue().encode()


def _empty(out: io.StringIO) -> None:
    out.seek(0)
    out.truncate()


def _new_sheet():
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append([title for _, title in COLUMNS])
    return book, sheet


def _append(sheet, rows: list[dict]) -> None:
    for row in rows:
        values = export_row(row)
        sheet.append([values[name] for name, _ in COLUMNS])


async def xlsx_file(chunks: AsyncIterator[list[dict]]) -> tempfile.SpooledTemporaryFile:
    """The XLSX file (rewound), built off the event loop chunk by chunk."""
    book, sheet = await asyncio.to_thread(_new_sheet)
    async for rows in chunks:
        await asyncio.to_thread(_append, sheet, rows)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    await asyncio.to_thread(book.save, spool)
    spool.seek(0)
    return spool

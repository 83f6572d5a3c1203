"""A product's page: its filing (name, brand, spec, GTIN, category, executive standard,
ingredients, shelf life, storage), production process and label image (EXCHANGE.md v1.1
``process``, ``label_image``, ``storage_class``), its producer, and its batches, newest
first and paged, each with its alerts (recall, expiry, failed official sampling).

``process``, ``label_image`` and ``storage_class`` are read from the product's columns when
the trace model has them, else from ``extra`` (where an exchange that does not know them yet
keeps unknown fields): the page is the same either way.
"""

from __future__ import annotations

import base64
import re
from datetime import date

import orjson

from core.errors import InvalidInput, NotFound
from core.i18n import T
from profiles import sql
from profiles.models import MediaFile
from profiles.media import media_item
from profiles.profile import licence
from tracing.view import masking
from tracing.view import recalls as recall_rules
from tracing.view import rules
from tracing.view.queries import attach_notices

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
V11_FIELDS = ("process", "label_image", "storage_class")
_FILING = ("product_id", "name", "brand", "spec", "gtin", "category", "standard",
           "shelf_life_days", "storage")


async def product_row(product_id: str) -> dict:
    if not product_id or len(product_id) > 128 or not product_id.isprintable():
        raise InvalidInput(T("产品编号须为 1–128 个可打印字符"), field="product_id",
                           code="product_id_malformed")
    found = await sql.rows(
        "SELECT p.*, e.name AS e_name, e.kind AS e_kind, e.status AS e_status, e.licence_no, "
        "e.licence_valid_until, e.division_code FROM product p "
        "JOIN enterprise e ON e.uscc = p.enterprise_uscc WHERE p.product_id = ?", [product_id])
    if not found:
        raise NotFound(T("平台上没有产品 {product_id}", product_id=product_id), field="product_id",
                       code="product_not_found")
    return found[0]


def v11(row: dict, name: str):
    """A v1.1 product field: its column if the model has one, else ``extra``."""
    if row.get(name) is not None:
        return row[name]
    return sql.json(row.get("extra"), {}).get(name)


async def label_image(row: dict) -> dict | None:
    digest = v11(row, "label_image")
    if not isinstance(digest, str) or not SHA256_RE.match(digest.lower()):
        return None
    found = await MediaFile.get_or_none(sha256=digest.lower())
    return media_item(found) if found else {"sha256": digest.lower(), "available": False}


def _cursor(raw: str | None) -> tuple[date, str] | None:
    if not raw:
        return None
    try:
        day, batch_id = orjson.loads(base64.urlsafe_b64decode(raw.encode() + b"=="))
        return date.fromisoformat(day), str(batch_id)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise InvalidInput(T("cursor 无效；请使用上一页返回的 next_cursor"), field="cursor",
                           code="invalid_cursor") from None


def _limit(raw: str | None) -> int:
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(T("limit 须为 1–{MAX_LIMIT}",
                             MAX_LIMIT=MAX_LIMIT), field="limit", code="invalid_limit")
    return int(raw)


async def batch_rows(product_id: str, *, after: tuple[date, str] | None, limit: int) -> list:
    where, args = "b.product_id = ?", [product_id]
    if after:
        where += " AND (b.produced_at < ? OR (b.produced_at = ? AND b.batch_id > ?))"
        args += [after[0], after[0], after[1]]
    return await sql.rows(
        "SELECT b.batch_id, b.lot, b.produced_at, b.expires_at, b.quantity, b.unit "
        f"FROM batch b WHERE {where} ORDER BY b.produced_at DESC, b.batch_id LIMIT ?",
        [*args, limit + 1])


async def batch_alerts(row: dict, batches: list[dict], *, today: date,
                       limits: rules.Limits) -> dict[str, list[dict]]:
    """Alerts of each batch: recalls (with their notices), expiry, failed sampling."""
    ids = [b["batch_id"] for b in batches]
    recalls = [r async for r in sql.rows_in(
        "SELECT r.recall_id, r.level, r.reason, r.started_at, r.status, r.product_id, "
        "r.correction, rb.batch_id FROM recall r JOIN recall_batch rb ON rb.recall_id = r.recall_id "
        "WHERE rb.batch_id IN ({keys})", ids)]
    recalls += await sql.rows(
        "SELECT recall_id, level, reason, started_at, status, product_id, correction, "
        "NULL AS batch_id "
        "FROM recall WHERE product_id = ?", [row["product_id"]])
    await attach_notices(recalls)
    samplings = [s async for s in sql.rows_in(
        "SELECT sample_id, lot, product_name, sampled_at, result, failed_items, report_no "
        "FROM sampling WHERE enterprise_uscc = ? AND lot IN ({keys})",
        {b["lot"] for b in batches}, params_before=(row["enterprise_uscc"],))]
    out = {}
    for b in batches:
        mine = [{**r, "started_at": sql.day(r["started_at"]),
                 "correction": sql.json(r.get("correction"), None)} for r in recalls
                if r["batch_id"] in (None, b["batch_id"])]
        batch = {**b, "product_id": row["product_id"], "produced_at": sql.day(b["produced_at"]),
                 "expires_at": sql.day(b["expires_at"]),
                 "shelf_life_days": row.get("shelf_life_days")}
        sampled = [{**s, "sampled_at": sql.day(s["sampled_at"]),
                    "failed_items": sql.json(s["failed_items"], [])} for s in samplings
                   if s["lot"] == b["lot"] and s["product_name"] in (None, "", row["name"])]
        out[b["batch_id"]] = rules.sort_alerts(
            recall_rules.batch_recall_alerts(mine, batch, today=today)
            + rules.expiry_alerts(sql.day(b["expires_at"]), today,
                                                            limits)
            + rules.sampling_alerts(sampled, own=True))
    return out


async def product_page(product_id: str, *, params: dict[str, str], today: date,
                       limits: rules.Limits) -> dict:
    """The product page (batches paged with ``limit`` and ``cursor``)."""
    row = await product_row(product_id)
    limit, after = _limit(params.get("limit")), _cursor(params.get("cursor"))
    found = await batch_rows(row["product_id"], after=after, limit=limit)
    batches = found[:limit]
    alerts = await batch_alerts(row, batches, today=today, limits=limits) if batches else {}
    next_cursor = None
    if len(found) > limit:
        last = batches[-1]
        next_cursor = base64.urlsafe_b64encode(orjson.dumps(
            [sql.day(last["produced_at"]).isoformat(), last["batch_id"]])).decode().rstrip("=")
    return {
        "product": masking.scrub_all({**{k: row[k] for k in _FILING},
                                      "ingredients": sql.json(row.get("ingredients"), []),
                                      "storage_class": v11(row, "storage_class")}),
        "process": masking.scrub_all(v11(row, "process")),
        "label_image": await label_image(row),
        "producer": {"uscc": row["enterprise_uscc"], "name": row["e_name"],
                     "kind": row["e_kind"], "division_code": row["division_code"],
                     "licence": licence({"licence_no": row["licence_no"],
                                         "licence_valid_until": row["licence_valid_until"],
                                         "status": row["e_status"]}, today)},
        "batches": [{"batch_id": b["batch_id"], "lot": b["lot"],
                     "produced_at": sql.day(b["produced_at"]).isoformat(),
                     "expires_at": rules.iso_date(sql.day(b["expires_at"])),
                     "quantity": b["quantity"], "unit": b["unit"],
                     "status": rules.status_of(alerts.get(b["batch_id"], [])),
                     "alerts": alerts.get(b["batch_id"], [])} for b in batches],
        "next_cursor": next_cursor,
    }

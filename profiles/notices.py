"""Notices (通知公告) from the exchange feed: recalls, sampling results, enforcement results,
announcements. Listed newest first with keyset paging; one notice with what its ``related``
keys name: recalls with the batches they affect (each with its codes and where it went),
sampling results, enforcement decisions, enterprises, products and batches.
"""

from __future__ import annotations

import base64
from datetime import date, datetime, time

import orjson

from core.clock import SHANGHAI, local_iso
from core.errors import InvalidInput, NotFound
from core.i18n import T
from profiles import sql
from profiles.downstream import downstream
from profiles.profile import enforcement_item, sampling_item
from tracing.view import masking

KINDS = {"recall": T("召回公告"), "sampling": T("抽检信息"), "enforcement": T("执法信息"),
         "announcement": T("通知公告")}
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
BATCHES_SHOWN = 50
TRACED_BATCHES = 10  # affected batches whose destinations a notice shows
_COLUMNS = "notice_id, kind, title, body, published_at, related"


def _since(raw: str | None) -> datetime | None:
    """``since`` as a date (a day in Asia/Shanghai) or an ISO instant."""
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=SHANGHAI)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(T("since 须为日期（2026-10-01）或带时区的时间"), field="since",
                           code="invalid_since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _cursor(raw: str | None) -> tuple[datetime, str] | None:
    if not raw:
        return None
    try:
        at, key = orjson.loads(base64.urlsafe_b64decode(raw.encode() + b"=="))
        return datetime.fromisoformat(at), str(key)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise InvalidInput(T("cursor 无效；请使用上一页返回的 next_cursor"), field="cursor",
                           code="invalid_cursor") from None


def _next_cursor(row: dict) -> str:
    raw = orjson.dumps([sql.instant(row["published_at"]).isoformat(), row["notice_id"]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _limit(raw: str | None) -> int:
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(T("limit 须为 1–{MAX_LIMIT}",
                             MAX_LIMIT=MAX_LIMIT), field="limit", code="invalid_limit")
    return int(raw)


def notice_item(row: dict, *, full: bool = False) -> dict:
    """A notice as the public reads it: phone, ID and plate numbers in its text masked."""
    body = masking.scrub(row["body"])
    item = {"notice_id": row["notice_id"], "kind": row["kind"],
            "kind_label": KINDS.get(row["kind"]), "title": masking.scrub(row["title"]),
            "published_at": local_iso(sql.instant(row["published_at"])),
            "related": sql.json(row["related"], [])}
    if full:
        item["body"] = body
    else:
        item["summary"] = body if len(body) <= 80 else body[:80] + "…"
    return item


async def list_notices(params: dict[str, str]) -> dict:
    """Notices newest first: ``kind``, ``since``, ``limit``, ``cursor`` (from the last page)."""
    kind = params.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise InvalidInput(T("kind 须为 {join} 之一", join='、'.join(KINDS)), field="kind",
                           code="invalid_kind")
    since, after, limit = _since(params.get("since")), _cursor(params.get("cursor")), \
        _limit(params.get("limit"))
    where, args = [], []
    if kind:
        where.append("kind = ?")
        args.append(kind)
    if since:
        where.append("published_at >= ?")
        args.append(sql.stamp(since))
    if after:
        where.append("(published_at < ? OR (published_at = ? AND notice_id > ?))")
        args += [sql.stamp(after[0]), sql.stamp(after[0]), after[1]]
    found = await sql.rows(
        f"SELECT {_COLUMNS} FROM notice {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY published_at DESC, notice_id LIMIT ?", [*args, limit + 1])
    more = len(found) > limit
    items = [notice_item(r) for r in found[:limit]]
    return {"items": items, "next_cursor": _next_cursor(found[limit - 1]) if more else None}


async def notice_detail(notice_id: str) -> dict:
    """One notice with what it names."""
    found = await sql.rows(f"SELECT {_COLUMNS} FROM notice WHERE notice_id = ?", [notice_id])
    if not found:
        raise NotFound(T("公告 {notice_id} 不存在",
                         notice_id=notice_id), field="notice_id", code="notice_not_found")
    item = notice_item(found[0], full=True)
    keys = [k for k in item["related"] if isinstance(k, str)]
    item["recalls"] = await _recalls(keys) if keys else []
    item["samplings"] = [sampling_item(r) for r in await _rows_of(
        "SELECT sample_id, product_name, lot, sampled_at, result, failed_items, authority, "
        "report_no FROM sampling WHERE sample_id IN ({keys}) ORDER BY sampled_at DESC", keys)]
    item["enforcements"] = [enforcement_item(r) for r in await _rows_of(
        "SELECT case_no, decided_at, violation, penalty, authority FROM enforcement "
        "WHERE case_no IN ({keys}) ORDER BY decided_at DESC", keys)]
    item["enterprises"] = await _rows_of(
        "SELECT uscc, name, kind, division_code FROM enterprise WHERE uscc IN ({keys})", keys)
    item["products"] = await _rows_of(
        "SELECT product_id, name, enterprise_uscc FROM product WHERE product_id IN ({keys})",
        keys)
    return item


async def _rows_of(statement: str, keys: list[str]) -> list[dict]:
    return [row async for row in sql.rows_in(statement, keys)] if keys else []


async def _recalls(keys: list[str]) -> list[dict]:
    """Recalls among ``keys``, each with its affected batches (codes, destinations)."""
    recalls = await _rows_of("SELECT recall_id, level, reason, started_at, status, product_id "
                             "FROM recall WHERE recall_id IN ({keys})", keys)
    for recall in recalls:
        recall["reason"] = masking.scrub(recall["reason"])
        recall["started_at"] = sql.day(recall["started_at"]).isoformat()
        recall["batches"] = await affected_batches(recall["recall_id"], recall["product_id"])
    return recalls


async def affected_batches(recall_id: str, product_id: str | None,
                           limit: int = BATCHES_SHOWN) -> list[dict]:
    """The batches a recall names (all batches of its product, for a product recall),
    newest first, with their codes; the first few with where they went (该批次销往……)."""
    found = await sql.rows(
        "SELECT b.batch_id, b.lot, b.produced_at, b.expires_at, p.product_id, "
        "p.name AS product_name, p.enterprise_uscc FROM batch b "
        "JOIN product p ON p.product_id = b.product_id "
        "WHERE b.batch_id IN (SELECT batch_id FROM recall_batch WHERE recall_id = ?) "
        "OR b.product_id = ? ORDER BY b.produced_at DESC, b.batch_id LIMIT ?",
        [recall_id, product_id or "", limit])
    codes: dict[str, list[str]] = {}
    async for row in sql.rows_in(
            "SELECT code, batch_id FROM trace_code WHERE batch_id IN ({keys}) "
            "AND status = 'active' ORDER BY level, code", [b["batch_id"] for b in found]):
        codes.setdefault(row["batch_id"], []).append(row["code"])
    out = []
    for n, row in enumerate(found):
        batch_codes = codes.get(row["batch_id"], [])[:3]
        item = {"batch_id": row["batch_id"], "lot": row["lot"],
                "produced_at": sql.day(row["produced_at"]).isoformat(),
                "product": {"product_id": row["product_id"], "name": row["product_name"]},
                "producer_uscc": row["enterprise_uscc"], "codes": batch_codes,
                "scan": [f"/api/v1/scan?code={c}" for c in batch_codes]}
        if n < TRACED_BATCHES:
            where = await downstream(row["batch_id"])
            item["sold_to"] = where["sold_to"]
            item["destination"] = where["summary"]
        out.append(item)
    return out

"""Correction requests: an enterprise asks the regulator to correct public data about it.

A request names a record of the enterprise (itself, one of its products, sampling results,
enforcement decisions or recalls), one field, the value it proposes and why. It never
changes the data: the regulator decides (``accepted`` or ``rejected``, with a note) and, if
it agrees, sends the corrected record through the exchange, where the change is recorded
like any other. Workflow as data: :data:`TRANSITIONS`.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

import orjson

from tortoise.expressions import Subquery

from core.errors import Conflict, InvalidInput, NotFound
from core.i18n import T
from profiles import sql
from profiles.models import CorrectionRequest
from profiles.staff import StaffIdentity
from tracing.model.models import Enterprise

# target type -> (table, key column, column naming the enterprise, fields one may contest)
TARGETS: dict[str, tuple[str, str, str | None, tuple[str, ...]]] = {
    "enterprise": ("enterprise", "uscc", None, (
        "name", "kind", "licence_no", "licence_valid_until", "address", "division_code",
        "position", "public_phone", "status", "risk_grade")),
    "product": ("product", "product_id", "enterprise_uscc", (
        "name", "gtin", "brand", "spec", "category", "standard", "ingredients",
        "shelf_life_days", "storage", "process", "label_image")),
    "sampling": ("sampling", "sample_id", "enterprise_uscc", (
        "product_name", "lot", "sampled_at", "result", "failed_items", "report_no")),
    "enforcement": ("enforcement", "case_no", "enterprise_uscc", (
        "decided_at", "violation", "penalty")),
    "recall": ("recall", "recall_id", None, ("level", "reason", "batch_ids", "status")),
}
STATUSES = ("open", "accepted", "rejected")
TRANSITIONS = {"open": ("accepted", "rejected")}
MAX_OPEN = 20
MAX_TEXT = 2000


def _text(raw: object, field: str, *, low: int, high: int = MAX_TEXT) -> str:
    if not isinstance(raw, str):
        raise InvalidInput(T("{field} 须为文本", field=field), field=field, code="invalid_value")
    text = unicodedata.normalize("NFC", raw).strip()
    if not low <= len(text) <= high:
        raise InvalidInput(T("{field} 须为 {low}–{high} 个字",
                             field=field, low=low, high=high), field=field, code="invalid_value")
    return text


def check_request(body: dict) -> tuple[str, str, str, str, str]:
    """(target type, key, field, proposed, reason) of a request body, or 400 naming the field."""
    target = body.get("target")
    if not isinstance(target, dict):
        raise InvalidInput(T('target 须为 {"type", "key"}'), field="target", code="invalid_target")
    kind = target.get("type")
    if kind not in TARGETS:
        raise InvalidInput(T("target.type 须为 {join} 之一",
                             join='、'.join(TARGETS)), field="target.type",
                           code="invalid_target")
    key = _text(target.get("key"), "target.key", low=1, high=128)
    field = body.get("field")
    if field not in TARGETS[kind][3]:
        raise InvalidInput(T("{kind} 可更正的字段为：{join}", kind=kind, join='、'.join(TARGETS[kind][3])),
                           field="field", code="invalid_field")
    return (kind, key, field, _text(body.get("proposed"), "proposed", low=1),
            _text(body.get("reason"), "reason", low=5))


async def _current(uscc: str, kind: str, key: str, field: str) -> str | None:
    """The value shown now (as text), after checking the record is the enterprise's."""
    table, key_col, owner_col, _ = TARGETS[kind]
    found = await sql.rows(f"SELECT * FROM {table} WHERE {key_col} = ?", [key])
    if not found or not await _belongs(uscc, kind, key, found[0], owner_col):
        raise NotFound(T("该企业没有 {kind} 记录 {key}", kind=kind, key=key), field="target.key",
                       code="target_not_found")
    row = found[0]
    if field == "position":
        value = {"lat": row.get("lat"), "lng": row.get("lng")}
    else:
        value = row.get(field, sql.json(row.get("extra"), {}).get(field))
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(sql.json(value, value), default=str).decode()


async def _belongs(uscc: str, kind: str, key: str, row: dict, owner_col: str | None) -> bool:
    if kind == "enterprise":
        return key == uscc
    if owner_col is not None:
        return row[owner_col] == uscc
    return bool(await sql.rows(  # a recall: of one of its products, or of its batches
        "SELECT 1 FROM recall r LEFT JOIN recall_batch rb ON rb.recall_id = r.recall_id "
        "LEFT JOIN batch b ON b.batch_id = rb.batch_id JOIN product p ON p.product_id = "
        "COALESCE(b.product_id, r.product_id) WHERE r.recall_id = ? AND p.enterprise_uscc = ? "
        "LIMIT 1", [key, uscc]))


async def request_correction(*, uscc: str, body: dict, user_hash: str,
                             now: datetime) -> CorrectionRequest:
    """Record a correction request for the regulator (open until decided)."""
    kind, key, field, proposed, reason = check_request(body)
    current = await _current(uscc, kind, key, field)
    if await CorrectionRequest.filter(uscc=uscc, status="open").count() >= MAX_OPEN:
        raise Conflict(T("已有 {MAX_OPEN} 项更正申请待处理，请等待监管部门答复后再提交", MAX_OPEN=MAX_OPEN),
                       field="body", code="too_many_open_requests")
    return await CorrectionRequest.create(
        uscc=uscc, target_type=kind, target_key=key, field=field, current=current,
        proposed=proposed, reason=reason, requested_by=user_hash, requested_at=now)


async def decide_correction(*, request_id: int, decision: object, note: object,
                            staff: StaffIdentity, now: datetime) -> CorrectionRequest:
    """The regulator's answer: ``accepted`` or ``rejected``, with a note for the enterprise
    (a handler answers only for the enterprises of its district: 403 otherwise)."""
    found = await CorrectionRequest.get_or_none(id=request_id)
    if found is None:
        raise NotFound(T("更正申请 {request_id} 不存在", request_id=request_id), field="id",
                       code="correction_not_found")
    if staff.district_only is not None:
        divisions = await Enterprise.filter(uscc=found.uscc).values_list("division_code",
                                                                          flat=True)
        staff.check_district(divisions[0] if divisions else None,
                             what=T("企业 {uscc}", uscc=found.uscc))
    if decision not in TRANSITIONS.get(found.status, ()):
        if found.status != "open":
            raise Conflict(T("更正申请 {request_id} 已处理（{status}）",
                             request_id=request_id, status=found.status), field="decision",
                           code="correction_decided")
        raise InvalidInput(T("decision 须为 accepted 或 rejected"), field="decision",
                           code="invalid_decision")
    found.status, found.note = decision, _text(note, "note", low=1)
    found.decided_at, found.decided_by = now, staff.username
    await found.save(update_fields=["status", "note", "decided_at", "decided_by"])
    return found


def correction_item(found: CorrectionRequest, *, staff_view: bool = False) -> dict:
    item = {"id": found.id, "uscc": found.uscc,
            "target": {"type": found.target_type, "key": found.target_key},
            "field": found.field, "current": found.current, "proposed": found.proposed,
            "reason": found.reason, "status": found.status,
            "requested_at": sql.instant(found.requested_at).isoformat(),
            "decided_at": sql.instant(found.decided_at).isoformat()
            if found.decided_at else None, "note": found.note}
    if staff_view:
        item["decided_by"] = found.decided_by
    return item


async def list_corrections(*, uscc: str | None = None, status: str | None = None,
                           division: str | None = None, limit: int = 100
                           ) -> list[CorrectionRequest]:
    """Requests, newest first (of one enterprise, of the enterprises of one district, or
    all for the regulator)."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(T("status 须为 {join} 之一", join='、'.join(STATUSES)), field="status",
                           code="invalid_status")
    query = CorrectionRequest.all()
    if uscc is not None:
        query = query.filter(uscc=uscc)
    if status is not None:
        query = query.filter(status=status)
    if division is not None:
        query = query.filter(uscc__in=Subquery(
            Enterprise.filter(division_code=division).values("uscc")))
    return await query.order_by("-requested_at", "-id").limit(limit)

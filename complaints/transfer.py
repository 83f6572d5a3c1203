"""Cases handed to and received from the national 12315 platform as ``complaint_transfer``
exchange records (docs/complaints.md). A received case keeps the other system's number
(``external_no``) and starts its own timeline here; its earlier history is kept as internal
timeline entries."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Callable, Iterator

from core.i18n import T
from complaints.context import CaseContext, local_day
from complaints.form import parse_submission
from complaints.models import Complaint, ComplaintEvent
from complaints.moderation import Screen
from complaints.submit import case_values, duplicates_of, store_case
from complaints.targets import resolve_target
from complaints.views import timeline_entry
from complaints.workflow import Kind
from core.clock import local_iso
from core.errors import InvalidInput
from tracing.exchange.extensions import ExtensionType
from tracing.exchange.fields import RecordError, moment, text

FROM_12315 = Screen("skipped", ("由全国12315平台转来，不经本系统内容检测",))
RECORD_TYPE = "complaint_transfer"
FIELDS = {"type", "external_no", "ticket", "kind", "category", "description", "target", "place",
          "occurred_on", "received_at", "complainant", "status", "division_code", "timeline"}
MAX_TIMELINE = 200


def validate_transfer(obj: dict, *, today: date) -> dict:
    """One received ``complaint_transfer`` record as plain values; raise RecordError."""
    unknown = sorted(set(obj) - FIELDS)
    if unknown:
        raise RecordError(T("未知字段 {value}",
                            value=unknown[0]), field=unknown[0], code="unknown_field")
    external_no = text(64)(obj.get("external_no"), "external_no") \
        if obj.get("external_no") is not None else None
    if external_no is None:
        raise RecordError(T("请提供 external_no（12315 编号）"), field="external_no",
                          code="required")
    if obj.get("received_at") is None:
        raise RecordError(T("请提供 received_at"), field="received_at", code="required")
    body = {"kind": obj.get("kind"), "category": obj.get("category"),
            "description": obj.get("description"), "target": obj.get("target"),
            "place": obj.get("place"), "occurred_on": obj.get("occurred_on"),
            "contact": obj.get("complainant"), "channel": "12315"}
    try:
        form = parse_submission({k: v for k, v in body.items() if v is not None}, today=today,
                                max_photos=0)
    except InvalidInput as exc:
        raise RecordError(exc.message, field=exc.field, code=exc.code) from None
    return {"form": form, "external_no": external_no, "ticket": obj.get("ticket"),
            "received_elsewhere": moment(obj["received_at"], "received_at"),
            "timeline": _timeline(obj.get("timeline"))}


def _timeline(raw: Any) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_TIMELINE:
        raise RecordError(T("timeline 须为不超过 {MAX_TIMELINE} 条的列表", MAX_TIMELINE=MAX_TIMELINE),
                          field="timeline", code="invalid_value")
    out = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or "at" not in entry:
            raise RecordError(T("timeline 的每一条须为 {at, status, note}"),
                              field=f"timeline[{i}]", code="invalid_value")
        out.append({"at": moment(entry["at"], f"timeline[{i}].at"),
                    "status": text(40)(entry.get("status") or "-", f"timeline[{i}].status"),
                    "note": text(2000)(entry["note"], f"timeline[{i}].note")
                    if entry.get("note") else None})
    return out


async def receive_transfers(ctx: CaseContext, items: list[tuple[int, dict]]
                            ) -> list[tuple[int, RecordError]]:
    """Store received cases; one already received (same external_no) is left as it is."""
    rejected = []
    for line, values in items:
        try:
            await _receive(ctx, values)
        except InvalidInput as exc:
            rejected.append((line, RecordError(exc.message, field=exc.field, code=exc.code)))
    return rejected


async def _receive(ctx: CaseContext, values: dict) -> None:
    external_no = values["external_no"]
    if await Complaint.filter(external_no=external_no).exists():
        return
    now = ctx.now()
    ours = values["ticket"] and await Complaint.get_or_none(ticket=values["ticket"])
    if ours:  # one of ours, coming back with 12315's number
        await Complaint.filter(id=ours.id).update(external_no=external_no)
        await ComplaintEvent.create(complaint_id=ours.id, at=now, kind="note", actor="12315",
                                    role="system", reason=f"全国12315平台编号 {external_no}",
                                    public=False)
        return
    form = values["form"]
    target = await resolve_target(form.target)
    similar = await duplicates_of(target, form, now)
    row = case_values(ctx, form, target, similar, now=now, screen=FROM_12315)
    row.update(source="12315", external_no=external_no)
    case = await store_case(row, form.kind, now,
                            note=f"由全国12315平台转来（编号 {external_no}）")
    await ctx.figures_changed({case.target_uscc})
    await ComplaintEvent.bulk_create([
        ComplaintEvent(complaint_id=case.id, at=e["at"], kind="external", actor="12315",
                       role="system", reason=f"[12315] {e['status']}"
                       + (f"：{e['note']}" if e["note"] else ""), public=False)
        for e in values["timeline"]])


def transfer_type(ctx: CaseContext, today: Callable[[], date]) -> ExtensionType:
    """The ``complaint_transfer`` record type for the exchange importer."""
    return ExtensionType(RECORD_TYPE, lambda obj: validate_transfer(obj, today=today()),
                         lambda items: receive_transfers(ctx, items))


async def export_transfers(*, since: datetime) -> Iterator[dict]:
    """Records of the cases handed to 12315 since ``since`` (complainant's contact included:
    12315 must reach them; nothing of it goes to the enterprise)."""
    since = since.astimezone(timezone.utc)  # SQLite compares stored instants as UTC text
    ids = await ComplaintEvent.filter(after="transferred", at__gte=since) \
        .values_list("complaint_id", flat=True)
    cases = await Complaint.filter(id__in=list(set(ids)), transferred_to="12315") \
        .order_by("received_at")
    records = []
    for case in cases:
        events = await ComplaintEvent.filter(complaint_id=case.id, public=True) \
            .order_by("at", "id")
        records.append(transfer_record(case, events))
    return iter(records)


def transfer_record(case: Complaint, events: list[ComplaintEvent]) -> dict:
    record = {"type": RECORD_TYPE, "ticket": case.ticket, "external_no": case.external_no,
              "kind": case.kind, "category": case.category, "description": case.description,
              "target": _target(case), "place": case.place,
              "occurred_on": case.occurred_on.isoformat() if case.occurred_on else None,
              "received_at": local_iso(case.received_at),
              "complainant": {"name": case.name, "phone": case.phone}
              if case.kind == Kind.COMPLAINT and case.name else None,
              "status": case.status, "division_code": case.division,
              "timeline": [{k: v for k, v in timeline_entry(e, internal=False).items()
                            if k in ("at", "status", "note")} for e in events]}
    return {k: v for k, v in record.items() if v is not None}


def _target(case: Complaint) -> dict:
    if case.target_type == "enterprise":
        return {"type": "enterprise", "uscc": case.target_key}
    if case.target_type == "trace_code":
        return {"type": "trace_code", "code": case.target_key}
    if case.target_type == "product":
        return {"type": "product", "product_id": case.target_key}
    return {"type": "merchant", "name": case.target_name, "address": case.target_address}


def today_in(ctx: CaseContext) -> date:
    return local_day(ctx.now())

"""What each reader of a case sees. The complainant's identity and contact appear only in
the complainant's own view and, once opened (and audited), in a handler's; never in what the
enterprise or the public reads."""

from __future__ import annotations

from datetime import date

from core.i18n import T
from complaints.form import mask_phone
from complaints.models import Complaint, ComplaintEvent
from complaints.refusals import BUILTIN, Refusals
from complaints.triage import CATEGORY_NAMES
from complaints.workflow import AWAITING_DECISION, IN_HANDLING, Status, \
    status_name
from core.clock import local_iso

PRIORITY_NAMES = {"urgent": T("紧急"), "high": T("较急"), "normal": T("一般")}
KIND_NAMES = {"complaint": T("投诉"), "report": T("举报")}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def deadlines(c: Complaint) -> dict:
    return {"acceptance": _day(c.acceptance_due), "handling": _day(c.handling_due),
            "current": _day(c.due_on), "provisional": c.provisional_due}


def target(c: Complaint) -> dict:
    return {"type": c.target_type, "key": c.target_key if c.target_type != "merchant" else None,
            "name": c.target_name, "address": c.target_address, "uscc": c.target_uscc,
            "batch_id": c.target_batch}


def _case(c: Complaint) -> dict:
    status = Status(c.status)
    return {
        "ticket": c.ticket, "kind": c.kind, "kind_name": KIND_NAMES[c.kind],
        "status": c.status, "status_name": status_name(status),
        "category": c.category, "category_name": CATEGORY_NAMES.get(c.category, c.category),
        "received_at": local_iso(c.received_at), "deadline": deadlines(c),
        "external_no": c.external_no, "source": c.source,
    }


def timeline_entry(e: ComplaintEvent, *, internal: bool, refusals: Refusals = BUILTIN) -> dict:
    entry = {"at": local_iso(e.at), "kind": e.kind, "status": e.after,
             "status_name": status_name(Status(e.after)) if e.after else None,
             "note": e.reason if (e.public or internal) else None}
    if e.refusal_reason:
        entry["refusal_reason"] = e.refusal_reason
        entry["refusal_reason_text"] = refusals.text(e.refusal_reason)
        entry["refusal_reason_article"] = refusals.article(e.refusal_reason)
    if internal:
        entry.update(actor=e.actor, role=e.role, before=e.before, public=e.public)
    return entry


def owner_view(c: Complaint, events: list[ComplaintEvent], *,
               refusals: Refusals = BUILTIN) -> dict:
    """The complainant's own case: the public timeline, their contact, the rating."""
    return {**_case(c), "description": c.description, "target": _public_target(c),
            "contact": {"name": c.name, "phone": c.phone} if c.name or c.phone else None,
            "timeline": [timeline_entry(e, internal=False, refusals=refusals)
                         for e in events if e.public],
            "rating": c.rating, "can_rate": c.status == Status.CLOSED and c.rating is None
            and c.closed_at is not None and c.decision == "accepted"}


def _public_target(c: Complaint) -> dict:
    data = target(c)
    data.pop("batch_id")
    return data


def staff_item(c: Complaint, *, today: date) -> dict:
    """One line of a handler's queue: the phone masked."""
    return {**_case(c), "priority": c.priority, "priority_name": PRIORITY_NAMES[c.priority],
            "division": c.division, "assigned_to": c.assigned_to,
            "target": {"type": c.target_type, "name": c.target_name},
            "overdue": overdue(c, today), "complainant": {
                "name": _mask_name(c.name), "phone": mask_phone(c.phone)},
            "duplicate_of": c.duplicate_of}


def staff_view(c: Complaint, events: list[ComplaintEvent], photos: list[dict], *,
               today: date, refusals: Refusals = BUILTIN) -> dict:
    """A handler's full case: triage reasons, internal notes, photos; the contact masked."""
    return {**staff_item(c, today=today), "description": c.description, "target": target(c),
            "place": c.place, "occurred_on": _day(c.occurred_on), "channel": c.channel,
            "mode": c.mode, "triage": c.triage, "photos": photos,
            "timeline": [timeline_entry(e, internal=True, refusals=refusals) for e in events],
            "rating": c.rating, "rating_comment": c.rating_comment,
            "erased": c.erased_at is not None}


def enterprise_view(c: Complaint, events: list[ComplaintEvent]) -> dict:
    """What the enterprise is told when asked to respond or mediate: the facts, no person."""
    return {"ticket": c.ticket, "kind_name": KIND_NAMES[c.kind],
            "category_name": CATEGORY_NAMES.get(c.category, c.category),
            "description": c.description, "target": _public_target(c),
            "occurred_on": _day(c.occurred_on), "received_at": local_iso(c.received_at),
            "status_name": status_name(Status(c.status)),
            "deadline": deadlines(c)}


def overdue(c: Complaint, today: date) -> bool:
    status = Status(c.status)
    running = status in AWAITING_DECISION or status in IN_HANDLING
    return bool(running and c.due_on and c.due_on < today)


def _mask_name(name: str | None) -> str | None:
    if not name:
        return None
    return name[0] + "*" * (len(name) - 1)

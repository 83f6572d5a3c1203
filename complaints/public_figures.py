"""The complaints feature's side of :class:`core.complaint_figures.ComplaintFigures`: what the
public and an enterprise may know about the cases against it. Counts and summaries only:
no ticket, no name, no phone, no text the complainant wrote."""

from __future__ import annotations

from datetime import date, timedelta

from complaints.context import day_start, local_day
from complaints.models import Complaint, ComplaintEvent
from complaints.refusals import BUILTIN, Refusals
from core.complaint_figures import CaseSummary, ComplaintCounts, ComplaintFigures

WAITING = ("submitted", "moderation", "pending", "returned")


def outcome(status: str, decision: str | None) -> str:
    """A stable word for where a case stands: pending, accepted, refused, resolved,
    transferred, withdrawn, merged."""
    if status in WAITING:
        return "pending"
    if status in ("resolved", "closed") and decision == "accepted":
        return "resolved"
    if status == "closed":
        return decision or "closed"
    if status == "in_progress":
        return "accepted"
    return status


class CaseFigures(ComplaintFigures):
    """Complaint figures read from the ``complaint`` table (cases resolved to an enterprise)."""

    def __init__(self, refusals: Refusals = BUILTIN):
        self.refusals = refusals

    async def counts(self, *, uscc: str, since: date, until: date) -> ComplaintCounts:
        rows = await Complaint.filter(
            target_uscc=uscc, received_at__gte=day_start(since),
            received_at__lt=day_start(until + timedelta(days=1))) \
            .values_list("category", "status", "decision")
        by_category: dict[str, int] = {}
        by_outcome: dict[str, int] = {}
        for category, status, decision in rows:
            by_category[category] = by_category.get(category, 0) + 1
            word = outcome(status, decision)
            by_outcome[word] = by_outcome.get(word, 0) + 1
        return ComplaintCounts(since=since, until=until, total=len(rows),
                               by_category=by_category, by_outcome=by_outcome)

    async def cases(self, *, uscc: str, since: date, limit: int) -> list[CaseSummary]:
        rows = await Complaint.filter(target_uscc=uscc, received_at__gte=day_start(since)) \
            .order_by("-received_at", "-id").limit(limit) \
            .values("id", "received_at", "kind", "category", "status", "decision",
                    "decided_at")
        refused = dict(await ComplaintEvent.filter(
            complaint_id__in=[r["id"] for r in rows], after="refused")
            .values_list("complaint_id", "refusal_reason")) if rows else {}
        return [CaseSummary(received_on=local_day(r["received_at"]), kind=r["kind"],
                            category=r["category"], status=r["status"],
                            outcome=outcome(r["status"], r["decision"]),
                            reason_code=refused.get(r["id"]),
                            reason=self.refusals.text(refused.get(r["id"])),
                            decided_on=local_day(r["decided_at"]) if r["decided_at"] else None)
                for r in rows]

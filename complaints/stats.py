"""Figures for supervisors: per period, district and category, how many cases came in, were
accepted, refused, decided on time or late, how long acceptance and closure took in working
days, and how satisfied complainants were. The aggregation is pure (:func:`figures`)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from core.i18n import T
from complaints.context import Actor, CaseContext, day_start, local_day
from complaints.deadlines import WorkingCalendar
from complaints.models import Complaint
from core.errors import InvalidInput

PERIODS = ("month", "quarter", "year")
COLUMNS = ("period", "division", "category", "received", "accepted", "refused", "on_time",
           "overdue", "avg_days_to_acceptance", "avg_days_to_closure", "rated",
           "satisfaction")


def period_of(day: date, period: str) -> str:
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


@dataclass
class _Cell:
    received: int = 0
    accepted: int = 0
    refused: int = 0
    on_time: int = 0
    overdue: int = 0
    to_acceptance: list[int] = field(default_factory=list)
    to_closure: list[int] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    def add(self, row: dict, calendar: WorkingCalendar, today: date) -> None:
        received = local_day(row["received_at"])
        self.received += 1
        self.accepted += row["decision"] == "accepted"
        self.refused += row["decision"] == "refused"
        decided = row["decided_at"] and local_day(row["decided_at"])
        if decided is not None:
            if decided <= row["acceptance_due"]:
                self.on_time += 1
            else:
                self.overdue += 1
        elif row["acceptance_due"] < today and row["status"] not in ("withdrawn", "merged"):
            self.overdue += 1
        if row["accepted_at"]:
            self.to_acceptance.append(calendar.working_days_between(
                received, local_day(row["accepted_at"])))
        if row["closed_at"]:
            self.to_closure.append(calendar.working_days_between(
                received, local_day(row["closed_at"])))
        if row["rating"] is not None:
            self.ratings.append(row["rating"])

    def as_dict(self) -> dict:
        return {"received": self.received, "accepted": self.accepted, "refused": self.refused,
                "on_time": self.on_time, "overdue": self.overdue,
                "avg_days_to_acceptance": _mean(self.to_acceptance),
                "avg_days_to_closure": _mean(self.to_closure), "rated": len(self.ratings),
                "satisfaction": _mean(self.ratings)}


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def figures(rows: list[dict], *, period: str, calendar: WorkingCalendar,
            today: date) -> list[dict]:
    """One line per (period, district, category), plus an ``*`` total per period and district
    and one per period; sorted by period, then district, then category."""
    cells: dict[tuple[str, str, str], _Cell] = defaultdict(_Cell)
    for row in rows:
        when = period_of(local_day(row["received_at"]), period)
        division = row["division"] or "unassigned"
        for key in ((when, division, row["category"]), (when, division, "*"), (when, "*", "*")):
            cells[key].add(row, calendar, today)
    return [{"period": p, "division": d, "category": c, **cells[(p, d, c)].as_dict()}
            for p, d, c in sorted(cells)]


def to_csv(lines: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue()


async def case_figures(*, ctx: CaseContext, actor: Actor, params: dict) -> dict:
    """The figures a supervisor (all districts) or a handler (their own) may see."""
    period = params.get("period") or "month"
    if period not in PERIODS:
        raise InvalidInput(T("统计周期（period）须为 month、quarter 或 year"), field="period",
                           code="invalid_period")
    since = _since(params.get("since"), ctx.today())
    query = Complaint.filter(received_at__gte=day_start(since))
    if actor.role == "handler":
        query = query.filter(division=actor.division)
    elif params.get("division"):
        query = query.filter(division=params["division"])
    rows = await query.values("division", "category", "received_at", "acceptance_due",
                              "decided_at", "decision", "accepted_at", "closed_at", "rating",
                              "status")
    return {"period": period, "since": since.isoformat(),
            "rows": figures(rows, period=period, calendar=ctx.calendar, today=ctx.today())}


def _since(raw: str | None, today: date) -> date:
    if not raw:
        return date(today.year - 2, 1, 1)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(T("起始日期（since）须为 YYYY-MM-DD"), field="since",
                           code="invalid_date") from None

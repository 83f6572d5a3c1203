"""Figures, pure: counts, timeliness and working days per period, district and category."""

from __future__ import annotations

from datetime import date, datetime

from complaints.deadlines import WorkingCalendar
from complaints.stats import figures, period_of, to_csv
from core.clock import SHANGHAI


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def row(received, due, *, decided=None, decision=None, accepted=None, closed=None, rating=None,
        division="450204", category="expired", status="pending") -> dict:
    return {"received_at": received, "acceptance_due": due, "decided_at": decided,
            "decision": decision, "accepted_at": accepted, "closed_at": closed,
            "rating": rating, "division": division, "category": category, "status": status}


ROWS = [
    # accepted on time across National Day, closed, rated 4
    row(at(2026, 9, 30, 9), date(2026, 10, 15), decided=at(2026, 10, 9, 10),
        decision="accepted", accepted=at(2026, 10, 9, 10), closed=at(2026, 10, 20, 10),
        rating=4, status="closed"),
    # refused late
    row(at(2026, 9, 1, 9), date(2026, 9, 10), decided=at(2026, 9, 14, 9), decision="refused",
        status="refused"),
    # undecided and past its deadline
    row(at(2026, 9, 2, 9), date(2026, 9, 11), category="foreign_body"),
    # another district, next quarter, rated 2
    row(at(2026, 10, 12, 9), date(2026, 10, 21), decided=at(2026, 10, 13, 9),
        decision="accepted", accepted=at(2026, 10, 13, 9), closed=at(2026, 10, 14, 9),
        rating=2, division="450205", status="closed"),
    # withdrawn before any decision: not overdue
    row(at(2026, 9, 3, 9), date(2026, 9, 12), status="withdrawn", division=None),
]


def test_periods():
    assert period_of(date(2026, 9, 30), "month") == "2026-09"
    assert period_of(date(2026, 10, 1), "quarter") == "2026-Q4"
    assert period_of(date(2026, 3, 31), "quarter") == "2026-Q1"
    assert period_of(date(2026, 12, 31), "year") == "2026"


def test_figures_by_quarter():
    lines = figures(ROWS, period="quarter", calendar=WorkingCalendar(), today=date(2026, 11, 1))
    by = {(r["period"], r["division"], r["category"]): r for r in lines}
    q3 = by[("2026-Q3", "450204", "*")]
    assert (q3["received"], q3["accepted"], q3["refused"]) == (3, 1, 1)
    assert (q3["on_time"], q3["overdue"]) == (1, 2)
    assert q3["avg_days_to_acceptance"] == 2  # Oct 8, Oct 9 (Oct 1-7 are the holiday)
    assert q3["avg_days_to_closure"] == 10  # Oct 8, 9, 10 (make-up Saturday), 12-16, 19, 20
    assert q3["satisfaction"] == 4 and q3["rated"] == 1
    assert by[("2026-Q3", "450204", "foreign_body")]["overdue"] == 1
    assert by[("2026-Q3", "unassigned", "*")]["overdue"] == 0
    assert by[("2026-Q3", "*", "*")]["received"] == 4
    assert by[("2026-Q4", "450205", "*")]["satisfaction"] == 2
    assert [r["period"] for r in lines] == sorted(r["period"] for r in lines)


def test_csv_has_the_columns_and_one_line_per_row():
    lines = figures(ROWS, period="year", calendar=WorkingCalendar(), today=date(2026, 11, 1))
    text = to_csv(lines)
    assert text.splitlines()[0].startswith("period,division,category,received,accepted")
    assert len(text.splitlines()) == len(lines) + 1
    assert "2026,*,*,5,2,1,2,2" in text

"""Statutory deadlines in working days on China's official calendar.

A deadline of *n* working days for a case received on day *d* is the *n*-th working day after
*d*: the day of receipt is not counted (Civil Code art. 201). Working days are the State
Council's: weekends that are official working days (调休) count, public holidays do not.

The official calendar comes from the ``chinesecalendar`` package, which knows only the years
the State Council has published, and from holiday files loaded at run time (a year the
package lacks can be added without a release). A deadline that reaches into a year with no
official data is counted Monday to Friday and marked provisional.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from core.errors import InvalidInput

from core.i18n import T


@dataclass(frozen=True)
class DeadlineRules:
    """Working days allowed for each step (configurable: SAMR Order No. 121 replaced the
    2020 interim measures on 2026-04-15; the defaults are the figures both state)."""

    acceptance: int = 7  # accept or refuse a complaint or report
    mediation: int = 45  # mediate an accepted complaint
    verification: int = 15  # verify an accepted report


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # counted Monday-Friday past the official calendar's last year

    def as_dict(self) -> dict:
        return {"due": self.due.isoformat(), "provisional": self.provisional}


@dataclass
class WorkingCalendar:
    """Official working days: the package's years plus years loaded from holiday files."""

    extra: dict[int, tuple[frozenset[date], frozenset[date]]] = field(default_factory=dict)
    _due: dict[tuple[date, int], Deadline] = field(default_factory=dict, repr=False,
                                                   compare=False)  # every case of a day

    def official(self, year: int) -> bool:
        """Whether the State Council's arrangement for ``year`` is known."""
        return year in self.extra or _package_knows(year)

    def is_workday(self, day: date) -> bool:
        """Working day by the official arrangement, or Monday-Friday where none is known."""
        if day.year in self.extra:
            holidays, workdays = self.extra[day.year]
            if day in workdays:
                return True
            return day.weekday() < 5 and day not in holidays
        if _package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, received: date, days: int) -> Deadline:
        """The ``days``-th working day after ``received`` (receipt day not counted)."""
        if not 0 <= days <= 3660:
            raise InvalidInput(T("工作日天数须在 0 到 3660 之间"), field="days",
                               code="bad_working_days")
        known = self._due.get((received, days))
        if known is not None:
            return known
        if len(self._due) > 10_000:
            self._due.clear()
        self._due[(received, days)] = deadline = self._count(received, days)
        return deadline

    def _count(self, received: date, days: int) -> Deadline:
        day, left, provisional = received, days, False
        while left:
            day += timedelta(days=1)
            provisional = provisional or not self.official(day.year)
            if self.is_workday(day):
                left -= 1
        return Deadline(day, provisional)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def load(self, path: Path) -> None:
        """Add the years of a holiday file: ``{"2027": {"holidays": [...], "workdays":
        [...]}}`` with ISO dates (workdays: weekend days that are official working days)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            for year_text, days in data.items():
                year = int(year_text)
                holidays = frozenset(_dates(days.get("holidays", ()), year))
                workdays = frozenset(_dates(days.get("workdays", ()), year))
                self.extra[year] = (holidays, workdays)
            self._due.clear()
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            raise InvalidInput(T("节假日文件 {path} 无法读取：{exc}",
                                 path=path, exc=exc), field="holiday_file",
                               code="bad_holiday_file") from None


def _dates(values, year: int) -> list[date]:
    days = [date.fromisoformat(v) for v in values]
    if any(d.year != year for d in days):
        raise ValueError(f"a date outside {year}")
    return days


@lru_cache(maxsize=None)
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False

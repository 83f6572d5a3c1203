"""Deadlines in working days on China's official calendar (Civil Code art. 201: the day of
receipt is not counted), with a provisional Monday-Friday count past the official data."""

from __future__ import annotations

import json
from datetime import date

import pytest

from complaints.deadlines import WorkingCalendar
from core.errors import InvalidInput


@pytest.fixture
def calendar():
    return WorkingCalendar()


def test_national_day_holiday_and_its_make_up_saturday(calendar):
    # 2026: 1-7 October off; Saturday 10 October is an official working day.
    assert not calendar.is_workday(date(2026, 10, 5))
    assert calendar.is_workday(date(2026, 10, 10))
    deadline = calendar.add_working_days(date(2026, 9, 30), 7)
    assert deadline.due == date(2026, 10, 15) and not deadline.provisional


def test_the_day_of_receipt_is_not_counted(calendar):
    assert calendar.add_working_days(date(2026, 11, 30), 1).due == date(2026, 12, 1)
    assert calendar.add_working_days(date(2026, 11, 27), 1).due == date(2026, 11, 30)  # Fri
    assert calendar.add_working_days(date(2026, 11, 28), 0).due == date(2026, 11, 28)


def test_a_deadline_past_the_official_data_is_provisional(calendar):
    late = calendar.add_working_days(date(2026, 12, 28), 7)
    assert late.provisional and late.due == date(2027, 1, 6)  # Monday-Friday only
    assert not calendar.add_working_days(date(2026, 12, 1), 7).provisional


def test_a_holiday_file_extends_the_calendar(calendar, tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"],
                                         "workdays": ["2027-01-09"]}}))
    calendar.load(path)
    deadline = calendar.add_working_days(date(2026, 12, 28), 7)
    assert not deadline.provisional and deadline.due == date(2027, 1, 7)


@pytest.mark.parametrize("content", ["not json", '{"2027": {"holidays": ["2028-01-01"]}}',
                                     '{"x": {}}', '["2027-01-01"]'])
def test_a_bad_holiday_file_is_refused_whole(calendar, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InvalidInput) as err:
        calendar.load(path)
    assert err.value.code == "bad_holiday_file"
    assert calendar.extra == {}


def test_bad_day_counts(calendar):
    with pytest.raises(InvalidInput):
        calendar.add_working_days(date(2026, 1, 1), -1)


def test_working_days_between(calendar):
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 15)) == 7
    assert calendar.working_days_between(date(2026, 10, 15), date(2026, 9, 30)) == 0

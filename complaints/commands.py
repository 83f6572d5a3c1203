"""The complaints feature's ``gongzhi`` commands: ``calendar deadline``."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from complaints.deadlines import WorkingCalendar
from core.errors import InvalidInput
from core.features import Command, CommandContext


def run_calendar(context: CommandContext, args: argparse.Namespace) -> int:
    """``gongzhi calendar deadline DATE DAYS``: the due date, and ``provisional`` when it
    reaches past the official calendar."""
    calendar = WorkingCalendar()
    try:
        for path in args.holidays or ():
            calendar.load(path)
        received = date.fromisoformat(args.received)
        deadline = calendar.add_working_days(received, args.days)
    except ValueError:
        print(f"gongzhi: 日期 {args.received!r} 不是 YYYY-MM-DD 格式")
        return 2
    except InvalidInput as exc:
        print(f"gongzhi: {exc.message}")
        return 2
    print(deadline.due.isoformat() + (" provisional" if deadline.provisional else ""))
    return 0


def _calendar_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["deadline"])
    parser.add_argument("received", help="the day the case was received, YYYY-MM-DD")
    parser.add_argument("days", type=int, help="working days allowed (e.g. 7 for acceptance)")
    parser.add_argument("--holidays", type=Path, action="append",
                        help="a holiday file for years the package lacks (repeatable)")


COMMANDS = (
    Command("calendar", "deadline of a case in working days on China's official calendar",
            run_calendar, _calendar_arguments),
)

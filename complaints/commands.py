"""The complaints feature's ``gongzhi`` commands: ``calendar deadline``, ``complaints
export``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime
from pathlib import Path

from complaints.deadlines import WorkingCalendar
from core.clock import SHANGHAI
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


def run_complaints(context: CommandContext, args: argparse.Namespace) -> int:
    """``gongzhi complaints export --since DATE [--out FILE]``: the cases handed to 12315
    since DATE as ``complaint_transfer`` NDJSON records."""
    import orjson

    from complaints.transfer import export_transfers

    try:
        since = datetime.combine(date.fromisoformat(args.since), datetime.min.time(),
                                 tzinfo=SHANGHAI)
    except ValueError:
        print(f"gongzhi: --since {args.since!r} 不是 YYYY-MM-DD 格式", file=sys.stderr)
        return 2

    async def work() -> list[dict]:
        services = await context.services()
        try:
            return list(await export_transfers(since=since))
        finally:
            await services.close()

    records = asyncio.run(work())
    out = open(args.out, "wb") if args.out else sys.stdout.buffer
    try:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
    finally:
        if args.out:
            out.close()
    print(f"{len(records)} complaint_transfer records", file=sys.stderr)
    return 0


def _complaints_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["export"])
    parser.add_argument("--since", required=True, help="transferred on or after, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")


COMMANDS = (
    Command("calendar", "deadline of a case in working days on China's official calendar",
            run_calendar, _calendar_arguments),
    Command("complaints", "hand cases to the national 12315 platform (NDJSON export)",
            run_complaints, _complaints_arguments),
)

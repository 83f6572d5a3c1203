"""The accounts feature's ``gongzhi`` commands: ``staff add``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from core.errors import DomainError
from core.features import Command, CommandContext


def run_staff(context: CommandContext, args: argparse.Namespace) -> int:
    """``gongzhi staff add USERNAME --name N --role handler|supervisor [--division D]``; the
    password comes from standard input (``--password-stdin``), ``GONGZHI_STAFF_PASSWORD`` or
    a prompt."""
    from accounts.staff import add_staff

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = os.environ.get("GONGZHI_STAFF_PASSWORD") or getpass.getpass("密码: ")

    async def work() -> str:
        services = await context.services()
        try:
            staff = await add_staff(username=args.username, name=args.name, role=args.role,
                                    division=args.division, password=password)
            return f"staff account {staff.username} ({staff.role}" + (
                f", {staff.division}" if staff.division else "") + ") created"
        finally:
            await services.close()

    try:
        print(asyncio.run(work()))
    except DomainError as exc:
        print(f"gongzhi: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    return 0


def _staff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["add"])
    parser.add_argument("username")
    parser.add_argument("--name", required=True, help="the person's name (shown to colleagues)")
    parser.add_argument("--role", required=True, choices=["handler", "supervisor"])
    parser.add_argument("--division", help="6-digit district code of a handler's office")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")


COMMANDS = (
    Command("staff", "create complaint handler and supervisor accounts", run_staff,
            _staff_arguments),
)

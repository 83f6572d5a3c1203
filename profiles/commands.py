"""``gongzhi enterprise``: binding codes for enterprise accounts, correction requests."""

from __future__ import annotations

import argparse
import asyncio

from core.clock import local_iso
from core.errors import DomainError
from core.features import Command, CommandContext
from profiles.corrections import list_corrections
from profiles.lookup import parse_uscc
from profiles.members import issue_binding_code


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="action")
    invite = actions.add_parser("invite", help="issue a one-time binding code for an "
                                               "enterprise account (printed once)")
    invite.add_argument("uscc", help="the enterprise's unified social credit code")
    invite.add_argument("--days", type=int, help="days the code stays usable (default "
                                                 "GONGZHI_BINDING_CODE_DAYS, 7)")
    listing = actions.add_parser("corrections", help="list correction requests")
    listing.add_argument("--status", choices=("open", "accepted", "rejected"), default="open")
    listing.add_argument("--uscc", help="one enterprise's requests")


async def _invite(context: CommandContext, args) -> str:
    services = await context.services()
    try:
        uscc = parse_uscc(args.uscc)
        days = args.days or context.settings.binding_code_days
        if not 1 <= days <= 90:
            raise SystemExit("gongzhi enterprise invite: --days must be between 1 and 90")
        code, expires = await issue_binding_code(uscc=uscc, now=services.clock(), days=days)
        return f"绑定码 {code}（{uscc}），有效期至 {local_iso(expires)}，仅可使用一次"
    finally:
        await services.close()


async def _corrections(context: CommandContext, args) -> str:
    services = await context.services()
    try:
        uscc = parse_uscc(args.uscc) if args.uscc else None
        found = await list_corrections(uscc=uscc, status=args.status, limit=1000)
        lines = [f"{c.id}\t{c.uscc}\t{c.target_type}:{c.target_key}\t{c.field}\t{c.status}"
                 f"\t{c.proposed}" for c in found]
        return "\n".join(lines) or f"没有状态为 {args.status} 的更正申请"
    finally:
        await services.close()


def run(context: CommandContext, args) -> int:
    action = _invite if args.action == "invite" else _corrections
    try:
        print(asyncio.run(action(context, args)))
    except DomainError as error:
        print(f"gongzhi enterprise {args.action}: {error.message} ({error.code})")
        return 1
    return 0


COMMANDS = (Command("enterprise", "enterprise accounts: binding codes (invite), correction "
                    "requests", run, _arguments),)

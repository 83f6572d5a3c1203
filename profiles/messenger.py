"""Sending the queued recall warnings (``recall_message``) through WeChat.

Each worker process claims a few due messages at a time with a lease (an UPDATE that only
takes rows nobody holds), so two workers never send the same message; a worker that dies
lets its lease run out and another sends. For each message one grant of the person's
consent is spent before sending (a one-time subscription allows one message); then:

- sent: ``sent``;
- WeChat says the user refused the template (43101): ``refused``, and the consent is marked
  ``reject`` with no grants left;
- no consent left (withdrawn, spent): ``skipped``;
- WeChat unreachable or failing: the grant is given back and the message retried with
  backoff (30 s doubling, at most an hour), ``failed`` after :data:`MAX_ATTEMPTS`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import datetime, timedelta
from typing import Callable

from core.errors import DomainError
from profiles import sql
from profiles.models import RecallMessage, Subscription

log = logging.getLogger("gongzhi.recall_warnings")
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
BATCH = 20


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


class RecallMessenger:
    """Sends due recall warnings; ``run`` is the background job, ``drain`` sends now."""

    def __init__(self, gateway: Callable[[], object], *, clock: Callable[[], datetime],
                 interval: float = 10.0):
        self.gateway = gateway  # resolved at send time (the accounts feature provides it)
        self.clock = clock
        self.interval = interval
        self.owner = secrets.token_hex(8)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - logged; the rows stay and are retried
                log.exception("sending recall warnings failed")

    async def drain(self) -> dict[str, int]:
        """Send every message due now; count the outcomes."""
        outcomes: dict[str, int] = {}
        while True:
            claimed = await self._claim()
            if not claimed:
                return outcomes
            for message in claimed:
                outcome = await self._send(message)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1

    async def _claim(self) -> list[RecallMessage]:
        now = self.clock()
        due = await RecallMessage.filter(status="pending", next_at__lte=now).filter(
            lease_until__isnull=True).order_by("id").limit(BATCH).values_list("id", flat=True)
        due += await RecallMessage.filter(status="pending", next_at__lte=now,
                                          lease_until__lt=now).order_by("id").limit(BATCH) \
            .values_list("id", flat=True)
        if not due:
            return []
        await sql.execute(
            f"UPDATE recall_message SET lease_until = ?, lease_owner = ? WHERE id IN "
            f"({sql.marks(len(due))}) AND status = 'pending' "
            "AND (lease_until IS NULL OR lease_until < ?)",
            [sql.stamp(now + LEASE), self.owner, *due, sql.stamp(now)])
        return await RecallMessage.filter(id__in=due, lease_owner=self.owner, status="pending")

    async def _send(self, message: RecallMessage) -> str:
        consent = await Subscription.get_or_none(user_hash=message.user_hash,
                                                 template_id=message.template_id)
        spent = consent is not None and consent.openid and await sql.execute(
            "UPDATE consumer_subscription SET grants = grants - 1 WHERE id = ? AND grants > 0",
            [consent.id]) == 1
        if not spent:
            return await self._finish(message, "skipped")
        try:
            accepted = await self.gateway().send_subscribe_message(
                openid=consent.openid, template_id=message.template_id,
                data=message.payload["data"], page=message.payload.get("page"))
        except DomainError as error:
            await sql.execute("UPDATE consumer_subscription SET grants = grants + 1 "
                              "WHERE id = ?", [consent.id])
            return await self._retry(message, f"{error.code}: {error.message}")
        if not accepted:
            await Subscription.filter(id=consent.id).update(status="reject", grants=0)
            return await self._finish(message, "refused")
        return await self._finish(message, "sent")

    async def _finish(self, message: RecallMessage, status: str) -> str:
        message.status, message.lease_until, message.lease_owner = status, None, None
        if status == "sent":
            message.sent_at = self.clock()
        await message.save(update_fields=["status", "lease_until", "lease_owner", "sent_at"])
        return status

    async def _retry(self, message: RecallMessage, error: str) -> str:
        message.attempts += 1
        message.last_error = error[:300]
        message.lease_until = message.lease_owner = None
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.next_at = self.clock() + backoff(message.attempts)
        await message.save(update_fields=["attempts", "last_error", "lease_until",
                                          "lease_owner", "status", "next_at"])
        return "failed" if message.status == "failed" else "retry"

"""Drain the change outbox into whatever keeps derived views true (search index, caches).

Rows are written in the same transaction as the data; a handler failing leaves them in place
to be retried with backoff, so a crash between the write and the drain loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Awaitable, Callable

from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model

from core.db import APP

log = logging.getLogger("gongzhi.outbox")
Handler = Callable[[dict[str, set[str]]], Awaitable[None]]


class ChangeOutbox(Model):
    # Written in the same transaction as the data it names, then drained into search/caches.

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(20)  # enterprise | product | batch | code
    key = fields.CharField(128)
    created_at = fields.DatetimeField(auto_now_add=True)
    attempts = fields.IntField(default=0)

    class Meta:
        app = APP
        table = "change_outbox"


async def drain_outbox(*, handlers: list[Handler], batch: int = 1000,
                       max_batches: int | None = None) -> int:
    """Hand pending changes to every handler; delete rows once all succeeded. Returns rows."""
    done = 0
    while max_batches is None or max_batches > 0:
        rows = await ChangeOutbox.all().order_by("id").limit(batch).values_list("id", "kind", "key")
        if not rows:
            break
        touched: dict[str, set[str]] = defaultdict(set)
        for _, kind, key in rows:
            touched[kind].add(key)
        ids = [row[0] for row in rows]
        try:
            for handler in handlers:
                await handler(dict(touched))
        except Exception:
            log.exception("outbox handler failed; %d changes stay queued", len(ids))
            await ChangeOutbox.filter(id__in=ids).update(attempts=F("attempts") + 1)
            raise
        await ChangeOutbox.filter(id__in=ids).delete()
        done += len(ids)
        if max_batches is not None:
            max_batches -= 1
    return done


class OutboxWorker:
    """Drains after each import (``drain_now``, in the import's task) and every ``interval``
    seconds in the background, backing off while a handler keeps failing."""

    def __init__(self, handlers: list[Handler], *, interval: float = 2.0, max_backoff: float = 60):
        self.handlers = handlers
        self.interval = interval
        self.max_backoff = max_backoff
        self._lock = asyncio.Lock()

    async def drain_now(self) -> int:
        """Drain in the caller's task (an import waits for this before answering)."""
        async with self._lock:
            return await drain_outbox(handlers=self.handlers)

    async def run(self) -> None:
        delay = self.interval
        while True:
            await asyncio.sleep(delay)
            try:
                await self.drain_now()
                delay = self.interval
            except asyncio.CancelledError:
                raise
            except Exception:
                delay = min(self.max_backoff, delay * 2)

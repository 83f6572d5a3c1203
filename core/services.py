"""The running parts of one process, wired from settings in one place.

``Services.start(settings, ...)`` opens the database, the key-value store and the search
backend; tests and the CLI pass their own parts. Nothing here imports Sanic.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from core import db
from core.kv import KeyValueStore, make_store
from core.outbox import Handler, OutboxWorker
from core.settings import Settings


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    settings: Settings
    store: KeyValueStore
    search: object  # search.SearchBackend
    clock: Callable[[], datetime] = utc_now
    wechat: object | None = None  # accounts.wechat.WeChatGateway
    change_handlers: list[Handler] = field(default_factory=list)
    outbox: OutboxWorker | None = None
    trace: object | None = None  # tracing.service.TraceService
    _tasks: list[asyncio.Task] = field(default_factory=list)

    @classmethod
    async def start(cls, settings: Settings, *, store=None, search=None, clock=None,
                    wechat=None, background: bool = True) -> "Services":
        """Open every part; ``background`` starts the outbox drain task."""
        await db.init_db(settings)
        if search is None:
            from search import make_search_backend

            search = make_search_backend(settings)
        services = cls(settings=settings, store=store or make_store(settings), search=search,
                       clock=clock or utc_now, wechat=wechat)
        services.outbox = OutboxWorker(services.change_handlers)
        from tracing.indexing import search_sync_handler

        services.on_change(search_sync_handler(search))
        from tracing.service import TraceService

        services.trace = TraceService.from_settings(settings, services.store,
                                                    clock=services.clock)
        services.on_change(services.trace.on_change)
        if background:
            services._tasks.append(asyncio.create_task(services.outbox.run()))
            services._tasks.append(asyncio.create_task(services.trace.recorder.run()))
        return services

    def on_change(self, handler: Handler) -> None:
        """Register a handler for committed changes (search sync, cache invalidation)."""
        self.change_handlers.append(handler)

    async def changes_committed(self, touched: dict[str, set[str]]) -> None:
        """Called by imports after each commit: drain now so no stale view outlives it.

        A failing handler never fails the import (its data is committed): the rows stay in
        the outbox and the background worker retries them with backoff.
        """
        if self.outbox is not None:
            try:
                await self.outbox.drain_now()
            except Exception:  # noqa: BLE001 - logged by drain_outbox; the worker retries
                pass

    async def health(self) -> dict:
        db_ok = await db.db_ping()
        cache_ok = await self.store.ping()
        try:
            search_ok = await self.search.ping()
        except Exception:
            search_ok = False
        return {
            "status": "ok" if db_ok and cache_ok and search_ok else "degraded",
            "db": {"ok": db_ok, "backend": "postgres" if self.settings.is_postgres else "sqlite"},
            "cache": {"ok": cache_ok, "backend": self.store.name},
            "search": {"ok": search_ok, "backend": self.settings.search_backend},
        }

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        if self.trace is not None:
            try:
                await self.trace.close()  # write the scans still buffered
            except Exception:  # noqa: BLE001 - the database may be gone already
                pass
        await self.search.close()
        await self.store.close()
        if self.wechat is not None:
            await self.wechat.close()
        await db.close_db()

"""The running parts of one process, started from the registered features in one place.

``Services.start(settings, registry, ...)`` opens the database and the key-value store, then
lets each feature put in its parts (``provide``), outbox handlers and background tasks. A
part is looked up by its class (``services.get(TraceService)``); tests and the CLI pass
their own parts through ``parts``. Nothing here imports Sanic or a feature.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, TypeVar

from core import db, i18n
from core.clock import utc_now
from core.features import Registry
from core.kv import KeyValueStore, make_store
from core.outbox import Handler, OutboxWorker
from core.settings import Settings

log = logging.getLogger("gongzhi.services")


def per_process_warning(workers: int) -> str:
    """What health and start-up say when several workers run without Redis: each keeps its
    own limits, counters and sessions (README, "Limits without Redis")."""
    return i18n.T("{workers}个工作进程未共享 Redis：扫码与登录限流、扫码人数去重和登录会话各在本进程内，"
                  "同一客户端在一个时间窗内最多可扫码上限的{workers}倍；设置 GONGZHI_REDIS_URL 即可共享",
                  workers=workers)


T = TypeVar("T")
Probe = Callable[[], Awaitable[dict]]


@dataclass
class Services:
    settings: Settings
    store: KeyValueStore
    clock: Callable[[], datetime] = utc_now
    parts: dict[type, Any] = field(default_factory=dict)
    change_handlers: list[Handler] = field(default_factory=list)
    outbox: OutboxWorker | None = None
    _probes: dict[str, Probe] = field(default_factory=dict)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _jobs: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _tasks: list[asyncio.Task] = field(default_factory=list)

    @classmethod
    async def start(cls, settings: Settings, registry: Registry, *, store=None, clock=None,
                    parts: dict[type, Any] | None = None, background: bool = True
                    ) -> "Services":
        """Open every part; ``background`` starts the outbox drain and the features' jobs."""
        await db.init_db(settings, models=registry.model_modules)
        services = cls(settings=settings, store=store or make_store(settings),
                       clock=clock or utc_now,
                       parts={k: v for k, v in (parts or {}).items() if v is not None})
        for starter in registry.starters:
            await starter(services)
        for factory in registry.change_handlers:
            services.change_handlers.append(factory(services))
        services.outbox = OutboxWorker(services.change_handlers)
        if background:
            services._tasks.append(asyncio.create_task(services.outbox.run()))
            services._tasks.extend(asyncio.create_task(job()) for job in services._jobs)
        return services

    def get(self, kind: type[T]) -> T:
        """The part registered for ``kind`` (KeyError naming it when none is)."""
        try:
            return self.parts[kind]
        except KeyError:
            raise KeyError(f"no {kind.__name__} was provided by a feature") from None

    def provide(self, kind: type[T], make: Callable[[], T], *,
                close: Callable[[T], Awaitable[None]] | None = None) -> T:
        """Register the part for ``kind`` unless the caller passed one; ``close`` runs at
        shutdown for either (parts close in reverse order, before the store and database)."""
        part = self.parts.get(kind)
        if part is None:
            part = self.parts[kind] = make()
        if close is not None:
            self._closers.append(lambda: close(part))
        return part

    def background(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run ``job`` as a task while the services run (when started with background)."""
        self._jobs.append(job)

    def probe(self, name: str, check: Probe) -> None:
        """Add a health check: ``check()`` answers ``{"ok": bool, ...}``."""
        self._probes[name] = check

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
        """Every part's report, and the status: ``ok``; ``warning`` when a part serves only
        through its fallback (it says why in ``warning``); ``degraded`` when a part fails."""
        report: dict[str, Any] = {
            "db": {"ok": await db.db_ping(),
                   "backend": "postgres" if self.settings.is_postgres else "sqlite"},
            "cache": await self.store.status(),
        }
        if self.settings.workers > 1 and self.store.name == "memory":
            report["cache"]["warning"] = per_process_warning(self.settings.workers)
        for name, check in self._probes.items():
            try:
                report[name] = await check()
            except Exception:  # noqa: BLE001 - a probe that fails is a part that is down
                report[name] = {"ok": False}
        if not all(part["ok"] for part in report.values()):
            status = "degraded"
        else:
            status = "warning" if any("warning" in part for part in report.values()) else "ok"
        return {"status": status, **report}

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        for closer in reversed(self._closers):
            try:
                await closer()
            except Exception:  # noqa: BLE001 - shutting down: the rest must still close
                log.exception("closing a part failed")
        await self.store.close()
        await db.close_db()

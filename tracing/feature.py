"""The tracing feature: the trace model, the exchange import, the scan and its commands."""

from __future__ import annotations

from core.features import Registry
from core.services import Services
from search.base import SearchBackend
from tracing import commands, kiosk_commands
from tracing.exchange.extensions import ExchangeExtensions
from tracing.indexing import search_sync_handler
from tracing.service import TraceService


def register(registry: Registry) -> None:
    registry.models("tracing.model.models", "tracing.scans.models")
    registry.http("api.blueprints.exchange", "api.blueprints.scan", "api.blueprints.resolver",
                  "api.blueprints.kiosks", "api.blueprints.scan_photo")
    registry.on_start(start)
    registry.on_change(lambda services: search_sync_handler(services.get(SearchBackend)))
    registry.on_change(lambda services: services.get(TraceService).on_change)
    for command in (*commands.COMMANDS, kiosk_commands.COMMAND):
        registry.command(command)


async def start(services: Services) -> None:
    """Provide the :class:`TraceService` (view cache, scan recorder) and its scan writer, and
    the exchange's extra record types (other features add theirs)."""
    services.provide(ExchangeExtensions, ExchangeExtensions)
    trace = services.provide(
        TraceService,
        lambda: TraceService.from_settings(services.settings, services.store,
                                           clock=services.clock),
        close=TraceService.close)
    services.background(trace.recorder.run)

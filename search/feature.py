"""The search feature: the backend chosen from settings, its health probe and its endpoints.

What is indexed comes from the features that own the data (``tracing.indexing``).
"""

from __future__ import annotations

from core.features import Registry
from core.services import Services
from search import make_search_backend
from search.base import SearchBackend


def register(registry: Registry) -> None:
    registry.http("api.blueprints.search")
    registry.on_start(start)


async def start(services: Services) -> None:
    """Provide the :class:`SearchBackend` (unless one was passed) and its health probe."""
    backend = services.provide(SearchBackend, lambda: make_search_backend(services.settings),
                               close=SearchBackend.close)

    async def probe() -> dict:
        return {"ok": await backend.ping(), "backend": services.settings.search_backend}

    services.probe("search", probe)

"""Search over enterprises and products: one interface, an embedded and an Elasticsearch backend.

Pick the backend with :func:`make_search_backend`; nothing is created at import time.
"""

from __future__ import annotations

from .base import SearchBackend, SearchDoc, SearchHit, SearchQuery, SearchResult

__all__ = ["SearchBackend", "SearchDoc", "SearchHit", "SearchQuery", "SearchResult",
           "make_search_backend"]


def make_search_backend(settings) -> SearchBackend:
    """The backend ``settings.search_backend`` names: embedded (default) or elasticsearch."""
    if settings.search_backend == "elasticsearch":
        from .elastic import ElasticsearchSearchBackend

        return ElasticsearchSearchBackend(settings.es_url)
    from .embedded import EmbeddedSearchBackend

    return EmbeddedSearchBackend(settings.data_dir / "search.sqlite3")

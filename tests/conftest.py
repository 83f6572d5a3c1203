"""Shared fixtures: real services when reachable, and a hard failure when
``REQUIRE_SERVICES=1`` and one is missing (CI)."""

from __future__ import annotations

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
TEST_REDIS_URL = os.environ.get("GONGZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEST_PG_URL = os.environ.get("GONGZHI_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def need(url: str, what: str) -> None:
    """Skip when the service is down, or fail when the run requires services."""
    if reachable(url):
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} at {url} is required (REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{what} not reachable at {url}")


@pytest.fixture
async def redis_store():
    """A RedisStore under a fresh key prefix, flushed afterwards."""
    need(TEST_REDIS_URL, "Redis")
    from gongzhi.kv import RedisStore

    store = RedisStore(TEST_REDIS_URL, prefix=f"gztest:{uuid.uuid4().hex[:8]}:")
    yield store
    await store.flush_prefix()
    await store.close()


@pytest.fixture(params=["memory", "redis"])
async def kv_store(request):
    """Every KeyValueStore implementation in turn."""
    if request.param == "memory":
        from gongzhi.kv import MemoryStore

        yield MemoryStore()
    else:
        yield request.getfixturevalue("redis_store")

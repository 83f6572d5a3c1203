"""The view cache's generation (in the database) over a Redis the test controls: an
invalidation that missed Redis is made up for before Redis serves a view again; a normal one
costs nothing beyond its own tags."""

from __future__ import annotations

import asyncio

import pytest

from core.db import bump_generation, read_generation
from core.failover import FailoverStore
from core.kv import RedisStore
from tracing.view import cache as cache_module
from tracing.view.cache import GENERATION, ViewCache, entry_key


@pytest.fixture
async def store(db, private_redis):
    store = FailoverStore(RedisStore(private_redis.url, prefix="gzgen:"), min_backoff=0.02,
                          max_backoff=0.1)
    yield store
    await store.close()


@pytest.fixture(autouse=True)
def quick_checks(monkeypatch):
    monkeypatch.setattr(cache_module, "CHECK_EVERY", 0.01)


async def put(cache: ViewCache, key: str, tag: str) -> None:
    assert await cache.put(key, b"view of " + key.encode(), tags={tag},
                           version=await cache.version())


async def settle(cache: ViewCache, rounds: int = 3) -> None:
    """Let the background generation checks run a few times."""
    for _ in range(rounds):
        await asyncio.sleep(0.02)
        await cache.sync()
        if cache._checking is not None:
            await cache._checking


async def test_a_normal_invalidation_drops_only_its_tags(store):
    cache = ViewCache(store, ttl=60)
    await cache.sync()
    await put(cache, "a", "batch:A")
    await put(cache, "b", "batch:B")
    before = await read_generation(GENERATION)
    assert await cache.invalidate({"batch:A"}) == 1
    assert await read_generation(GENERATION) == before + 1
    await settle(cache)
    assert await store.get(entry_key("a")) is None
    assert await store.get(entry_key("b")) == b"view of b"


async def test_an_invalidation_that_missed_redis_empties_it_when_it_returns(store,
                                                                           private_redis):
    cache = ViewCache(store, ttl=60)
    await cache.sync()
    await put(cache, "a", "batch:A")
    await put(cache, "b", "batch:B")
    private_redis.snapshot()
    private_redis.kill()
    await cache.invalidate({"batch:A"})  # reaches only this process's memory
    assert store.degraded
    private_redis.start()  # with the old views
    assert await store.primary.get(entry_key("a")) == b"view of a"
    for _ in range(200):
        await cache.sync()
        await store.get("poke")
        if not store.degraded:
            break
        await asyncio.sleep(0.02)
    assert not store.degraded
    assert await store.get(entry_key("a")) is None  # emptied before it served
    assert await store.get(entry_key("b")) is None


async def test_a_redis_restarted_behind_the_database_unnoticed_is_emptied(store):
    """Another process imported while this one never saw Redis go (its invalidation missed
    Redis): the gap seen on two checks in a row empties the cache."""
    cache = ViewCache(store, ttl=60)
    await settle(cache)  # a new Redis holds no generation: marked with the database's
    assert int(await store.get(cache_module.GENERATION_KEY)) == await read_generation(GENERATION)
    await put(cache, "a", "batch:A")
    await settle(cache)
    assert await store.get(entry_key("a")) == b"view of a"
    await bump_generation(GENERATION)
    await settle(cache)
    assert await store.get(entry_key("a")) is None
    await put(cache, "a", "batch:A")  # and then it caches again, and keeps what it caches
    await settle(cache)
    assert await store.get(entry_key("a")) == b"view of a"


async def test_while_down_an_import_elsewhere_drops_this_process_views(store, private_redis):
    cache = ViewCache(store, ttl=60)
    private_redis.kill()
    await store.get("notice the outage")
    await cache.sync()
    await settle(cache)
    await put(cache, "a", "batch:A")  # in this process's memory
    await settle(cache)
    assert await store.get(entry_key("a")) == b"view of a"
    await bump_generation(GENERATION)  # another process's import
    await settle(cache)
    assert await store.get(entry_key("a")) is None

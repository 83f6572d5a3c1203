"""FailoverStore over a redis-server the test stops and restarts: calls keep answering from
memory, one log line per outage, reconnect hooks run before Redis serves again, and the
shared view (sessions) refuses rather than falls back."""

from __future__ import annotations

import asyncio
import logging

import pytest

from core.failover import FailoverStore
from core.kv import RedisStore, StoreUnavailable
from tests.conftest import _free_port


def failover(url: str) -> FailoverStore:
    return FailoverStore(RedisStore(url, prefix="gzfo:"), min_backoff=0.02, max_backoff=0.1)


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "gongzhi.kv"]


async def until_back(store: FailoverStore) -> None:
    for _ in range(200):
        await store.get("poke")  # a call while down starts a probe when one is due
        if not store.degraded:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the store never went back to Redis")


@pytest.fixture
async def store(private_redis):
    store = failover(private_redis.url)
    yield store
    await store.close()


async def test_calls_answer_from_memory_with_one_log_line_per_outage(store, private_redis,
                                                                       caplog):
    await store.set("k", b"on redis")
    private_redis.kill()
    caplog.set_level(logging.WARNING, "gongzhi.kv")
    results = await asyncio.gather(*(store.hit_and_get("rate", window=60, limit=100,
                                                       keys=["k"]) for _ in range(50)))
    assert {r[0] for r in results} == {True}  # counted in memory, none refused
    assert [r[2] for r in results] == [[None]] * 50  # memory does not have Redis's values
    await store.set("k", b"in memory")
    assert await store.get("k") == b"in memory"
    assert await store.incr("n") == 1 and await store.hit("h", window=1, limit=1) == (True, 0)
    assert store.degraded and store.outages == 1
    assert len(lines(caplog)) == 1 and "does not answer" in lines(caplog)[0]
    status = await store.status()
    assert status["ok"] and status["serving_from"] == "memory" and "warning" in status
    private_redis.start()
    await until_back(store)
    assert await store.get("k") is None  # Redis restarted empty; the memory copy is dropped
    assert await store.status() == {"ok": True, "backend": "redis"}
    assert len(lines(caplog)) == 2 and "answers again" in lines(caplog)[1]
    private_redis.kill()  # a second outage is a second line
    await store.get("k")
    assert store.outages == 2 and len(lines(caplog)) == 3


async def test_reconnect_hooks_run_on_redis_before_it_serves(store, private_redis):
    seen = []

    async def hook(primary):
        seen.append((store.degraded, await primary.get("k")))
        await primary.set("k", b"prepared")

    assert store.on_reconnect(hook) is True
    private_redis.kill()
    await store.set("k", b"in memory")
    private_redis.start()
    await until_back(store)
    assert seen == [(True, None)]  # still serving from memory while the hook ran on Redis
    assert await store.get("k") == b"prepared"


async def test_a_failing_hook_keeps_the_fallback_and_is_retried(store, private_redis, caplog):
    calls = []

    async def hook(primary):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database busy")

    store.on_reconnect(hook)
    private_redis.kill()
    await store.get("k")
    private_redis.start()
    await until_back(store)
    assert len(calls) == 2
    assert sum("preparing it failed" in line for line in lines(caplog)) == 1


async def test_the_shared_view_refuses_while_redis_is_down(store, private_redis):
    shared = store.shared
    await shared.set("session:x", b"1")
    assert await shared.get("session:x") == b"1"
    private_redis.kill()
    with pytest.raises(StoreUnavailable):
        await shared.get("session:x")  # the failure itself is noticed as the outage
    assert store.degraded
    with pytest.raises(StoreUnavailable):
        await shared.set("session:y", b"1")
    assert await store.get("session:x") is None  # the fallback never had it
    private_redis.start()
    await until_back(store)
    assert await shared.get("session:x") is None  # restarted empty
    await shared.set("session:z", b"1")
    assert await store.get("session:z") == b"1"


async def test_redis_unreachable_from_the_start():
    store = failover(f"redis://127.0.0.1:{_free_port()}/0")
    try:
        assert await store.get("k") is None
        await store.set("k", b"v")
        assert await store.get("k") == b"v" and store.degraded
        assert await store.ping() is False
    finally:
        await store.close()

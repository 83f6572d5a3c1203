"""MemoryStore on a fake clock: expiry and the sliding window, exactly and without sleeping."""

from __future__ import annotations

import pytest

from core.kv import MemoryStore, _ms


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(clock):
    return MemoryStore(clock=clock)


async def test_value_expires_exactly_at_ttl(store, clock):
    await store.set("k", b"v", ttl=10)
    clock.advance(9.999)
    assert await store.get("k") == b"v"
    clock.advance(0.001)
    assert await store.get("k") is None


async def test_incr_keeps_expiry_of_creation(store, clock):
    await store.incr("c", ttl=10)
    clock.advance(6)
    assert await store.incr("c", ttl=10) == 2
    clock.advance(4)
    assert await store.get("c") is None


async def test_delete_ignores_expired(store, clock):
    await store.set("k", b"v", ttl=1)
    clock.advance(1)
    assert await store.delete("k") == 0


async def test_get_does_not_return_sets_or_windows(store):
    await store.sadd("s", "a")
    await store.hit("h", window=1, limit=1)
    assert await store.get_many(["s", "h"]) == [None, None]


async def test_window_allows_limit_and_reports_exact_wait(store, clock):
    for step in range(3):
        assert await store.hit("h", window=60, limit=3) == (True, 0.0)
        clock.advance(10)
    # hits at 0, 10, 20; now 30: the first leaves the window at 60
    assert await store.hit("h", window=60, limit=3) == (False, 30.0)
    clock.advance(29.5)
    assert await store.hit("h", window=60, limit=3) == (False, 0.5)
    clock.advance(0.5)
    assert await store.hit("h", window=60, limit=3) == (True, 0.0)
    assert await store.hit("h", window=60, limit=3) == (False, 10.0)


async def test_refused_hits_do_not_extend_the_wait(store, clock):
    await store.hit("h", window=10, limit=1)
    for _ in range(9):
        clock.advance(1)
        allowed, wait = await store.hit("h", window=10, limit=1)
        assert not allowed
    assert wait == pytest.approx(1.0)
    clock.advance(1)
    assert (await store.hit("h", window=10, limit=1))[0]


async def test_window_key_expires_when_idle(store, clock):
    await store.hit("h", window=10, limit=1)
    clock.advance(10)
    assert "h" in store._data
    assert await store.spop_all("h") == set()  # expired: nothing left under the key
    assert "h" not in store._data


@pytest.mark.parametrize("ttl, ms", [(0, 1), (0.0001, 1), (0.2, 200), (1.5, 1500), (59.9, 59900)])
def test_redis_ttls_keep_sub_second_precision(ttl, ms):
    assert _ms(ttl) == ms

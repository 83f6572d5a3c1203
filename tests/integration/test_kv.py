"""KeyValueStore contract, run over every implementation (``kv_store``: memory, Redis)."""

from __future__ import annotations

import asyncio

import pytest



class TestValues:
    async def test_get_missing_is_none(self, kv_store):
        assert await kv_store.get("nope") is None

    async def test_set_then_get(self, kv_store):
        await kv_store.set("a", b"\x00bytes\xff")
        assert await kv_store.get("a") == b"\x00bytes\xff"

    async def test_set_overwrites_and_clears_ttl(self, kv_store):
        await kv_store.set("a", b"1", ttl=0.2)
        await kv_store.set("a", b"2")
        await asyncio.sleep(0.3)
        assert await kv_store.get("a") == b"2"

    async def test_ttl_expires(self, kv_store):
        await kv_store.set("short", b"x", ttl=0.2)
        await kv_store.set("long", b"y", ttl=30)
        assert await kv_store.get("short") == b"x"
        await asyncio.sleep(0.3)
        assert await kv_store.get("short") is None
        assert await kv_store.get("long") == b"y"

    async def test_get_many_keeps_order_with_gaps(self, kv_store):
        await kv_store.set("k1", b"1")
        await kv_store.set("k3", b"3")
        assert await kv_store.get_many(["k3", "k2", "k1"]) == [b"3", None, b"1"]
        assert await kv_store.get_many([]) == []

    async def test_delete_counts_existing_keys(self, kv_store):
        await kv_store.set("d1", b"1")
        await kv_store.set("d2", b"2")
        assert await kv_store.delete("d1", "d2", "d3") == 2
        assert await kv_store.get("d1") is None
        assert await kv_store.delete("d1") == 0
        assert await kv_store.delete() == 0

    async def test_delete_does_not_count_expired(self, kv_store):
        await kv_store.set("gone", b"1", ttl=0.1)
        await asyncio.sleep(0.2)
        assert await kv_store.delete("gone") == 0


class TestCounters:
    async def test_incr_from_zero(self, kv_store):
        assert await kv_store.incr("c") == 1
        assert await kv_store.incr("c", 5) == 6
        assert await kv_store.get("c") == b"6"

    async def test_incr_ttl_set_on_creation_only(self, kv_store):
        assert await kv_store.incr("c", ttl=1) == 1
        await asyncio.sleep(0.6)
        assert await kv_store.incr("c", ttl=1) == 2  # does not push the expiry back
        await asyncio.sleep(0.6)
        assert await kv_store.get("c") is None
        assert await kv_store.incr("c", ttl=1) == 1

    async def test_incr_sub_second_ttl(self, kv_store):
        await kv_store.incr("c", ttl=0.2)
        await asyncio.sleep(0.35)
        assert await kv_store.get("c") is None


class TestSets:
    async def test_sadd_then_spop_all(self, kv_store):
        await kv_store.sadd("s", "a", "b")
        await kv_store.sadd("s", "b", "c")
        assert await kv_store.spop_all("s") == {"a", "b", "c"}
        assert await kv_store.spop_all("s") == set()

    async def test_spop_all_missing(self, kv_store):
        assert await kv_store.spop_all("none") == set()

    async def test_sadd_ttl(self, kv_store):
        await kv_store.sadd("s", "a", ttl=0.2)
        await asyncio.sleep(0.35)
        assert await kv_store.spop_all("s") == set()


class TestSlidingWindow:
    async def test_allows_limit_then_refuses(self, kv_store):
        for _ in range(3):
            assert await kv_store.hit("h", window=10, limit=3) == (True, 0.0)
        allowed, retry_after = await kv_store.hit("h", window=10, limit=3)
        assert not allowed
        assert 0 < retry_after <= 10

    async def test_keys_are_independent(self, kv_store):
        assert (await kv_store.hit("h1", window=10, limit=1))[0]
        assert not (await kv_store.hit("h1", window=10, limit=1))[0]
        assert (await kv_store.hit("h2", window=10, limit=1))[0]

    async def test_frees_up_after_window_slides(self, kv_store):
        assert (await kv_store.hit("h", window=0.5, limit=1))[0]
        allowed, retry_after = await kv_store.hit("h", window=0.5, limit=1)
        assert not allowed and 0 < retry_after <= 0.5
        await asyncio.sleep(retry_after + 0.05)
        assert (await kv_store.hit("h", window=0.5, limit=1))[0]

    async def test_window_slides_hit_by_hit(self, kv_store):
        assert (await kv_store.hit("h", window=0.6, limit=2))[0]
        await asyncio.sleep(0.35)
        assert (await kv_store.hit("h", window=0.6, limit=2))[0]
        assert not (await kv_store.hit("h", window=0.6, limit=2))[0]
        await asyncio.sleep(0.3)  # the first hit has left the window, the second has not
        assert (await kv_store.hit("h", window=0.6, limit=2))[0]
        assert not (await kv_store.hit("h", window=0.6, limit=2))[0]

    async def test_refused_hits_are_not_counted(self, kv_store):
        assert (await kv_store.hit("h", window=0.5, limit=1))[0]
        for _ in range(5):
            assert not (await kv_store.hit("h", window=0.5, limit=1))[0]
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # 0.55 s after the only counted hit
        assert (await kv_store.hit("h", window=0.5, limit=1))[0]

    async def test_retry_after_counts_down(self, kv_store):
        await kv_store.hit("h", window=2, limit=1)
        _, first = await kv_store.hit("h", window=2, limit=1)
        await asyncio.sleep(0.3)
        _, second = await kv_store.hit("h", window=2, limit=1)
        assert second == pytest.approx(first - 0.3, abs=0.1)

    async def test_zero_limit_refuses_for_a_whole_window(self, kv_store):
        assert await kv_store.hit("h", window=5, limit=0) == (False, 5.0)

    async def test_concurrent_hits_never_exceed_limit(self, kv_store):
        results = await asyncio.gather(*(kv_store.hit("h", window=10, limit=5) for _ in range(20)))
        assert sum(allowed for allowed, _ in results) == 5

    async def test_hit_and_get_reads_only_when_allowed(self, kv_store):
        await kv_store.set("v", b"STAMP-1:view")
        await kv_store.set("n", b"3")
        assert await kv_store.hit_and_get("h", window=10, limit=1, keys=["v", "gap", "n"]) == (
            True, 0.0, [b"STAMP-1:view", None, b"3"])
        allowed, wait, values = await kv_store.hit_and_get("h", window=10, limit=1, keys=["v"])
        assert (allowed, values) == (False, []) and wait > 9
        assert await kv_store.hit_and_get("h2", window=10, limit=5, keys=[]) == (True, 0.0, [])

    async def test_hit_and_get_answers_a_known_stamp_alone(self, kv_store):
        await kv_store.set("v", b"STAMP-1:view")
        got = await kv_store.hit_and_get("h", window=10, limit=9, keys=["v", "n"],
                                         known=b"STAMP-1")
        assert got == (True, 0.0, [b"STAMP-1", None])
        await kv_store.set("v", b"STAMP-2:rebuilt")
        got = await kv_store.hit_and_get("h", window=10, limit=9, keys=["v"], known=b"STAMP-1")
        assert got[2] == [b"STAMP-2:rebuilt"]
        await kv_store.delete("v")
        got = await kv_store.hit_and_get("h", window=10, limit=9, keys=["v"], known=b"STAMP-2")
        assert got[2] == [None]


async def test_ping(kv_store):
    assert await kv_store.ping() is True
    assert (await kv_store.status())["ok"] is True


async def test_delete_prefix_deletes_only_what_starts_with_it(kv_store):
    for key in ("view:a", "view:b", "view:*", "vtag:a", "viewer"):
        await kv_store.set(key, b"1")
    await kv_store.sadd("view:set", "m")
    assert await kv_store.delete_prefix("view:") == 4
    assert await kv_store.get_many(["view:a", "view:*", "vtag:a", "viewer"]) == [
        None, None, b"1", b"1"]
    assert await kv_store.spop_all("view:set") == set()
    assert await kv_store.delete_prefix("view:*") == 0

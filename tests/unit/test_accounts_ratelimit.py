"""Rate-limit keys and the RateLimited error, on MemoryStore with a fake clock."""

from __future__ import annotations

import pytest

from accounts.ratelimit import check_rate, client_key
from core.errors import RateLimited
from core.kv import MemoryStore


@pytest.mark.parametrize("token_hash, ip, key", [
    ("abc123", "198.51.100.7", "t:abc123"),
    (None, "198.51.100.7", "ip:198.51.100.7"),
    ("", " 198.51.100.7 ", "ip:198.51.100.7"),
    (None, "2001:db8:1:2:aaaa::1", "ip6:2001:db8:1:2::"),
    (None, "2001:db8:1:2:bbbb::9", "ip6:2001:db8:1:2::"),
    (None, "::ffff:198.51.100.7", "ip:198.51.100.7"),
    (None, "not-an-ip", "ip:unknown"),
    (None, "", "ip:unknown"),
    (None, None, "ip:unknown"),
])
def test_client_key(token_hash, ip, key):
    assert client_key(token_hash, ip) == key


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


async def test_retry_after_is_whole_seconds_rounded_up():
    clock = Clock()
    store = MemoryStore(clock=clock)
    await check_rate(store=store, client_key="ip:1.2.3.4", window=10, limit=1)
    clock.now = 8.2
    with pytest.raises(RateLimited) as exc:
        await check_rate(store=store, client_key="ip:1.2.3.4", window=10, limit=1)
    assert (exc.value.code, exc.value.retry_after) == ("rate_limited", 2)
    clock.now = 9.9999
    with pytest.raises(RateLimited) as exc:
        await check_rate(store=store, client_key="ip:1.2.3.4", window=10, limit=1)
    assert exc.value.retry_after == 1  # never 0
    clock.now = 10.0
    await check_rate(store=store, client_key="ip:1.2.3.4", window=10, limit=1)


async def test_scopes_and_clients_are_separate():
    store = MemoryStore()
    await check_rate(store=store, client_key="ip:a", window=60, limit=1, scope="login")
    await check_rate(store=store, client_key="ip:a", window=60, limit=1, scope="scan")
    await check_rate(store=store, client_key="ip:b", window=60, limit=1, scope="login")
    with pytest.raises(RateLimited):
        await check_rate(store=store, client_key="ip:a", window=60, limit=1, scope="login")

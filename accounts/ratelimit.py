"""Per-client request limits over the KeyValueStore's sliding window."""

from __future__ import annotations

import functools
import ipaddress
import math

from core.errors import RateLimited
from core.i18n import T
from core.kv import KeyValueStore


def client_key(token_hash: str | None, ip: str) -> str:
    """Who a request counts against: its token when logged in, else its address.

    IPv6 addresses count per /64 (one home or phone gets a whole /64), IPv4-mapped IPv6 as IPv4.
    ``ip`` must be the peer as the trusted proxy reports it, not a client-supplied header.
    """
    if token_hash:
        return f"t:{token_hash}"
    return _ip_key(ip)


@functools.lru_cache(maxsize=8192)
def _ip_key(ip: str) -> str:
    """The key of one peer address (cached: one address sends many requests)."""
    try:
        addr = ipaddress.ip_address(ip.strip())
    except (ValueError, AttributeError):
        return "ip:unknown"
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped:
            return f"ip:{addr.ipv4_mapped}"
        return f"ip6:{ipaddress.IPv6Network((addr, 64), strict=False).network_address}"
    return f"ip:{addr}"


async def check_rate(*, store: KeyValueStore, client_key: str, window: float, limit: int,
                     scope: str = "api") -> None:
    """Count one request; raise ``RateLimited`` (whole seconds to wait) past ``limit`` per
    ``window`` seconds. ``scope`` keeps separate budgets, e.g. ``login`` and ``scan``."""
    allowed, wait = await store.hit(f"rate:{scope}:{client_key}", window=window, limit=limit)
    if not allowed:
        raise RateLimited(T("请求过于频繁，请稍后再试。"),
                          retry_after=max(1, math.ceil(wait)))

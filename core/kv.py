"""Key-value store for cache, sessions and rate limits.

``RedisStore`` (``redis.asyncio``) in production, behind a ``FailoverStore``
(``core.failover``) that serves from the in-process store while Redis does not answer;
``MemoryStore`` alone for the embedded default, where one process serves everything.
``make_store(settings)`` picks one.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from abc import ABC, abstractmethod
from collections import deque
from typing import Awaitable, Callable

from core.settings import Settings


class StoreUnavailable(ConnectionError):
    """The shared store does not answer, and what was asked must not fall back to this
    process's own memory (sessions: a token issued by another process is not there)."""


class KeyValueStore(ABC):
    """Byte values under string keys, with expiry, sets and a sliding-window counter."""

    name = "abstract"
    outage_errors: tuple[type[BaseException], ...] = ()  # what means "does not answer"
    degraded = False  # True while a failing-over store serves from its fallback
    outages = 0  # how many times it lost its primary

    @property
    def shared(self) -> "KeyValueStore":
        """This store as every process shares it, never a per-process fallback: while it
        does not answer, calls raise :class:`StoreUnavailable`. A plain store is itself."""
        return self

    def on_reconnect(self, hook: Callable[["KeyValueStore"], Awaitable[None]]) -> bool:
        """Have ``hook(primary)`` run before a failed-over store serves from its primary
        again; False when the store never fails over (nothing will be run)."""
        return False

    async def status(self) -> dict:
        """What the health report says about the store."""
        return {"ok": await self.ping(), "backend": self.name}

    @abstractmethod
    async def get(self, key: str) -> bytes | None:
        """The value under ``key``, or ``None`` when absent or expired."""

    @abstractmethod
    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Values for several keys in one round trip, ``None`` where absent."""

    @abstractmethod
    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store ``value``; it expires after ``ttl`` seconds when given."""

    @abstractmethod
    async def delete(self, *keys: str) -> int:
        """Remove keys; return how many existed."""

    @abstractmethod
    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add to an integer counter (created at 0); set its expiry when created."""

    @abstractmethod
    async def sadd(self, key: str, *members: str, ttl: float | None = None) -> None:
        """Add members to the set under ``key``."""

    @abstractmethod
    async def spop_all(self, key: str) -> set[str]:
        """Remove the set under ``key`` and return its members."""

    @abstractmethod
    async def hit(self, key: str, *, window: float, limit: int) -> tuple[bool, float]:
        """Record one hit in a sliding window; return (allowed, seconds until one is free).

        A refused hit is not counted.
        """

    @abstractmethod
    async def ping(self) -> bool:
        """True when the store answers."""

    @abstractmethod
    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``; return how many (not atomic)."""

    async def close(self) -> None:
        """Release connections."""

    async def hit_and_get(self, key: str, *, window: float, limit: int, keys: list[str],
                          known: bytes | None = None) -> tuple[bool, float, list[bytes | None]]:
        """:meth:`hit`, then :meth:`get_many` of ``keys`` when allowed (one round trip on
        Redis): the scan path's rate limit and cache read together.

        When ``known`` is given and the value of ``keys[0]`` starts with it, that value comes
        back as ``known`` itself: the caller holds the rest already, so Redis need not send it.
        """
        allowed, wait = await self.hit(key, window=window, limit=limit)
        if not allowed:
            return allowed, wait, []
        values = await self.get_many(keys)
        if known and values and values[0] is not None and values[0].startswith(known):
            values[0] = known
        return allowed, wait, values

    async def set_tagged(self, key: str, value: bytes, *, ttl: float, tags: list[str]) -> None:
        """:meth:`set` ``key`` and add it to the set under each tag key; every tag set lives
        at least ``ttl`` from now (its expiry is pushed back, never shortened)."""
        await self.set(key, value, ttl=ttl)
        for tag in tags:
            await self.sadd(tag, key, ttl=ttl)


class MemoryStore(KeyValueStore):
    """In-process store for the embedded default (one process, no Redis)."""

    name = "memory"

    def __init__(self, clock=time.monotonic):
        self._data: dict[str, tuple[object, float | None]] = {}
        self._clock = clock

    def _live(self, key: str):
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._clock():
            del self._data[key]
            return None
        return value

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock() + ttl

    async def get(self, key: str) -> bytes | None:
        value = self._live(key)
        return value if isinstance(value, bytes) else None

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        return [await self.get(k) for k in keys]

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._data[key] = (bytes(value), self._expiry(ttl))

    async def delete(self, *keys: str) -> int:
        return sum(1 for k in keys if self._live(k) is not None and self._data.pop(k, None))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        current = self._live(key)
        value = int(current or 0) + amount
        expires = self._data[key][1] if current is not None else self._expiry(ttl)
        self._data[key] = (str(value).encode(), expires)
        return value

    async def sadd(self, key: str, *members: str, ttl: float | None = None) -> None:
        current = self._live(key)
        if not isinstance(current, set):
            current = set()
            self._data[key] = (current, self._expiry(ttl))
        current.update(members)

    async def spop_all(self, key: str) -> set[str]:
        current = self._live(key)
        self._data.pop(key, None)
        return set(current) if isinstance(current, set) else set()

    async def hit(self, key: str, *, window: float, limit: int) -> tuple[bool, float]:
        now = self._clock()
        log = self._live(key)
        if not isinstance(log, deque):
            log = deque()
        while log and log[0] <= now - window:
            log.popleft()
        self._data[key] = (log, now + window)
        if len(log) >= limit:
            return False, max(0.0, log[0] + window - now) if log else float(window)
        log.append(now)
        return True, 0.0

    async def ping(self) -> bool:
        return True

    async def delete_prefix(self, prefix: str) -> int:
        keys = [k for k in self._data if k.startswith(prefix)]
        for key in keys:
            del self._data[key]
        return len(keys)

    async def set_tagged(self, key: str, value: bytes, *, ttl: float, tags: list[str]) -> None:
        await self.set(key, value, ttl=ttl)
        expires = self._expiry(ttl)
        for tag in tags:
            await self.sadd(tag, key)
            members, current = self._data[tag]
            self._data[tag] = (members, None if current is None else max(current, expires))


# Sliding-window log in one atomic step: drop old hits, count, add when under the limit.
_HIT_SCRIPT = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if oldest[2] == nil then return {0, tostring(window)} end
  return {0, tostring(tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return {1, '0'}
"""

# The same hit, then (when allowed) the values of KEYS[2..]; KEYS[2] comes back as ARGV[5]
# when its value starts with ARGV[5] (a non-empty stamp the caller already holds the value of).
_HIT_GET_SCRIPT = _HIT_SCRIPT.rsplit("return {1, '0'}", 1)[0] + """
local out = {1, '0'}
if #KEYS < 2 then return out end
local known = ARGV[5]
if known ~= '' and redis.call('GETRANGE', KEYS[2], 0, #known - 1) == known then
  out[3] = known
else
  out[3] = redis.call('GET', KEYS[2])
end
if #KEYS > 2 then
  local rest = redis.call('MGET', unpack(KEYS, 3))
  for i = 1, #KEYS - 2 do out[i + 3] = rest[i] end
end
return out
"""


def _ms(ttl: float) -> int:
    """A TTL in whole milliseconds, at least 1 (Redis refuses 0), as ``MemoryStore`` keeps it."""
    return max(1, math.ceil(ttl * 1000))


class RedisStore(KeyValueStore):
    """Redis through ``redis.asyncio``; every key lives under ``prefix``."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "gz:", client=None):
        import redis.asyncio as aioredis
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        # Connection refused, reset, timed out, or Redis still loading its data.
        self.outage_errors = (RedisConnectionError, RedisTimeoutError, OSError)
        self._redis = client or aioredis.from_url(
            url, health_check_interval=30, socket_connect_timeout=2, socket_timeout=5)
        self._prefix = prefix
        self._hit = self._redis.register_script(_HIT_SCRIPT)
        self._hit_get = self._redis.register_script(_HIT_GET_SCRIPT)
        self._queued: list[tuple[list, list, asyncio.Future]] = []
        self._seq = 0
        self._uid = os.urandom(6).hex()

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def get(self, key: str) -> bytes | None:
        return await self._redis.get(self._k(key))

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        return await self._redis.mget([self._k(k) for k in keys])

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        px = None if ttl is None else _ms(ttl)
        await self._redis.set(self._k(key), value, px=px)

    async def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        return await self._redis.delete(*(self._k(k) for k in keys))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(self._k(key), amount)
            if ttl is not None:
                pipe.pexpire(self._k(key), _ms(ttl), nx=True)
            result = await pipe.execute()
        return int(result[0])

    async def sadd(self, key: str, *members: str, ttl: float | None = None) -> None:
        if not members:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(self._k(key), *members)
            if ttl is not None:
                pipe.pexpire(self._k(key), _ms(ttl), nx=True)
            await pipe.execute()

    async def spop_all(self, key: str) -> set[str]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.smembers(self._k(key))
            pipe.delete(self._k(key))
            members, _ = await pipe.execute()
        return {m.decode() if isinstance(m, bytes) else m for m in members}

    async def hit(self, key: str, *, window: float, limit: int) -> tuple[bool, float]:
        self._seq += 1
        now = time.time()
        # The member must be unique across processes: forked workers share id(self) and _seq.
        member = f"{now}:{self._uid}:{self._seq}"
        allowed, wait = await self._hit(keys=[self._k(key)], args=[now, window, limit, member])
        return bool(int(allowed)), float(wait)

    async def hit_and_get(self, key: str, *, window: float, limit: int, keys: list[str],
                          known: bytes | None = None) -> tuple[bool, float, list[bytes | None]]:
        # One script call (EVALSHA). Calls made in the same event-loop turn (scans arriving
        # together) share one pipelined round trip: see _send_queued.
        self._seq += 1
        now = time.time()
        member = f"{now}:{self._uid}:{self._seq}"
        future = asyncio.get_running_loop().create_future()
        self._queued.append(([self._k(key), *(self._k(k) for k in keys)],
                             [now, window, limit, member, known or b""], future))
        if len(self._queued) == 1:
            asyncio.ensure_future(self._send_queued())
        result = await future
        allowed = int(result[0])
        return bool(allowed), float(result[1]), (result[2:] if allowed else [])

    async def _send_queued(self) -> None:
        """Send every queued hit_and_get call: alone as EVALSHA (redis-py loads the script on
        NOSCRIPT), several as one pipeline of EVALSHA (a pipeline of Script calls would add
        a SCRIPT EXISTS round trip), loading the script and resending once on NOSCRIPT."""
        await asyncio.sleep(0)  # let the calls of this loop turn join
        queued, self._queued = self._queued, []
        try:
            if len(queued) == 1:
                keys, args, _ = queued[0]
                results = [await self._hit_get(keys=keys, args=args)]
            else:
                results = await self._evalsha_all(queued)
                if any(_is_noscript(r) for r in results):
                    await self._redis.script_load(_HIT_GET_SCRIPT)
                    results = await self._evalsha_all(queued)
        except BaseException as exc:
            for _, _, future in queued:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, _, future), result in zip(queued, results):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _evalsha_all(self, queued: list) -> list:
        async with self._redis.pipeline(transaction=False) as pipe:
            for keys, args, _ in queued:
                pipe.evalsha(self._hit_get.sha, len(keys), *keys, *args)
            return await pipe.execute(raise_on_error=False)

    async def set_tagged(self, key: str, value: bytes, *, ttl: float, tags: list[str]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._k(key), value, px=_ms(ttl))
            for tag in tags:
                pipe.sadd(self._k(tag), key)
                pipe.pexpire(self._k(tag), _ms(ttl), gt=True)
                pipe.pexpire(self._k(tag), _ms(ttl), nx=True)
            await pipe.execute()

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), timeout=2))
        except Exception:
            return False

    async def delete_prefix(self, prefix: str) -> int:
        pattern = _glob_escape(self._prefix + prefix) + "*"
        batch: list[bytes] = []
        deleted = 0
        async for key in self._redis.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += await self._redis.delete(*batch)
                batch = []
        if batch:
            deleted += await self._redis.delete(*batch)
        return deleted

    async def flush_prefix(self) -> None:
        """Delete every key under this store's prefix (tests)."""
        await self.delete_prefix("")

    async def disconnect(self) -> None:
        """Drop every pooled connection (they are dead after an outage): the next command
        connects afresh instead of failing once per stale connection."""
        await self._redis.connection_pool.disconnect()

    async def close(self) -> None:
        await self._redis.aclose()


def _glob_escape(text: str) -> str:
    """``text`` matched literally by a Redis glob pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def _is_noscript(result) -> bool:
    from redis.exceptions import NoScriptError

    return isinstance(result, NoScriptError)


def make_store(settings: Settings, *, prefix: str = "gz:") -> KeyValueStore:
    """Redis (failing over to the in-process store while it does not answer) when
    ``GONGZHI_REDIS_URL`` is set, else the in-process store."""
    if settings.redis_url:
        from core.failover import FailoverStore

        return FailoverStore(RedisStore(settings.redis_url, prefix=prefix))
    return MemoryStore()


"""A key-value store that keeps answering while Redis does not.

:class:`FailoverStore` sends every call to its primary (Redis). When a call fails because the
primary does not answer (connection refused or reset, a timeout, Redis loading its data), it
logs one warning for the whole outage and from then on serves from a fresh in-process
:class:`~core.kv.MemoryStore`: the view cache, rate limits and scan counters go on, per
process. While down it probes the primary, at most every ``min_backoff`` seconds at first and
backing off to ``max_backoff``, on the calls it serves (no background task) and on health
checks. When a probe answers, the reconnect hooks run against the primary (the view cache
drops views an import made stale meanwhile, see ``tracing.view.cache``) and only then does the
primary serve again; the fallback's contents are dropped.

Sessions must not fall back: a token issued by another process (or before the outage) is not
in this process's memory, and one issued here would vanish at the reconnect. They use
:attr:`FailoverStore.shared`, which raises :class:`~core.kv.StoreUnavailable` while the
primary is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from typing import Awaitable, Callable

from core.i18n import T
from core.kv import KeyValueStore, MemoryStore, StoreUnavailable

log = logging.getLogger("gongzhi.kv")
Hook = Callable[[KeyValueStore], Awaitable[None]]
WARNING = T("Redis 无法连接：缓存、限流和扫码计数暂在本进程内存中运行，登录暂不可用")


def _routed(name: str):
    """A method calling ``name`` on the primary, or on the fallback while it is down."""

    async def method(self: "FailoverStore", *args, **kwargs):
        if self.down_since is None:
            try:
                return await getattr(self.primary, name)(*args, **kwargs)
            except self.primary.outage_errors as exc:
                self.lost(exc)
        elif self._next_probe <= time.monotonic():
            self._start_probe()
        return await getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method


class FailoverStore(KeyValueStore):
    """The primary store while it answers, an in-process store while it does not."""

    def __init__(self, primary: KeyValueStore, *, min_backoff: float = 0.25,
                 max_backoff: float = 5.0, probe_timeout: float = 2.0):
        self.primary = primary
        self.fallback: KeyValueStore = MemoryStore()
        self.name = primary.name
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.probe_timeout = probe_timeout
        self.down_since: float | None = None  # time.time() when the outage began
        self.outages = 0
        self._backoff = min_backoff
        self._next_probe = 0.0
        self._probe: asyncio.Task | None = None
        self._hooks: list[Hook] = []
        self._hook_failed = False
        self._shared = SharedView(self)

    @property
    def degraded(self) -> bool:  # type: ignore[override]
        return self.down_since is not None

    @property
    def shared(self) -> KeyValueStore:
        return self._shared

    def on_reconnect(self, hook: Hook) -> bool:
        self._hooks.append(hook)
        return True

    get = _routed("get")
    get_many = _routed("get_many")
    set = _routed("set")
    delete = _routed("delete")
    incr = _routed("incr")
    sadd = _routed("sadd")
    spop_all = _routed("spop_all")
    hit = _routed("hit")
    set_tagged = _routed("set_tagged")
    delete_prefix = _routed("delete_prefix")

    async def hit_and_get(self, key: str, *, window: float, limit: int, keys: list[str],
                          known: bytes | None = None):
        # The scan path: written out rather than routed (no getattr, no argument packing).
        if self.down_since is None:
            try:
                return await self.primary.hit_and_get(key, window=window, limit=limit,
                                                      keys=keys, known=known)
            except self.primary.outage_errors as exc:
                self.lost(exc)
        elif self._next_probe <= time.monotonic():
            self._start_probe()
        return await self.fallback.hit_and_get(key, window=window, limit=limit, keys=keys,
                                               known=known)

    def lost(self, exc: BaseException) -> None:
        """The primary did not answer: serve from the fallback (one log line per outage)."""
        if self.down_since is not None:
            return
        self.down_since = time.time()
        self.outages += 1
        self._backoff = self.min_backoff
        self._next_probe = time.monotonic() + self._backoff
        self._hook_failed = False
        log.warning("%s does not answer (%s: %s); serving cache, rate limits and scan counters "
                    "from this process's memory, logins answer 503, until it does",
                    self.name, type(exc).__name__, exc)
        disconnect = getattr(self.primary, "disconnect", None)
        if disconnect is not None:  # its pooled connections are dead: drop them all
            asyncio.get_running_loop().create_task(_quietly(disconnect()))

    def _start_probe(self) -> asyncio.Task:
        if self._probe is None:
            self._next_probe = float("inf")  # no second probe while this one runs
            self._probe = asyncio.get_running_loop().create_task(self._reconnect())
        return self._probe

    async def _reconnect(self) -> bool:
        """Ping the primary; when it answers, run the hooks, then serve from it again."""
        try:
            if not await asyncio.wait_for(self.primary.ping(), self.probe_timeout):
                return self._retry_later()
            for hook in self._hooks:
                await hook(self.primary)
        except Exception as exc:  # noqa: BLE001 - a hook failing keeps us on the fallback
            if not isinstance(exc, self.primary.outage_errors) and not self._hook_failed:
                self._hook_failed = True
                log.warning("%s answers again but preparing it failed (%s: %s); retrying",
                            self.name, type(exc).__name__, exc)
            return self._retry_later()
        finally:
            self._probe = None
        downtime = time.time() - (self.down_since or time.time())
        self.down_since = None
        self.fallback = MemoryStore()
        log.warning("%s answers again after %.1f s; serving from it", self.name, downtime)
        return True

    def _retry_later(self) -> bool:
        self._backoff = min(self.max_backoff, self._backoff * 2)
        self._next_probe = time.monotonic() + self._backoff
        return False

    async def ping(self) -> bool:
        """True when the primary answers (a health check probes it when due)."""
        if self.down_since is None:
            return await self.primary.ping()
        if self._next_probe <= time.monotonic() or self._probe is not None:
            return await asyncio.shield(self._start_probe())
        return False

    async def status(self) -> dict:
        if await self.ping():
            return {"ok": True, "backend": self.name}
        since = datetime.fromtimestamp(self.down_since or time.time(), timezone.utc)
        return {"ok": True, "backend": self.name, "serving_from": self.fallback.name,
                "down_since": since.isoformat(), "warning": WARNING}

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
        await self.primary.close()


def _shared_call(name: str):
    """A method calling ``name`` on the primary, raising StoreUnavailable while it is down."""

    async def method(self: "SharedView", *args, **kwargs):
        store = self.store
        if store.down_since is None:
            try:
                return await getattr(store.primary, name)(*args, **kwargs)
            except store.primary.outage_errors as exc:
                store.lost(exc)
        elif store._next_probe <= time.monotonic():
            store._start_probe()
        raise StoreUnavailable(f"{store.name} does not answer")

    method.__name__ = method.__qualname__ = name
    return method


class SharedView(KeyValueStore):
    """The primary of a :class:`FailoverStore`, or :class:`StoreUnavailable` (sessions)."""

    def __init__(self, store: FailoverStore):
        self.store = store
        self.name = store.name

    get = _shared_call("get")
    get_many = _shared_call("get_many")
    set = _shared_call("set")
    delete = _shared_call("delete")
    incr = _shared_call("incr")
    sadd = _shared_call("sadd")
    spop_all = _shared_call("spop_all")
    hit = _shared_call("hit")
    delete_prefix = _shared_call("delete_prefix")

    async def ping(self) -> bool:
        return await self.store.ping()


async def _quietly(awaitable: Awaitable) -> None:
    try:
        await awaitable
    except Exception:  # noqa: BLE001 - dropping dead connections may fail: nothing to do
        pass

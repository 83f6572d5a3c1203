"""Registered kiosks: the only scan terminals whose place is trusted.

A kiosk scan names its kiosk (``kiosk=<id>``) and proves it with its key (the
``X-Gongzhi-Kiosk-Key`` header). :meth:`KioskRegistry.place` answers the registered place only
when the id is registered and the key matches its stored hash; an unregistered id, a missing
or wrong key all count as an anonymous scan. What the kiosk says about where it is never
counts: its scans are placed at its registered market.

:func:`register_kiosk` is the use case a registration command or endpoint calls (the kiosk
issue adds those); it stores the key as a SHA-256 hash only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from core.errors import InvalidInput
from core.i18n import T
from tracing.scans import places
from tracing.scans.models import Kiosk

KIOSK_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class KioskPlace:
    """Where a registered kiosk stands: its market, division (as registered), city, position."""

    kiosk_id: str
    market: str
    division_code: str
    city: str | None  # city-level code of division_code (tracing.scans.places.city_of)
    lat: float
    lng: float


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh kiosk key (43 URL-safe characters) to hand to the kiosk once."""
    return secrets.token_urlsafe(32)


class KioskRegistry:
    """Lookup of registered kiosks, cached in the process for ``ttl`` seconds (a kiosk scans
    all day; a registration change is seen within ``ttl``, at once after :meth:`forget`)."""

    def __init__(self, *, ttl: float = 60.0, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._held: dict[str, tuple[float, tuple[str, KioskPlace] | None]] = {}

    async def place(self, kiosk_id: str | None, key: str | None) -> KioskPlace | None:
        """The registered place of a kiosk that proved its key, else None (anonymous)."""
        if not kiosk_id or not key:
            return None
        found = await self._lookup(kiosk_id)
        if found is None or not hmac.compare_digest(found[0], key_hash(key)):
            return None
        return found[1]

    def forget(self, kiosk_id: str | None = None) -> None:
        """Drop one kiosk (or every kiosk) from the cache."""
        if kiosk_id is None:
            self._held.clear()
        else:
            self._held.pop(kiosk_id, None)

    async def _lookup(self, kiosk_id: str) -> tuple[str, KioskPlace] | None:
        now = self.clock()
        held = self._held.get(kiosk_id)
        if held is not None and held[0] > now:
            return held[1]
        row = await Kiosk.get_or_none(id=kiosk_id)
        found = None if row is None else (row.key_hash, _place(row))
        if len(self._held) >= self.max_entries:
            self._held.clear()
        self._held[kiosk_id] = (now + self.ttl, found)
        return found


def _place(row: Kiosk) -> KioskPlace:
    lat, lng = places.coarse(row.lat, row.lng)
    return KioskPlace(kiosk_id=row.id, market=row.market, division_code=row.division_code,
                      city=places.city_of(row.division_code), lat=lat, lng=lng)


async def register_kiosk(*, kiosk_id: str, key: str, market: str, division_code: str,
                         lat: float, lng: float, now: datetime) -> KioskPlace:
    """Register a kiosk (or re-register it with a new key and place)."""
    if not isinstance(kiosk_id, str) or not KIOSK_RE.match(kiosk_id):
        raise InvalidInput(T("终端编号须为1到64个字母、数字或 . _ -"), field="kiosk_id",
                           code="invalid_kiosk")
    if not isinstance(key, str) or len(key) < MIN_KEY_LENGTH:
        raise InvalidInput(T("终端密钥至少{MIN_KEY_LENGTH}个字符",
                             MIN_KEY_LENGTH=MIN_KEY_LENGTH), field="key",
                           code="invalid_kiosk_key")
    market = unicodedata.normalize("NFKC", market or "").strip()
    if not market or len(market) > 200:
        raise InvalidInput(T("市场名称不能为空，最多200个字符"), field="market",
                           code="invalid_market")
    if places.city_of(division_code) is None:
        raise InvalidInput(T("行政区划代码{division_code!r}不是GB/T 2260中的市、县级区划",
                             division_code=division_code),
                           field="division_code", code="division_unknown")
    if not places.valid_position(lat, lng) or places.locate(lat, lng) is None:
        raise InvalidInput(T("终端位置须为中国境内的经纬度（WGS-84）"), field="lat",
                           code="invalid_location")
    await Kiosk.update_or_create(id=kiosk_id, defaults={
        "key_hash": key_hash(key), "market": market, "division_code": division_code,
        "lat": lat, "lng": lng, "created_at": now})
    row = await Kiosk.get(id=kiosk_id)
    return _place(row)

"""Who scanned, as far as the platform can vouch for it. Pure, no I/O.

:func:`scan_client` validates what a client says about its scan (channel, kiosk id, coarse
position) into a :class:`ScanClient`. The client's words are kept only where the server
derives something from them: coordinates become a city-level division
(:func:`tracing.scans.places.locate`); a ``city`` the client names is accepted and ignored,
so no client text is ever stored or shown.

How far a scan is trusted (:attr:`ScanClient.source`):

- ``kiosk``: a registered kiosk that proved its key; its position and division are its
  registered place (:meth:`ScanClient.at_kiosk`), whatever it sent;
- ``person``: a logged-in consumer (``user_hash``);
- ``anonymous``: anything else, an unregistered kiosk id included. Anonymous scans are
  counted, but their place is never shown to others and never counts as evidence.

:func:`kiosk_scan_meta` validates what a kiosk says about one scan: its id (the same on every
resend from the kiosk's offline queue, so the server records it once) and when the code was
seen. Both count only for a kiosk that proved its key.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.errors import InvalidInput
from core.i18n import T
from tracing.scans import places
from tracing.scans.kiosks import KIOSK_RE, KioskPlace

CHANNELS = ("miniapp", "h5", "kiosk")
SCAN_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
BACKDATE_LIMIT = timedelta(days=7)  # a queued scan older than this counts at its arrival
CLOCK_SKEW = timedelta(minutes=5)
SOURCES = ("person", "kiosk", "anonymous")


@dataclass(frozen=True)
class ScanClient:
    """One scan's client: channel, claimed kiosk, coarse position, derived city, trust."""

    channel: str = "h5"
    kiosk_id: str | None = None  # as claimed
    lat: float | None = None  # rounded to 0.1 degree
    lng: float | None = None
    division: str | None = None  # city-level GB/T 2260 code derived from lat/lng
    user_hash: str | None = None
    kiosk: KioskPlace | None = None  # set only for a registered kiosk that proved its key

    @property
    def source(self) -> str:
        if self.kiosk is not None:
            return "kiosk"
        return "person" if self.user_hash else "anonymous"

    @property
    def shown_division(self) -> str | None:
        """The city others may see for this scan: only a trusted scan's."""
        return None if self.source == "anonymous" else self.division

    def at_kiosk(self, place: KioskPlace | None) -> "ScanClient":
        """This scan placed at a registered kiosk (unchanged when ``place`` is None)."""
        if place is None:
            return self
        return replace(self, kiosk=place, lat=place.lat, lng=place.lng, division=place.city)


def scan_client(*, channel: str | None, kiosk: str | None, lat: str | None, lng: str | None,
                city: str | None = None, user_hash: str | None = None) -> ScanClient:
    """Validate what the client says about the scan; bad values are 400 with their field.
    ``city`` is accepted and ignored (see the module docstring)."""
    return _scan_client(channel, kiosk, lat, lng, user_hash)


@functools.lru_cache(maxsize=4096)
def _scan_client(channel, kiosk, lat, lng, user_hash) -> ScanClient:
    """:func:`scan_client`, cached: kiosks and apps send the same values scan after scan."""
    channel = (channel or "h5").strip().lower()
    if channel not in CHANNELS:
        raise InvalidInput(T("channel（扫码渠道）只能是 {join} 之一",
                             join='、'.join(CHANNELS)), field="channel",
                           code="invalid_channel")
    if kiosk is not None and kiosk != "":
        if channel != "kiosk":
            raise InvalidInput(T("只有 channel=kiosk 时才能给出 kiosk（终端编号）"), field="kiosk",
                               code="invalid_kiosk")
        if not KIOSK_RE.match(kiosk):
            raise InvalidInput(T("kiosk（终端编号）须为1到64个字母、数字或 . _ -"),
                               field="kiosk", code="invalid_kiosk")
    elif channel == "kiosk":
        raise InvalidInput(T("终端扫码须给出 kiosk（终端编号）"), field="kiosk", code="invalid_kiosk")
    position = _position(lat, lng)
    return ScanClient(channel=channel, kiosk_id=kiosk or None,
                      lat=position[0] if position else None,
                      lng=position[1] if position else None,
                      division=places.locate(*position) if position else None,
                      user_hash=user_hash)


def _position(lat: str | None, lng: str | None) -> tuple[float, float] | None:
    if lat in (None, "") and lng in (None, ""):
        return None
    try:
        flat, flng = float(lat), float(lng)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(T("lat、lng 须为十进制度数，且同时给出"),
                           field="lat" if lat in (None, "") or not _is_float(lat) else "lng",
                           code="invalid_location") from None
    if not places.valid_position(flat, flng):
        raise InvalidInput(T("lat 须在 ±90 之间，lng 须在 ±180 之间"), field="lat",
                           code="invalid_location")
    return places.coarse(flat, flng)


def _is_float(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def kiosk_scan_meta(scan_id: str | None, scanned_at: str | None, *,
                    now: datetime) -> tuple[str | None, datetime]:
    """A kiosk's id of a scan (``X-Gongzhi-Scan-Id``) and when it saw the code
    (``X-Gongzhi-Scanned-At``, ISO 8601 with an offset), validated: malformed values are
    400 naming the header. The time is used when it lies within :data:`BACKDATE_LIMIT` before
    ``now`` (and no more than :data:`CLOCK_SKEW` after it); otherwise the scan counts at
    ``now``."""
    if scan_id is not None and scan_id != "" and not SCAN_ID_RE.match(scan_id):
        raise InvalidInput(T("X-Gongzhi-Scan-Id 须为8到64个字母、数字或连字符"),
                           field="X-Gongzhi-Scan-Id", code="invalid_scan_id")
    at = now
    if scanned_at:
        try:
            seen = datetime.fromisoformat(scanned_at) if len(scanned_at) <= 40 else None
        except ValueError:
            seen = None
        if seen is None or seen.tzinfo is None:
            raise InvalidInput(T("X-Gongzhi-Scanned-At 须为带时区的 ISO 8601 时间"),
                               field="X-Gongzhi-Scanned-At", code="invalid_scanned_at")
        if now - BACKDATE_LIMIT <= seen <= now + CLOCK_SKEW:
            at = min(seen, now)
    return scan_id or None, at

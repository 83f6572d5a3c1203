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
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from core.errors import InvalidInput
from core.i18n import T
from tracing.scans import places
from tracing.scans.kiosks import KIOSK_RE, KioskPlace

CHANNELS = ("miniapp", "h5", "kiosk")
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

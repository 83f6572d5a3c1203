"""Time as the public reads it: Asia/Shanghai, and timezone-aware instants everywhere.

The database drivers return naive datetimes in some paths (SQLite text, some aggregates);
:func:`aware` is the one place that reads them as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

#: Asia/Shanghai. China has kept UTC+8 without daylight saving since 1991; the zone (not a
#: fixed offset) is used so dates before that read right too.
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    """Now, as an aware UTC instant (the default clock of the services)."""
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone: a naive value is read as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def parse_instant(value: datetime | str) -> datetime:
    """A stored instant as a driver returns it (datetime, or ISO text on SQLite), aware."""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return aware(value)


def local_iso(moment: datetime | None) -> str | None:
    """An instant as ISO 8601 in Asia/Shanghai (how the public reads times)."""
    if moment is None:
        return None
    return aware(moment).astimezone(SHANGHAI).isoformat()


"""The kiosk fleet as staff see it: each registered kiosk's last heartbeat and its scans today.

A heartbeat is what a kiosk reports about itself (``POST /api/v1/kiosks/heartbeat``, after
it proved its key): camera state, frames per second, decode rate, queue length, version.
:func:`parse_heartbeat` validates every field (bounded numbers, a camera state from a fixed
list, a version of at most 32 plain characters) so nothing free-form is stored; only staff
read it (:func:`kiosk_board`), never the public.

A kiosk is *silent* when its last heartbeat is older than :data:`SILENT_AFTER` (or it never
sent one); silent kiosks come first on the board, the longest silent first. Scans today are
the scans counted for the kiosk (``source='kiosk'``: its key proved) since midnight in
Asia/Shanghai.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from tortoise import connections

from core.clock import SHANGHAI, aware, local_iso
from core.db import is_postgres, param_marks
from core.errors import InvalidInput
from core.i18n import T
from tracing.codes import divisions
from tracing.scans.models import Kiosk, KioskHeartbeat, Scan

SILENT_AFTER = timedelta(minutes=5)
CAMERA_STATES = ("ok", "lost")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,31}$")
MAX_FPS = 1000.0
MAX_QUEUE = 10_000_000


@dataclass(frozen=True)
class Heartbeat:
    camera: str
    fps: float
    decode_rate: float | None  # None: no frame held a code since the last heartbeat
    queue: int
    version: str

    def as_dict(self) -> dict:
        return {"camera": self.camera, "fps": self.fps, "decode_rate": self.decode_rate,
                "queue": self.queue, "version": self.version}


def _bad(field: str, message) -> InvalidInput:
    return InvalidInput(message, field=field, code="invalid_heartbeat")


def _number(body: dict, field: str, low: float, high: float, *, optional: bool = False):
    value = body.get(field)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or not low <= value <= high:
        raise _bad(field, T("{field} 须为 {low} 到 {high} 之间的数", field=field, low=low,
                            high=high))
    return float(value)


def parse_heartbeat(body: dict) -> Heartbeat:
    """A kiosk's heartbeat body, validated; a bad field is 400 ``invalid_heartbeat`` naming it.
    Fields other than the five are ignored (a newer kiosk may send more)."""
    camera = body.get("camera")
    if camera not in CAMERA_STATES:
        raise _bad("camera", T("camera 须为 {states} 之一", states="、".join(CAMERA_STATES)))
    fps = _number(body, "fps", 0, MAX_FPS)
    rate = _number(body, "decode_rate", 0, 1, optional=True)
    queue = body.get("queue")
    if isinstance(queue, bool) or not isinstance(queue, int) or not 0 <= queue <= MAX_QUEUE:
        raise _bad("queue", T("queue 须为 0 到 {high} 之间的整数", high=MAX_QUEUE))
    version = body.get("version")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise _bad("version", T("version 须为 1 到 32 个字母、数字或 . _ + -"))
    return Heartbeat(camera, round(fps, 2), None if rate is None else round(rate, 4), queue,
                     version)


async def record_heartbeat(kiosk_id: str, beat: Heartbeat, *, now: datetime) -> None:
    """Keep ``beat`` as the kiosk's last heartbeat (the one before is replaced)."""
    await KioskHeartbeat.update_or_create(kiosk_id=kiosk_id, defaults={
        "received_at": now, **beat.as_dict()})


async def kiosk_board(*, now: datetime, division: str | None = None) -> list[dict]:
    """Every registered kiosk (of one county-level ``division`` when given), silent ones
    first, with market, division, last heartbeat and scans counted today."""
    query = Kiosk.all() if division is None else Kiosk.filter(division_code=division)
    kiosks = await query.order_by("id")
    beats = {b.kiosk_id: b for b in await KioskHeartbeat.filter(
        kiosk_id__in=[k.id for k in kiosks])} if kiosks else {}
    today = await scans_today(now=now)
    rows = [_row(k, beats.get(k.id), today.get(k.id, 0), now) for k in kiosks]
    rows.sort(key=lambda r: (not r["silent"], r["_since"]))
    for row in rows:
        del row["_since"]
    return rows


def _row(kiosk: Kiosk, beat: KioskHeartbeat | None, scans: int, now: datetime) -> dict:
    at = aware(beat.received_at) if beat else None
    silent_for = (now - at) if at else None
    return {
        "kiosk_id": kiosk.id, "market": kiosk.market, "division_code": kiosk.division_code,
        "division": divisions.name_of(kiosk.division_code),
        "silent": silent_for is None or silent_for > SILENT_AFTER,
        "silent_minutes": None if silent_for is None else int(silent_for.total_seconds() // 60),
        "last_heartbeat": None if beat is None else {
            "at": local_iso(at), "camera": beat.camera, "fps": beat.fps,
            "decode_rate": beat.decode_rate, "queue": beat.queue, "version": beat.version},
        "scans_today": scans, "registered_at": local_iso(kiosk.created_at),
        "_since": at.timestamp() if at else float("-inf"),
    }


def start_of_day(now: datetime) -> datetime:
    """Midnight of ``now``'s Asia/Shanghai day, in UTC."""
    local = aware(now).astimezone(SHANGHAI)
    return datetime.combine(local.date(), time(), SHANGHAI).astimezone(timezone.utc)


async def scans_today(*, now: datetime) -> dict[str, int]:
    """Scans counted for each registered kiosk since midnight (Asia/Shanghai)."""
    conn = connections.get(Scan._meta.default_connection or "default")
    (mark,) = param_marks(conn, 1)
    since = start_of_day(now)
    _, rows = await conn.execute_query(
        "SELECT kiosk_id, COUNT(*) FROM scan WHERE source = 'kiosk' AND scanned_at >= "
        f"{mark} GROUP BY kiosk_id", [since if is_postgres(conn) else str(since)])
    return {r[0]: int(r[1]) for r in rows}

"""ScanRecorder writes: every buffered scan becomes one row with its fields."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.kv import MemoryStore
from tracing.scans.models import Scan
from tracing.scans.recorder import ScanClient, ScanRecorder


def record(recorder: ScanRecorder, n: int, *, subject: str = "SR1") -> None:
    start = datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc)
    for i in range(n):
        client = ScanClient(channel="kiosk", kiosk_id=f"k{i % 3}", city="柳州", lat=24.3,
                            lng=109.4, user_hash="u" if i % 2 else None)
        recorder.record(subject=subject, level="item", batch_id="B1", quantity=None,
                        at=start + timedelta(seconds=i), client=client)


async def test_flush_writes_every_scan_with_its_fields(db):
    recorder = ScanRecorder(MemoryStore())
    record(recorder, 7)
    assert await recorder.flush() == 7
    rows = await Scan.filter(subject="SR1").order_by("scanned_at")
    assert len(rows) == 7
    assert [r.kiosk_id for r in rows] == [f"k{i % 3}" for i in range(7)]
    assert [r.user_hash for r in rows] == [None, "u"] * 3 + [None]
    first = rows[0]
    assert (first.level, first.batch_id, first.channel, first.city, first.lat, first.lng) == (
        "item", "B1", "kiosk", "柳州", 24.3, 109.4)
    assert first.scanned_at == datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc)
    assert recorder.pending == 0

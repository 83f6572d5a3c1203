"""The public scan count counts viewers, not requests (tracing.scans.viewers): however often one
client asks, it is one viewer a day (a person: one ever); each scan row says whether it brought
a new viewer, and the count is rebuilt from those rows when the counters are lost. Migration
0011 marks scans written before it. Against the session database (SQLite, or PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tortoise import Tortoise, connections

from core.db import tortoise_config
from core.kv import MemoryStore
from core.settings import Settings
from tracing.scans.client import ScanClient
from tracing.scans.kiosks import KioskPlace
from tracing.scans.models import Scan
from tracing.scans.recorder import ScanRecorder, scan_stats, stat_keys
from tracing.scans.viewers import anonymous_id, day_of, viewer_of
from tests.integration.test_migration_scan_trust import fresh_url, migrate_to  # noqa: F401

NOON = datetime(2026, 11, 22, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
PLACE = KioskPlace("K-LZ-01", "柳州市城中区农贸市场", "450202", "450200", 24.31, 109.41)


def scan(recorder, client=ScanClient(), *, at=NOON, anonymous="-", subject="V1"):
    recorder.record(subject=subject, level="batch", batch_id="B1", quantity=None, at=at,
                    client=client, anonymous=anonymous)


async def shown(store, subject="V1", client=ScanClient(), anonymous="nobody", at=NOON):
    viewer = viewer_of(client, anonymous=anonymous, day=day_of(at))
    values = await store.get_many(stat_keys(subject, viewer))
    return scan_stats(values, client=client, now=at, viewer=viewer)[0]["count"]


async def test_a_burst_from_one_client_is_one_viewer_a_day(db):
    store = MemoryStore()
    recorder = ScanRecorder(store)
    for burst in range(5):  # flushed between bursts and inside none: both must hold
        for i in range(20):
            scan(recorder, anonymous="c1", at=NOON + timedelta(seconds=burst * 20 + i))
        await recorder.flush()
        assert await shown(store, anonymous="c1") == 1  # it sees itself, counted once
    assert await shown(store) == 2  # someone else: the one client, and itself
    scan(recorder, anonymous="c1", at=NOON + timedelta(days=1))
    scan(recorder, anonymous="c2")
    await recorder.flush()
    assert await shown(store, anonymous="c1") == 3
    rows = await Scan.filter(subject="V1").order_by("id").values_list("counted", flat=True)
    assert len(rows) == 102 and sum(rows) == 3 and rows[0] is True


async def test_a_person_is_one_viewer_ever_and_a_kiosk_one_a_day(db):
    store = MemoryStore()
    recorder = ScanRecorder(store)
    person = ScanClient(channel="miniapp", user_hash="u" * 64)
    kiosk = ScanClient(channel="kiosk", kiosk_id="K-LZ-01").at_kiosk(PLACE)
    for day in range(3):
        for _ in range(4):
            scan(recorder, person, at=NOON + timedelta(days=day))
            scan(recorder, kiosk, at=NOON + timedelta(days=day))
        await recorder.flush()
    assert await shown(store, client=person) == 4  # the person once, the kiosk on 3 days
    assert await Scan.filter(subject="V1", counted=True, source="kiosk").count() == 3


async def test_a_claimed_kiosk_without_its_key_counts_as_the_client_it_is(db):
    store = MemoryStore()
    recorder = ScanRecorder(store)
    for i in range(30):  # a new kiosk id every time, no key proved: anonymous
        scan(recorder, ScanClient(channel="kiosk", kiosk_id=f"fake{i}"), anonymous="c1")
    await recorder.flush()
    assert await shown(store) == 2


async def test_lost_counters_are_rebuilt_from_the_counted_rows(db):
    store = MemoryStore()
    recorder = ScanRecorder(store)
    person = ScanClient(channel="miniapp", user_hash="p" * 64)
    for client in ("c1", "c2", "c3"):
        for _ in range(3):
            scan(recorder, anonymous=client)
    scan(recorder, person)
    await recorder.flush()
    assert await shown(store) == 5
    fresh = MemoryStore()  # Redis restarted empty
    recorder = ScanRecorder(fresh)
    scan(recorder, person, at=NOON + timedelta(hours=1))  # not a new viewer
    await recorder.flush()
    assert await shown(fresh) == 5 and await shown(fresh, client=person) == 4
    assert int(await fresh.get(f"scan:me:V1:{'p' * 64}")) == 2  # you_before survives too


def test_anonymous_clients_are_kept_only_as_a_short_hash():
    assert anonymous_id("203.0.113.9") == anonymous_id("203.0.113.9")
    assert anonymous_id("203.0.113.9") != anonymous_id("203.0.113.10")
    assert "203" not in anonymous_id("203.0.113.9") and len(anonymous_id("x")) == 18


async def test_the_migration_marks_earlier_scans_as_far_as_they_can_be_told_apart(fresh_url):
    await migrate_to(fresh_url, "gongzhi.0012_kiosk_fleet")
    config = tortoise_config(Settings(db_url=fresh_url), models=[])
    await Tortoise.init(config=config)
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    late = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)  # 01:00 next day in Shanghai
    rows = [("C1", "anonymous", None, None, NOON), ("C1", "anonymous", None, None, NOON),
            ("C1", "anonymous", None, None, late), ("C1", "person", "u1", None, NOON),
            ("C1", "person", "u1", None, late), ("C1", "kiosk", None, "K1", NOON),
            ("C1", "kiosk", None, "K1", NOON), ("C2", "anonymous", None, None, NOON)]
    for subject, source, user, kiosk, at in rows:
        await insert(conn, postgres, subject, source, user, kiosk, at)
    await Tortoise.close_connections()
    await migrate_to(fresh_url, None)
    await Tortoise.init(config=config)
    conn = connections.get("default")
    _, found = await conn.execute_query("SELECT counted FROM scan ORDER BY id")
    assert [bool(list(r)[0]) for r in found] == [True, False, True, True, False, True, False,
                                                True]
    await Tortoise.close_connections()


async def insert(conn, postgres, subject, source, user, kiosk, at):
    marks = ", ".join(f"${i}" for i in range(1, 7)) if postgres else ", ".join("?" * 6)
    await conn.execute_query(
        "INSERT INTO scan (subject, level, scanned_at, channel, source, user_hash, kiosk_id) "
        f"VALUES ({marks.split(', ', 1)[0]}, 'batch', {marks.split(', ', 1)[1]})",
        [subject, at if postgres else str(at), "h5", source, user, kiosk])

"""ScanRecorder writes and counters against the database: every buffered scan becomes one row
with its fields; the first scan's place and the suspicion verdict come from trusted scans only;
registered kiosks are placed at their registered market."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import orjson

from core.kv import MemoryStore
from tracing.scans.client import ScanClient, scan_client
from tracing.scans.kiosks import KioskRegistry, new_key, register_kiosk
from tracing.scans.models import Kiosk, Scan
from tracing.scans.recorder import ScanRecorder, scan_stats, stat_keys

START = datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc)
LIUZHOU, BEIJING, SHANGHAI = ("24.33", "109.43"), ("39.90", "116.41"), ("31.23", "121.47")


def record(recorder: ScanRecorder, n: int, *, subject: str = "SR1") -> None:
    for i in range(n):
        client = ScanClient(channel="kiosk", kiosk_id=f"k{i % 3}", lat=24.3, lng=109.4,
                            division="450200", user_hash="u" if i % 2 else None)
        recorder.record(subject=subject, level="item", batch_id="B1", quantity=None,
                        at=START + timedelta(seconds=i), client=client)


async def test_flush_writes_every_scan_with_its_fields(db):
    recorder = ScanRecorder(MemoryStore())
    record(recorder, 7)
    assert await recorder.flush() == 7
    rows = await Scan.filter(subject="SR1").order_by("scanned_at")
    assert len(rows) == 7
    assert [r.kiosk_id for r in rows] == [f"k{i % 3}" for i in range(7)]
    assert [r.user_hash for r in rows] == [None, "u"] * 3 + [None]
    assert [r.source for r in rows] == ["anonymous", "person"] * 3 + ["anonymous"]
    first = rows[0]
    assert (first.level, first.batch_id, first.channel, first.division, first.lat, first.lng) == (
        "item", "B1", "kiosk", "450200", 24.3, 109.4)
    assert first.scanned_at == datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc)
    assert recorder.pending == 0


def scan_at(recorder, subject, position, *, minutes, user=None, city=None):
    client = scan_client(channel="miniapp", kiosk=None, lat=position[0], lng=position[1],
                         city=city, user_hash=user)
    recorder.record(subject=subject, level="item", batch_id="B1", quantity=None,
                    at=START + timedelta(minutes=minutes), client=client)


async def stats(store, subject, client=ScanClient()):
    values = await store.get_many(stat_keys(subject, None))
    return scan_stats(values, client=client, now=START)


async def test_anonymous_forgery_sets_no_place_and_no_verdict(db):
    store = MemoryStore()
    recorder = ScanRecorder(store)
    scan_at(recorder, "FAKE1", BEIJING, minutes=0, city="请拨13800138000退款")
    scan_at(recorder, "FAKE1", LIUZHOU, minutes=1, city="<b>x</b>")
    await recorder.flush()
    block, verdict = await stats(store, "FAKE1")
    # one anonymous client (no address given) is one viewer, plus the one asking
    assert block["count"] == 2 and block["first"]["city"] is None and verdict is None
    assert {r.division for r in await Scan.filter(subject="FAKE1")} == {"110000", "450200"}


async def test_trusted_people_far_apart_raise_the_alert_and_name_the_first_city(db):
    store = MemoryStore()
    recorder = ScanRecorder(store)
    scan_at(recorder, "CLONE1", LIUZHOU, minutes=0, user="u1")
    await recorder.flush()
    block, verdict = await stats(store, "CLONE1")
    assert block["first"]["city"] == "柳州市" and verdict is None
    scan_at(recorder, "CLONE1", BEIJING, minutes=60, user="u2")
    await recorder.flush()
    assert (await stats(store, "CLONE1"))[1]["level"] == "notice"
    scan_at(recorder, "CLONE1", SHANGHAI, minutes=120, user="u3")
    await recorder.flush()
    verdict = (await stats(store, "CLONE1"))[1]
    assert verdict["level"] == "alert" and verdict["findings"][0]["rule"] == "far_apart"
    assert "北京市" in verdict["findings"][0]["message"] or "上海市" in verdict["findings"][0][
        "message"]


async def test_an_older_stored_reason_list_is_replaced_or_ignored(db):
    store = MemoryStore()
    await store.set("scan:sus:OLD1", orjson.dumps(["far_apart: forged"]))
    assert (await stats(store, "OLD1"))[1] == ["far_apart: forged"]
    recorder = ScanRecorder(store)
    scan_at(recorder, "OLD1", LIUZHOU, minutes=0)
    scan_at(recorder, "OLD1", BEIJING, minutes=1)
    await recorder.flush()
    assert await store.get("scan:sus:OLD1") is None


async def test_registered_kiosk_scans_are_placed_at_its_market(db):
    key = new_key()
    place = await register_kiosk(kiosk_id="K-LZ-01", key=key, market="柳州市城中区农贸市场",
                                 division_code="450202", lat=24.3121, lng=109.4118, now=START)
    assert (place.city, place.lat, place.lng) == ("450200", 24.3, 109.4)
    registry = KioskRegistry()
    assert await registry.place("K-LZ-01", key) == place
    assert await registry.place("K-LZ-01", "wrong-" + key) is None
    assert await registry.place("K-LZ-01", None) is None
    assert await registry.place("K-NOBODY", key) is None
    claimed = scan_client(channel="kiosk", kiosk="K-LZ-01", lat=BEIJING[0], lng=BEIJING[1])
    store = MemoryStore()
    recorder = ScanRecorder(store)
    for i, client in enumerate([claimed.at_kiosk(await registry.place("K-LZ-01", key)),
                                claimed.at_kiosk(await registry.place("K-LZ-01", "bad"))]):
        recorder.record(subject="KIOSK1", level="item", batch_id="B1", quantity=None,
                        at=START + timedelta(minutes=i), client=client)
    await recorder.flush()
    rows = await Scan.filter(subject="KIOSK1").order_by("scanned_at")
    assert [(r.source, r.division, r.lat) for r in rows] == [
        ("kiosk", "450200", 24.3), ("anonymous", "110000", 39.9)]
    assert (await stats(store, "KIOSK1"))[0]["first"]["city"] == "柳州市"


async def test_kiosk_registration_refuses_bad_values_by_field(db):
    import pytest

    from core.errors import InvalidInput

    good = dict(kiosk_id="K1", key=new_key(), market="鱼峰区农贸市场", division_code="450203",
                lat=24.32, lng=109.45, now=START)
    for change, field in [({"kiosk_id": "K 1"}, "kiosk_id"), ({"key": "short"}, "key"),
                          ({"market": " "}, "market"), ({"division_code": "450000"},
                                                       "division_code"),
                          ({"division_code": "999999"}, "division_code"),
                          ({"lat": 48.85, "lng": 2.35}, "lat")]:
        with pytest.raises(InvalidInput) as info:
            await register_kiosk(**{**good, **change})
        assert info.value.field == field, change
    assert await Kiosk.all().count() == 0 and not await KioskRegistry().place("K1", good["key"])


async def test_the_kiosk_registry_sees_a_new_key_after_forget_or_ttl(db):
    now = [0.0]
    registry = KioskRegistry(ttl=60, clock=lambda: now[0])
    first, second = new_key(), new_key()
    args = dict(kiosk_id="K2", market="柳南区市场", division_code="450204", lat=24.3, lng=109.4,
                now=START)
    await register_kiosk(key=first, **args)
    assert await registry.place("K2", first)
    await register_kiosk(key=second, **args)
    assert await registry.place("K2", first)  # cached for ttl
    now[0] = 61
    assert not await registry.place("K2", first) and await registry.place("K2", second)
    await register_kiosk(key=first, **args)
    registry.forget("K2")
    assert await registry.place("K2", first)

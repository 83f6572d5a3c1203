"""Counterfeit suspicion: each rule, its boundaries, and the false alarms it must avoid."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.geo import haversine_km
from tracing.scans.suspicion import (
    ScanRecord, Suspicion, Thresholds, assess_suspicion, count_people,
)

T0 = datetime(2025, 3, 15, 10, 0, tzinfo=timezone(timedelta(hours=8)))
BEIJING = ("北京市", 39.9042, 116.4074)
SHANGHAI = ("上海市", 31.2304, 121.4737)
GUANGZHOU = ("广州市", 23.1291, 113.2644)
FOSHAN = ("佛山市", 23.0215, 113.1214)
TIANJIN = ("天津市", 39.3434, 117.3616)
LANZHOU = ("兰州市", 36.0611, 103.8343)
KM_PER_DEGREE = math.pi * 6371.0088 / 180


def scan(place=BEIJING, *, hours=0.0, user=None, channel="miniapp", located=True):
    city, lat, lng = place
    return ScanRecord(at=T0 + timedelta(hours=hours), city=city,
                      lat=lat if located else None, lng=lng if located else None,
                      user_hash=user, channel=channel)


def item(scans, **kwargs) -> Suspicion:
    return assess_suspicion(scans, level="item", **kwargs)


def reason_names(result: Suspicion) -> list[str]:
    return [reason.split(":")[0] for reason in result.reasons]


# --- haversine -----------------------------------------------------------------------------

def test_haversine_known_distances():
    assert haversine_km(*BEIJING[1:], *SHANGHAI[1:]) == pytest.approx(1067, abs=3)
    assert haversine_km(*GUANGZHOU[1:], *FOSHAN[1:]) == pytest.approx(19, abs=1)
    assert haversine_km(*BEIJING[1:], *BEIJING[1:]) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)
    assert haversine_km(90, 0, -90, 0) == pytest.approx(math.pi * 6371.0088)


coordinate = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@given(coordinate, coordinate)
def test_haversine_is_symmetric_and_bounded(a, b):
    d = haversine_km(*a, *b)
    assert d == pytest.approx(haversine_km(*b, *a), abs=1e-6)
    assert 0 <= d <= math.pi * 6371.0088 + 1e-6


# --- rule 1: far apart ---------------------------------------------------------------------

def test_item_scanned_in_beijing_and_shanghai_within_hours_is_suspect():
    result = item([scan(BEIJING, user="a"), scan(SHANGHAI, hours=3, user="b")])
    assert result.suspect
    assert reason_names(result) == ["far_apart"]
    assert "1067 km" in result.reasons[0] and "北京市, 上海市" in result.reasons[0]
    assert "within 3.0 h" in result.reasons[0]
    assert (result.distinct_cities, result.scan_count, result.distinct_people) == (2, 2, 2)


def test_far_apart_by_anonymous_scans_counts_too():
    assert item([scan(BEIJING), scan(SHANGHAI, hours=1)]).suspect


def test_far_apart_found_in_unsorted_history_among_local_scans():
    scans = [scan(BEIJING, hours=h, user="a") for h in range(10)]
    scans.insert(3, scan(GUANGZHOU, hours=5.5, user="z"))
    assert reason_names(item(scans)) == ["far_apart"]


def test_same_user_in_two_far_places_is_a_location_error_not_a_clone():
    assert not item([scan(BEIJING, user="a"), scan(SHANGHAI, hours=1, user="a")]).suspect


def test_nearby_cities_are_not_far_apart():
    assert not item([scan(GUANGZHOU, user="a"), scan(FOSHAN, hours=0.1, user="b")]).suspect
    assert not item([scan(BEIJING, user="a"), scan(TIANJIN, hours=0.1, user="b")]).suspect


def test_far_apart_but_more_than_a_day_between_is_plausible():
    assert not item([scan(BEIJING, user="a"), scan(SHANGHAI, hours=24.01, user="b")]).suspect


def test_window_boundary_is_inclusive():
    assert item([scan(BEIJING, user="a"), scan(SHANGHAI, hours=24, user="b")]).suspect


@pytest.mark.parametrize("km, suspect", [(299, False), (299.9, False), (300.1, True), (301, True)])
def test_distance_boundary(km, suspect):
    north = ("北", 30 + km / KM_PER_DEGREE, 110.0)
    result = item([scan(("南", 30.0, 110.0), user="a"), scan(north, hours=1, user="b")])
    assert result.suspect is suspect


def test_three_places_needed_when_configured():
    strict = Thresholds(min_cities=3)
    two = [scan(BEIJING, user="a"), scan(SHANGHAI, hours=1, user="b")]
    assert not item(two, thresholds=strict).suspect
    three = [*two, scan(GUANGZHOU, hours=2, user="c")]
    result = item(three, thresholds=strict)
    assert result.suspect and "at 3 places" in result.reasons[0]
    # Beijing and Tianjin are one place for this rule: only two far-apart places remain.
    near = [*two, scan(TIANJIN, hours=2, user="c")]
    assert not item(near, thresholds=strict).suspect


def test_custom_distance_and_window():
    scans = [scan(LANZHOU, user="a"), scan(("西安市", 34.3416, 108.9398), hours=30, user="b")]
    assert not item(scans).suspect
    assert item(scans, thresholds=Thresholds(window=timedelta(hours=48))).suspect
    assert not item(scans, thresholds=Thresholds(window=timedelta(hours=48),
                                                 min_distance_km=600)).suspect


def test_min_cities_below_two_is_refused():
    with pytest.raises(ValueError, match="min_cities"):
        Thresholds(min_cities=1)


# --- missing and bad locations ------------------------------------------------------------

def test_city_names_alone_never_trigger_far_apart():
    result = item([scan(BEIJING, user="a", located=False),
                   scan(SHANGHAI, hours=1, user="b", located=False)])
    assert not result.suspect
    assert result.distinct_cities == 2


def test_one_located_scan_and_one_unlocated():
    assert not item([scan(BEIJING, user="a"),
                     scan(SHANGHAI, hours=1, user="b", located=False)]).suspect


@pytest.mark.parametrize("lat, lng", [
    (0.0, 0.0), (None, 121.47), (31.23, None), (float("nan"), 121.47), (91.0, 121.47),
    (31.23, 181.0), (float("inf"), 0.5),
])
def test_unusable_positions_are_ignored(lat, lng):
    bad = ScanRecord(at=T0 + timedelta(hours=1), city="上海市", lat=lat, lng=lng, user_hash="b",
                     channel="h5")
    assert not item([scan(BEIJING, user="a"), bad]).suspect


def test_no_city_no_position_no_user():
    result = item([ScanRecord(at=T0, channel="kiosk")])
    assert result == Suspicion(False, [], 0, 1, 1)


def test_empty_history():
    assert item([]) == Suspicion(False, [], 0, 0, 0)


# --- rule 2: many people -------------------------------------------------------------------

@pytest.mark.parametrize("people, suspect", [(1, False), (5, False), (6, True), (40, True)])
def test_item_scanned_by_many_people(people, suspect):
    result = item([scan(BEIJING, hours=i * 0.1, user=f"u{i}") for i in range(people)])
    assert result.suspect is suspect
    assert reason_names(result) == (["many_people"] if suspect else [])
    assert result.distinct_people == people


def test_one_shopper_scanning_thirty_times_is_no_alarm():
    scans = [scan(BEIJING, hours=i * 5, user="shopper") for i in range(30)]  # over six days
    result = item(scans)
    assert not result.suspect
    assert (result.scan_count, result.distinct_people, result.distinct_cities) == (30, 1, 1)


def test_one_anonymous_shopper_scanning_thirty_times_in_a_day_is_one_person():
    scans = [scan(BEIJING, hours=i * 0.3, channel="h5") for i in range(30)]
    result = item(scans)
    assert not result.suspect and result.distinct_people == 1


def test_anonymous_scans_on_different_days_or_places_are_different_people():
    scans = [scan(BEIJING, hours=24 * day, channel="h5") for day in range(6)]
    assert count_people(scans) == 6
    assert reason_names(item(scans)) == ["many_people"]
    kiosks = [scan(place, channel="kiosk", located=False) for place in (BEIJING, TIANJIN)]
    assert count_people(kiosks) == 2


def test_anonymous_day_follows_china_time():
    late = datetime(2025, 3, 15, 15, 30, tzinfo=timezone.utc)  # 23:30 in Beijing
    scans = [ScanRecord(at=late, city="北京市"),
             ScanRecord(at=late + timedelta(minutes=40), city="北京市")]  # 00:10 next day
    assert count_people(scans) == 2


def test_anonymous_without_city_grouped_by_rounded_position():
    near = [ScanRecord(at=T0, lat=39.90, lng=116.40), ScanRecord(at=T0, lat=39.91, lng=116.41)]
    assert count_people(near) == 1
    apart = [ScanRecord(at=T0, lat=39.90, lng=116.40), ScanRecord(at=T0, lat=31.23, lng=121.47)]
    assert count_people(apart) == 2


def test_both_item_rules_can_fire():
    scans = [scan(BEIJING, user=f"u{i}") for i in range(6)] + [scan(SHANGHAI, hours=1, user="x")]
    assert reason_names(item(scans)) == ["far_apart", "many_people"]


# --- rule 3: cases -------------------------------------------------------------------------

def case(people: int, **kwargs) -> Suspicion:
    scans = [scan(BEIJING, hours=i * 0.01, user=f"u{i}") for i in range(people)]
    return assess_suspicion(scans, level="case", **kwargs)


@pytest.mark.parametrize("people, pack_count, suspect", [
    (36, 12, False), (37, 12, True), (72, None, False), (73, None, True), (73, 0, True),
    (100, 40, False),
])
def test_case_scanned_more_than_its_packs_allow(people, pack_count, suspect):
    result = case(people, pack_count=pack_count)
    assert result.suspect is suspect
    if suspect:
        assert reason_names(result) == ["case_overscanned"]
        assert f"{people} different people" in result.reasons[0]


def test_case_is_not_judged_by_geography_or_item_counts():
    scans = [scan(BEIJING, user="a"), scan(SHANGHAI, hours=1, user="b")]
    scans += [scan(GUANGZHOU, hours=2, user=f"u{i}") for i in range(10)]
    assert not assess_suspicion(scans, level="case", pack_count=12).suspect


def test_case_with_one_user_rescanning_is_no_alarm():
    scans = [scan(BEIJING, hours=i * 0.01, user="warehouse") for i in range(500)]
    assert not assess_suspicion(scans, level="case", pack_count=6).suspect


# --- rule 4: batches -----------------------------------------------------------------------

def batch(people: int, quantity, **kwargs) -> Suspicion:
    places = [BEIJING, SHANGHAI, GUANGZHOU, LANZHOU]
    scans = [scan(places[i % 4], hours=i * 0.001, user=f"u{i}") for i in range(people)]
    return assess_suspicion(scans, level="batch", quantity=quantity, **kwargs)


def test_batch_code_scanned_by_500_people_across_china_is_no_alarm():
    result = batch(500, 10_000)
    assert not result.suspect
    assert (result.distinct_people, result.distinct_cities) == (500, 4)


def test_batch_code_never_flagged_when_quantity_unknown():
    assert not batch(2_000, None).suspect
    assert not batch(2_000, 0).suspect


@pytest.mark.parametrize("people, suspect", [(30, False), (31, True)])
def test_batch_boundary_small(people, suspect):
    result = batch(people, 10)
    assert result.suspect is suspect
    assert reason_names(result) == (["batch_overscanned"] if suspect else [])


def test_batch_boundary_at_three_times_quantity():
    assert not batch(30_000, 10_000).suspect
    assert batch(30_001, 10_000).suspect


def test_batch_factor_is_configurable():
    assert batch(11, 10, thresholds=Thresholds(batch_people_factor=1)).suspect


# --- inputs --------------------------------------------------------------------------------

def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        item([ScanRecord(at=datetime(2025, 3, 15, 10, 0))])


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="level"):
        assess_suspicion([], level="pallet")


def test_accepts_any_iterable_and_mixed_offsets():
    utc = ScanRecord(at=datetime(2025, 3, 15, 2, 0, tzinfo=timezone.utc), city="北京市",
                     lat=BEIJING[1], lng=BEIJING[2], user_hash="a")
    result = item(iter([utc, scan(SHANGHAI, hours=1, user="b")]))  # 10:00 and 11:00 +08
    assert result.suspect and "within 1.0 h" in result.reasons[0]


def test_long_history_stays_fast():
    scans = [scan(BEIJING, hours=i * 0.001, user=f"u{i % 3}") for i in range(20_000)]
    result = item(scans)
    assert not result.suspect and result.scan_count == 20_000


def test_geography_examines_only_the_most_recent_located_scans():
    old_clone = [scan(BEIJING, hours=0, user="a"), scan(SHANGHAI, hours=1, user="b")]
    recent = [scan(BEIJING, hours=2 + i * 0.001, user="a") for i in range(10)]
    limited = Thresholds(max_located_scans=5)
    assert item(old_clone + recent).suspect
    assert not item(old_clone + recent, thresholds=limited).suspect

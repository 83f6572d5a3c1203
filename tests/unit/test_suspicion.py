"""Counterfeit suspicion from trusted witnesses only: forgeries that must never raise the alert,
real evidence that must, each rule's boundaries, and the messages the public reads."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.geo import haversine_km
from tracing.scans.suspicion import (
    ScanRecord, Suspicion, Thresholds, assess_suspicion, verdict_alert,
)

T0 = datetime(2025, 3, 15, 10, 0, tzinfo=timezone(timedelta(hours=8)))
LIUZHOU = ("450200", "柳州市", 24.3, 109.4)
NANNING = ("450100", "南宁市", 22.8, 108.4)
BEIJING = ("110000", "北京市", 39.9, 116.4)
SHANGHAI = ("310000", "上海市", 31.2, 121.5)
GUANGZHOU = ("440100", "广州市", 23.1, 113.3)
FOSHAN = ("440600", "佛山市", 23.0, 113.1)
KM_PER_DEGREE = math.pi * 6371.0088 / 180


def at(place, *, hours=0.0, user=None, kiosk=None) -> ScanRecord:
    city, name, lat, lng = place
    return ScanRecord(at=T0 + timedelta(hours=hours), lat=lat, lng=lng, city=city,
                      city_name=name, user_hash=user, kiosk_id=kiosk)


def item(scans, **kwargs) -> Suspicion:
    return assess_suspicion(scans, level="item", **kwargs)


def rules_of(result: Suspicion) -> list[tuple[str, str]]:
    return [(f.rule, f.level) for f in result.findings]


# --- what one client can do never raises anything -----------------------------------------

def test_two_anonymous_requests_far_apart_raise_nothing():
    forged = [at(BEIJING), at(LIUZHOU, hours=0.01)]
    result = item(forged)
    assert result.level is None and result.findings == () and result.people == 0


def test_any_number_of_anonymous_scans_anywhere_raises_nothing():
    places = [BEIJING, SHANGHAI, LIUZHOU, GUANGZHOU, NANNING]
    flood = [at(places[i % 5], hours=i * 0.01) for i in range(500)]
    assert item(flood).level is None
    assert assess_suspicion(flood, level="batch", quantity=10).level is None
    assert assess_suspicion(flood, level="case", pack_count=1).level is None


def test_an_unregistered_kiosk_is_anonymous():
    # The recorder passes kiosk_id only for a kiosk that proved its key; claimed ids are None.
    assert item([at(BEIJING), at(SHANGHAI, hours=1), at(LIUZHOU, hours=2)]).level is None


def test_one_persons_forged_far_apart_positions_are_discarded():
    forged = [at(LIUZHOU, user="u1"), at(BEIJING, hours=0.1, user="u1"),
              at(SHANGHAI, hours=0.2, user="u1")]
    result = item(forged)
    assert result.level is None and result.discarded == 1 and result.people == 1


def test_a_discarded_person_is_no_evidence_beside_honest_ones():
    forger = [at(BEIJING, user="u1"), at(LIUZHOU, hours=0.1, user="u1")]
    honest = [at(LIUZHOU, hours=1, user="u2"), at(NANNING, hours=2, user="u3")]
    result = item(forger + honest)
    assert result.level is None and result.discarded == 1 and result.people == 3


def test_one_person_travelling_plausibly_is_still_one_vote():
    trip = [at(LIUZHOU, user="u1"), at(BEIJING, hours=30, user="u1"),
            at(SHANGHAI, hours=60, user="u1"), at(GUANGZHOU, hours=90, user="u1")]
    result = item(trip)
    assert result.level is None and result.discarded == 0 and result.people == 1


def test_position_jitter_of_one_person_is_not_impossible_travel():
    # 200 km ten minutes later stays within the slack plus 1000 km/h: a coarse position.
    jitter = [at(LIUZHOU, user="u1"), at(NANNING, hours=1 / 6, user="u1")]
    assert item(jitter).discarded == 0


@given(st.lists(st.tuples(st.sampled_from([BEIJING, SHANGHAI, LIUZHOU, GUANGZHOU]),
                          st.floats(0, 48)), max_size=40))
def test_one_person_alone_never_raises_the_alert(history):
    scans = [at(place, hours=hours, user="same") for place, hours in history]
    assert item(scans).level is None


@given(st.lists(st.tuples(st.sampled_from([BEIJING, SHANGHAI, LIUZHOU, GUANGZHOU]),
                          st.floats(0, 48)), max_size=60))
def test_anonymous_scans_never_raise_anything(history):
    assert item([at(place, hours=hours) for place, hours in history]).level is None


# --- trusted evidence -----------------------------------------------------------------------

def test_two_people_far_apart_give_the_quiet_notice():
    result = item([at(LIUZHOU, user="u1"), at(BEIJING, hours=5, user="u2")])
    assert result.level == "notice" and not result.suspect
    assert rules_of(result) == [("far_apart", "notice")]
    message = result.findings[0].message
    assert message.startswith("请核对包装") and "柳州市" in message and "北京市" in message
    assert "不能据此认定为仿冒" in message and "12315" in message
    assert result.findings[0].facts["km"] == round(haversine_km(*LIUZHOU[2:], *BEIJING[2:]))


def test_three_people_in_two_far_cities_give_the_alert():
    result = item([at(LIUZHOU, user="u1"), at(LIUZHOU, hours=1, user="u2"),
                   at(BEIJING, hours=5, user="u3")])
    assert result.level == "alert" and result.suspect
    finding = result.findings[0]
    assert (finding.rule, finding.level) == ("far_apart", "alert")
    assert finding.message.startswith("可能是仿冒产品") and "3位" in finding.message
    assert "2个城市" in finding.message and "12315举报" in finding.message
    assert finding.facts["people"] == 3 and finding.facts["cities"] == 2


def test_registered_kiosks_are_witnesses_at_their_place():
    result = item([at(LIUZHOU, kiosk="K-LZ-01"), at(BEIJING, hours=2, user="u2"),
                   at(SHANGHAI, hours=3, user="u3")])
    assert result.level == "alert" and result.people == 3


def test_a_kiosk_scanning_often_is_one_witness():
    kiosk = [at(LIUZHOU, hours=i * 0.1, kiosk="K1") for i in range(50)]
    result = item(kiosk + [at(BEIJING, hours=1, user="u2")])
    assert result.level == "notice" and result.people == 2


def test_anonymous_scans_add_no_witness_to_trusted_ones():
    scans = [at(LIUZHOU, user="u1"), at(BEIJING, hours=1, user="u2")]
    scans += [at(SHANGHAI, hours=2 + i * 0.1) for i in range(20)]
    assert item(scans).level == "notice"


def test_nearby_cities_are_never_far_apart():
    assert haversine_km(*GUANGZHOU[2:], *FOSHAN[2:]) < 30
    scans = [at(GUANGZHOU, user="u1"), at(FOSHAN, hours=1, user="u2"),
             at(GUANGZHOU, hours=2, user="u3"), at(FOSHAN, hours=3, user="u4")]
    assert item(scans).level is None


def test_far_apart_but_more_than_the_window_between_is_plausible():
    scans = [at(LIUZHOU, user="u1"), at(LIUZHOU, hours=1, user="u2"),
             at(BEIJING, hours=26, user="u3")]
    assert item(scans).level is None


def test_window_boundary_is_inclusive():
    scans = [at(LIUZHOU, user="u1"), at(LIUZHOU, hours=1, user="u2"),
             at(BEIJING, hours=24, user="u3")]
    assert item(scans).level == "alert"


@pytest.mark.parametrize("km, level", [(299, None), (301, "notice")])
def test_distance_boundary(km, level):
    south = ("000001", "南边", 10.0, 100.0)
    north = ("000002", "北边", 10.0 + km / KM_PER_DEGREE, 100.0)
    assert item([at(south, user="a"), at(north, hours=1, user="b")]).level == level


def test_thresholds_come_from_settings_values():
    scans = [at(LIUZHOU, user="u1"), at(LIUZHOU, hours=1, user="u2"),
             at(BEIJING, hours=5, user="u3")]
    assert item(scans, thresholds=Thresholds(alert_people=4)).level == "notice"
    assert item(scans, thresholds=Thresholds(min_distance_km=2000)).level is None
    assert item(scans, thresholds=Thresholds(window=timedelta(hours=4.5))).level == "notice"
    fast = [at(LIUZHOU, user="u1"), at(BEIJING, hours=1, user="u1")]
    assert item(fast).discarded == 1
    assert item(fast, thresholds=Thresholds(max_speed_kmh=2000)).discarded == 0


@pytest.mark.parametrize("kwargs", [{"notice_people": 1}, {"alert_cities": 1},
                                    {"notice_people": 3, "alert_people": 2}])
def test_thresholds_that_would_trust_one_witness_are_refused(kwargs):
    with pytest.raises(ValueError):
        Thresholds(**kwargs)


def test_witness_outside_every_city_is_named_by_position():
    sea = (None, None, 20.0, 125.0)
    result = item([at(sea, user="u1"), at(BEIJING, hours=1, user="u2")])
    assert result.level == "notice" and "北纬20°东经125°附近" in result.findings[0].message


# --- counts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("people, level", [(5, None), (6, "notice")])
def test_item_scanned_by_many_trusted_people(people, level):
    scans = [at(LIUZHOU, hours=i, user=f"u{i}") for i in range(people)]
    result = item(scans)
    assert result.level == level
    if level:
        assert rules_of(result) == [("many_people", "notice")]


def test_one_shopper_scanning_thirty_times_is_one_witness():
    assert item([at(LIUZHOU, hours=i * 0.1, user="u1") for i in range(30)]).people == 1


@pytest.mark.parametrize("people, pack_count, level", [
    (72, None, None), (73, None, "notice"), (30, 10, None), (31, 10, "notice")])
def test_case_scanned_by_more_witnesses_than_its_packs_allow(people, pack_count, level):
    scans = [at(LIUZHOU, hours=i * 0.01, user=f"u{i}") for i in range(people)]
    result = assess_suspicion(scans, level="case", pack_count=pack_count)
    assert result.level == level and (level is None or result.findings[0].message
                                      .startswith("请核对包装"))


def test_batch_code_never_flagged_when_quantity_unknown_and_only_by_trusted_counts():
    scans = [at(BEIJING if i % 2 else LIUZHOU, hours=i * 0.01, user=f"u{i}") for i in range(500)]
    assert assess_suspicion(scans, level="batch").level is None
    assert assess_suspicion(scans, level="batch", quantity=200).level is None
    assert assess_suspicion(scans, level="batch", quantity=100).level == "notice"


# --- the stored verdict and the alert shown --------------------------------------------------

def test_verdict_round_trip_to_the_alert_shown():
    alert = item([at(LIUZHOU, user="u1"), at(LIUZHOU, hours=1, user="u2"),
                  at(BEIJING, hours=5, user="u3")])
    shown = verdict_alert(alert.as_dict())
    assert (shown["kind"], shown["severity"]) == ("counterfeit_suspicion", "critical")
    assert shown["message"].startswith("可能是仿冒产品") and shown["reasons"] == ["far_apart"]
    notice = item([at(LIUZHOU, user="u1"), at(BEIJING, hours=5, user="u2")])
    shown = verdict_alert(notice.as_dict())
    assert (shown["kind"], shown["severity"]) == ("check_packaging", "info")
    assert item([]).as_dict() is None


@pytest.mark.parametrize("stored", [["far_apart: scanned at 2 places"], None, {},
                                    {"level": "alert", "findings": []}, {"level": "x"}, 3])
def test_older_or_broken_stored_values_show_nothing(stored):
    assert verdict_alert(stored) is None


# --- inputs ---------------------------------------------------------------------------------

def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        item([ScanRecord(at=datetime(2025, 3, 15, 10, 0))])


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="level"):
        assess_suspicion([], level="pallet")


def test_mixed_offsets_compare_as_instants():
    utc = ScanRecord(at=datetime(2025, 3, 15, 2, 0, tzinfo=timezone.utc), lat=39.9, lng=116.4,
                     city="110000", city_name="北京市", user_hash="a")
    result = item(iter([utc, at(LIUZHOU, hours=1, user="b"), at(LIUZHOU, hours=2, user="c")]))
    assert result.level == "alert"


def test_unusable_positions_are_left_out():
    broken = [ScanRecord(at=T0, lat=0.0, lng=0.0, user_hash="a"),
              ScanRecord(at=T0, lat=None, lng=116.4, user_hash="b"),
              ScanRecord(at=T0, lat=95.0, lng=116.4, user_hash="c")]
    result = item(broken + [at(LIUZHOU, hours=1, user="d")])
    assert result.level is None and result.people == 4


def test_long_history_is_bounded_by_the_most_recent_positions():
    scans = [at(LIUZHOU, hours=i * 0.001, user=f"u{i % 3}") for i in range(20_000)]
    assert item(scans).level is None
    old_clone = [at(LIUZHOU, user="a"), at(LIUZHOU, hours=0.5, user="c"),
                 at(BEIJING, hours=1, user="b")]
    recent = [at(LIUZHOU, hours=2 + i * 0.001, user="a") for i in range(10)]
    assert item(old_clone + recent).level == "alert"
    assert item(old_clone + recent, thresholds=Thresholds(max_located_scans=5)).level is None

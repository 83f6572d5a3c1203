"""Where a scan was, derived on the server: positions to city-level GB/T 2260 divisions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracing.scans import places


@pytest.mark.parametrize("lat, lng, code, name", [
    (24.3, 109.4, "450200", "柳州市"), (24.6, 109.3, "450200", "柳州市"),  # 柳城县
    (22.8, 108.4, "450100", "南宁市"), (39.9, 116.4, "110000", "北京市"),
    (31.2, 121.5, "310000", "上海市"), (29.6, 106.5, "500000", "重庆市"),
    (30.4, 113.4, "429004", "仙桃市"),  # a county-level city directly under Hubei
    (23.0, 113.8, "441900", "东莞市"),  # a prefecture-level city without counties
    (22.3, 114.2, "810000", "香港特别行政区"), (43.8, 87.6, "650100", "乌鲁木齐市"),
    (52.97, 122.54, "232700", "大兴安岭地区"),
])
def test_positions_name_their_city(lat, lng, code, name):
    assert places.locate(lat, lng) == code and places.city_name(code) == name


@pytest.mark.parametrize("lat, lng", [(0.0, 0.0), (48.9, 2.4), (35.7, 139.7), (-33.9, 151.2),
                                      (15.0, 115.0), (91.0, 0.0), (float("nan"), 1.0)])
def test_places_outside_china_or_at_sea_have_no_city(lat, lng):
    assert places.locate(lat, lng) is None


@pytest.mark.parametrize("code, city", [
    ("450202", "450200"), ("450200", "450200"), ("110105", "110000"), ("500233", "500000"),
    ("429004", "429004"), ("469002", "469002"), ("810000", "810000"), ("450000", None),
    ("999999", None), ("45020", None), (None, None),
])
def test_city_of_a_division(code, city):
    assert places.city_of(code) == city


def test_every_seat_of_the_shipped_table_is_a_known_city():
    seats = [seat for cell in places._seats().values() for seat in cell]
    assert len(seats) > 3000
    assert all(places.city_name(city) for city, _, _ in seats)


@given(st.floats(18, 53), st.floats(74, 134))
def test_a_located_place_is_always_a_named_city(lat, lng):
    city = places.locate(lat, lng)
    assert city is None or places.city_name(city)

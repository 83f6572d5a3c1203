"""City-level place of a scan from the client's coarse location. Pure, no I/O.

A scan keeps no precise position: coordinates are rounded to 0.1 degree (about 11 km) and
named after the nearest city of :data:`CITIES` within :data:`CITY_RADIUS_KM`, else left
unnamed. A city the client names itself (mini-programs get it from WeChat) wins.
"""

from __future__ import annotations

import math
import unicodedata

from core.geo import haversine_km

CITY_RADIUS_KM = 60.0
# Prefecture-level cities of Guangxi and the provincial capitals and largest cities of China.
CITIES: tuple[tuple[str, float, float], ...] = (
    ("柳州", 24.326, 109.428), ("南宁", 22.817, 108.366), ("桂林", 25.274, 110.290),
    ("梧州", 23.477, 111.279), ("北海", 21.481, 109.120), ("防城港", 21.686, 108.354),
    ("钦州", 21.981, 108.654), ("贵港", 23.111, 109.599), ("玉林", 22.654, 110.181),
    ("百色", 23.902, 106.618), ("贺州", 24.403, 111.567), ("河池", 24.693, 108.085),
    ("来宾", 23.750, 109.221), ("崇左", 22.377, 107.365),
    ("北京", 39.904, 116.407), ("天津", 39.085, 117.199), ("石家庄", 38.042, 114.514),
    ("太原", 37.870, 112.549), ("呼和浩特", 40.842, 111.749), ("沈阳", 41.805, 123.431),
    ("大连", 38.914, 121.615), ("长春", 43.817, 125.324), ("哈尔滨", 45.803, 126.535),
    ("上海", 31.230, 121.474), ("南京", 32.060, 118.797), ("苏州", 31.299, 120.585),
    ("杭州", 30.274, 120.155), ("宁波", 29.868, 121.544), ("合肥", 31.821, 117.227),
    ("福州", 26.075, 119.296), ("厦门", 24.480, 118.089), ("南昌", 28.683, 115.858),
    ("济南", 36.651, 117.120), ("青岛", 36.067, 120.383), ("郑州", 34.747, 113.625),
    ("武汉", 30.593, 114.305), ("长沙", 28.228, 112.939), ("广州", 23.129, 113.264),
    ("深圳", 22.543, 114.058), ("东莞", 23.021, 113.752), ("佛山", 23.022, 113.122),
    ("海口", 20.044, 110.199), ("重庆", 29.563, 106.551), ("成都", 30.573, 104.066),
    ("贵阳", 26.647, 106.630), ("昆明", 25.038, 102.718), ("拉萨", 29.650, 91.140),
    ("西安", 34.341, 108.940), ("兰州", 36.061, 103.834), ("西宁", 36.617, 101.778),
    ("银川", 38.487, 106.231), ("乌鲁木齐", 43.825, 87.617), ("香港", 22.320, 114.169),
    ("澳门", 22.199, 113.544), ("台北", 25.033, 121.565),
)


def coarse(lat: float, lng: float) -> tuple[float, float]:
    """A position rounded to 0.1 degree."""
    return round(lat, 1), round(lng, 1)


def nearest_city(lat: float, lng: float, *, radius_km: float = CITY_RADIUS_KM) -> str | None:
    """The nearest known city within ``radius_km``, or None."""
    best, best_km = None, radius_km
    for name, clat, clng in CITIES:
        if abs(clat - lat) > 1.5 or abs(clng - lng) > 1.5:
            continue
        km = haversine_km(lat, lng, clat, clng)
        if km <= best_km:
            best, best_km = name, km
    return best


def clean_city(name: str | None) -> str | None:
    """A client-named city as stored: NFKC, no control characters, at most 40 characters."""
    if name is None:
        return None
    name = unicodedata.normalize("NFKC", name).strip()
    if not name or len(name) > 40:
        return None
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in name):
        return None
    return name


def valid_position(lat: float, lng: float) -> bool:
    return (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90
            and -180 <= lng <= 180)

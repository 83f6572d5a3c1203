"""Settings come from GONGZHI_* variables; a bad one stops the program naming it."""

from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_default():
    s = load_settings({})
    assert (s.host, s.port, s.workers) == ("127.0.0.1", 8000, 1)
    assert s.sqlite_path == Path("var") / "gongzhi.sqlite3"
    assert s.redis_url is None and s.search_backend == "embedded" and not s.is_postgres
    assert s.exchange_token is None
    assert s.public_base_url == "http://127.0.0.1:8000"


def test_values_are_read_and_typed():
    s = load_settings({"GONGZHI_PORT": "9000", "GONGZHI_WORKERS": "2",
                       "GONGZHI_DATA_DIR": "/srv/gz", "GONGZHI_REDIS_URL": "redis://r:6379/1",
                       "GONGZHI_DB_URL": "postgresql://u@db:5432/gz",
                       "GONGZHI_EXCHANGE_TOKEN": "t0k", "GONGZHI_PUBLIC_BASE_URL": "https://x/"})
    assert (s.port, s.workers, s.data_dir) == (9000, 2, Path("/srv/gz"))
    assert s.is_postgres and s.sqlite_path is None and s.redis_url == "redis://r:6379/1"
    assert s.exchange_token == "t0k" and s.public_base_url == "https://x"


def test_cors_origins_are_a_list_or_any():
    assert load_settings({}).cors_origins == ("*",)
    s = load_settings({"GONGZHI_CORS_ORIGINS": " https://h5.example.cn/, http://localhost:5173"})
    assert s.cors_origins == ("https://h5.example.cn", "http://localhost:5173")
    assert load_settings({"GONGZHI_CORS_ORIGINS": " , "}).cors_origins == ("*",)


def test_empty_values_mean_unset():
    assert load_settings({"GONGZHI_PORT": "", "GONGZHI_REDIS_URL": ""}).port == 8000


@pytest.mark.parametrize("name, value", [
    ("GONGZHI_PORT", "abc"), ("GONGZHI_PORT", "70000"), ("GONGZHI_PORT", "-1"),
    ("GONGZHI_WORKERS", "0"), ("GONGZHI_WORKERS", "1.5"),
    ("GONGZHI_DB_URL", "mysql://u@h/db"), ("GONGZHI_DB_URL", "postgres:///nohost"),
    ("GONGZHI_REDIS_URL", "http://h:6379"), ("GONGZHI_SEARCH_BACKEND", "solr"),
    ("GONGZHI_ES_URL", "ftp://es"), ("GONGZHI_MAX_BODY_BYTES", "10"),
    ("GONGZHI_TRACE_DEPTH", "11"), ("GONGZHI_CHILLED_MAX_CELSIUS", "warm"),
    ("GONGZHI_CHILLED_MAX_CELSIUS", "nan"), ("GONGZHI_FROZEN_MAX_CELSIUS", "5"),
    ("GONGZHI_SUSPECT_NOTICE_PEOPLE", "1"), ("GONGZHI_SUSPECT_ALERT_PEOPLE", "1"),
    ("GONGZHI_SUSPECT_ALERT_CITIES", "1"), ("GONGZHI_SUSPECT_DISTANCE_KM", "0"),
    ("GONGZHI_SUSPECT_WINDOW_HOURS", "nan"), ("GONGZHI_SUSPECT_MAX_SPEED_KMH", "fast"),
    ("GONGZHI_SUSPECT_MAX_ITEM_PEOPLE", "0"),
    ("GONGZHI_SHUTDOWN_TIMEOUT", "-1"), ("GONGZHI_SHUTDOWN_TIMEOUT", "soon"),
    ("GONGZHI_CORS_ORIGINS", "h5.example.cn"), ("GONGZHI_CORS_ORIGINS", "https://h5.cn/page"),
    ("GONGZHI_CORS_ORIGINS", "https://a.cn, ftp://b.cn"),
])
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value})
    assert caught.value.name == name
    assert str(caught.value).startswith(f"{name}: ")


def test_suspicion_thresholds_are_read_and_checked_together():
    from tracing.service import thresholds

    s = load_settings({"GONGZHI_SUSPECT_NOTICE_PEOPLE": "3", "GONGZHI_SUSPECT_ALERT_PEOPLE": "5",
                       "GONGZHI_SUSPECT_ALERT_CITIES": "3", "GONGZHI_SUSPECT_DISTANCE_KM": "500",
                       "GONGZHI_SUSPECT_WINDOW_HOURS": "12"})
    limits = thresholds(s)
    assert (limits.notice_people, limits.alert_people, limits.alert_cities) == (3, 5, 3)
    assert limits.min_distance_km == 500 and limits.window.total_seconds() == 12 * 3600
    assert thresholds(load_settings({})).alert_people == 3
    with pytest.raises(SettingsError) as caught:
        load_settings({"GONGZHI_SUSPECT_NOTICE_PEOPLE": "4"})
    assert caught.value.name == "GONGZHI_SUSPECT_ALERT_PEOPLE"


def test_trace_hosts_add_to_the_official_hosts():
    s = load_settings({"GONGZHI_TRACE_HOSTS": " Trace.LZ.gov.cn, ,127.0.0.1:9000 "})
    assert s.trace_hosts == ("trace.lz.gov.cn", "127.0.0.1:9000")


def test_elasticsearch_needs_its_url():
    with pytest.raises(SettingsError) as caught:
        load_settings({"GONGZHI_SEARCH_BACKEND": "elasticsearch"})
    assert caught.value.name == "GONGZHI_ES_URL"
    s = load_settings({"GONGZHI_SEARCH_BACKEND": "elasticsearch",
                       "GONGZHI_ES_URL": "http://127.0.0.1:9200"})
    assert s.es_url == "http://127.0.0.1:9200"


def test_settings_are_frozen():
    s = load_settings({})
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]
    assert s.with_(port=1).port == 1 and s.port == 8000

"""Market kiosks over HTTP: the heartbeat (key checked, every field validated, nothing stored
from a bad one), the staff list (staff only, silent kiosks first, scans counted today, a
handler's district only), a scan resent from a kiosk's queue counted once, a queued scan
back-dated to when it was seen, and a kiosk's scans placed at its registered market in the
statistics and in counterfeit suspicion, whatever coordinates it sends."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta

import pytest

from accounts.staff import add_staff
from core.clock import SHANGHAI, aware
from tests.complaint_helpers import Clock
from tests.conftest import _empty_tables, running_app
from tracing.demo.generator import DEMO_KEYS, write_demo
from tracing.scans.kiosks import new_key, register_kiosk
from tracing.scans.models import KioskHeartbeat, Scan
from tracing.service import TraceService

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
PASSWORD = "kiosk-staff-password-1"
BEAT = {"camera": "ok", "fps": 24.9, "decode_rate": 0.91, "queue": 0, "version": "0.1.0"}
PLACES = {"LZ": ("柳州市城中区农贸市场", "450202", 24.31, 109.41),
          "BJ": ("北京市东城区菜市场", "110101", 39.92, 116.42),
          "SH": ("上海市黄浦区菜市场", "310101", 31.23, 121.48)}


@pytest.fixture
def clock():
    return Clock(2026, 11, 2, 10, 0)


@pytest.fixture
async def server(settings, app_store, clock):
    async with running_app(settings, app_store, clock=clock) as (base, app):
        await _empty_tables()
        yield base, app


@pytest.fixture
async def http(server):
    import httpx

    async with httpx.AsyncClient(base_url=server[0], timeout=30) as client:
        out = io.StringIO()
        write_demo(out, enterprises=10)
        answer = await client.post("/api/v1/exchange", content=out.getvalue().encode(),
                                   headers=NDJSON)
        assert answer.status_code == 200 and answer.json()["rejected"] == []
        yield client


async def kiosk(kiosk_id: str, where: str = "LZ") -> dict:
    """Register a kiosk; the headers it sends."""
    market, division, lat, lng = PLACES[where]
    key = new_key()
    await register_kiosk(kiosk_id=kiosk_id, key=key, market=market, division_code=division,
                         lat=lat, lng=lng, now=datetime(2026, 11, 1, tzinfo=SHANGHAI))
    return {"X-Gongzhi-Kiosk": kiosk_id, "X-Gongzhi-Kiosk-Key": key}


async def staff(http, username: str, role: str, division: str | None = None) -> dict:
    await add_staff(username=username, name="值班员", role=role, division=division,
                    password=PASSWORD)
    answer = await http.post("/api/v1/auth/staff",
                             json={"username": username, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    return {"Authorization": "Bearer " + answer.json()["token"]}


async def kiosk_scan(http, headers, code, *, scan_id=None, scanned_at=None, lat=None, lng=None):
    extra = {"X-Gongzhi-Scan-Id": scan_id or str(uuid.uuid4())}
    if scanned_at:
        extra["X-Gongzhi-Scanned-At"] = scanned_at
    params = {"code": code, "channel": "kiosk"} | ({"lat": lat, "lng": lng} if lat else {})
    return await http.get("/api/v1/scan", params=params, headers=headers | extra)


async def flush(server):
    await server[1].ctx.services.get(TraceService).recorder.flush()


async def test_heartbeat_needs_the_kiosks_key_and_answers_alike(http):
    headers = await kiosk("K-LZ-01")
    assert (await http.post("/api/v1/kiosks/heartbeat", json=BEAT,
                            headers=headers)).status_code == 204
    for wrong in ({**headers, "X-Gongzhi-Kiosk-Key": new_key()},
                  {**headers, "X-Gongzhi-Kiosk": "K-NOBODY"}, {}):
        answer = await http.post("/api/v1/kiosks/heartbeat", json=BEAT, headers=wrong)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "kiosk_unauthorized"
    assert await KioskHeartbeat.all().count() == 1


@pytest.mark.parametrize("change, field", [
    ({"camera": "broken"}, "camera"), ({"camera": None}, "camera"), ({"fps": -1}, "fps"),
    ({"fps": "fast"}, "fps"), ({"fps": True}, "fps"), ({"fps": 1e9}, "fps"),
    ({"decode_rate": 1.5}, "decode_rate"), ({"queue": -1}, "queue"), ({"queue": 2.5}, "queue"),
    ({"queue": None}, "queue"), ({"version": "v" * 33}, "version"),
    ({"version": "<b>1</b>"}, "version"), ({"version": 1}, "version")])
async def test_a_bad_heartbeat_field_is_named_and_nothing_is_kept(http, change, field):
    headers = await kiosk("K-LZ-01")
    answer = await http.post("/api/v1/kiosks/heartbeat", json=BEAT | change, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_heartbeat"
    assert answer.json()["error"]["field"] == field
    assert await KioskHeartbeat.all().count() == 0


async def test_a_heartbeat_body_that_is_no_object_or_too_big(http):
    headers = await kiosk("K-LZ-01")
    for body in (b"[1]", b"not json", b""):
        answer = await http.post("/api/v1/kiosks/heartbeat", content=body,
                                 headers=headers | {"Content-Type": "application/json"})
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_body"
    big = BEAT | {"padding": "x" * 5000}
    answer = await http.post("/api/v1/kiosks/heartbeat", json=big, headers=headers)
    assert answer.status_code == 413 and await KioskHeartbeat.all().count() == 0


async def test_staff_list_silent_first_with_figures_and_scans_today(http, server, clock):
    quiet, lively, never = (await kiosk("K-LZ-QUIET"), await kiosk("K-LZ-LIVE"),
                            await kiosk("K-BJ-NEVER", "BJ"))
    assert (await http.get("/api/v1/staff/kiosks")).status_code == 401
    await http.post("/api/v1/kiosks/heartbeat", json=BEAT | {"camera": "lost"}, headers=quiet)
    clock.set(2026, 11, 2, 10, 6)
    await http.post("/api/v1/kiosks/heartbeat", json=BEAT | {"queue": 3}, headers=lively)
    for code in (DEMO_KEYS["ok_code"], DEMO_KEYS["recalled_code"]):
        assert (await kiosk_scan(http, lively, code)).status_code == 200
    yesterday = (clock.now - timedelta(hours=12)).isoformat()  # 2026-11-01 22:06
    assert (await kiosk_scan(http, quiet, DEMO_KEYS["ok_code"],
                             scanned_at=yesterday)).status_code == 200
    await flush(server)
    supervisor = await staff(http, "super1", "supervisor")
    board = (await http.get("/api/v1/staff/kiosks", headers=supervisor)).json()
    rows = board["kiosks"]
    assert [r["kiosk_id"] for r in rows] == ["K-BJ-NEVER", "K-LZ-QUIET", "K-LZ-LIVE"]
    assert [r["silent"] for r in rows] == [True, True, False]
    assert rows[0]["last_heartbeat"] is None and rows[0]["division"] == "东城区"
    assert rows[1]["silent_minutes"] == 6 and rows[1]["last_heartbeat"]["camera"] == "lost"
    assert rows[2]["last_heartbeat"] == {"at": "2026-11-02T10:06:00+08:00", "camera": "ok",
                                         "fps": 24.9, "decode_rate": 0.91, "queue": 3,
                                         "version": "0.1.0"}
    assert [r["scans_today"] for r in rows] == [0, 0, 2]  # the queued one was seen yesterday
    assert rows[2]["market"] == "柳州市城中区农贸市场" and board["silent_after_minutes"] == 5
    handler = await staff(http, "handler1", "handler", "110101")
    mine = (await http.get("/api/v1/staff/kiosks", headers=handler)).json()["kiosks"]
    assert [r["kiosk_id"] for r in mine] == ["K-BJ-NEVER"]
    bad = await http.get("/api/v1/staff/kiosks", params={"division": "abc"}, headers=supervisor)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "division"
    assert never  # registered, never heard from


async def test_a_resent_scan_is_recorded_once_per_kiosk(http, server):
    one, two = await kiosk("K-LZ-01"), await kiosk("K-LZ-02")
    code, scan_id = DEMO_KEYS["ok_code"], str(uuid.uuid4())
    for _ in range(3):  # the kiosk never got the answer: its queue sends the scan again
        assert (await kiosk_scan(http, one, code, scan_id=scan_id)).status_code == 200
    await flush(server)
    assert (await kiosk_scan(http, one, code, scan_id=scan_id)).status_code == 200
    assert (await kiosk_scan(http, two, code, scan_id=scan_id)).status_code == 200
    anonymous = {**one, "X-Gongzhi-Kiosk-Key": new_key()}
    for _ in range(2):
        assert (await kiosk_scan(http, anonymous, code, scan_id=scan_id)).status_code == 200
    await flush(server)
    rows = await Scan.filter(subject=code).values_list("kiosk_id", "source", "scan_id")
    assert sorted(rows, key=str) == sorted([("K-LZ-01", "kiosk", scan_id),
                                            ("K-LZ-02", "kiosk", scan_id),
                                            ("K-LZ-01", "anonymous", None),
                                            ("K-LZ-01", "anonymous", None)], key=str)
    answer = (await http.get("/api/v1/scan", params={"code": code})).json()
    # viewers (docs/scans.md): each proved kiosk once today, and this address once (its two
    # unproved kiosk scans and this one)
    assert answer["scans"]["count"] == 3


async def test_scan_id_and_seen_time_are_validated(http, server, clock):
    headers = await kiosk("K-LZ-01")
    code = DEMO_KEYS["ok_code"]
    for header, value, error in (("X-Gongzhi-Scan-Id", "短", "invalid_scan_id"),
                                 ("X-Gongzhi-Scan-Id", "x" * 65, "invalid_scan_id"),
                                 ("X-Gongzhi-Scanned-At", "yesterday", "invalid_scanned_at"),
                                 ("X-Gongzhi-Scanned-At", "2026-11-02T09:00:00",
                                  "invalid_scanned_at")):
        answer = await http.get("/api/v1/scan", params={"code": code, "channel": "kiosk"},
                                headers=headers | {header: value.encode()})
        assert answer.status_code == 400, (header, value)
        assert answer.json()["error"] == {"code": error, "field": header,
                                          "message": answer.json()["error"]["message"]}
    an_hour_ago = clock.now - timedelta(hours=1)
    for seen in (an_hour_ago, clock.now - timedelta(days=30), clock.now + timedelta(days=1)):
        assert (await kiosk_scan(http, headers, code,
                                 scanned_at=seen.isoformat())).status_code == 200
    await flush(server)
    times = sorted(aware(t) for t in await Scan.filter(
        subject=code).values_list("scanned_at", flat=True))
    assert times == [an_hour_ago, clock.now, clock.now]  # too old or ahead: arrival time


async def test_kiosk_scans_count_at_their_market_in_suspicion(http, server):
    code = DEMO_KEYS["item_code"]
    far = {"LZ": ("39.90", "116.41"), "BJ": ("24.33", "109.43"), "SH": ("24.40", "109.50")}
    liuzhou = [await kiosk(f"K-LZ-{i}") for i in range(3)]
    for headers, (lat, lng) in zip(liuzhou, far.values()):  # all claim to be far apart
        assert (await kiosk_scan(http, headers, code, lat=lat, lng=lng)).status_code == 200
        await flush(server)
    body = (await http.get("/api/v1/scan", params={"code": code})).json()
    assert body["status"] == "ok" and body["alerts"] == []
    assert body["scans"]["first"]["city"] == "柳州市"
    for where in ("BJ", "SH"):  # kiosks registered far away, claiming to be in Liuzhou
        headers = await kiosk(f"K-{where}-1", where)
        assert (await kiosk_scan(http, headers, code, lat="24.33",
                                 lng="109.43")).status_code == 200
        await flush(server)
    body = (await http.get("/api/v1/scan", params={"code": code})).json()
    assert body["status"] == "suspect" and body["alerts"][0]["reasons"] == ["far_apart"]
    message = body["alerts"][0]["message"]
    assert "3个城市" in message and ("北京市" in message or "上海市" in message)
    rows = await Scan.filter(subject=code, source="kiosk").values_list("division", flat=True)
    assert sorted(rows) == ["110000", "310000", "450200", "450200", "450200"]

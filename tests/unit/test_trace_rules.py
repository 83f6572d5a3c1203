"""Pure rules of the trace view: corrections, masking, alerts, status, places, scan input."""

from datetime import date, datetime, timezone

import pytest

from core.errors import InvalidInput
from tracing.scans import places
from tracing.view import masking, recalls, rules
from tracing.service import Entry, cache_key, render, seconds_to_midnight
from tracing.codes.parse import parse_scan
from tracing.scans.client import ScanClient, scan_client
from tracing.scans.kiosks import KioskPlace
from tracing.scans.recorder import scan_stats, stat_keys

UTC = timezone.utc


def ev(event_id, seq, kind="storage_in", corrects=None, quantity=1, hour=1, **more):
    return {"event_id": event_id, "seq": seq, "kind": kind, "corrects": corrects,
            "occurred_at": datetime(2026, 9, 2, hour, tzinfo=UTC), "quantity": quantity,
            "unit": "袋", "place": None, "place_uscc": None, "actor": "谭军", "inputs": [],
            "detail": {}, **more}


class TestCorrections:
    def test_correction_replaces_values_and_keeps_history(self):
        shown = rules.apply_corrections([ev("E1", 1, quantity=650), ev("E2", 2, hour=0),
                                     ev("E3", 3, corrects="E1", quantity=6500)])
        assert [e["event_id"] for e in shown] == ["E2", "E1"]
        fixed = shown[1]
        assert fixed["quantity"] == 6500 and fixed["corrected_by"] == ["E3"]
        assert [h["quantity"] for h in fixed["history"]] == [650]

    def test_correction_of_a_correction_folds_into_the_original(self):
        shown = rules.apply_corrections([ev("E1", 1, quantity=1), ev("E2", 2, corrects="E1",
                                                                 quantity=2),
                                     ev("E3", 3, corrects="E2", quantity=3)])
        assert len(shown) == 1
        assert shown[0]["quantity"] == 3 and shown[0]["corrected_by"] == ["E2", "E3"]
        assert [h["quantity"] for h in shown[0]["history"]] == [1, 2]

    def test_correction_moves_the_time(self):
        shown = rules.apply_corrections([ev("E1", 1, hour=9), ev("E2", 2, hour=5),
                                     ev("E3", 3, corrects="E1", hour=1)])
        assert [e["event_id"] for e in shown] == ["E1", "E2"]

    def test_unknown_target_stays_an_event(self):
        assert len(rules.apply_corrections([ev("E1", 1, corrects="GONE")])) == 1


class TestPersonalData:
    @pytest.mark.parametrize("name, masked", [("谭军", "谭*"), ("欧阳娜娜", "欧***"),
                                              ("Li Wei", "L***"), (None, None), ("", None)])
    def test_mask_name(self, name, masked):
        assert masking.mask_name(name) == masked

    def test_scrub_phones_and_id_numbers(self):
        text = "联系人13812345678，身份证11010519491231002X"
        assert masking.scrub(text) == "联系人138****5678，身份证110105********002X"

    def test_detail_is_whitelisted_and_inspector_masked(self):
        detail = {"inspection": {"item": "x", "result": "pass", "inspector": "林永福"},
                  "driver_phone": "13812345678",
                  "counterparty": {"name": "柳州市鱼峰区王记米粉店", "phone": "1"}}
        out = masking.public_detail(detail)
        assert out == {"inspection": {"item": "x", "result": "pass", "inspector": "林**"},
                       "counterparty": {"name": "柳州市鱼峰区王记米粉店"}}

    def test_public_event_masks_a_person_as_actor_not_an_enterprise(self):
        shown = rules.apply_corrections([ev("E1", 1), ev("E2", 2, actor="广西柳州螺蛳粉有限公司")])
        assert [rules.public_event(e)["actor"] for e in shown] == ["谭*", "广西柳州螺蛳粉有限公司"]

    def test_a_buyer_who_is_a_person_is_masked_in_a_sale(self):
        sale = ev("E1", 1, kind="sale", detail={
            "counterparty": {"name": "王小明"}, "reason": "买方电话13907721234，车牌桂B·D12345"})
        shown = rules.public_event(rules.apply_corrections([sale])[0])
        assert shown["detail"]["counterparty"] == {"name": "王**"}
        assert shown["detail"]["reason"] == "买方电话139****1234，车牌桂B******"


class TestAlerts:
    limits = rules.Limits()

    def test_recall_first_then_severity(self):
        batch = {"batch_id": "B1", "product_id": "P1", "produced_at": date(2026, 1, 1),
                 "expires_at": None}
        alerts = rules.sort_alerts(
            rules.expiry_alerts(date(2026, 1, 1), date(2026, 2, 1), self.limits)
            + recalls.batch_recall_alerts([{"recall_id": "R1", "level": 2, "reason": "x",
                                            "status": "ongoing", "batch_id": "B1"}], batch,
                                          today=date(2026, 2, 1)))
        assert [a["kind"] for a in alerts] == ["recall", "expired"]
        assert rules.status_of(alerts) == "recalled"

    def test_expiry_and_warning(self):
        today = date(2026, 11, 1)
        assert rules.expiry_alerts(date(2026, 12, 1), today, self.limits) == []
        soon = rules.expiry_alerts(date(2026, 11, 3), today, self.limits)
        assert soon[0]["kind"] == "expiring" and rules.status_of(soon) == "warning"
        assert rules.status_of(rules.expiry_alerts(date(2026, 10, 31), today, self.limits)) == "expired"

    def test_suspended_licence(self):
        alerts = rules.licence_alerts({"uscc": "X", "name": "N", "status": "suspended"},
                                  date(2026, 1, 1))
        assert alerts[0]["kind"] == "licence_suspended" and rules.status_of(alerts) == "warning"
        lapsed = rules.licence_alerts({"status": "active", "licence_valid_until": date(2025, 1, 1)},
                                  date(2026, 1, 1))
        assert lapsed[0]["status"] == "licence_expired"

    def test_status_order(self):
        assert rules.worse_status("expired", "suspect") == "suspect"
        assert rules.worse_status("recalled", "suspect") == "recalled"
        assert rules.status_of([], suspect=True) == "suspect"


class TestPlacesAndClient:
    def test_coarse_position_is_derived_to_a_city(self):
        assert places.coarse(24.3261, 109.4281) == (24.3, 109.4)
        assert places.city_name(places.locate(24.3, 109.4)) == "柳州市"
        assert places.locate(0.5, 0.5) is None

    def test_scan_client_validates_and_ignores_the_city_it_is_told(self):
        client = scan_client(channel="KIOSK", kiosk="K-01", lat="24.33", lng="109.43",
                             city="请拨13800138000退款")
        assert (client.channel, client.kiosk_id, client.division, client.lat) == (
            "kiosk", "K-01", "450200", 24.3)
        assert client.source == "anonymous" and client.shown_division is None
        for kwargs, field in [({"channel": "fax"}, "channel"), ({"channel": "kiosk"}, "kiosk"),
                              ({"kiosk": "K1"}, "kiosk"), ({"lat": "91", "lng": "1"}, "lat"),
                              ({"lat": "x", "lng": "1"}, "lat"), ({"lat": "1"}, "lng"),
                              ({"lat": "nan", "lng": "1"}, "lat")]:
            args = {"channel": None, "kiosk": None, "lat": None, "lng": None, "city": None,
                    **kwargs}
            with pytest.raises(InvalidInput) as exc:
                scan_client(**args)
            assert exc.value.field == field, kwargs
        for city in ("<b>x</b>", "a\x00b", "x" * 500):
            assert scan_client(channel=None, kiosk=None, lat=None, lng=None, city=city) == \
                ScanClient()

    def test_trust_of_a_scan(self):
        assert ScanClient(user_hash="u", division="450200").shown_division == "450200"
        place = KioskPlace("K1", "柳州市城中区农贸市场", "450202", "450200", 24.3, 109.4)
        kiosk = ScanClient(channel="kiosk", kiosk_id="K1", lat=39.9, lng=116.4,
                           division="110000").at_kiosk(place)
        assert (kiosk.source, kiosk.lat, kiosk.lng, kiosk.shown_division) == (
            "kiosk", 24.3, 109.4, "450200")
        assert ScanClient(channel="kiosk", kiosk_id="K1").at_kiosk(None).source == "anonymous"


class TestSplicing:
    def test_cache_keys(self):
        assert cache_key(parse_scan("lz040000000001")) == "c:LZ040000000001"
        assert cache_key(parse_scan("(01)06900352470008(10)A1")) == "g:06900352470008:A1:"

    def test_entry_round_trip_and_render(self):
        import orjson

        entry = Entry("C", "item", "B1", 10.0, "ok", b"[]", b'{"code":"C"}')
        assert Entry.decode(entry.encode()) == entry
        assert Entry.decode(entry.encode()).stamp == entry.stamp
        assert Entry("C", "item", "B1", 10.0, "ok", b"[]", b"{}").stamp != entry.stamp
        unstamped = entry.encode()[len(entry.stamp):]  # written before stamps
        assert Entry.decode(unstamped) == entry and Entry.decode(unstamped).stamp == b""
        client = ScanClient()
        now = datetime(2026, 11, 1, tzinfo=UTC)
        scans, verdict = scan_stats([b"3", None, b'{"level": "alert"}', b"1"], client=client,
                                    now=now, viewer="p:u")
        assert scans["count"] == 3 and scans["you_before"] == 1 and scans["others"] == 2
        assert verdict == {"level": "alert"}
        alert = {"kind": "counterfeit_suspicion", "severity": "critical", "message": "m"}
        body = orjson.loads(render(entry, scans, [alert]))
        assert body["status"] == "suspect" and body["code"] == "C"
        assert body["alerts"][0]["kind"] == "counterfeit_suspicion"
        plain = orjson.loads(render(entry, scans, []))
        assert plain["status"] == "ok" and plain["alerts"] == []
        assert stat_keys("C", None) == ["scan:v:C", "scan:first:C", "scan:sus:C"]
        assert stat_keys("C", "p:u")[3] == "scan:me:C:u"
        assert stat_keys("C", "a:x:2026-11-01")[3] == "scan:seen:C:a:x:2026-11-01"

    def test_the_shown_count_is_of_viewers_this_one_included_once(self):
        now = datetime(2026, 11, 1, tzinfo=UTC)
        stats = lambda mark, viewer: scan_stats([b"5", None, None, mark], client=ScanClient(),
                                                now=now, viewer=viewer)[0]
        assert stats(None, "a:x:2026-11-01")["count"] == 6  # a new viewer counts itself
        assert stats(b"3", "a:x:2026-11-01")["count"] == 5  # already counted today
        person = stats(b"2", "p:u")
        assert (person["count"], person["you_before"], person["others"]) == (5, 2, 4)
        newcomer = stats(None, "p:u")
        assert (newcomer["count"], newcomer["you_before"], newcomer["others"]) == (6, 0, 5)

    def test_first_scan_place_is_only_ever_a_server_derived_city(self):
        now = datetime(2026, 11, 1, tzinfo=UTC)
        old = b'{"at": "2026-10-01T08:00:00+08:00", "city": "\xe8\xaf\xb7\xe6\x8b\xa813800138000"}'
        for stored, client, city in [
                (old, ScanClient(), None),  # text a client wrote, kept by an older release
                (b'{"at": "2026-10-01T08:00:00+08:00", "division": "450200"}', ScanClient(),
                 "柳州市"),
                (None, ScanClient(division="450200"), None),  # anonymous: not shown
                (None, ScanClient(division="450200", user_hash="u"), "柳州市")]:
            scans, _ = scan_stats([b"1", stored, None], client=client, now=now)
            assert scans["first"]["city"] == city, (stored, client)

    def test_per_scan_alerts_join_the_cached_ones_in_severity_order(self):
        import orjson

        cached = [{"kind": "recall", "severity": "critical", "message": "r"},
                  {"kind": "expiring", "severity": "medium", "message": "e"}]
        entry = Entry("C", "item", "B1", 1.0, "recalled", orjson.dumps(cached), b'{"code":"C"}')
        extra = [{"kind": "check_packaging", "severity": "info", "message": "n"},
                 {"kind": "unofficial_host", "severity": "high", "message": "h"}]
        body = orjson.loads(render(entry, {}, extra))
        assert [a["kind"] for a in body["alerts"]] == [
            "recall", "unofficial_host", "expiring", "check_packaging"]
        assert body["status"] == "recalled"
        ok = Entry("C", "item", "B1", 1.0, "ok", b"[]", b'{"code":"C"}')
        assert orjson.loads(render(ok, {}, extra[:1]))["status"] == "ok"
        assert orjson.loads(render(ok, {}, extra[1:]))["status"] == "warning"

    def test_cache_lives_until_local_midnight_at_most(self):
        now = datetime(2026, 11, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
        assert seconds_to_midnight(now) == 60

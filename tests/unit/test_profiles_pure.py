"""The profiles feature's pure parts: licence states, recalls in force, districts, the
alerts of an enterprise scan, the complaint period, and the enterprise code forms of the
scan parser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.complaint_figures import ComplaintCounts
from profiles.licence import EXPIRING_DAYS, licence_state
from profiles.profile import build_profile, district, recalls, scan_alerts
from profiles.profile_rows import ProfileRows
from profiles.service import _months_before
from tests import factories as F
from tracing.codes.parse import CodeMalformed, parse_scan

TODAY = date(2026, 11, 1)


class TestLicenceState:
    @pytest.mark.parametrize("days,state", [
        (-1, "expired"), (0, "expiring"), (EXPIRING_DAYS, "expiring"),
        (EXPIRING_DAYS + 1, "valid"), (800, "valid")])
    def test_by_date(self, days, state):
        found = licence_state(status="active", valid_until=TODAY + timedelta(days=days),
                              today=TODAY)
        assert (found.state, found.days_left) == (state, days)
        assert (TODAY + timedelta(days=days)).isoformat() in found.message

    @pytest.mark.parametrize("status", ["suspended", "revoked", "closed"])
    def test_the_enterprise_status_outranks_a_good_date(self, status):
        found = licence_state(status=status, valid_until=date(2030, 1, 1), today=TODAY)
        assert found.state == status and found.serious

    def test_no_date_is_unknown_not_valid(self):
        found = licence_state(status="active", valid_until=None, today=TODAY)
        assert found.state == "unknown" and not found.serious and found.days_left is None


def _recall_row(recall_id="R1", status="ongoing", batch_id="B1", expires_at="2027-01-01",
                **over) -> dict:
    return {"recall_id": recall_id, "level": 2, "reason": "亚硝酸盐超标",
            "started_at": "2026-10-05", "status": status, "updated_at": None,
            "product_id": "P1", "product_name": "原味螺蛳粉", "shelf_life_days": 180,
            "batch_id": batch_id, "lot": f"L{batch_id}" if batch_id else None,
            "expires_at": expires_at if batch_id else None, "notices": [], **over}


class TestRecallsInForce:
    def test_ongoing_recalls_group_their_lots(self):
        found = recalls([_recall_row(), _recall_row(batch_id="B2")], TODAY)
        assert [(r["recall_id"], r["lots"], r["scope"]) for r in found] == [
            ("R1", ["LB1", "LB2"], "batches")]

    def test_completed_recalls_stay_while_food_may_be_in_homes(self):
        assert recalls([_recall_row(status="completed", expires_at="2026-11-01")], TODAY)
        assert not recalls([_recall_row(status="completed", expires_at="2026-10-31")], TODAY)

    def test_completed_product_recalls_last_one_shelf_life(self):
        row = _recall_row(status="completed", batch_id=None)
        assert recalls([row], date(2027, 4, 3))[0]["scope"] == "product"  # 10-05 + 180 d
        assert recalls([row], date(2027, 4, 4)) == []

    def test_withdrawn_recalls_are_not_shown(self):
        assert recalls([_recall_row(status="withdrawn")], TODAY) == []


def test_district_names_province_city_and_county():
    assert district("450204") == "广西壮族自治区柳州市柳南区"
    assert district("110101") == "北京市东城区"
    assert district("") is None and district("999999") is None


def _rows(**enterprise) -> ProfileRows:
    row = {"uscc": F.uscc(1), "name": "甲公司", "kind": "retailer",
           "licence_no": "JY14502040000011", "licence_valid_until": "2026-11-20",
           "address": "柳州", "division_code": "450204", "lat": None, "lng": None,
           "risk_grade": None, "status": "active", "public_phone": None,
           "updated_at": "2026-10-01 00:00:00+00:00", **enterprise}
    totals = {"products": 0, "products_updated": None, "samplings": 0, "failed": 0,
              "samplings_updated": "2026-10-02 01:00:00+00:00", "enforcements": 0,
              "enforcements_updated": None}
    return ProfileRows(enterprise=row, totals=totals, recalls=[_recall_row()])


def test_profile_of_rows_and_the_alerts_of_its_scan():
    counts = ComplaintCounts(since=date(2025, 11, 2), until=TODAY, total=3,
                             by_category={"标签": 1, "变质": 2}, by_outcome={"accepted": 3})
    profile = build_profile(_rows(), counts=counts, today=TODAY, code_url="u")
    assert profile["licence"]["state"] == "expiring" and profile["licence"]["days_left"] == 19
    assert profile["licence"]["type"] == "食品经营许可证"
    assert profile["position"] is None
    assert profile["complaints"] == {"since": "2025-11-02", "until": "2026-11-01", "total": 3,
                                     "by_category": {"变质": 2, "标签": 1},
                                     "by_outcome": {"accepted": 3}}
    assert profile["data_updated_at"] == "2026-10-02T09:00:00+08:00"
    alerts = scan_alerts(profile)
    assert [a["kind"] for a in alerts] == ["recall_of_some_batches", "licence_expiring"]
    revoked = build_profile(_rows(status="revoked"), counts=counts, today=TODAY, code_url="u")
    [licence] = [a for a in scan_alerts(revoked) if a["kind"] == "licence_suspended"]
    assert licence["status"] == "revoked" and licence["severity"] == "high"


def test_the_complaint_period_is_twelve_whole_months():
    assert _months_before(date(2026, 11, 1), 12) == date(2025, 11, 2)
    assert _months_before(date(2024, 2, 29), 12) == date(2023, 3, 1)
    assert _months_before(date(2026, 3, 31), 1) == date(2026, 3, 1)


class TestEnterpriseCodes:
    U = F.uscc(1)

    @pytest.mark.parametrize("text", [
        f"https://gz.example.cn/e/{U}", f"gz.example.cn/e/{U.lower()}/",
        f"HTTPS://GZ.EXAMPLE.CN/E/{U}?from=door"])
    def test_enterprise_urls(self, text):
        parsed = parse_scan(text, trace_hosts=["gz.example.cn"])
        assert (parsed.form, parsed.enterprise, parsed.code) == ("enterprise_url", self.U, None)
        assert parsed.keys() == [("enterprise", self.U)]

    def test_an_enterprise_url_on_another_host_keeps_the_host(self):
        parsed = parse_scan(f"https://Other.Example.cn:8443/e/{self.U}",
                            trace_hosts=["gz.example.cn"])
        assert (parsed.enterprise, parsed.host) == (self.U, "other.example.cn:8443")

    def test_bare_and_full_width_credit_codes(self):
        wide = "".join(chr(ord(c) + 0xFEE0) for c in self.U)
        for text in (self.U, f" {self.U.lower()} ", wide):
            parsed = parse_scan(text)
            assert (parsed.form, parsed.enterprise) == ("enterprise_code", self.U)

    def test_an_18_character_code_that_is_no_credit_code_stays_a_trace_code(self):
        parsed = parse_scan("914502040000000195")  # bad check character
        assert (parsed.form, parsed.code, parsed.enterprise) == (
            "trace_code", "914502040000000195", None)

    @pytest.mark.parametrize("text,rule", [
        ("https://gz.example.cn/e/", "enterprise_url_empty"),
        ("https://gz.example.cn/e/91450204", "uscc_length"),
        (f"https://gz.example.cn/e/{U[:-1]}5", "uscc_checksum")])
    def test_bad_enterprise_urls_name_the_rule(self, text, rule):
        with pytest.raises(CodeMalformed) as caught:
            parse_scan(text, trace_hosts=["gz.example.cn"])
        assert caught.value.rule == rule and caught.value.field == "code"


class TestBindingCodes:
    def test_codes_are_read_as_people_type_them(self):
        from profiles.members import format_code, normalise_code

        assert normalise_code(" abcd-efgh-jk2m ") == "ABCDEFGHJK2M"
        assert normalise_code("ＡＢＣＤ　ＥＦＧＨ　ＪＫ２Ｍ") == "ABCDEFGHJK2M"
        assert format_code("ABCDEFGHJK2M") == "ABCD-EFGH-JK2M"

    @pytest.mark.parametrize("raw", ["ABCD-EFGH-JKL", "ABCD-EFGH-JKLO", "ABCD-EFGH-JK1M", None,
                                     12345678901])
    def test_malformed_codes(self, raw):
        from core.errors import InvalidInput
        from profiles.members import normalise_code

        with pytest.raises(InvalidInput) as caught:
            normalise_code(raw)
        assert caught.value.code == "binding_code_malformed" and caught.value.field == "code"

"""Public facts that cannot be bent, decided without a database: recalls by coverage and
shelf life, corrections said as such, the cold chain by storage class, inputs used past
their expiry, related risk along shared cold stores and vehicles."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from core.kv import MemoryStore
from core.settings import Settings, load_settings
from tracing.service import TraceService
from tracing.view import coldchain, inputs, masking, recalls, related, rules, shapes
from tracing.view.corrections import sampling_correction_alert

TODAY = date(2026, 11, 1)
CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 1, 12, tzinfo=CST)
STORE, OTHER_STORE = "91450205MA5L0Q7X01", "91450205MA5L0Q7X02"


def batch(**more) -> dict:
    return {"batch_id": "B1", "product_id": "P1", "produced_at": date(2026, 10, 1),
            "expires_at": date(2027, 4, 1), "shelf_life_days": 182, **more}


def recall(**more) -> dict:
    return {"recall_id": "R1", "level": 2, "reason": "菌落总数不合格",
            "started_at": date(2026, 10, 13), "status": "ongoing", "product_id": None,
            "batch_id": "B1", "correction": None, **more}


CORRECTED = {"fields": ["status"], "from": {"status": "ongoing"}, "to": {"status": "withdrawn"},
             "reason": "误发：批号录入错误", "at": "2026-10-20T04:00:00+00:00"}


class TestRecalls:
    def kinds(self, rows, b=None, today=TODAY):
        alerts = recalls.batch_recall_alerts(rows, b or batch(), today=today)
        return [(a["kind"], a["severity"]) for a in alerts], alerts

    def test_a_completed_recall_keeps_the_batch_recalled_within_its_shelf_life(self):
        kinds, [alert] = self.kinds([recall(status="completed")])
        assert kinds == [("recall", "critical")]
        assert rules.status_of([alert]) == "recalled"
        assert "该批次已被二级召回" in alert["message"] and "召回程序已结束" in alert["message"]
        assert "不代表食品已经安全" in alert["message"]

    def test_an_ongoing_recall_says_so(self):
        _, [alert] = self.kinds([recall()])
        assert alert["message"].startswith("该批次正在二级召回：菌落总数不合格。请立即停止食用")

    def test_a_product_recall_speaks_of_the_whole_product(self):
        _, [alert] = self.kinds([recall(batch_id=None, product_id="P1")])
        assert alert["message"].startswith("该产品（全部批次）正在二级召回")
        assert alert["scope"] == "product"

    def test_a_completed_product_recall_covers_what_was_made_before_it_started(self):
        done = recall(batch_id=None, product_id="P1", status="completed")
        assert self.kinds([done])[0] == [("recall", "critical")]
        later = batch(produced_at=date(2026, 10, 20))  # made after the recall started
        assert self.kinds([done], later)[0] == []
        assert self.kinds([recall(batch_id=None, product_id="P1")], later)[0] == [
            ("recall", "critical")]  # while ongoing it covers later batches too

    def test_past_its_shelf_life_a_completed_recall_is_history(self):
        past = batch(expires_at=date(2026, 10, 31))
        kinds, [alert] = self.kinds([recall(status="completed")], past)
        assert kinds == [("recall_history", "info")] and "过保质期" in alert["message"]
        assert self.kinds([recall()], past)[0] == [("recall", "critical")]

    def test_only_a_withdrawal_lifts_it_and_shows_as_a_correction(self):
        kinds, [alert] = self.kinds([recall(status="withdrawn", correction=CORRECTED)])
        assert kinds == [("recall_withdrawn", "info")]
        assert rules.status_of([alert]) == "ok"
        assert alert["message"] == ("已更正：二级召回（菌落总数不合格）系误发，已撤销。"
                                    "更正原因：误发：批号录入错误，更正于2026-10-20。")

    def test_a_withdrawal_is_dated_in_shanghai_and_its_reason_scrubbed(self):
        late = {**CORRECTED, "reason": "误发，经办人13907721234", "at": "2026-10-20T17:30:00+00:00"}
        _, [alert] = self.kinds([recall(status="withdrawn", correction=late)])
        assert alert["message"].endswith("更正原因：误发，经办人139****1234，更正于2026-10-21。")

    def test_an_ended_product_recall_speaks_of_the_whole_product(self):
        _, [alert] = self.kinds([recall(batch_id=None, product_id="P1", status="completed")])
        assert alert["message"].startswith("该产品（全部批次）已被二级召回：菌落总数不合格。"
                                           "召回程序已结束，但这不代表食品已经安全：请勿食用")
        assert alert["scope"] == "product"

    def test_a_corrected_level_is_said_next_to_the_recall(self):
        fixed = {"fields": ["level"], "from": {"level": 3}, "reason": "复核后升级",
                 "at": "2026-10-15T02:00:00+00:00"}
        _, [alert] = self.kinds([recall(correction=fixed)])
        assert alert["message"].endswith("（已更正：原为三级召回，更正原因：复核后升级，"
                                         "更正于2026-10-15）")

    def test_an_input_recall_is_said_of_the_input(self):
        alerts = recalls.batch_recall_alerts([recall(status="completed")], batch(), today=TODAY,
                                             label="螺蛳（批号L1）")
        assert alerts[0]["message"].startswith("所用原料螺蛳（批号L1）已被二级召回")
        assert "本产品可能受影响" in alerts[0]["message"]

    def test_rows_of_one_recall_are_merged(self):
        rows = [recall(batch_id="B0"), recall(batch_id="B1")]
        assert recalls.merged(rows)[0]["batch_ids"] == ["B0", "B1"]
        assert len(self.kinds(rows)[1]) == 1

    def test_product_level_scans(self):
        product = {"product_id": "P1", "shelf_life_days": 30}
        some = recalls.product_recall_alerts([recall(batch_id=None)], product, today=TODAY)
        assert some[0]["kind"] == "recall_of_some_batches"
        whole = recalls.product_recall_alerts([recall(batch_id=None, product_id="P1",
                                                      status="completed")], product,
                                              today=TODAY)
        assert whole[0]["kind"] == "recall"  # started 10-13 + 30 days: still on sale
        old = recalls.product_recall_alerts([recall(status="completed")], product,
                                            today=date(2026, 12, 1))
        assert old[0]["kind"] == "recall_history"


class TestColdChain:
    @pytest.mark.parametrize("declared,storage,cls", [
        (None, "0-4℃冷藏", "chilled"), (None, "-18℃冷冻保存", "frozen"), (None, "≤-18℃", "frozen"),
        (None, "0~4℃", "chilled"), (None, "2-8°C", "chilled"),
        (None, "常温保存，开封后冷藏", "ambient"), (None, "阴凉处（≤25℃）", "ambient"),
        (None, "无需冷藏", "ambient"), (None, None, "ambient"),
        ("ambient", "0-4℃冷藏", "ambient"), ("frozen", "常温", "frozen"),
    ])
    def test_storage_class(self, declared, storage, cls):
        assert coldchain.storage_class(declared, storage) == cls

    def readings(self, *celsius):
        return [{"event_id": "E1", "detail": {"temperatures": [
            {"at": f"t{i}", "celsius": c} for i, c in enumerate(celsius)]}}]

    def test_refrigerate_after_opening_raises_no_excursion(self):
        cls = coldchain.storage_class(None, "常温保存，开封后冷藏")
        bounds = coldchain.temperature_range(cls, coldchain.Limits())
        assert coldchain.excursions(self.readings(22.0, 30.5), bounds) == []

    def test_gb_31605_limits(self):
        limits = coldchain.Limits()
        frozen = coldchain.temperature_range("frozen", limits)
        assert frozen == (None, -18.0)
        assert coldchain.excursions(self.readings(-18.0, -19.5), frozen) == []
        [over] = coldchain.excursions(self.readings(-18.0, -16.0, -15.2), frozen)
        assert (over["celsius"], over["limit"], over["readings"]) == (-15.2, -18.0, 2)
        chilled = coldchain.temperature_range("chilled", limits)
        [under] = coldchain.excursions(self.readings(3.0, -1.5), chilled)
        assert (under["bound"], under["limit"]) == ("min", 0.0)
        [alert] = coldchain.excursion_alerts([under], own=True)
        assert "低于冷藏食品0℃的下限" in alert["message"] and "GB 31605-2020" in alert["message"]

    def test_limits_come_from_settings(self):
        strict = coldchain.Limits(chilled_max_celsius=4.0)
        bounds = coldchain.temperature_range("chilled", strict)
        assert coldchain.excursions(self.readings(4.5), bounds)[0]["limit"] == 4.0

    def test_each_default_limit_cites_its_clause_and_settings_share_the_defaults(self):
        defaults = Settings()
        for name, (value, clause) in coldchain.CLAUSES.items():
            assert clause.startswith("GB 31605-2020 ") and len(clause) > len("GB 31605-2020 ")
            assert getattr(coldchain.Limits(), name) == value == getattr(defaults, name)

    def test_the_scan_service_holds_the_configured_limits(self):
        settings = load_settings({"GONGZHI_CHILLED_MAX_CELSIUS": "4",
                                  "GONGZHI_CHILLED_MIN_CELSIUS": "-1",
                                  "GONGZHI_FROZEN_MAX_CELSIUS": "-20"})
        service = TraceService(settings, MemoryStore(), clock=lambda: NOW)
        assert coldchain.temperature_range("chilled", service.limits) == (-1.0, 4.0)
        assert coldchain.temperature_range("frozen", service.limits) == (None, -20.0)


class TestExpiredInputs:
    def test_an_input_past_its_expiry_when_used_is_flagged_with_both_dates(self):
        noodles = {"batch_id": "R1", "p_name": "鲜湿米粉", "lot": "26092008",
                   "expires_at": date(2026, 9, 23)}
        used = [{"event_id": "E1", "inputs": ["R1"],
                 "occurred_at": datetime(2026, 9, 29, 9, tzinfo=CST)}]
        [alert] = inputs.expired_input_alerts(inputs.expired_inputs(used, {"R1": noodles}),
                                              own=True)
        assert (alert["kind"], alert["severity"]) == ("input_expired", "high")
        assert "2026-09-23过期" in alert["message"] and "2026-09-29投入生产" in alert["message"]
        assert "第三十四条" in alert["message"]
        on_the_day = [{**used[0], "occurred_at": datetime(2026, 9, 23, 23, tzinfo=CST)}]
        assert inputs.expired_inputs(on_the_day, {"R1": noodles}) == []


def at(day: int, hour: int = 8) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=CST)


def ev(event_id, kind, when, *, batch_id="B1", seq=1, place=STORE, **more):
    return {"event_id": event_id, "batch_id": batch_id, "seq": seq, "kind": kind,
            "occurred_at": when, "place_uscc": place, "place_name": "鸿顺冷链",
            "detail": {}, "corrects": None, **more}


def other(events, failed=True):
    """Rows of batch B9 as the related query gives them (with a failed inspection)."""
    rows = [{**e, "batch_id": "B9", "p_name": "冷鲜螺蛳肉", "lot": "LRS9"} for e in events]
    result = "fail" if failed else "pass"
    rows.append({**ev("X9", "inspection", at(9), batch_id="B9", seq=99), "p_name": "冷鲜螺蛳肉",
                 "lot": "LRS9", "detail": {"inspection": {"item": "核酸", "result": result}}})
    return rows


class TestRelatedRisk:
    mine = [ev("E1", "storage_in", at(2, 15)), ev("E2", "storage_out", at(4, 5), seq=2)]

    def test_a_shared_cold_store_at_an_overlapping_time_is_named(self):
        theirs = other([ev("F1", "storage_in", at(3)), ev("F2", "storage_out", at(6), seq=2)])
        [alert] = related.related_risk_alerts(rules.apply_corrections(self.mine), theirs)
        assert (alert["kind"], alert["severity"], alert["shared"]) == (
            "related_risk", "medium", "store")
        assert alert["message"] == ("关联风险：2026-10-03 08:00至2026-10-04 05:00，该批次与"
                                    "检验不合格的冷鲜螺蛳肉（批号LRS9）存放在同一冷库（鸿顺冷链）。"
                                    "请留意后续通报。")

    def test_no_overlap_other_place_or_a_passed_inspection_is_no_risk(self):
        later = [ev("F1", "storage_in", at(5)), ev("F2", "storage_out", at(6), seq=2)]
        elsewhere = [ev("F1", "storage_in", at(3), place=OTHER_STORE)]
        mine = rules.apply_corrections(self.mine)
        assert related.related_risk_alerts(mine, other(later)) == []
        assert related.related_risk_alerts(mine, other(elsewhere)) == []
        overlapping = [ev("F1", "storage_in", at(3))]
        assert related.related_risk_alerts(mine, other(overlapping, failed=False)) == []

    def test_a_shared_vehicle_is_named_masked(self):
        truck = {"vehicle": {"plate": "桂BD2K823", "kind": "冷藏车"}}
        mine = rules.apply_corrections([ev("E1", "shipping", at(4, 6), detail=truck),
                                        ev("E2", "receiving", at(4, 9), seq=2)])
        theirs = other([ev("F1", "shipping", at(4, 7), detail=truck),
                        ev("F2", "receiving", at(4, 11), seq=2)])
        [alert] = related.related_risk_alerts(mine, theirs)
        assert alert["plate"] == "桂B·***23" and "由同一车辆（桂B·***23）运输" in alert["message"]
        assert "桂BD2K823" not in str(alert)

    def test_what_to_read_about_other_batches(self):
        wanted = related.lookup(related.stays(rules.apply_corrections(self.mine)))
        assert wanted.stores == (STORE,) and wanted.plates == ()
        assert wanted.start == at(2, 15) - related.STORE_LOOKBACK
        assert wanted.end == at(4, 5) + related.TRIP
        assert related.lookup([]) is None


class TestCorrectionsShown:
    fixed = {"fields": ["result", "failed_items"],
             "from": {"result": "fail", "failed_items": ["菌落总数"]},
             "to": {"result": "pass", "failed_items": []},
             "reason": "复检合格，联系13812345678", "at": "2026-10-20T04:00:00+00:00"}

    def test_a_sampling_corrected_to_a_pass_says_so(self):
        row = {"sample_id": "S1", "sampled_at": date(2026, 10, 12), "result": "pass",
               "failed_items": [], "authority": "局", "report_no": "R", "correction": self.fixed}
        note = "已更正：原结果为不合格（菌落总数），更正原因：复检合格，联系138****5678，更正于2026-10-20"
        assert shapes.sampling_json(row)["correction"] == note
        alert = sampling_correction_alert(row)
        assert alert["kind"] == "sampling_corrected" and note in alert["message"]
        assert sampling_correction_alert({**row, "correction": None}) is None

    def test_an_enforcement_correction_names_the_former_penalty(self):
        row = {"case_no": "柳市监处罚〔2026〕88号", "decided_at": date(2026, 10, 9),
               "violation": "使用超过保质期的酸笋", "penalty": "警告", "authority": "局",
               "correction": {"fields": ["penalty"], "from": {"penalty": "罚款5万元"},
                              "reason": "行政复议变更", "at": "2026-10-25T01:00:00+00:00"}}
        assert shapes.enforcement_json(row)["correction"] == (
            "已更正：原处罚决定为“罚款5万元”，更正原因：行政复议变更，更正于2026-10-25")

    def test_a_plate_is_shown_masked(self):
        detail = masking.public_detail({"vehicle": {"plate": "桂B52317", "kind": "厢式货车"}})
        assert detail["vehicle"] == {"plate": "桂B·***17", "kind": "厢式货车"}

"""docs/exchange.md v1.1 without a database: keys, filings, licence warnings, products'
storage class, vehicles, future dates, what counts as a correction, record hashes."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests import factories as F
from tracing.exchange import corrections
from tracing.exchange.fields import RecordError
from tracing.exchange.records import check_dates, validate_record
from tracing.model.chain import GENESIS
from tracing.model.versions import canonical, check_history, same_content, version_hash


def error_of(obj) -> RecordError:
    with pytest.raises(RecordError) as caught:
        validate_record(obj)
    return caught.value


# ------------------------------------------------------------------ keys

@pytest.mark.parametrize("raw,kept", [
    ("柳市监处罚〔2026〕88号", "柳市监处罚〔2026〕88号"),
    ("  LSJ-2026-001 ", "LSJ-2026-001"),
    ("批次 1", "批次 1"),
    ("批次\u30001", "批次\u30001"),                       # ideographic space is printable
    ("Cafe\u0301", "Caf\u00e9"),                          # NFC
    ("x" * 128, "x" * 128),
])
def test_a_key_is_any_printable_text(raw, kept):
    assert validate_record(F.enforcement(raw)).key == kept


def test_references_follow_the_same_rule():
    record = validate_record(F.recall(batch_ids=["批次１", "Ｂ2"]))
    assert record.refs == [("batch", "批次１", "batch_ids"), ("batch", "Ｂ2", "batch_ids")]


# ------------------------------------------------------------------ licences

@pytest.mark.parametrize("kind,licence,warned", [
    ("caterer", "SC10345020400017", True),
    ("caterer", "JY24502040000013", False),
    ("caterer", "YB14502040000010", True),
    ("retailer", "YB14502040000010", False),
    ("producer", "JY14502040000011", True),
    ("producer", "SC10345020400017", False),
])
def test_a_licence_that_does_not_fit_the_kind_is_accepted_with_a_warning(kind, licence, warned):
    record = validate_record(F.enterprise(kind=kind, licence_no=licence))
    assert record.values["licence_no"] == licence
    assert [(w.field, w.code) for w in record.warnings] == (
        [("licence_no", "licence_kind_mismatch")] if warned else [])


def test_a_filing_number_is_checked_by_its_layout():
    assert error_of(F.enterprise(kind="retailer", licence_no="YB1450204000001")).code \
        == "licence_format"
    assert error_of(F.enterprise(kind="retailer", licence_no="YB94502040000010")).code \
        == "licence_category"


# ------------------------------------------------------------------ products and events

def test_a_product_says_its_storage_class_process_and_label_image():
    digest = "AB" * 32
    record = validate_record(F.product(storage_class="chilled", process="蒸煮、灌装、杀菌",
                                       label_image=digest))
    assert record.values["storage_class"] == "chilled"
    assert record.values["label_image"] == digest.lower()
    assert error_of(F.product(storage_class="cold")).code == "invalid_value"
    assert error_of(F.product(label_image="abc")).code == "bad_sha256"


@pytest.mark.parametrize("vehicle,plate", [
    ({"plate": "桂B·12345", "kind": "冷藏车"}, "桂B12345"),
    ({"plate": "桂Ｂ ｄ12345"}, "桂BD12345"),
    ("桂B12345", "桂B12345"),  # a plate alone, as v1 senders wrote it
])
def test_a_vehicle_plate_is_kept_the_way_it_reads(vehicle, plate):
    record = validate_record(F.event(kind="shipping", detail={"vehicle": vehicle}))
    assert record.values["detail"]["vehicle"]["plate"] == plate


def test_a_vehicle_needs_a_plate():
    assert error_of(F.event(kind="shipping", detail={"vehicle": {"kind": "冷藏车"}})).field \
        == "detail.vehicle.plate"


# ------------------------------------------------------------------ dates and withdrawals

NOW = datetime(2026, 10, 20, 16, 30, tzinfo=timezone.utc)  # 2026-10-21 00:30 in Shanghai


@pytest.mark.parametrize("record,refused", [
    (F.sampling(sampled_at="2026-10-22"), False),      # tomorrow in Shanghai
    (F.sampling(sampled_at="2026-10-23"), True),
    (F.recall(started_at="2026-10-23"), True),
    (F.enforcement(decided_at="2026-10-21"), False),
    (F.notice(published_at="2026-10-22T00:30:00+08:00"), False),
    (F.notice(published_at="2026-10-22T00:31:00+08:00"), True),
    (F.batch(produced_at="2027-01-01"), False),         # not an official record
])
def test_official_records_may_be_dated_at_most_a_day_ahead(record, refused):
    checked = validate_record(record)
    if not refused:
        check_dates(checked, NOW)
        return
    with pytest.raises(RecordError) as caught:
        check_dates(checked, NOW)
    assert caught.value.code == "future_date"


def test_a_withdrawn_recall_says_why():
    assert error_of(F.recall(status="withdrawn")).code == "correction_reason_required"
    assert validate_record(F.recall(status="withdrawn", correction_reason="误发")).values[
        "status"] == "withdrawn"


# ------------------------------------------------------------------ corrections

@pytest.mark.parametrize("rtype,old,new,changed", [
    ("sampling", {"result": "fail", "failed_items": ["铅"]}, {"result": "pass"},
     ["result", "failed_items"]),
    ("sampling", {"result": "fail", "failed_items": ["铅"]},
     {"result": "fail", "failed_items": ["铅"], "report_no": "R2"}, []),
    ("recall", {"status": "ongoing", "level": 2}, {"status": "completed", "level": 2}, []),
    ("recall", {"status": "completed"}, {"status": "ongoing"}, ["status"]),
    ("recall", {"status": "ongoing"}, {"status": "withdrawn"}, ["status"]),
    ("recall", {"batch_ids": ["B1", "B2"]}, {"batch_ids": ["B2", "B1"]}, []),
    ("recall", {"batch_ids": ["B1"]}, {"batch_ids": ["B1", "B2"]}, ["batch_ids"]),
    ("recall", {"level": 1}, {"level": 3}, ["level"]),
    ("enforcement", {"penalty": "罚款5万元"}, {"penalty": "警告"}, ["penalty"]),
    ("enterprise", {"status": "active"}, {"status": "revoked"}, []),
])
def test_what_is_a_correction(rtype, old, new, changed):
    assert corrections.outcome_changes(rtype, old, new) == changed
    if changed:
        with pytest.raises(RecordError) as caught:
            corrections.require_reason(rtype, changed, new)
        assert caught.value.code == "correction_reason_required"
        corrections.require_reason(rtype, changed, {**new, "correction_reason": "复检"})


# ------------------------------------------------------------------ versions

def test_a_version_hash_covers_the_content_as_stored():
    sent = validate_record(F.sampling()).values
    stored = {**sent, "sampled_at": date(2026, 9, 20), "failed_items": [], "extra": {},
              "correction_reason": None}
    assert canonical("sampling", sent) == canonical("sampling", stored)
    assert version_hash(GENESIS, "sampling", sent) != version_hash(
        GENESIS, "sampling", {**sent, "result": "fail"})
    assert canonical("recall", {"recall_id": "R"}) != canonical("notice", {"notice_id": "R"})


def test_the_same_content_with_another_reason_is_no_new_version():
    sent = validate_record(F.sampling()).values
    assert same_content("sampling", sent, {**sent, "correction_reason": "重发"})
    assert not same_content("sampling", sent, {**sent, "lot": "L2"})


def test_check_history_names_the_first_break():
    v1 = validate_record(F.enterprise()).values
    v2 = {**v1, "status": "suspended"}
    h1 = version_hash(GENESIS, "enterprise", v1)
    earlier = [{"version": 1, "content": v1, "prev_hash": GENESIS, "hash": h1}]
    current = {**v2, "version": 2, "version_prev": h1,
               "version_hash": version_hash(h1, "enterprise", v2)}
    assert check_history("enterprise", "K", earlier, current) is None
    assert check_history("enterprise", "K", [], current).reason.startswith("row says version 2")
    forged = [{**earlier[0], "content": {**v1, "name": "改"}}]
    assert check_history("enterprise", "K", forged, current).version == 1
    assert "gone" in check_history("enterprise", "K", earlier, None).reason

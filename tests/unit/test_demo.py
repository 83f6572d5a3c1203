"""The demo data set: valid exchange records, references in order, the well-known keys."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from tracing.demo.generator import DEMO_KEYS, cluster_sizes, write_demo
from tracing.demo.sample_chain import chain_records
from tracing.codes.identifiers import (
    gtin14,
    validate_division_code,
    validate_gtin,
    validate_licence_no,
    validate_uscc,
)

KEYS = {"enterprise": "uscc", "product": "product_id", "batch": "batch_id", "code": "code",
        "code_alias": "alias", "event": "event_id", "sampling": "sample_id",
        "enforcement": "case_no", "recall": "recall_id", "notice": "notice_id"}
REQUIRED = {
    "enterprise": {"uscc", "name", "kind", "address", "division_code"},
    "product": {"product_id", "enterprise_uscc", "name"},
    "batch": {"batch_id", "product_id", "lot", "produced_at"},
    "code": {"code", "batch_id"},
    "code_alias": {"alias", "code", "issuer"},
    "event": {"event_id", "batch_id", "kind", "occurred_at", "place_uscc"},
    "sampling": {"sample_id", "enterprise_uscc", "product_name", "sampled_at", "result",
                 "authority"},
    "enforcement": {"case_no", "enterprise_uscc", "decided_at", "violation", "penalty",
                    "authority"},
    "recall": {"recall_id", "level", "reason", "started_at"},
    "notice": {"notice_id", "kind", "title", "body", "published_at"},
}
KINDS = {"producer", "processor", "distributor", "wholesaler", "retailer", "market", "caterer",
         "cold_storage", "importer", "farm"}
EVENT_KINDS = {"raw_material_intake", "production", "inspection", "storage_in", "storage_out",
               "shipping", "receiving", "sale", "import_clearance", "recall", "destruction"}
LIUZHOU = {"450202", "450203", "450204", "450205", "450206", "450222", "450223", "450224",
           "450225", "450226"}
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone(timedelta(hours=8)))


def generate(**kwargs) -> tuple[str, dict]:
    buf = io.StringIO()
    counts = write_demo(buf, **kwargs)
    return buf.getvalue(), counts


def check(text: str, counts: dict) -> dict:
    """Validate every line; return what the checks collected."""
    seen = {t: set() for t in KEYS}
    found = Counter()
    excursions, failed, last_time, codes = [], [], {}, {}
    for number, line in enumerate(text.splitlines(), 1):
        rec = json.loads(line)
        kind = rec["type"]
        assert kind in KEYS, (number, kind)
        assert REQUIRED[kind] <= rec.keys(), (number, REQUIRED[kind] - rec.keys())
        found[kind] += 1
        key = rec[KEYS[kind]]
        if kind != "code_alias":
            assert key not in seen[kind], (number, "duplicate key", key)
        seen[kind].add(key)
        refs = {"product": [("enterprise", rec.get("enterprise_uscc"))],
                "batch": [("product", rec.get("product_id"))],
                "code": [("batch", rec.get("batch_id"))],
                "code_alias": [("code", rec.get("code"))],
                "event": [("batch", rec.get("batch_id")), ("enterprise", rec.get("place_uscc")),
                          ("event", rec.get("corrects"))]
                + [("batch", b) for b in rec.get("inputs", [])],
                "sampling": [("enterprise", rec.get("enterprise_uscc"))],
                "enforcement": [("enterprise", rec.get("enterprise_uscc"))],
                "recall": [("batch", b) for b in rec.get("batch_ids", [])],
                }.get(kind, [])
        for target, value in refs:
            if value is not None:
                assert value in seen[target], (number, kind, target, value)
        if kind == "enterprise":
            assert validate_uscc(rec["uscc"]) == rec["uscc"]
            assert rec["kind"] in KINDS
            assert validate_division_code(rec["division_code"]) in LIUZHOU
            assert rec["uscc"][2:8] == rec["division_code"]
            assert rec["uscc"][:2] == "91"
            assert 23.5 < rec["lat"] < 26.2 and 108.8 < rec["lng"] < 110.2
            assert rec["address"].startswith("柳州市")
            assert rec["risk_grade"] in "ABCD"
            assert rec["status"] in {"active", "suspended", "revoked", "closed"}
            assert rec["public_phone"]
            if "licence_no" in rec:
                lic = validate_licence_no(rec["licence_no"])
                assert lic[:2] == ("SC" if rec["kind"] in ("producer", "processor") else "JY")
                assert "4502" + rec["division_code"][4:] in lic
        elif kind == "product":
            assert validate_gtin(rec["gtin"]).startswith("69") and len(rec["gtin"]) == 13
        elif kind == "code":
            assert rec.get("status", "active") in {"active", "withdrawn"}
            assert rec["level"] in {"batch", "case", "item"}
            codes[rec["code"]] = rec
        elif kind == "event":
            assert rec["kind"] in EVENT_KINDS
            when = datetime.fromisoformat(rec["occurred_at"])
            assert rec["occurred_at"].endswith("+08:00") and when <= NOW
            assert when >= last_time.get(rec["batch_id"], when), (number, "out of order")
            last_time[rec["batch_id"]] = when
            detail = rec.get("detail", {})
            if "inspection" in detail:
                assert {"item", "method", "result", "report_no", "inspector"} \
                    <= detail["inspection"].keys()
            if any(t["celsius"] > 8 for t in detail.get("temperatures", [])):
                excursions.append(rec)
            if "corrects" in rec:
                found["correction"] += 1
        elif kind == "sampling" and rec["result"] == "fail":
            failed.append(rec)
    assert dict(found - Counter(correction=found["correction"])) == counts
    return {"seen": seen, "excursions": excursions, "failed": failed, "found": found,
            "codes": codes}


@pytest.fixture(scope="module")
def default():
    text, counts = generate()
    return text, counts, check(text, counts)


def test_every_line_is_valid_and_references_come_first(default):
    _, counts, _ = default
    assert counts["enterprise"] == 60
    assert 150 <= counts["product"] <= 210
    assert set(counts) == set(KEYS)
    levels = Counter(c["level"] for c in default[2]["codes"].values())
    assert levels["batch"] == counts["batch"] and levels["item"] > 2 and levels["case"] > 1


def test_well_known_records(default):
    _, _, got = default
    seen, codes = got["seen"], got["codes"]
    for name in ("ok_code", "recalled_code", "excursion_code", "item_code", "withdrawn_code"):
        assert DEMO_KEYS[name] in seen["code"], name
    assert codes[DEMO_KEYS["withdrawn_code"]]["status"] == "withdrawn"
    assert codes[DEMO_KEYS["item_code"]]["level"] == "item"
    assert codes[DEMO_KEYS["item_code"]]["batch_id"] == codes[DEMO_KEYS["ok_code"]]["batch_id"]
    assert DEMO_KEYS["alias"] in seen["code_alias"]
    assert DEMO_KEYS["failed_sampling_uscc"] in seen["enterprise"]
    assert DEMO_KEYS["enforced_uscc"] in seen["enterprise"]
    assert DEMO_KEYS["gs1_digital_link"].startswith("https://id.gs1.org/01/")


def test_digital_link_names_the_item_code(default):
    text, _, _ = default
    records = [json.loads(line) for line in text.splitlines()]
    item = next(r for r in records if r.get("code") == DEMO_KEYS["item_code"])
    batch = next(r for r in records if r.get("batch_id") == item["batch_id"]
                 and r["type"] == "batch")
    product = next(r for r in records if r["type"] == "product"
                   and r["product_id"] == batch["product_id"])
    assert DEMO_KEYS["gs1_digital_link"].split("/")[-6:] == [
        "01", gtin14(product["gtin"]), "10", batch["lot"], "21", item["serial"]]


def test_exactly_one_excursion_recall_and_failed_sampling(default):
    text, counts, got = default
    assert len(got["excursions"]) == 1
    assert counts["recall"] == 1
    assert len(got["failed"]) == 1
    assert got["failed"][0]["enterprise_uscc"] == DEMO_KEYS["failed_sampling_uscc"]
    assert got["found"]["correction"] == 1
    records = [json.loads(line) for line in text.splitlines()]
    codes = {r["code"]: r["batch_id"] for r in records if r["type"] == "code"}
    assert got["excursions"][0]["batch_id"] == codes[DEMO_KEYS["excursion_code"]]
    recall = next(r for r in records if r["type"] == "recall")
    assert recall["level"] == 2 and recall["batch_ids"] == [codes[DEMO_KEYS["recalled_code"]]]
    assert any(r["type"] == "event" and r["kind"] == "recall"
               and r["batch_id"] == codes[DEMO_KEYS["recalled_code"]] for r in records)
    notice_kinds = {r["kind"] for r in records if r["type"] == "notice"}
    assert notice_kinds == {"recall", "sampling", "enforcement", "announcement"}
    enforced = {r["enterprise_uscc"] for r in records if r["type"] == "enforcement"}
    assert DEMO_KEYS["enforced_uscc"] in enforced
    assert any("source_system" in r for r in records)


def test_production_consumes_raw_batches_with_their_own_events(default):
    text, _, _ = default
    records = [json.loads(line) for line in text.splitlines()]
    with_events = {r["batch_id"] for r in records if r["type"] == "event"}
    productions = [r for r in records if r["type"] == "event" and r["kind"] == "production"
                   and r.get("inputs")]
    assert productions
    for ev in productions:
        assert len(ev["inputs"]) >= 5
        assert set(ev["inputs"]) <= with_events
    cold = [r for r in records if r["type"] == "event" and r["kind"] == "shipping"
            and "temperatures" in r.get("detail", {})]
    assert cold and all({c["kind"] for c in r["detail"]["certificates"]}
                        >= {"quarantine", "disinfection", "nucleic_acid"} for r in cold)


def test_chinese_stays_readable(default):
    text, _, _ = default
    assert "螺蛳粉" in text and "\\u" not in text


def test_deterministic_for_a_seed_and_different_for_another():
    assert generate(seed=3)[0] == generate(seed=3)[0]
    assert generate(seed=3)[0] != generate(seed=4)[0]


@pytest.mark.parametrize("enterprises", [0, 1, 10, 11, 19, 20, 21])
def test_small_scales_are_clamped_and_keep_every_key(enterprises):
    text, counts = generate(enterprises=enterprises, seed=enterprises)
    got = check(text, counts)
    assert counts["enterprise"] == max(10, enterprises)
    assert len(got["excursions"]) == 1 and len(got["failed"]) == 1 and counts["recall"] == 1
    for name in ("ok_code", "recalled_code", "excursion_code", "item_code", "withdrawn_code"):
        assert DEMO_KEYS[name] in got["seen"]["code"]
    assert {DEMO_KEYS["failed_sampling_uscc"], DEMO_KEYS["enforced_uscc"]} \
        <= got["seen"]["enterprise"]


def test_real_time_now_is_respected():
    now = datetime(2027, 3, 15, 9, 30, tzinfo=timezone.utc)
    text, counts = generate(enterprises=10, now=now)
    for line in text.splitlines():
        rec = json.loads(line)
        if rec["type"] == "event":
            assert datetime.fromisoformat(rec["occurred_at"]) <= now


def test_larger_scale_stays_valid_with_proportional_counts(default):
    _, small, _ = default
    text, counts = generate(enterprises=2000, seed=11)
    got = check(text, counts)
    assert counts["enterprise"] == 2000
    assert 2000 * 2.5 <= counts["product"] <= 2000 * 3.5
    ratio = counts["event"] / counts["enterprise"]
    assert 0.6 < ratio / (small["event"] / small["enterprise"]) < 1.6
    assert len(got["excursions"]) == 1 and len(got["failed"]) == 1 and counts["recall"] == 1


def test_products_per_enterprise_scales_products():
    _, few = generate(enterprises=200, products_per_enterprise=1.0)
    _, many = generate(enterprises=200, products_per_enterprise=5.0)
    assert few["product"] < 0.5 * many["product"]
    assert 900 <= many["product"] <= 1100


@pytest.mark.parametrize("enterprises", [-5, 0, 10, 19, 20, 29, 30, 61, 1000])
def test_clusters_hold_every_enterprise_in_slices_of_10_to_29(enterprises):
    sizes = list(cluster_sizes(random.Random(enterprises), enterprises))
    assert sum(sizes) == max(10, enterprises)
    assert all(10 <= size <= 29 for size in sizes), sizes


def test_the_enforced_caterer_is_suspended_with_grade_d(default):
    text, _, _ = default
    enterprises = {r["uscc"]: r for r in map(json.loads, text.splitlines())
                   if r["type"] == "enterprise"}
    caterer = enterprises[DEMO_KEYS["enforced_uscc"]]
    assert (caterer["kind"], caterer["status"], caterer["risk_grade"]) == \
        ("caterer", "suspended", "D")
    assert enterprises[DEMO_KEYS["failed_sampling_uscc"]]["kind"] == "producer"


@pytest.mark.parametrize(("events", "inputs"), [(1, 0), (9, 2), (20, 5)])
def test_sample_chain_has_the_shape_asked_for(events, inputs):
    records = chain_records(prefix="T", events=events, inputs=inputs)
    one_each = inputs + 1
    assert Counter(r["type"] for r in records) == {
        "enterprise": one_each, "product": one_each, "batch": one_each, "code": one_each,
        "event": 3 * inputs + events}
    ids = [r["event_id"] for r in records if r["type"] == "event"]
    assert len(set(ids)) == len(ids)
    main = [r for r in records if r["type"] == "event" and r["batch_id"] == "T-B0"]
    assert len(main) == events and main[0]["kind"] == "production"
    assert main[0]["inputs"] == [f"T-B{i}" for i in range(1, one_each)]
    assert [r["code"] for r in records if r["type"] == "code"] == \
        [f"T{i:04d}" for i in range(one_each)]

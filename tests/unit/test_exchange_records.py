"""validate_record: every record type, every stable error code, each naming its field."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests import factories as F
from tracing.exchange.fields import RecordError
from tracing.exchange.records import SPECS, validate_record

BUILDERS = {"enterprise": F.enterprise, "product": F.product, "batch": F.batch, "code": F.code,
            "code_alias": F.code_alias, "event": F.event, "sampling": F.sampling,
            "enforcement": F.enforcement, "recall": F.recall, "notice": F.notice}


def rejects(record, field: str | None, code: str) -> RecordError:
    with pytest.raises(RecordError) as caught:
        validate_record(record)
    assert (caught.value.code, caught.value.field) == (code, field), caught.value.message
    assert caught.value.message
    return caught.value


# ------------------------------------------------------------------ every type is accepted


@pytest.mark.parametrize("rtype", sorted(SPECS))
def test_every_type_has_a_valid_example(rtype):
    record = validate_record(BUILDERS[rtype]())
    key_field = SPECS[rtype][0]
    assert record.type == rtype
    assert record.key == record.values[key_field]
    assert record.values["extra"] == {}


def test_the_factory_world_validates_whole():
    assert len([validate_record(r) for r in F.world()]) == sum(F.WORLD_COUNTS.values())


@pytest.mark.parametrize("rtype", sorted(SPECS))
def test_only_required_fields_suffice(rtype):
    key_field, spec = SPECS[rtype]
    full = BUILDERS[rtype]()
    minimal = {"type": rtype, **{k: v for k, v in full.items() if spec.get(k, (0, False))[1]}}
    if rtype == "recall":
        minimal["product_id"] = "P1"
    if rtype == "event":
        minimal["place_uscc"] = F.uscc(1)
    assert validate_record(minimal).key == full[key_field]


@pytest.mark.parametrize("rtype", sorted(SPECS))
def test_unknown_fields_are_kept_in_extra(rtype):
    record = validate_record(BUILDERS[rtype](x_source="江南区平台", x_nested={"a": [1, 2]}))
    assert record.values["extra"] == {"x_source": "江南区平台", "x_nested": {"a": [1, 2]}}
    assert "type" not in record.values["extra"]


def test_values_are_normalised():
    ent = validate_record(F.enterprise(uscc=" " + F.uscc(3).lower() + " ", lat=24, lng=109))
    assert ent.key == F.uscc(3)
    assert ent.values["lat"] == 24.0 and isinstance(ent.values["lat"], float)
    assert ent.values["licence_valid_until"] == date(2029, 12, 31)
    ev = validate_record(F.event(occurred_at="2026-09-02T08:00:00+08:00"))
    assert ev.values["occurred_at"] == datetime(2026, 9, 2, 0, 0, tzinfo=timezone.utc)
    assert validate_record(F.code(code=" lz0000000009 ")).key == "LZ0000000009"
    # a full timestamp in a date field keeps its Shanghai date
    b = validate_record(F.batch(produced_at="2026-09-01T20:00:00Z"))
    assert b.values["produced_at"] == date(2026, 9, 2)


def test_references_are_listed_with_their_field():
    ev = validate_record(F.event("E9", inputs=["B7", "B8"], corrects="E1"))
    assert set(ev.refs) == {("batch", "B1", "batch_id"), ("enterprise", F.uscc(1), "place_uscc"),
                            ("batch", "B7", "inputs"), ("batch", "B8", "inputs"),
                            ("event", "E1", "corrects")}
    assert validate_record(F.batch()).refs == [("product", "P1", "product_id")]
    assert validate_record(F.product()).refs == [("enterprise", F.uscc(1), "enterprise_uscc")]
    assert validate_record(F.code_alias()).refs == [("code", "LZ0000000001", "code")]
    assert validate_record(F.notice()).refs == []


# ------------------------------------------------------------------ record-level errors


@pytest.mark.parametrize("value", [[1, 2], "text", 3, None, True])
def test_not_an_object(value):
    rejects(value, None, "not_an_object")


@pytest.mark.parametrize("rtype", [None, "factory", "Enterprise", 1])
def test_unknown_type(rtype):
    record = F.enterprise()
    record.pop("type") if rtype is None else record.update(type=rtype)
    rejects(record, "type", "unknown_type")


REQUIRED = [(rtype, name) for rtype, (_, spec) in sorted(SPECS.items())
            for name, (_, required) in spec.items() if required]


@pytest.mark.parametrize("rtype,name", REQUIRED)
def test_every_required_field_missing_or_null(rtype, name):
    rejects(F.without(BUILDERS[rtype](), name), name, "required")
    rejects({**BUILDERS[rtype](), name: None}, name, "required")


# ------------------------------------------------------------------ field parsers

FIELD_ERRORS = [
    # wrong_type: one per parser kind
    (F.enterprise(name=42), "name", "wrong_type"),
    (F.batch(quantity="5000"), "quantity", "wrong_type"),
    (F.batch(quantity=True), "quantity", "wrong_type"),
    (F.product(shelf_life_days=30.5), "shelf_life_days", "wrong_type"),
    (F.product(shelf_life_days="30"), "shelf_life_days", "wrong_type"),
    (F.batch(produced_at=20260902), "produced_at", "wrong_type"),
    (F.event(occurred_at=1767225600), "occurred_at", "wrong_type"),
    (F.product(ingredients="米粉"), "ingredients", "wrong_type"),
    (F.product(ingredients=["米粉", 3]), "ingredients[1]", "wrong_type"),
    (F.event(detail=["not", "an", "object"]), "detail", "wrong_type"),
    (F.event(place="柳州", place_uscc=None), "place", "wrong_type"),
    (F.enterprise(lat="24.3"), "lat", "wrong_type"),
    (F.recall(batch_ids="B1"), "batch_ids", "wrong_type"),
    # empty / too_long / control characters
    (F.enterprise(name="   "), "name", "empty"),
    (F.batch(lot=""), "lot", "empty"),
    (F.enterprise(name="粉" * 201), "name", "too_long"),
    (F.batch(lot="L" * 65), "lot", "too_long"),
    (F.product(ingredients=["米粉"] * 101), "ingredients", "too_long"),
    (F.recall(batch_ids=[f"B{i}" for i in range(1001)]), "batch_ids", "too_long"),
    (F.enterprise(address="柳州\x00市"), "address", "control_characters"),
    (F.notice(title="标题\x1b[31m"), "title", "control_characters"),
    # keys
    (F.batch(batch_id="B\u200b1"), "batch_id", "bad_key"),  # zero-width space
    (F.product(product_id="产\u2028品"), "product_id", "bad_key"),  # line separator
    (F.batch(batch_id="B\x071"), "batch_id", "control_characters"),
    (F.batch(batch_id="B\t1"), "batch_id", "control_characters"),
    (F.batch(batch_id="B" * 129), "batch_id", "too_long"),
    (F.batch(batch_id="\u3000"), "batch_id", "empty"),
    (F.event(inputs=["B2", "B\u200b3"]), "inputs[1]", "bad_key"),
    # choices
    (F.enterprise(kind="restaurant"), "kind", "invalid_value"),
    (F.enterprise(risk_grade="E"), "risk_grade", "invalid_value"),
    (F.enterprise(status="open"), "status", "invalid_value"),
    (F.code(level="pallet"), "level", "invalid_value"),
    (F.code(status="deleted"), "status", "invalid_value"),
    (F.event(kind="teleport"), "kind", "invalid_value"),
    (F.sampling(result="ok"), "result", "invalid_value"),
    (F.recall(level=4), "level", "invalid_value"),
    (F.recall(level="1"), "level", "invalid_value"),
    (F.recall(level=True), "level", "invalid_value"),
    (F.recall(status="done"), "status", "invalid_value"),
    (F.notice(kind="ad"), "kind", "invalid_value"),
    # ranges
    (F.batch(quantity=-1), "quantity", "out_of_range"),
    (F.batch(quantity=1e13), "quantity", "out_of_range"),
    (F.event(quantity=-0.5), "quantity", "out_of_range"),
    (F.product(shelf_life_days=0), "shelf_life_days", "out_of_range"),
    (F.product(shelf_life_days=3651), "shelf_life_days", "out_of_range"),
    (F.enterprise(lat=91), "lat", "out_of_range"),
    (F.enterprise(lng=-181), "lng", "out_of_range"),
    (F.enterprise(lat=51.5, lng=-0.12), "lng", "coordinate_out_of_range"),
    (F.enterprise(lat=-24.3), "lat", "coordinate_out_of_range"),
    (F.enterprise(lat=24.3, lng=150.0), "lng", "coordinate_out_of_range"),
    (F.enterprise(lat=109.38, lng=24.31), "lat", "out_of_range"),  # swapped
    # dates and times
    (F.batch(produced_at="2026-02-30"), "produced_at", "bad_date"),
    (F.batch(produced_at="02/09/2026"), "produced_at", "bad_date"),
    (F.enterprise(licence_valid_until="someday"), "licence_valid_until", "bad_date"),
    (F.event(occurred_at="yesterday"), "occurred_at", "bad_datetime"),
    (F.event(occurred_at="2026-09-02T25:00:00+08:00"), "occurred_at", "bad_datetime"),
    (F.notice(published_at="2026-10-06 09:00"), "published_at", "datetime_needs_offset"),
    (F.event(occurred_at="2026-09-02T08:00:00"), "occurred_at", "datetime_needs_offset"),
    (F.batch(produced_at="2026-09-02T08:00:00"), "produced_at", "datetime_needs_offset"),
    # codes, standards, phones
    (F.code(code="LZ"), "code", "bad_code"),
    (F.code(code="LZ 0000 0001"), "code", "bad_code"),
    (F.code(code="https://t.example/LZ1"), "code", "bad_code"),
    (F.code_alias(code="L#1"), "code", "bad_code"),
    (F.product(standard="螺蛳粉标准"), "standard", "bad_standard"),
    (F.product(standard="gb 1234"), "standard", "bad_standard"),
    (F.enterprise(public_phone="call me"), "public_phone", "bad_phone"),
    (F.enterprise(public_phone="123"), "public_phone", "bad_phone"),
    # credit codes
    (F.enterprise(uscc=914502040000000194), "uscc", "uscc_type"),
    (F.enterprise(uscc="91450204000000019"), "uscc", "uscc_length"),
    (F.enterprise(uscc="91450204000000O194"[:17] + "4"), "uscc", "uscc_charset"),
    (F.enterprise(uscc="Z" + F.uscc(1)[1:]), "uscc", "uscc_charset"),
    (F.enterprise(uscc="B" + F.uscc(1)[1:]), "uscc", "uscc_authority"),
    (F.enterprise(uscc="9" + "5" + F.uscc(1)[2:]), "uscc", "uscc_authority"),
    (F.enterprise(uscc="9199" + F.uscc(1)[4:]), "uscc", "uscc_division"),
    (F.enterprise(uscc=F.uscc(1)[:16] + "7" + F.uscc(1)[17]), "uscc", "uscc_org_checksum"),
    (F.enterprise(uscc=F.uscc(1)[:17] + "0"), "uscc", "uscc_checksum"),
    (F.product(enterprise_uscc=F.uscc(1)[:17] + "0"), "enterprise_uscc", "uscc_checksum"),
    (F.sampling(enterprise_uscc="123"), "enterprise_uscc", "uscc_length"),
    (F.event(place_uscc=F.uscc(1)[:17] + "0"), "place_uscc", "uscc_checksum"),
    # licences
    (F.enterprise(licence_no=10345020400017), "licence_no", "licence_type"),
    (F.enterprise(licence_no="SC1034502040001"), "licence_no", "licence_format"),
    (F.enterprise(licence_no="XK10345020400017"), "licence_no", "licence_format"),
    (F.enterprise(licence_no="SC30345020400017"), "licence_no", "licence_category"),
    (F.enterprise(licence_no="JY44502040000011"), "licence_no", "licence_category"),
    (F.enterprise(licence_no="SC10399020400017"), "licence_no", "licence_division"),
    (F.enterprise(licence_no="JY19902040000011"), "licence_no", "licence_division"),
    # GTINs
    (F.product(gtin=6900000000014), "gtin", "gtin_type"),
    (F.product(gtin="690000000001"[:11]), "gtin", "gtin_format"),
    (F.product(gtin="69000000000A4"), "gtin", "gtin_format"),
    (F.product(gtin=F.gtin(1)[:-1] + str((int(F.gtin(1)[-1]) + 1) % 10)), "gtin",
     "gtin_checksum"),
    # divisions
    (F.enterprise(division_code=450204), "division_code", "division_type"),
    (F.enterprise(division_code="4502"), "division_code", "division_format"),
    (F.enterprise(division_code="45x204"), "division_code", "division_format"),
    (F.enterprise(division_code="990204"), "division_code", "division_unknown"),
    (F.enterprise(division_code="450004"), "division_code", "division_unknown"),
]


@pytest.mark.parametrize("record,field,code", FIELD_ERRORS,
                         ids=[f"{c}-{f}-{i}" for i, (_, f, c) in enumerate(FIELD_ERRORS)])
def test_field_error(record, field, code):
    rejects(record, field, code)


# ------------------------------------------------------------------ cross-field rules


def test_lat_without_lng_names_the_missing_one():
    rejects(F.enterprise(lng=None), "lng", "required")
    rejects(F.enterprise(lat=None), "lat", "required")
    assert "lat" not in validate_record(F.enterprise(lat=None, lng=None)).values


def test_expires_before_produced():
    rejects(F.batch(produced_at="2026-09-02", expires_at="2026-09-01"), "expires_at",
            "out_of_range")
    assert validate_record(F.batch(expires_at="2026-09-02")).values["expires_at"] == \
        date(2026, 9, 2)


def test_event_needs_a_place():
    rejects(F.event(place_uscc=None), "place_uscc", "required")
    ok = validate_record(F.event(place_uscc=None, place={"name": "冷库", "note": "三号"}))
    assert ok.values["place"] == {"name": "冷库", "note": "三号"}  # unknown keys kept


@pytest.mark.parametrize("place,field,code", [
    ({"division_code": "450204"}, "place.name", "required"),
    ({"name": ""}, "place.name", "empty"),
    ({"name": "冷库", "division_code": "990000"}, "place.division_code", "division_unknown"),
    ({"name": "冷库", "lat": 24.3}, "place.lat", "required"),
    ({"name": "冷库", "lng": 109.4}, "place.lat", "required"),
    ({"name": "冷库", "lat": 24.3, "lng": 10.0}, "place.lng", "coordinate_out_of_range"),
    ({"name": "冷库", "lat": "24", "lng": 109.4}, "place.lat", "wrong_type"),
])
def test_place_errors(place, field, code):
    rejects(F.event(place_uscc=None, place=place), field, code)


def test_place_is_checked_even_beside_place_uscc():
    rejects(F.event(place={"name": "冷库", "lat": 24.3, "lng": 10.0}), "place.lng",
            "coordinate_out_of_range")


def test_inspection_needs_detail_inspection():
    rejects(F.event(kind="inspection", detail=None), "detail.inspection", "required")
    rejects(F.event(kind="inspection", detail={"temperatures": []}), "detail.inspection",
            "required")


@pytest.mark.parametrize("detail,field,code", [
    ({"inspection": "pass"}, "detail.inspection", "wrong_type"),
    ({"inspection": {"result": "pass"}}, "detail.inspection.item", "required"),
    ({"inspection": {"item": "铅", "result": "ok"}}, "detail.inspection.result",
     "invalid_value"),
    ({"temperatures": {"at": "x"}}, "detail.temperatures", "wrong_type"),
    ({"temperatures": [{"at": "2026-09-02T08:00:00+08:00", "celsius": 4}] * 10001},
     "detail.temperatures", "too_long"),
    ({"temperatures": [{"celsius": 4}]}, "detail.temperatures[0].at", "required"),
    ({"temperatures": [{"at": "2026-09-02T08:00:00", "celsius": 4}]},
     "detail.temperatures[0].at", "datetime_needs_offset"),
    ({"temperatures": [{"at": "2026-09-02T08:00:00Z", "celsius": 4},
                       {"at": "2026-09-02T09:00:00Z", "celsius": 150}]},
     "detail.temperatures[1].celsius", "out_of_range"),
    ({"certificates": [{"kind": "visa", "number": "1"}]}, "detail.certificates[0].kind",
     "invalid_value"),
    ({"certificates": [{"kind": "quarantine"}]}, "detail.certificates[0].number", "required"),
    ({"certificates": [{"kind": "origin", "number": "1"}] * 51}, "detail.certificates",
     "too_long"),
    ({"counterparty": {"uscc": F.uscc(2)}}, "detail.counterparty.name", "required"),
    ({"counterparty": {"name": "超市", "uscc": F.uscc(2)[:17] + "0"}},
     "detail.counterparty.uscc", "uscc_checksum"),
])
def test_detail_errors(detail, field, code):
    rejects(F.event(kind="inspection" if "inspection" in detail else "storage_in",
                    detail=detail), field, code)


def test_detail_is_normalised_and_unknown_parts_kept():
    ev = validate_record(F.event(kind="storage_in", detail={
        "temperatures": [{"at": "2026-09-02T08:00:00+08:00", "celsius": -18, "probe": 2}],
        "certificates": [{"kind": "quarantine", "number": "QC-1"}],
        "counterparty": {"name": "柳州冷链", "uscc": F.uscc(2).lower()},
        "humidity": 0.4}))
    detail = ev.values["detail"]
    assert detail["temperatures"] == [{"at": "2026-09-02T00:00:00+00:00", "celsius": -18.0,
                                       "probe": 2}]
    assert detail["counterparty"]["uscc"] == F.uscc(2)
    assert detail["humidity"] == 0.4


def test_event_cannot_correct_itself():
    rejects(F.event("E1", corrects="E1"), "corrects", "invalid_value")
    assert ("event", "E0", "corrects") in validate_record(F.event("E1", corrects="E0")).refs


def test_batch_cannot_be_its_own_input():
    rejects(F.event(batch_id="B1", inputs=["B0", "B1"]), "inputs", "invalid_value")


def test_recall_names_batches_or_a_product():
    rejects(F.recall(batch_ids=None), "batch_ids", "required")
    rejects(F.recall(batch_ids=[]), "batch_ids", "required")
    assert validate_record(F.recall(batch_ids=None, product_id="P1")).refs == \
        [("product", "P1", "product_id")]


def test_alias_length_is_checked_after_normalisation():
    rejects(F.code_alias(alias="㍿" * 40), "alias", "too_long")  # each ㍿ becomes 株式会社


def test_long_garbage_in_a_date_field_is_bad_date():
    rejects(F.batch(produced_at="September 2nd 2026"), "produced_at", "bad_date")

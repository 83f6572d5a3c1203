"""The submission form, pure: what is accepted (as the real world writes it) and what is
refused, with the field named."""

from __future__ import annotations

from datetime import date

import pytest

from complaints.form import mask_phone, parse_submission, phone_number
from core.errors import InvalidInput
from tests import factories as F

TODAY = date(2026, 9, 30)


def parse(**over):
    body = {"kind": "complaint", "description": "买到的螺蛳粉已经过期了，要求退款。",
            "target": {"type": "enterprise", "uscc": F.uscc(1)},
            "contact": {"name": "张三", "phone": "13800138000"}}
    body.update(over)
    return parse_submission({k: v for k, v in body.items() if v is not None}, today=TODAY,
                            max_photos=9)


@pytest.mark.parametrize("raw, phone", [
    ("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"),
    ("１３８００１３８０００", "13800138000"), ("0772-3801234", "0772-3801234"),
    ("(0772)3801234", "07723801234"), ("86 13800138000", "13800138000")])
def test_phones_as_people_write_them(raw, phone):
    assert phone_number(raw) == phone


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "abc", "110", "+1 415 555 0100"])
def test_not_phones(raw):
    with pytest.raises(InvalidInput) as err:
        phone_number(raw)
    assert err.value.code == "invalid_phone" and err.value.field == "contact.phone"


def test_masking():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0772-3801234") == "077*****1234"
    assert mask_phone(None) is None


def test_full_width_credit_code_and_names_are_folded():
    code = F.uscc(1)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    form = parse(target={"type": "enterprise", "uscc": wide},
                 contact={"name": "阿依古丽·买买提", "phone": "13800138000"})
    assert form.target.key == code and form.name == "阿依古丽·买买提"


def test_report_may_be_anonymous_complaint_may_not():
    report = parse(kind="report", contact=None, anonymous=True)
    assert (report.name, report.phone) == (None, None)
    with pytest.raises(InvalidInput) as err:
        parse(contact=None)
    assert err.value.code == "real_name_required"


def test_trace_code_and_product_targets():
    assert parse(target={"type": "trace_code", "code": " lz040000000002 "}).target.key == \
        "LZ040000000002"
    assert parse(target={"type": "product", "gtin": F.gtin(1)}).target.by_gtin
    with pytest.raises(InvalidInput) as err:
        parse(target={"type": "product", "gtin": F.gtin(1), "product_id": "P1"})
    assert err.value.code == "contradictory_fields"
    with pytest.raises(InvalidInput) as err:
        parse(target={"type": "trace_code", "code": "not a code!"})
    assert err.value.field == "target.code"


def test_description_limits_count_characters_not_bytes():
    assert len(parse(description="过" * 2000).description) == 2000
    with pytest.raises(InvalidInput) as err:
        parse(description="过" * 2001)
    assert err.value.code == "too_long" and "2000" in err.value.message


def test_dates_and_places():
    assert parse(occurred_on="2026-09-30").occurred_on == TODAY
    for bad, code in (("2026-10-01", "date_in_future"), ("30/09/2026", "invalid_date"),
                      ("1999-12-31", "invalid_date")):
        with pytest.raises(InvalidInput) as err:
            parse(occurred_on=bad)
        assert err.value.code == code
    place = parse(place={"lat": 24.3, "lng": 109.4, "division_code": "４５０２０４"}).place
    assert place.division_code == "450204"
    with pytest.raises(InvalidInput) as err:
        parse(place={})
    assert err.value.field == "place.address"

"""Identifier rules: credit codes (GB 32100 / GB 11714), SC/JY licences, GTINs, divisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from tracing.codes.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    gtin14,
    gtin_check_digit,
    is_valid_gtin,
    make_uscc,
    normalise,
    org_code_check_char,
    uscc_check_char,
    validate_division_code,
    validate_gtin,
    validate_licence_no,
    validate_uscc,
)

# Credit codes published by real organisations (including post-2015 "MA" organisation
# bodies, whose letters carry their GB 11714 values A=10 ... Z=35).
REAL_USCC = [
    "91110000802100433B",
    "91110000600037341L",
    "91110000710926094P",
    "121200004013590816",
    "91120224064012553U",
    "9115220107837757XE",
    "9131012056010553X5",
    "9144030071526726XG",
    "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD",
    "91340600MA2PBMA74B",
    "91340603MA2UJXXCXF",
    "91420684MA4927PJ7B",
    "91620105L015101280",
    "91620105MA73NBBLXE",
    "92340621MA2PBKRXXG",
    "92340621MA2UK3PJXE",
]


def error_of(fn, raw, **kwargs) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        fn(raw, **kwargs)
    return info.value


def with_checks(first16: str) -> str:
    """A credit code whose organisation check and final check are both right."""
    first17 = first16 + org_code_check_char(first16[8:16])
    return first17 + uscc_check_char(first17)


# --- credit codes --------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_credit_codes_are_valid(code):
    assert validate_uscc(code) == code


def test_check_characters_of_a_known_code():
    assert uscc_check_char("91110000802100433") == "B"
    assert org_code_check_char("80210043") == "3"
    assert org_code_check_char("MA1K3BTP") == "2"


def test_org_check_maps_ten_to_x_and_eleven_to_zero():
    assert org_code_check_char("07837757") == "X"
    assert org_code_check_char("40135908") == "1"
    assert org_code_check_char("L0151012") == "8"
    bodies = [f"{n:08d}" for n in range(200)]
    assert {"X", "0"} <= {org_code_check_char(b) for b in bodies}


def test_credit_code_errors_are_identifier_errors_with_field():
    err = error_of(validate_uscc, "123", field="enterprise_uscc")
    assert isinstance(err, InvalidInput)
    assert err.field == "enterprise_uscc"
    assert err.as_dict()["code"] == "uscc_length"


def test_credit_code_default_field():
    assert error_of(validate_uscc, "123").field == "uscc"


@pytest.mark.parametrize("raw", ["", "9111000080210043", "91110000802100433BB", "9" * 30])
def test_uscc_length(raw):
    assert error_of(validate_uscc, raw).code == "uscc_length"


def test_uscc_type():
    assert error_of(validate_uscc, 911100008021004330).code == "uscc_type"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_uscc_charset_rejects_letters_outside_the_alphabet(letter):
    code = "91110000802100433B"
    err = error_of(validate_uscc, code[:12] + letter + code[13:])
    assert err.code == "uscc_charset"
    assert letter in err.message


@pytest.mark.parametrize("raw", ["91110000802100433-", "9111000080210043#B", "9111000080210043中B"])
def test_uscc_charset_rejects_punctuation_and_ideographs(raw):
    assert error_of(validate_uscc, raw).code == "uscc_charset"


@pytest.mark.parametrize("prefix", ["04", "B1", "94", "99", "Y2", "23", "A2", "82", "0A", "N4",
                                    "36", "N5"])
def test_uscc_authority(prefix):
    code = with_checks(prefix + "11000080210043")
    assert error_of(validate_uscc, code).code == "uscc_authority"


@pytest.mark.parametrize("prefix", ["91", "92", "93", "11", "12", "13", "19", "Y1", "A9",
                                    "31", "34", "35", "39", "N1", "N3", "N9", "A1", "59"])
def test_known_authority_and_category_pairs_pass(prefix):
    assert validate_uscc(with_checks(prefix + "45020280210043"))


@pytest.mark.parametrize("division", ["000000", "991234", "10ABCD", "4502A2", "990000",
                                      "450299", "100001", "450012"])
def test_uscc_division(division):
    code = with_checks("91" + division + "80210043")
    assert error_of(validate_uscc, code).code == "uscc_division"


@pytest.mark.parametrize("division", [
    "100000",  # national level: central organs
    "450104",  # 南宁市城北区, abolished in 2004: codes issued under it stay valid
    "110103",  # 北京市崇文区, merged into 东城区 in 2010
    "810000",  # 香港特别行政区
])
def test_uscc_divisions_by_the_full_list_with_history(division):
    code = with_checks("91" + division + "80210043")
    assert validate_uscc(code) == code


def test_uscc_messages_are_chinese():
    assert "校验码应为 'B'" in error_of(validate_uscc, "91110000802100433C").message
    assert "不是行政区划代码" in error_of(validate_uscc, with_checks("91450299" + "80210043")).message


def test_uscc_org_checksum():
    # The final check character is right for the 17 characters, the 17th is not.
    first17 = "91110000802100434"
    code = first17 + uscc_check_char(first17)
    assert error_of(validate_uscc, code).code == "uscc_org_checksum"


def test_uscc_checksum_names_the_expected_character():
    err = error_of(validate_uscc, "91110000802100433C")
    assert err.code == "uscc_checksum"
    assert "'B'" in err.message


@pytest.mark.parametrize("raw", [
    "９１１１００００８０２１００４３３Ｂ",           # full-width digits and letter
    " 91110000802100433b ",                         # spaces, lower case
    "9111 0000 8021 0043 3B",                       # grouped
    "\u300091110000802100433B\u3000",               # ideographic spaces
    "９１１１0000 802100433ｂ",                     # mixed widths
])
def test_uscc_full_width_and_spacing_are_normalised(raw):
    assert validate_uscc(raw) == "91110000802100433B"


def test_normalise():
    assert normalise("ｓｃ１２３ ４５") == "SC12345"


@given(
    authority_category=st.sampled_from(
        [a + c for a, cats in {"9": "123", "1": "1239", "5": "1239", "Y": "1"}.items()
         for c in cats]),
    division=st.sampled_from(["450202", "450226", "110000", "310115", "650100"]),
    body=st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8),
)
def test_make_uscc_always_validates(authority_category, division, body):
    code = make_uscc(authority_category[0], authority_category[1], division, body)
    assert len(code) == 18
    assert validate_uscc(code) == code


@given(
    body=st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8),
    position=st.integers(0, 17),
    replacement=st.sampled_from(USCC_ALPHABET + "IOSVZ-*"),
)
def test_any_single_character_change_is_rejected(body, position, replacement):
    code = make_uscc("9", "1", "450204", body)
    if code[position] == replacement:
        replacement = USCC_ALPHABET[(USCC_ALPHABET.index(replacement) + 1) % 31]
    changed = code[:position] + replacement + code[position + 1:]
    with pytest.raises(IdentifierError):
        validate_uscc(changed)


# --- licences ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "SC10345020200013",   # food production: category 103, Guangxi, Liuzhou, 城中区
    "SC20145020500217",   # food additive
    "JY14502020000018",   # food sales
    "JY24502050012340",   # catering
    "JY34502260000012",   # canteen
    "SC11211010500028",   # Beijing
])
def test_valid_licences(raw):
    assert validate_licence_no(raw) == raw


def test_licence_full_width_and_lower_case_are_normalised():
    assert validate_licence_no("ｓｃ１０３４５０２０２０００１３") == "SC10345020200013"
    assert validate_licence_no(" jy1450 2020 000018 ") == "JY14502020000018"


@pytest.mark.parametrize("raw", [
    "", "SC", "SC1034502020001", "SC103450202000134", "XK10345020200013",
    "QS10345020200013", "SC1034502020001A", "JY1450202000001 8X", "SC10345020200013\n1",
    "SC1034502020001٣",   # Arabic-Indic digit: a digit, but not an ASCII one
])
def test_licence_format(raw):
    assert error_of(validate_licence_no, raw).code == "licence_format"


def test_licence_type_and_field():
    err = error_of(validate_licence_no, 10345020200013, field="enterprise.licence_no")
    assert err.code == "licence_type"
    assert err.field == "enterprise.licence_no"


@pytest.mark.parametrize("raw", [
    "SC30345020200013", "SC00345020200013", "SC90345020200013",
    "JY04502020000018", "JY44502020000018", "JY94502020000018",
])
def test_licence_category(raw):
    assert error_of(validate_licence_no, raw).code == "licence_category"


@pytest.mark.parametrize("raw", [
    "SC10300020200013", "SC10399020200013", "SC10347020200013",
    "JY10002020000018", "JY19902020000018", "JY16602020000018",
])
def test_licence_division(raw):
    assert error_of(validate_licence_no, raw).code == "licence_division"


@pytest.mark.parametrize("raw", ["SC10345029900013", "JY14502990000018"])
def test_licence_division_is_checked_to_the_county(raw):
    err = error_of(validate_licence_no, raw)
    assert err.code == "licence_division"
    assert "450299 不存在" in err.message


def test_licence_default_field():
    assert error_of(validate_licence_no, "X").field == "licence_no"


# --- GTIN ----------------------------------------------------------------------------------


@pytest.mark.parametrize("gtin", [
    "96385074",          # GTIN-8
    "036000291452",      # GTIN-12 (UPC-A)
    "6901234567892",     # GTIN-13, China prefix 690
    "4006381333931",     # GTIN-13
    "9780306406157",     # ISBN-13
    "10614141000415",    # GTIN-14
    "00012345600012",    # GTIN-14 with leading zeros
])
def test_valid_gtins(gtin):
    assert is_valid_gtin(gtin)
    assert validate_gtin(gtin) == gtin


@pytest.mark.parametrize("gtin", [
    "96385075", "036000291453", "6901234567890", "4006381333932", "10614141000416",
])
def test_gtin_checksum_for_every_length(gtin):
    assert not is_valid_gtin(gtin)
    err = error_of(validate_gtin, gtin)
    assert err.code == "gtin_checksum"
    assert gtin_check_digit(gtin[:-1]) in err.message


@pytest.mark.parametrize("raw", [
    "", "1234567", "123456789", "12345678901", "123456789012345", "690123456789X",
    "69012345-7892", "6901234567892/1", "690１２３４５６７８９２x",
])
def test_gtin_format(raw):
    assert error_of(validate_gtin, raw).code == "gtin_format"
    assert not is_valid_gtin(raw)


def test_gtin_rejects_non_ascii_digits_and_non_strings():
    assert not is_valid_gtin("٦٩٠١٢٣٤٥٦٧٨٩٢")
    assert error_of(validate_gtin, "٦٩٠١٢٣٤٥٦٧٨٩٢").code == "gtin_format"
    assert not is_valid_gtin(6901234567892)
    assert error_of(validate_gtin, 6901234567892).code == "gtin_type"


def test_gtin_full_width_and_spaces_are_normalised():
    assert validate_gtin("６９０１２３４５６７８９２") == "6901234567892"
    assert validate_gtin(" 6 901234 567892 ") == "6901234567892"


def test_gtin14_pads_every_length():
    assert gtin14("96385074") == "00000096385074"
    assert gtin14("036000291452") == "00036000291452"
    assert gtin14("6901234567892") == "06901234567892"
    assert gtin14("10614141000415") == "10614141000415"
    assert is_valid_gtin(gtin14("6901234567892"))


def test_gtin_check_digit():
    assert gtin_check_digit("690123456789") == "2"
    assert gtin_check_digit("9638507") == "4"
    assert gtin_check_digit("1061414100041") == "5"


@given(
    length=st.sampled_from([8, 12, 13, 14]),
    digits=st.text(alphabet="0123456789", min_size=13, max_size=13),
    position=st.integers(0, 13),
    delta=st.integers(1, 9),
)
def test_any_single_digit_change_fails_the_gtin_check(length, digits, position, delta):
    body = digits[:length - 1]
    gtin = body + gtin_check_digit(body)
    assert is_valid_gtin(gtin)
    position %= length
    changed = gtin[:position] + str((int(gtin[position]) + delta) % 10) + gtin[position + 1:]
    assert not is_valid_gtin(changed)
    assert error_of(validate_gtin, changed).code == "gtin_checksum"


# --- administrative divisions --------------------------------------------------------------


@pytest.mark.parametrize("code", [
    "450202", "450203", "450204", "450205", "450206", "450222", "450223", "450224",
    "450225", "450226", "450200", "450000", "110000", "820000",
    "450104", "110103", "710000", "810000",  # abolished divisions keep their codes
])
def test_valid_divisions(code):
    assert validate_division_code(code) == code


def test_division_full_width():
    assert validate_division_code("４５０２０４") == "450204"


@pytest.mark.parametrize("raw", ["", "45020", "4502021", "45020A", "450 20x", "٤٥٠٢٠٤"])
def test_division_format(raw):
    assert error_of(validate_division_code, raw).code == "division_format"


@pytest.mark.parametrize("raw", ["000000", "990000", "100101", "450012", "470202", "450299",
                                 "100000", "110199"])
def test_division_unknown(raw):
    assert error_of(validate_division_code, raw).code == "division_unknown"


def test_division_type_and_field():
    err = error_of(validate_division_code, 450204, field="place.division_code")
    assert (err.code, err.field) == ("division_type", "place.division_code")



PUBLIC_USCC = [line for line in (Path(__file__).parent / "data" / "uscc_public.txt")
               .read_text("utf-8").splitlines() if line and not line.startswith("#")]


def test_public_credit_codes_are_valid():
    """Real codes from a public suite: the full division list refuses none of them."""
    assert len(PUBLIC_USCC) > 200
    refused = []
    for code in PUBLIC_USCC:
        try:
            validate_uscc(code)
        except IdentifierError as error:
            refused.append((code, error.code))
    assert refused == []

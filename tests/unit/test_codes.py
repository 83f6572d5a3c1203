"""Every form a scanner can return, every rejection, and fuzzing of ``parse_scan``."""

from __future__ import annotations

import json
import os
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracing.codes.parse import (
    CODE_RE, CodeMalformed, ParsedCode, is_trace_code, normalise_code, parse_scan,
)
from tracing.codes.identifiers import gtin_check_digit

GS = "\x1d"
HOSTS = ("trace.lz.gov.cn", "127.0.0.1:8000")
GTIN = "06901234567892"  # valid GTIN-14 form of EAN-13 6901234567892


def rejected(raw: str, *, hosts=HOSTS) -> str:
    with pytest.raises(CodeMalformed) as info:
        parse_scan(raw, trace_hosts=hosts)
    assert info.value.code == "code_malformed"
    assert info.value.field == "code"
    return info.value.message


# --- existing contract -------------------------------------------------------------------

def test_normalise_code_and_is_trace_code_keep_their_contract():
    assert normalise_code("  ｚｊ－２０２４－０００１ ") == "ZJ-2024-0001"
    assert is_trace_code("ZJ-2024-0001")
    assert not is_trace_code("zj-2024-0001")
    assert not is_trace_code("ABC")


# --- plain trace codes ---------------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [
    ("ZJ-2024-0001", "ZJ-2024-0001"),
    ("  lz20240315a0001\r\n", "LZ20240315A0001"),
    ("ＬＺ２０２４０３１５Ａ０００１", "LZ20240315A0001"),  # full-width
    ("bj.cold/2024/000123", "BJ.COLD/2024/000123"),
    ("SH_FOOD_9_77", "SH_FOOD_9_77"),
    ("1234567890", "1234567890"),  # digits, not a GTIN length
    ("123456789012345678", "123456789012345678"),  # 18 digits
    ("010690123456789", "010690123456789"),  # 15 digits: too short to be 01 + GTIN
    ("\ufeffZJ0001", "ZJ0001"),  # BOM from a clipboard
    ("A" * 64, "A" * 64),
])
def test_plain_trace_codes(raw, code):
    parsed = parse_scan(raw)
    assert parsed == ParsedCode("trace_code", code=code)
    assert parsed.keys() == [("code", code)]


def test_trace_code_that_does_not_parse_as_gs1_stays_a_trace_code():
    # "01" + 14 digits with a bad GTIN check digit, no brackets or GS: not recognisably GS1.
    assert parse_scan("0106901234567891AB").form == "trace_code"
    assert parse_scan("0106901234567892XYZ").form == "trace_code"  # "XY" is no AI


@pytest.mark.parametrize("raw, message", [
    ("zj 2024 0001", "contains a space"),
    ("ZJ　2024", "contains a space"),  # ideographic space becomes a space under NFKC
    ("ZJ#2024", "contains '#'"),
    ("追溯码123456", "contains '追'"),
    ("ZJ<script>", "contains '<'"),
    ("STRAßE01", "contains 'ß'"),  # upper() would turn it into ASCII "SS"
    ("ZJıı0001", "contains 'ı'"),
    ("ABC", "4 to 64 characters long, got 3"),
    ("A" * 65, "4 to 64 characters long, got 65"),
    ("-ABCDEF", "must start with a letter or digit"),
])
def test_bad_trace_codes(raw, message):
    assert message in rejected(raw)


# --- trace URLs ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [
    ("https://trace.lz.gov.cn/t/ZJ-2024-0001", "ZJ-2024-0001"),
    ("http://trace.lz.gov.cn/t/zj-2024-0001", "ZJ-2024-0001"),
    ("https://trace.lz.gov.cn/t/ZJ0001/", "ZJ0001"),
    ("https://trace.lz.gov.cn/t/ZJ0001?from=wechat&utm_source=qr#top", "ZJ0001"),
    ("HTTPS://TRACE.LZ.GOV.CN/T/ZJ0001", "ZJ0001"),  # QR alphanumeric mode upper-cases
    ("https://trace.lz.gov.cn:443/t/ZJ0001", "ZJ0001"),
    ("http://127.0.0.1:8000/t/LOCAL0001", "LOCAL0001"),
    ("https://trace.lz.gov.cn/t/ZJ%2D0001", "ZJ-0001"),
    ("https://trace.lz.gov.cn/t/BJ.COLD%2F2024", "BJ.COLD/2024"),
    ("trace.lz.gov.cn/t/zj0001", "ZJ0001"),  # scheme dropped by a scanner
    ("ｈｔｔｐｓ：／／trace.lz.gov.cn／t／ZJ0001", "ZJ0001"),
])
def test_trace_urls(raw, code):
    parsed = parse_scan(raw, trace_hosts=HOSTS)
    assert parsed == ParsedCode("trace_url", code=code)
    assert parsed.keys() == [("code", code)]


def test_trace_url_on_any_host_when_no_hosts_are_configured():
    assert parse_scan("https://other.example/t/ZJ0001").code == "ZJ0001"


@pytest.mark.parametrize("raw, message", [
    ("https://evil.example/t/ZJ0001", "host 'evil.example' is not this platform's"),
    ("https://trace.lz.gov.cn:8443/t/ZJ0001", "host 'trace.lz.gov.cn:8443'"),
    ("http://127.0.0.1:9000/t/ZJ0001", "host '127.0.0.1:9000'"),
    ("https://trace.lz.gov.cn/t/", "no code after /t/"),
    ("https://trace.lz.gov.cn/t/ZJ%200001", "trace URL code contains a space"),
    ("https://trace.lz.gov.cn/t/ZJ%230001", "trace URL code contains '#'"),
    ("https://trace.lz.gov.cn/t/AB", "4 to 64 characters"),
    ("https://trace.lz.gov.cn/t/%FF%FE", "bad percent-encoding"),
    ("https://trace.lz.gov.cn/about", "neither a trace URL"),
    ("https://trace.lz.gov.cn/t/A/B", "neither a trace URL"),
    ("https://trace.lz.gov.cn/t/ZJ 0001", "URL contains a space"),
    ("https://user@trace.lz.gov.cn/t/ZJ0001", "no valid host"),
    ("https:///t/ZJ0001", "no valid host"),
    ("https://trace.lz.gov.cn:99999/t/ZJ0001", "URL is malformed"),
    ("ftp://trace.lz.gov.cn/t/ZJ0001", "only http and https"),
    ("javascript://alert(1)", "only http and https"),
])
def test_bad_trace_urls(raw, message):
    assert message in rejected(raw)


# --- GS1 Digital Link ----------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("https://id.gs1.org/01/09506000134352",
     dict(gtin="09506000134352")),
    ("https://id.gs1.org/01/09506000134352/10/ABC123",
     dict(gtin="09506000134352", lot="ABC123")),
    ("https://id.gs1.org/01/09506000134352/10/ABC123/21/12345",
     dict(gtin="09506000134352", lot="ABC123", serial="12345")),
    ("https://id.gs1.org/01/09506000134352/22/2A/10/ABC123/21/12345",
     dict(gtin="09506000134352", lot="ABC123", serial="12345", extra={"22": "2A"})),
    ("https://brand.example.com/01/9506000134352/21/xyz",  # GTIN-13, short form
     dict(gtin="09506000134352", serial="xyz")),
    ("https://example.com/01/036000291452/10/L1",  # UPC-A
     dict(gtin="00036000291452", lot="L1")),
    ("https://example.com/01/95011011",  # EAN-8
     dict(gtin="00000095011011")),
    ("https://example.com/shop/dl/01/06901234567892/10/Lot%2F7%25/?17=261231&11=250315",
     dict(gtin=GTIN, lot="Lot/7%", expiry=date(2026, 12, 31), produced=date(2025, 3, 15))),
    ("https://example.com/01/06901234567892/10/a1?17=260200",  # DD=00: end of month
     dict(gtin=GTIN, lot="a1", expiry=date(2026, 2, 28))),
    ("https://example.com/01/06901234567892?11=240200",  # production DD=00: first day
     dict(gtin=GTIN, produced=date(2024, 2, 1))),
    ("https://example.com/01/06901234567892?17=261231&3103=000500&linkType=gs1:certificationInfo",
     dict(gtin=GTIN, expiry=date(2026, 12, 31),
          extra={"3103": "000500", "linkType": "gs1:certificationInfo"})),
    ("https://example.com/01/06901234567892?10=QLOT&21=QSER",  # qualifiers put in the query
     dict(gtin=GTIN, lot="QLOT", serial="QSER")),
    ("https://example.com/01/06901234567892/10/L1?10=L1",  # same value twice is harmless
     dict(gtin=GTIN, lot="L1")),
    ("https://example.com/gtin/06901234567892/lot/L1/ser/S1",  # GS1 Digital Link 1.0 names
     dict(gtin=GTIN, lot="L1", serial="S1")),
    ("https://example.com/01/06901234567892/10/L1/",  # trailing slash
     dict(gtin=GTIN, lot="L1")),
    ("https://example.com/01/06901234567892/10/%EF%BC%A1%EF%BC%A2",  # full-width, NFKC
     dict(gtin=GTIN, lot="AB")),
    ("HTTPS://ID.GS1.ORG/01/06901234567892/10/ABC",
     dict(gtin=GTIN, lot="ABC")),
    ("https://example.com/01/trace/01/06901234567892",  # a prefix segment named 01
     dict(gtin=GTIN)),
    ("https://trace.lz.gov.cn/01/06901234567892/10/L9",  # our own host works too
     dict(gtin=GTIN, lot="L9")),
    ("https://id.gs1.org/01/09506000134352/10/ABC#frag",
     dict(gtin="09506000134352", lot="ABC")),
])
def test_digital_links(raw, expected):
    parsed = parse_scan(raw, trace_hosts=HOSTS)
    assert parsed == ParsedCode("digital_link", **expected)
    json.dumps(parsed.extra)
    json.dumps(parsed.as_dict())


def test_digital_link_keys_fall_back_from_serial_to_lot_to_gtin():
    parsed = parse_scan("https://id.gs1.org/01/09506000134352/10/ABC123/21/12345")
    assert parsed.keys() == [("serial", "0950600013435212345"),
                             ("lot", "09506000134352ABC123"), ("gtin", "09506000134352")]
    lot_only = parse_scan("https://id.gs1.org/01/09506000134352/10/ABC123")
    assert lot_only.keys() == [("lot", "09506000134352ABC123"), ("gtin", "09506000134352")]


@pytest.mark.parametrize("raw, message", [
    ("https://id.gs1.org/01/09506000134353", "bad check digit: expected 2, got 3"),
    ("https://id.gs1.org/01/9506000134353", "bad check digit: expected 2, got 3"),
    ("https://id.gs1.org/01/123", "GTIN must be 8, 12, 13 or 14 digits"),
    ("https://id.gs1.org/01/ABCDEFGH", "GTIN must be 8, 12, 13 or 14 digits"),
    ("https://id.gs1.org/01/", "no value for GTIN (AI 01)"),
    ("https://id.gs1.org/01/09506000134352/10", "no value for lot (AI 10)"),
    ("https://id.gs1.org/01/09506000134352/10/" + "L" * 21,
     "lot (AI 10) is 21 characters long, GS1 allows at most 20"),
    ("https://id.gs1.org/01/09506000134352/21/" + "9" * 25,
     "serial (AI 21) is 25 characters long, GS1 allows at most 20"),
    ("https://id.gs1.org/01/09506000134352/10/A%20B", "lot (AI 10) contains ' '"),
    ("https://id.gs1.org/01/09506000134352/10/%E6%89%B9", "lot (AI 10) contains '批'"),
    ("https://id.gs1.org/01/09506000134352/99/X", "only 22, 10 and 21 may follow"),
    ("https://id.gs1.org/01/09506000134352/10/A/10/B", "appears twice with different values"),
    ("https://id.gs1.org/01/09506000134352/10/A?10=B", "appears twice with different values"),
    ("https://id.gs1.org/01/09506000134352?17=261332", "month 13"),
    ("https://id.gs1.org/01/09506000134352?17=250230", "2025-02 has 28 days"),
    ("https://id.gs1.org/01/09506000134352?17=2612", "expiry date (AI 17) is incomplete"),
    ("https://id.gs1.org/01/09506000134352?17=26123A", "must be digits only"),
    ("https://id.gs1.org/01/09506000134352?11=", "production date (AI 11) has no value"),
    ("https://id.gs1.org/01/09506000134352?98765=1", "unknown GS1 application identifier"),
    ("https://id.gs1.org/01/09506000134352?01=09506000134352", "repeats the key"),
    ("https://id.gs1.org/00/106141412345678908", "Digital Link has no GTIN"),
    ("https://id.gs1.org/414/9520123456788", "Digital Link has no GTIN"),
    ("https://example.com/product?17=261231", "Digital Link has no GTIN"),
    ("https://example.com/", "neither a trace URL"),
    ("https://example.com/products/6901234567892", "neither a trace URL"),
])
def test_bad_digital_links(raw, message):
    assert message in rejected(raw)


# --- GS1 element strings -------------------------------------------------------------------

FULL = dict(gtin=GTIN, lot="ABC123", serial="0001", expiry=date(2026, 12, 31))


@pytest.mark.parametrize("raw, expected", [
    ("(01)06901234567892(17)261231(10)ABC123(21)0001", FULL),
    ("(01)06901234567892 (17)261231 (10)ABC123 (21)0001", FULL),  # typed with spaces
    ("（０１）０６９０１２３４５６７８９２（１７）２６１２３１（１０）ＡＢＣ１２３（２１）０００１", FULL),
    ("(01)06901234567892", dict(gtin=GTIN)),
    ("(01)06901234567892(11)250301(17)260300(10)abc-1",
     dict(gtin=GTIN, lot="abc-1", produced=date(2025, 3, 1), expiry=date(2026, 3, 31))),
    ("(01)06901234567892(15)261231(3103)001250(10)L1",
     dict(gtin=GTIN, lot="L1", extra={"15": "261231", "3103": "001250"})),
    ("]C10106901234567892172612311" "0ABC123" + GS + "210001", FULL),  # GS1-128
    ("]d20106901234567892172612311" "0ABC123" + GS + "210001", FULL),  # GS1 DataMatrix
    ("]Q30106901234567892172612311" "0ABC123" + GS + "210001", FULL),  # GS1 QR
    ("]J10106901234567892172612311" "0ABC123" + GS + "210001", FULL),  # GS1 DotCode
    ("]e00106901234567892", dict(gtin=GTIN)),  # GS1 DataBar
    (GS + "01069012345678921726123110ABC123" + GS + "210001", FULL),  # leading FNC1
    ("01069012345678921726123110ABC123" + GS + "210001" + GS, FULL),  # trailing GS
    ("0106901234567892" + GS + "17261231" + GS + "10ABC123" + GS + "210001", FULL),
    ("01069012345678921726123110ABC123\u241d210001", FULL),  # visible GS symbol
    ("]d2010690123456789210ABC123" + GS + "17261231" + GS + "210001", FULL),
    ("0106901234567892", dict(gtin=GTIN)),  # no FNC1 needed, fixed length only
    ("01069012345678921726123110ABC123", dict(gtin=GTIN, lot="ABC123",
                                               expiry=date(2026, 12, 31))),
    ("(01)06901234567892(21)://", dict(gtin=GTIN, serial="://")),  # not a URL scheme
    ("0106901234567892" + GS + "10http://x", dict(gtin=GTIN, lot="http://x")),
    ("]d2010690123456789210abc" + GS + "22CPV-1" + GS + "400PO77",
     dict(gtin=GTIN, lot="abc", extra={"22": "CPV-1", "400": "PO77"})),
])
def test_element_strings(raw, expected):
    parsed = parse_scan(raw)
    assert parsed == ParsedCode("element_string", **expected)


@pytest.mark.parametrize("raw, message", [
    ("(01)06901234567891(10)A", "GTIN 06901234567891 has a bad check digit: expected 2, got 1"),
    ("(01)0690123456789(10)A", "GTIN (AI 01) is incomplete: needs 14 characters, got 13"),
    ("(04)123", "unknown GS1 application identifier (04)"),
    ("(10)ABC123(21)0001", "element string has no GTIN (AI 01)"),
    ("(01)06901234567892(17)261301", "month 13"),
    ("(01)06901234567892(17)260230", "2026-02 has 28 days"),
    ("(01)06901234567892(11)2503", "production date (AI 11) is incomplete"),
    ("(01)06901234567892(10)", "lot (AI 10) has no value"),
    ("(01)06901234567892(10)" + "X" * 21, "GS1 allows at most 20"),
    ("(01)06901234567892(21)" + "X" * 21, "serial (AI 21) is 21 characters long"),
    ("(01)06901234567892(10)A B", "lot (AI 10) contains ' '"),
    ("(01)06901234567892(10)A(10)B", "appears twice with different values"),
    ("GTIN(01)06901234567892", "code contains '('"),  # not bracketed: read as a trace code
    ("(ABC)", "before the first (AI)"),
    ("]C10106901234567891", "expected 2, got 1"),
    ("]C1010690123456789", "GTIN (AI 01) is incomplete"),
    ("]d2010690123456789" + GS + "10A", "GTIN (AI 01) is incomplete: needs 14 characters, got 13"),
    ("]d20106901234567892" + "0412", "unknown GS1 application identifier at position 17"),
    ("]d20106901234567892" + "17" + "2612", "expiry date (AI 17) is incomplete"),
    ("]d20106901234567892" + "17261231" + GS + GS + "X", "expected a GS1 application identifier"),
    ("]d2" + "10ABC" + GS + "21X", "element string has no GTIN (AI 01)"),
    ("]d20106901234567892" + "10" + "A" * 21, "lot (AI 10) is 21 characters long"),
    ("]d20106901234567892" + "10AB\x07C", "non-printable character U+0007"),
    ("0106901234567892" + GS + "10A\tB", "non-printable character U+0009"),
    ("]X", "not a symbology identifier"),
    ("]]]", "not a symbology identifier"),
])
def test_bad_element_strings(raw, message):
    assert message in rejected(raw)


# --- retail barcodes -----------------------------------------------------------------------

@pytest.mark.parametrize("raw, gtin", [
    ("6901234567892", GTIN),  # EAN-13
    ("036000291452", "00036000291452"),  # UPC-A
    ("95011011", "00000095011011"),  # EAN-8
    ("09506000134352", "09506000134352"),  # GTIN-14 (ITF-14)
    ("  ６９０１２３４５６７８９２ ", GTIN),
    ("]E06901234567892", GTIN),  # EAN/UPC symbology identifier
    ("]E495011011", "00000095011011"),
    ("]I109506000134352", "09506000134352"),
])
def test_retail_barcodes(raw, gtin):
    parsed = parse_scan(raw)
    assert parsed == ParsedCode("retail_barcode", gtin=gtin)
    assert parsed.keys() == [("gtin", gtin)]


@pytest.mark.parametrize("raw, message", [
    ("6901234567891", "GTIN 6901234567891 has a bad check digit: expected 2, got 1"),
    ("036000291453", "expected 2, got 3"),
    ("95011012", "expected 1, got 2"),
    ("09506000134353", "expected 2, got 3"),
])
def test_bad_retail_barcodes_are_rejected_not_read_as_trace_codes(raw, message):
    assert message in rejected(raw)


def test_symbology_prefix_before_other_forms():
    assert parse_scan("]Q1https://trace.lz.gov.cn/t/ZJ0001", trace_hosts=HOSTS).code == "ZJ0001"
    assert parse_scan("]Q1ZJ-0001").code == "ZJ-0001"
    assert parse_scan("]Q1trace.lz.gov.cn/t/zj0001", trace_hosts=HOSTS).form == "trace_url"
    assert "contains ']'" in rejected("]Q1]Q1ZJ-0001")  # one identifier only


# --- whole-input rejections ----------------------------------------------------------------

@pytest.mark.parametrize("raw, message", [
    ("", "code is empty"),
    ("   \t\r\n", "code is empty"),
    ("\u3000", "code is empty"),
    ("A" * 2049, "2049 characters long, at most 2048"),
    ("https://example.com/" + "a" * 2100, "at most 2048"),
    ("\ufdfa" * 200, "at most 2048"),  # NFKC expands each of these to 18 characters
    ("ZJ\x000001", "non-printable character U+0000 at position 3"),
    ("ZJ\u200b0001", "non-printable character U+200B"),
    ("ZJ" + GS + "0001", "expected a GS1 application identifier at position 1"),
    ("https://trace.lz.gov.cn/t/ZJ" + GS + "1", "URL contains a space or control"),
    ("ZJ\udcff0001", "non-printable character U+DCFF"),
])
def test_rejected_inputs(raw, message):
    assert message in rejected(raw)


def test_non_text_is_rejected():
    with pytest.raises(CodeMalformed, match="must be text"):
        parse_scan(b"ZJ0001")  # type: ignore[arg-type]


# --- fuzzing -------------------------------------------------------------------------------

# GONGZHI_FUZZ_EXAMPLES=20000 for a long run; 300 keeps the unit suite fast.
FUZZ = settings(max_examples=int(os.environ.get("GONGZHI_FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def never_anything_but_code_malformed(raw: str) -> None:
    try:
        parsed = parse_scan(raw, trace_hosts=HOSTS)
    except CodeMalformed as error:
        assert error.code == "code_malformed" and error.field == "code" and error.message
        return
    assert parsed.form in ("trace_code", "trace_url", "digital_link", "element_string",
                           "retail_barcode")
    json.dumps(parsed.as_dict())
    if parsed.code is not None:
        assert CODE_RE.match(parsed.code)
    else:
        assert len(parsed.gtin) == 14 and parsed.keys()[-1] == ("gtin", parsed.gtin)


@FUZZ
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8192))
def test_fuzz_arbitrary_text(raw):
    never_anything_but_code_malformed(raw)


PIECES = st.sampled_from([
    "01", "10", "17", "21", "22", "11", "(", ")", "]d2", "]C1", GS, "/", "?", "=", "&", "%",
    "%2F", "%FF", "http://", "https://", "t/", "/01/", "06901234567892", "6901234567892",
    "261231", "000000", "trace.lz.gov.cn", "127.0.0.1:8000", ":", "@", "#", " ", "\u241d",
    "ＡＢＣ", "０１", "gtin", "lot", "ser",
])


@FUZZ
@given(st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40))
def test_fuzz_structured_near_misses(parts):
    never_anything_but_code_malformed("".join(parts))


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["surrogateescape", "replace"]))
def test_fuzz_random_bytes(data, errors):
    never_anything_but_code_malformed(data.decode("utf-8", errors=errors))


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=200_000), st.text(max_size=20))
def test_fuzz_huge_urls(size, tail):
    never_anything_but_code_malformed("https://id.gs1.org/01/09506000134352/10/" + "A" * size
                                      + tail)
    never_anything_but_code_malformed("https://trace.lz.gov.cn/t/" + "%41" * size + tail)


# --- round trips ---------------------------------------------------------------------------

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@st.composite
def gtins(draw):
    size = draw(st.sampled_from([8, 12, 13, 14]))
    body = draw(st.text(alphabet="0123456789", min_size=size - 1, max_size=size - 1))
    return body + gtin_check_digit(body)


values = st.text(alphabet=CSET82, min_size=1, max_size=20)
no_brackets = st.text(alphabet=CSET82.replace("(", "").replace(")", ""), min_size=1,
                      max_size=20)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@FUZZ
@given(gtins(), st.none() | values, st.none() | values, st.none() | dates)
def test_digital_link_round_trip(gtin, lot, serial, expiry):
    uri = "https://example.com/prefix/01/" + gtin
    if lot is not None:
        uri += "/10/" + quote(lot, safe="")
    if serial is not None:
        uri += "/21/" + quote(serial, safe="")
    if expiry is not None:
        uri += "?17=" + expiry.strftime("%y%m%d")
    assert parse_scan(uri) == ParsedCode("digital_link", gtin=gtin.rjust(14, "0"), lot=lot,
                                         serial=serial, expiry=expiry)


@FUZZ
@given(gtins(), st.none() | values, st.none() | values, st.none() | dates, st.none() | dates,
       st.sampled_from(["]d2", "]C1", "]Q3", "", GS]))
def test_element_string_round_trip(gtin, lot, serial, expiry, produced, prefix):
    fields = [("01", gtin.rjust(14, "0"))]
    fields += [("17", expiry.strftime("%y%m%d"))] if expiry else []
    fields += [("11", produced.strftime("%y%m%d"))] if produced else []
    fields += [("10", lot)] if lot is not None else []
    fields += [("21", serial)] if serial is not None else []
    raw = prefix + GS.join(ai + value for ai, value in fields)
    assert parse_scan(raw) == ParsedCode("element_string", gtin=gtin.rjust(14, "0"), lot=lot,
                                         serial=serial, expiry=expiry, produced=produced)


@FUZZ
@given(gtins(), st.none() | no_brackets, st.none() | no_brackets, st.none() | dates)
def test_bracketed_round_trip(gtin, lot, serial, expiry):
    raw = "(01)" + gtin.rjust(14, "0")
    raw += f"(17){expiry:%y%m%d}" if expiry else ""
    raw += f"(10){lot}" if lot is not None else ""
    raw += f"(21){serial}" if serial is not None else ""
    assert parse_scan(raw) == ParsedCode("element_string", gtin=gtin.rjust(14, "0"), lot=lot,
                                         serial=serial, expiry=expiry)


@FUZZ
@given(st.from_regex(r"[A-Za-z][A-Za-z0-9._/-]{3,63}", fullmatch=True))
def test_trace_code_round_trip(code):
    parsed = parse_scan(code)
    assert parsed.form == "trace_code" and parsed.code == code.upper()
    url = parse_scan("https://trace.lz.gov.cn/t/" + quote(code, safe=""), trace_hosts=HOSTS)
    assert url == ParsedCode("trace_url", code=code.upper())

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
from tracing.codes import gs1
from tracing.codes.gs1_lint import current_year
from tracing.codes.identifiers import gtin_check_digit

GS = "\x1d"
HOSTS = ("trace.lz.gov.cn", "127.0.0.1:8000")
GTIN = "06901234567892"  # valid GTIN-14 form of EAN-13 6901234567892


def rejected(raw: str, *, hosts=HOSTS) -> str:
    with pytest.raises(CodeMalformed) as info:
        parse_scan(raw, trace_hosts=hosts)
    assert info.value.code == "code_malformed"
    assert info.value.field == "code"
    assert info.value.as_dict()["rule"] == info.value.rule
    return f"{info.value.rule}: {info.value.message}"


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
    ("zj 2024 0001", "code_space: 追溯码含有空格"),
    ("ZJ　2024", "code_space: 追溯码含有空格"),  # ideographic space becomes a space under NFKC
    ("ZJ#2024", "code_character: 追溯码含有 '#'"),
    ("追溯码123456", "含有 '追'"),
    ("ZJ<script>", "含有 '<'"),
    ("STRAßE01", "含有 'ß'"),  # upper() would turn it into ASCII "SS"
    ("ZJıı0001", "含有 'ı'"),
    ("ABC", "code_length: 追溯码长度应为 4 到 64 个字符，实际为 3 个"),
    ("A" * 65, "4 到 64 个字符，实际为 65 个"),
    ("-ABCDEF", "必须以字母或数字开头"),
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


@pytest.mark.parametrize("raw, host", [
    ("https://other.example/t/ZJ0001", "other.example"),
    ("https://trace.lz.gov.cn.evil.example/t/ZJ0001", "trace.lz.gov.cn.evil.example"),
    ("https://TRACE.LZ.GOV.CN:8443/t/ZJ0001", "trace.lz.gov.cn:8443"),
    ("http://127.0.0.1:9000/t/ZJ0001", "127.0.0.1:9000"),
    ("https://[::1]:8000/t/ZJ0001", "[::1]:8000"),
    ("https://溯源.中国/t/ZJ0001", "xn--b9wnc.xn--fiqs8s"),  # IDNA: no look-alike letters
    ("https://tracе.lz.gov.cn/t/ZJ0001", "xn--trac-y4d.lz.gov.cn"),  # a Cyrillic е
])
def test_trace_url_on_any_host_is_read_and_its_host_kept(raw, host):
    parsed = parse_scan(raw, trace_hosts=HOSTS)
    assert parsed.code == "ZJ0001" and parsed.host == host


def test_code_forms_without_a_url_have_no_host():
    assert parse_scan("ZJ0001").host is None and parse_scan(GTIN).host is None
    assert parse_scan("https://id.gs1.org/01/09506000134352").host == "id.gs1.org"


@pytest.mark.parametrize("raw, message", [
    ("https://<b>x</b>/t/ZJ0001", "url_host: 网址没有有效的主机名"),
    ("https://-bad-.example/t/ZJ0001", "没有有效的主机名"),
    ("https://trace.lz.gov.cn/t/", "/t/ 后面没有追溯码"),
    ("https://trace.lz.gov.cn/t/ZJ%200001", "追溯网址中的追溯码含有空格"),
    ("https://trace.lz.gov.cn/t/ZJ%230001", "追溯网址中的追溯码含有 '#'"),
    ("https://trace.lz.gov.cn/t/AB", "4 到 64 个字符"),
    ("https://trace.lz.gov.cn/t/%FF%FE", "百分号编码无效"),
    ("https://trace.lz.gov.cn/about", "url_unknown: 网址既不是追溯网址"),
    ("https://trace.lz.gov.cn/t/A/B", "既不是追溯网址"),
    ("https://trace.lz.gov.cn/t/ZJ 0001", "网址中含有空格"),
    ("https://user@trace.lz.gov.cn/t/ZJ0001", "没有有效的主机名"),
    ("https:///t/ZJ0001", "没有有效的主机名"),
    ("https://trace.lz.gov.cn:99999/t/ZJ0001", "网址格式错误"),
    ("ftp://trace.lz.gov.cn/t/ZJ0001", "只接受 http 和 https"),
    ("javascript://alert(1)", "只接受 http 和 https"),
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
    ("https://example.com/shop/dl/01/06901234567892/10/Lot%2F7%25?17=261231&11=250315",
     dict(gtin=GTIN, lot="Lot/7%", expiry=date(2026, 12, 31), produced=date(2025, 3, 15))),
    ("https://example.com/01/06901234567892/10/a1?17=260200",  # DD=00: end of month
     dict(gtin=GTIN, lot="a1", expiry=date(2026, 2, 28))),
    ("https://example.com/01/06901234567892?11=240200",  # production DD=00: first day
     dict(gtin=GTIN, produced=date(2024, 2, 1))),
    ("https://example.com/01/06901234567892?17=261231&3103=000500&linkType=gs1:certificationInfo",
     dict(gtin=GTIN, expiry=date(2026, 12, 31),
          extra={"3103": "000500", "linkType": "gs1:certificationInfo"})),
    ("https://example.com/gtin/06901234567892/lot/L1/ser/S1",  # GS1 Digital Link 1.0 names
     dict(gtin=GTIN, lot="L1", serial="S1")),
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
    ("https://id.gs1.org/01/09506000134353",
     "gs1_check_digit: 商品代码 GTIN（AI 01）的值 09506000134353：校验位错误：应为 2，实际为 3"),
    ("https://id.gs1.org/01/9506000134353", "校验位错误：应为 2，实际为 3"),
    ("https://id.gs1.org/01/123", "gs1_too_short: 商品代码 GTIN（AI 01）不完整：需要 14 位，实际 3 位"),
    ("https://id.gs1.org/01/ABCDEFGH", "gs1_not_numeric: 商品代码 GTIN（AI 01）只能是数字"),
    ("https://id.gs1.org/01/", "dl_empty_value: Digital Link 路径中商品代码 GTIN（AI 01）没有值"),
    ("https://id.gs1.org/01/09506000134352/10", "路径中批号（AI 10）没有值"),
    ("https://id.gs1.org/01/09506000134352/10/" + "L" * 21,
     "gs1_too_long: 批号（AI 10）有 21 位，GS1 最多允许 20 位"),
    ("https://id.gs1.org/01/09506000134352/21/" + "9" * 25,
     "序列号（AI 21）有 25 位，GS1 最多允许 20 位"),
    ("https://id.gs1.org/01/09506000134352/10/A%20B", "gs1_bad_character: 批号（AI 10）含有 ' '"),
    ("https://id.gs1.org/01/09506000134352/10/%E6%89%B9", "批号（AI 10）含有 '批'"),
    ("https://id.gs1.org/01/09506000134352/99/X", "dl_bad_path: Digital Link 路径 01/99 不对"),
    ("https://id.gs1.org/01/09506000134352/10/A/10/B", "dl_bad_path: Digital Link 路径 01/10/10 不对"),
    ("https://id.gs1.org/01/09506000134352/10/A?10=B",
     "dl_duplicate_ai: Digital Link 中批号（AI 10）出现了不止一次"),
    ("https://id.gs1.org/01/09506000134352?17=261332",
     "gs1_bad_date: 有效期（AI 17）的值 261332：月份 13 不在 01–12 之间"),
    ("https://id.gs1.org/01/09506000134352?17=250230", "2025 年 2 月只有 28 天"),
    ("https://id.gs1.org/01/09506000134352?17=2612", "有效期（AI 17）不完整"),
    ("https://id.gs1.org/01/09506000134352?17=26123A", "只能是数字"),
    ("https://id.gs1.org/01/09506000134352?11=", "查询参数中生产日期（AI 11）没有值"),
    ("https://id.gs1.org/01/09506000134352?98765=1",
     "gs1_unknown_ai: Digital Link 查询参数中有未知的 GS1 应用标识符（98765）"),
    ("https://id.gs1.org/01/09506000134352?01=09506000134352",
     "dl_duplicate_ai: Digital Link 中商品代码 GTIN（AI 01）出现了不止一次"),
    ("https://id.gs1.org/00/106141412345678908", "gtin_missing: Digital Link 的路径中没有 GTIN"),
    ("https://id.gs1.org/414/9520123456788", "路径中没有 GTIN"),
    ("https://example.com/product?17=261231", "路径中没有 GTIN"),
    ("https://example.com/", "既不是追溯网址"),
    ("https://example.com/products/6901234567892", "既不是追溯网址"),
    # GS1's Digital Link rules: qualifiers belong in the path, no AI twice, no trailing slash
    ("https://example.com/01/06901234567892?10=QLOT", "dl_belongs_in_path: 批号（AI 10）应写在"),
    ("https://example.com/01/06901234567892?21=QSER",
     "dl_not_attribute: 序列号（AI 21）不能作为 Digital Link 查询参数"),
    ("https://example.com/01/06901234567892/10/L1?10=L1", "dl_duplicate_ai"),
    ("https://example.com/01/06901234567892/10/L1/", "dl_trailing_slash: Digital Link 的路径不能以 / 结尾"),
    ("https://example.com/01/06901234567892/21/S1/10/L1", "dl_bad_path"),  # wrong order
    ("HtTps://example.com/01/06901234567892", "dl_bad_scheme"),
    ("https://[fe80::1%25lo]/01/06901234567892", "dl_bad_host"),
    ("https://example.com/01/06901234567892?250=X", "gs1_requires: 二级序列号（AI 250）必须与"),
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
    ("(01)06901234567891(10)A",
     "gs1_check_digit: 商品代码 GTIN（AI 01）的值 06901234567891：校验位错误：应为 2，实际为 1"),
    ("(01)0690123456789(10)A", "GTIN（AI 01）不完整：需要 14 位，实际 13 位"),
    ("(04)123", "gs1_unknown_ai: 未知的 GS1 应用标识符（04）"),
    ("(10)ABC123(21)0001", "gtin_missing: GS1 数据中没有 GTIN（AI 01）"),
    ("(01)06901234567892(17)261301", "月份 13 不在 01–12 之间"),
    ("(01)06901234567892(17)260230", "2026 年 2 月只有 28 天"),
    ("(01)06901234567892(11)2503", "生产日期（AI 11）不完整"),
    ("(01)06901234567892(10)", "gs1_empty_value: 批号（AI 10）没有值"),
    ("(01)06901234567892(10)" + "X" * 21, "GS1 最多允许 20 位"),
    ("(01)06901234567892(21)" + "X" * 21, "序列号（AI 21）有 21 位"),
    ("(01)06901234567892(10)A B", "批号（AI 10）含有 ' '"),
    ("(01)06901234567892(10)A(10)B", "gs1_repeated_ai: 批号（AI 10）出现了两次，值不相同"),
    ("GTIN(01)06901234567892", "追溯码含有 '('"),  # not bracketed: read as a trace code
    ("(ABC)", "第一个 (AI) 前面有多余的"),
    ("]C10106901234567891", "应为 2，实际为 1"),
    ("]C1010690123456789", "GTIN（AI 01）不完整"),
    ("]d2010690123456789" + GS + "10A", "GTIN（AI 01）不完整：需要 14 位，实际 13 位"),
    ("]d20106901234567892" + "0412", "gs1_unknown_ai: 第 17 位是未知的 GS1 应用标识符"),
    ("]d20106901234567892" + "17" + "2612", "有效期（AI 17）不完整"),
    ("]d20106901234567892" + "17261231" + GS + GS + "X", "gs1_no_ai: 第 27 位应是 GS1 应用标识符"),
    ("]d2" + "10ABC" + GS + "21X", "GS1 数据中没有 GTIN（AI 01）"),
    ("]d20106901234567892" + "10" + "A" * 21, "批号（AI 10）有 21 位"),
    ("]d20106901234567892" + "10AB\x07C", "不可打印字符 U+0007"),
    ("0106901234567892" + GS + "10A\tB", "不可打印字符 U+0009"),
    ("]X", "symbology: 以 ']' 开头，但 ']X' 不是条码识别符"),
    ("]]]", "不是条码识别符"),
])
def test_bad_element_strings(raw, message):
    assert message in rejected(raw)


# --- GS1's dictionary, content checks and rules on AIs together ---------------------------

@pytest.mark.parametrize("raw, extra", [
    ("(01)06901234567892(7030)156ABC123", {"7030": "156ABC123"}),  # processor approval
    ("(01)06901234567892(7039)999XYZ", {"7039": "999XYZ"}),  # 999: several countries
    ("(01)06901234567892(7230)EMXYZ-2024", {"7230": "EMXYZ-2024"}),  # certification reference
    ("(01)06901234567892(21)S1(8030)QUJDRA", {"8030": "QUJDRA"}),  # digital signature
    ("(01)06901234567892(423)156", {"423": "156"}),
    ("(01)06901234567892(423)156410392840250", {"423": "156410392840250"}),  # five countries
    ("(01)06901234567892(7007)250601", {"7007": "250601"}),  # harvest date
    ("(01)06901234567892(7007)250601250615", {"7007": "250601250615"}),  # harvest period
    ("(01)06901234567892(426)156", {"426": "156"}),
    ("(01)06901234567892(3103)001250(3922)1999", {"3103": "001250", "3922": "1999"}),
])
def test_ais_of_the_dictionary_are_read(raw, extra):
    parsed = parse_scan(raw)
    assert (parsed.form, parsed.gtin, parsed.extra) == ("element_string", GTIN, extra)


@pytest.mark.parametrize("raw, message", [
    ("(01)06901234567892(423)1561", "gs1_too_short: 初加工国家（AI 423）第 2 段不完整"),
    ("(01)06901234567892(423)156156156156156156", "gs1_too_long"),  # six countries
    ("(01)06901234567892(423)999", "gs1_country_code: 初加工国家（AI 423）的值 999"),
    ("(01)06901234567892(426)987", "gs1_country_code: 全程加工国家（AI 426）的值 987：不是 ISO 3166"),
    ("(01)06901234567892(7007)2506011", "收获日期（AI 7007）第 2 段不完整：需要 6 位，实际 1 位"),
    ("(01)06901234567892(7006)250600", "gs1_bad_date: 首次冷冻日期（AI 7006）的值 250600"),
    ("(01)06901234567892(3106)000001", "gs1_unknown_ai: 未知的 GS1 应用标识符（3106）"),
    ("(01)06901234567892(3910)9870", "gs1_currency_code"),
    ("(01)06901234567892(7030)987ABC", "gs1_country_code"),
    ("(01)06901234567892(02)06901234567892(37)1", "gs1_excludes"),
    ("(01)06901234567892(250)X", "gs1_requires: 二级序列号（AI 250）必须与以下之一同时出现：AI 21"),
    ("(01)06901234567892(21)S(235)T", "gs1_excludes: 序列号（AI 21）不能与 第三方序列号（AI 235） 同时出现"),
    ("(01)06901234567892(3103)001250(3102)001250", "gs1_excludes"),  # one net weight only
    ("(01)06901234567892(8030)QUJDRA", "gs1_requires: 数字签名（AI 8030）"),
    ("(01)06901234567892(8030)ABC=", "gs1_bad_character"),  # base64url padding
])
def test_dictionary_formats_and_rules_are_enforced(raw, message):
    assert message in rejected(raw)


def test_two_digit_years_follow_the_sliding_century():
    yy = (THIS_YEAR + 60) % 100  # 60 years ahead by its digits: GS1 reads it as 40 years ago
    parsed = parse_scan(f"(01)06901234567892(17){yy:02d}0100")
    assert parsed.expiry == date(THIS_YEAR - 40, 1, 31)
    ahead = parse_scan(f"(01)06901234567892(11){(THIS_YEAR + 10) % 100:02d}0200")
    assert ahead.produced == date(THIS_YEAR + 10, 2, 1)


@pytest.mark.parametrize("raw, expected", [
    ("]E00036000291452", ParsedCode("retail_barcode", gtin="00036000291452")),  # UPC-A
    ("]E402345673", ParsedCode("retail_barcode", gtin="00000002345673")),
    ("]E069012345678921", None),  # 14 digits after ]E0: not a trace code, refused
    ("]E06901234567892|]e017261231" + "10L1", ParsedCode(
        "element_string", gtin=GTIN, lot="L1", expiry=date(2026, 12, 31))),  # composite
    ("]E3690123456789212", ParsedCode("retail_barcode", gtin=GTIN, extra={"addon": "12"})),
])
def test_ean_symbology_identifiers(raw, expected):
    if expected is None:
        assert "symbology: 条码识别符 ]E0（EAN-13/UPC）后面应是 13 位数字" in rejected(raw)
    else:
        assert parse_scan(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("]E4123456789", "后面应是 8 位数字"),
    ("]E02112345678901", "gs1_check_digit"),
    ("]E06901234567892|]e0250X", "gs1_requires"),  # composite read with the primary GTIN
    ("]E1", "symbology: 只扫到了附加码"),
    ("]C1", "symbology: 条码识别符 ]C1 后面没有 GS1 数据"),
])
def test_bad_ean_symbology_data(raw, message):
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
    ("6901234567891", "gs1_check_digit: GTIN 6901234567891 的校验位错误：应为 2，实际为 1"),
    ("036000291453", "应为 2，实际为 3"),
    ("95011012", "应为 1，实际为 2"),
    ("09506000134353", "应为 2，实际为 3"),
])
def test_bad_retail_barcodes_are_rejected_not_read_as_trace_codes(raw, message):
    assert message in rejected(raw)


def test_symbology_prefix_before_other_forms():
    assert parse_scan("]Q1https://trace.lz.gov.cn/t/ZJ0001", trace_hosts=HOSTS).code == "ZJ0001"
    assert parse_scan("]Q1ZJ-0001").code == "ZJ-0001"
    assert parse_scan("]Q1trace.lz.gov.cn/t/zj0001", trace_hosts=HOSTS).form == "trace_url"
    assert "追溯码含有 ']'" in rejected("]Q1]Q1ZJ-0001")  # one identifier only


# --- whole-input rejections ----------------------------------------------------------------

@pytest.mark.parametrize("raw, message", [
    ("", "code_empty: 扫码内容为空"),
    ("   \t\r\n", "扫码内容为空"),
    ("\u3000", "扫码内容为空"),
    ("A" * 2049, "code_too_long: 扫码内容有 2049 个字符，最多接受 2048 个"),
    ("https://example.com/" + "a" * 2100, "最多接受 2048 个"),
    ("\ufdfa" * 200, "最多接受 2048 个"),  # NFKC expands each of these to 18 characters
    ("ZJ\x000001", "code_control_character: 扫码内容第 3 位有不可打印字符 U+0000"),
    ("ZJ\u200b0001", "不可打印字符 U+200B"),
    ("ZJ" + GS + "0001", "第 1 位应是 GS1 应用标识符"),
    ("https://trace.lz.gov.cn/t/ZJ" + GS + "1", "网址中含有空格或控制字符"),
    ("ZJ\udcff0001", "不可打印字符 U+DCFF"),
])
def test_rejected_inputs(raw, message):
    assert message in rejected(raw)


def test_non_text_is_rejected():
    with pytest.raises(CodeMalformed, match="必须是文本"):
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
    "ＡＢＣ", "０１", "gtin", "lot", "ser", "]E0", "]E4", "]E3", "|]e0", "(423)", "8030", "7007",
    "?10=", "&21=", "3103", "250", "(", "\\(", "%00", "HTTPS://", "[", "]", "=",
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
# Two-digit years cover the century around this year (GS1's sliding century).
THIS_YEAR = current_year()
dates = st.dates(min_value=date(THIS_YEAR - 49, 1, 1), max_value=date(THIS_YEAR + 50, 12, 31))


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


AIS = sorted(gs1.AI_TABLE)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(AIS), st.text(alphabet=CSET82 + "^", max_size=40)),
                max_size=6), st.sampled_from(["]d2", "]C1", "", GS, "(", "https://a/01/"]))
def test_fuzz_every_ai_of_the_dictionary(fields, prefix):
    """Any AI with any value, in any form: a ParsedCode or CodeMalformed, nothing else."""
    if prefix == "(":
        raw = "".join(f"({ai}){value}" for ai, value in fields)
    elif prefix.startswith("https"):
        raw = prefix + "06901234567892?" + "&".join(f"{ai}={quote(v)}" for ai, v in fields)
    else:
        raw = prefix + GS.join(ai + value for ai, value in fields)
    never_anything_but_code_malformed(raw)

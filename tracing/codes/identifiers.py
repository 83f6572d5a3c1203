"""Chinese and GS1 identifiers, validated by their real rules. Pure functions, no I/O.

- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a
  31-character alphabet; characters 9-17 are the organisation code of GB 11714 with its own
  check digit; character 18 is the GB 32100 check character.
- Food production licence ``SC`` + 14 digits and food business licence ``JY`` + 14 digits;
  the filing of a business that only sells prepackaged food (仅销售预包装食品备案, since
  2023-12-01) is ``YB`` + 14 digits in the layout of ``JY``.
- GTIN-8/12/13/14 with the GS1 mod-10 check digit.
- Administrative division codes (GB/T 2260): 6 digits that are or were a division, by the
  full list with its history (:mod:`tracing.codes.divisions`); the same check applies to the
  division inside a credit code (characters 3-8, where the national level ``100000`` is
  valid too) and inside a licence number.

Every ``validate_*`` returns the normalised value or raises :class:`IdentifierError`
whose ``code`` names the broken rule and whose message says it in Chinese.
"""

from __future__ import annotations

import unicodedata

from core.errors import InvalidInput
from core.i18n import T
from tracing.codes import divisions

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Registration authorities (first character) and the organisation categories each allows,
# GB 32100-2015 table 1 and its later additions (A military, N rural collectives):
# 1 机构编制 (1 机关, 2 事业单位, 3 群众团体, 9 其他), 2 外交 (1, 9), 3 司法行政 (1 律师执业
# 机构, 2 公证处, 3 基层法律服务所, 4 司法鉴定机构, 5 仲裁委员会, 9 其他), 4 文化 (1, 9),
# 5 民政 (1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他), 6 旅游 (1, 2, 9), 7 宗教 (1, 2, 9),
# 8 工会 (1, 9), 9 工商 (1 企业, 2 个体工商户, 3 农民专业合作社), A 中央军委改革和编制办公室
# (1, 9), N 农业 (1 组级, 2 村级, 3 乡镇级集体经济组织, 9 其他), Y 其他 (1).
USCC_AUTHORITIES = {
    "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129",
    "7": "129", "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1",
}
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
# Food production licence: first digit of the 3-digit category; food business: main type.
SC_CATEGORY_FIRST = "12"  # 1 food, 2 food additive
JY_BUSINESS_TYPES = "123"  # 1 food sales, 2 catering, 3 canteen


class IdentifierError(InvalidInput):
    """An identifier breaks its rule; ``code`` is stable (e.g. ``uscc_checksum``)."""


def normalise(raw: str) -> str:
    """Full-width to half-width (NFKC), strip spaces, upper-case."""
    return unicodedata.normalize("NFKC", raw).strip().replace(" ", "").upper()


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character for the 8-character organisation code body."""
    # GB 11714 values letters A=10 ... Z=35 (not their index in the credit code alphabet).
    total = sum(int(ch, 36) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_uscc(raw: str, field: str = "uscc") -> str:
    """Return the normalised credit code or raise :class:`IdentifierError`."""
    if not isinstance(raw, str):
        raise IdentifierError(T("统一社会信用代码必须是文本"), field=field, code="uscc_type")
    if raw in _VALID_USCC:  # already normalised (valid codes are ASCII upper-case and digits)
        return raw
    code = normalise(raw)
    if code in _VALID_USCC:  # imports name the same enterprises over and over
        return code
    if len(code) != 18:
        raise IdentifierError(
            T("统一社会信用代码应为 18 位，实际为 {n} 位", n=len(code)), field=field,
            code="uscc_length")
    bad = [ch for ch in code if ch not in USCC_ALPHABET]
    if bad:
        raise IdentifierError(
            T("统一社会信用代码含有 GB 32100 字符集以外的字符 {value!r}（不用 I、O、S、V、Z）", value=bad[0]),
            field=field, code="uscc_charset")
    categories = USCC_AUTHORITIES.get(code[0])
    if categories is None or code[1] not in categories:
        raise IdentifierError(
            T("统一社会信用代码的登记管理部门码和机构类别码 {value!r} 不存在", value=code[:2]), field=field,
            code="uscc_authority")
    if not code[2:8].isdigit() or not divisions.exists(code[2:8], national=True):
        raise IdentifierError(
            T("统一社会信用代码第 3–8 位 {value!r} 不是行政区划代码（GB/T 2260）", value=code[2:8]),
            field=field, code="uscc_division")
    if org_code_check_char(code[8:16]) != code[16]:
        raise IdentifierError(
            T("统一社会信用代码第 9–17 位（组织机构代码）未通过 GB 11714 校验"),
            field=field, code="uscc_org_checksum")
    if uscc_check_char(code[:17]) != code[17]:
        raise IdentifierError(
            T("统一社会信用代码的校验码应为 {uscc_check_char!r}，实际为 {value!r}",
              uscc_check_char=uscc_check_char(code[:17]),
              value=code[17]), field=field, code="uscc_checksum")
    if len(_VALID_USCC) > 100_000:
        _VALID_USCC.clear()
    _VALID_USCC.add(code)
    return code


_VALID_USCC: set[str] = set()


def make_uscc(authority: str, category: str, division: str, org_body: str) -> str:
    """Build a valid credit code from its parts (8-character organisation body)."""
    org = org_body + org_code_check_char(org_body)
    first17 = authority + category + division + org
    return first17 + uscc_check_char(first17)


LICENCE_PREFIXES = ("SC", "JY", "YB")


def validate_licence_no(raw: str, field: str = "licence_no") -> str:
    """``SC`` + 14 digits (food production: 3 category, 6 division, 4 serial, 1 check),
    ``JY`` + 14 digits (food business: 1 type, 6 division, 6 serial, 1 check) or ``YB`` +
    14 digits (prepackaged-food sales filing, laid out as ``JY``)."""
    if not isinstance(raw, str):
        raise IdentifierError(T("许可证编号必须是文本"), field=field, code="licence_type")
    code = normalise(raw)
    prefix, digits = code[:2], code[2:]
    if prefix not in LICENCE_PREFIXES or len(digits) != 14 or not digits.isascii() \
            or not digits.isdigit():
        raise IdentifierError(
            T("许可证（备案）编号应为 SC、JY 或 YB 加 14 位数字"), field=field,
            code="licence_format")
    if prefix == "SC":
        kind_ok, division = digits[0] in SC_CATEGORY_FIRST, digits[3:9]
    else:
        kind_ok, division = digits[0] in JY_BUSINESS_TYPES, digits[1:7]
    if not kind_ok:
        raise IdentifierError(
            T("许可证编号 {code!r} 的类别码不存在", code=code), field=field, code="licence_category")
    if not divisions.exists(division):
        raise IdentifierError(
            T("许可证编号 {code!r} 中的行政区划代码 {division} 不存在（GB/T 2260）", code=code, division=division),
            field=field, code="licence_division")
    return code


def gtin_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for a GTIN body (all digits but the last)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_valid_gtin(raw: str) -> bool:
    """True when ``raw`` is 8, 12, 13 or 14 ASCII digits with a correct check digit."""
    return (isinstance(raw, str) and len(raw) in (8, 12, 13, 14) and raw.isascii()
            and raw.isdigit() and gtin_check_digit(raw[:-1]) == raw[-1])


def validate_gtin(raw: str, field: str = "gtin") -> str:
    """Return the GTIN as given (8/12/13/14 digits) or raise :class:`IdentifierError`."""
    if not isinstance(raw, str):
        raise IdentifierError(T("GTIN 必须是文本"), field=field, code="gtin_type")
    code = normalise(raw)
    if len(code) not in (8, 12, 13, 14) or not code.isascii() or not code.isdigit():
        raise IdentifierError(T("GTIN 应为 8、12、13 或 14 位数字"), field=field,
                              code="gtin_format")
    if not is_valid_gtin(code):
        raise IdentifierError(
            T("GTIN 的校验位应为 {gtin_check_digit}，实际为 {value}",
              gtin_check_digit=gtin_check_digit(code[:-1]), value=code[-1]),
            field=field, code="gtin_checksum")
    return code


def gtin14(gtin: str) -> str:
    """The 14-digit form of a valid GTIN (left-padded with zeros), as GS1 keys compare."""
    return gtin.rjust(14, "0")


def validate_division_code(raw: str, field: str = "division_code") -> str:
    """Six digits that are or were a GB/T 2260 division (province, city or county level)."""
    if not isinstance(raw, str):
        raise IdentifierError(T("行政区划代码必须是文本"), field=field, code="division_type")
    code = normalise(raw)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise IdentifierError(T("行政区划代码应为 6 位数字"), field=field,
                              code="division_format")
    if not divisions.exists(code):
        raise IdentifierError(T("行政区划代码 {code} 不存在（GB/T 2260）", code=code), field=field,
                              code="division_unknown")
    return code


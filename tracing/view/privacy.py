"""Personal data in what the public reads: masked names, scrubbed free text. Pure functions.

- A counterparty or actor that is a natural person is masked (王小明 -> 王**), an enterprise is
  not (:func:`is_natural_person`: a valid unified social credit code, a name that is a credit
  code, or a name with a word of an organisation is an enterprise; any other name is taken to
  be a person's, since showing a person's name is the worse mistake).
- :func:`scrub` masks, in any free text: resident ID numbers (18 characters whose check
  character and birth date are right: 450204********1234), mobile numbers (with or without
  +86 and separators: 138****8000), landline numbers (with an area code: 0772-*****78) and
  vehicle plates (桂B·12345 -> 桂B*****). Service numbers (12315, 400/800 lines) stay.
- :func:`scrub_all` applies :func:`scrub` to every string inside a JSON-like value.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from tracing.codes.identifiers import IdentifierError, validate_uscc

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
MOBILE_RE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
LANDLINE_RE = re.compile(
    r"(?<![0-9])([(（]?0\d{2,3}[)）]?)([ \-－—]?)([2-9]\d{2,3}[ -]?\d{2})(\d{2})"
    r"(?:(?:转|-|ext\.?)\d{1,5})?(?![0-9])")
PLATE_RE = re.compile(
    r"(?<![A-Za-z0-9])([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])"
    r"([A-HJ-NP-Z])[·•・ -]?"
    r"([DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])"
    r"(?![A-Za-z0-9])")
# Words of organisations: a name with one is an enterprise's (or an authority's)
ORG_WORDS = (
    "公司", "集团", "企业", "商贸", "贸易", "实业", "超市", "商场", "市场", "商行", "商店",
    "商铺", "门市", "经营部", "批发", "零售", "连锁", "专卖", "餐饮", "饭店", "酒店", "酒楼",
    "食堂", "餐厅", "快餐", "小吃", "学校", "幼儿园", "医院", "大学", "学院", "政府", "委员会",
    "协会", "合作社", "基地", "农场", "牧场", "渔场", "林场", "养殖", "种植", "屠宰", "加工",
    "食品", "工作室", "中心", "有限", "股份", "分店", "门店", "药房", "药店", "冷库", "物流",
    "配送", "仓储", "农业", "水产", "肉联", "Co.", "Ltd", "Inc", "LLC", "GmbH", "Corp",
    "Company", "Limited",
)
_ORG_RE = re.compile("|".join(re.escape(w) for w in ORG_WORDS), re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
# One-character ends of organisation names (…店, …厂): only in names of 4 or more characters,
# since a two- or three-character name ending so is more likely a person's (李德行)
ORG_ENDS = "店厂行社场站部局院馆所铺坊园队处室"
_NOTE_RE = re.compile(r"[（(][^（()）]*[）)]$")


def mask_name(name: str | None) -> str | None:
    """A person's name as the public may see it: first character, then one star per
    character (at most three): 谭军 -> 谭*, 王小明 -> 王**, Li Wei -> L***."""
    if not name:
        return None
    name = name.strip()
    return name[:1] + "*" * min(3, max(1, len(name) - 1))


def _valid_uscc(value: object) -> bool:
    if not isinstance(value, str) or len(value.strip()) != 18:
        return False
    try:
        validate_uscc(value)
    except IdentifierError:
        return False
    return True


def is_natural_person(name: str | None, *, uscc: str | None = None) -> bool:
    """Whether a counterparty or actor named ``name`` is (to be treated as) a natural person."""
    if not name or not name.strip() or _valid_uscc(uscc):
        return False
    return _person_name(name)


@lru_cache(maxsize=8192)
def _person_name(name: str) -> bool:
    text = unicodedata.normalize("NFKC", name).strip()
    if _valid_uscc(text) or _ORG_RE.search(text):
        return False
    core = _NOTE_RE.sub("", text).strip()  # 张三水果店（13800138000）: the name before a note
    return not (len(core) >= 4 and core[-1] in ORG_ENDS)


def mask_person(name: str | None, *, uscc: str | None = None) -> str | None:
    """``name`` masked when it is a natural person's, else as it is (free text scrubbed)."""
    if not name or not isinstance(name, str):
        return name
    return _mask_person(name, uscc if isinstance(uscc, str) else None)


@lru_cache(maxsize=8192)
def _mask_person(name: str, uscc: str | None) -> str | None:
    if is_natural_person(name, uscc=uscc):
        return mask_name(name)
    return scrub(name)


def _id_ok(match: re.Match) -> bool:
    body = "".join(match.groups()[:3])
    check = ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]
    if match.group(4).upper() != check:
        return False
    birth = match.group(2)
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _id(match: re.Match) -> str:
    if not _id_ok(match):
        return match.group(0)
    return match.group(1) + "*" * 8 + match.group(3) + match.group(4)


def _landline(match: re.Match) -> str:
    area, sep, middle, last = match.group(1), match.group(2), match.group(3), match.group(4)
    digits = sum(ch.isdigit() for ch in middle)
    if not sep and area[-1] not in ")）":
        sep = "-"
    return f"{area}{sep}{'*' * digits}{last}"


def scrub(text: str | None) -> str | None:
    """Free text with ID numbers, phone numbers and vehicle plates masked."""
    if not text or not isinstance(text, str) or not _DIGIT_RE.search(text):
        return text  # every pattern has digits (a plate has at least three)
    return _scrub(text)


@lru_cache(maxsize=8192)
def _scrub(text: str) -> str:
    text = ID_RE.sub(_id, text)
    text = MOBILE_RE.sub(r"\1****\3", text)
    text = LANDLINE_RE.sub(_landline, text)
    return PLATE_RE.sub(lambda m: m.group(1) + m.group(2) + "*" * len(m.group(3)), text)


def scrub_all(value):
    """:func:`scrub` on every string of a JSON-like value (dicts, lists); a new value."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: scrub_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_all(v) for v in value]
    return value

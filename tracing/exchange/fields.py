"""Field parsers for exchange records. Pure: each takes (value, field) and returns the
normalised value or raises :class:`RecordError` with a stable code naming the field."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timezone
from typing import Any, Callable

from core.clock import SHANGHAI
from core.errors import InvalidInput
from core.i18n import T
from tracing.codes import identifiers
from tracing.codes.parse import is_trace_code, normalise_code

Parser = Callable[[Any, str], Any]

# China's extent (WGS-84): division codes are Chinese, so every place lies in this box.
CHINA_LAT = (3.5, 53.6)
CHINA_LNG = (73.4, 135.1)
KEY_MAX = 128  # docs/exchange.md v1.1: keys are printable text of 1-128 characters
STANDARD_RE = re.compile(r"^[A-Z]{1,4}(\d{2})?(/[A-Z]{1,8})?\s?[0-9A-Z][0-9A-Za-z.\-/ —]{0,40}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
# In free-form values (unknown fields, the open parts of place and detail): tab, newline and
# carriage return are text; any other C0 control character, NUL above all, is not.
_FREE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
PHONE_RE = re.compile(r"^[0-9+()\- ]{5,40}$")


class RecordError(InvalidInput):
    """One record is rejected; ``code`` is stable, ``field`` names the offending field."""


def text(max_len: int) -> Parser:
    def parse(value: Any, field: str) -> str:
        # Most text needs nothing done: printable (so no control character and no whitespace
        # but the ASCII space), not empty, not too long, no surrounding space.
        if type(value) is str and value.isprintable() and 0 < len(value) <= max_len \
                and value[0] != " " != value[-1]:
            return value
        if not isinstance(value, str):
            raise RecordError(T("{field} 必须是文本", field=field), field=field, code="wrong_type")
        value = value.strip()
        if not value:
            raise RecordError(T("{field} 不能为空", field=field), field=field, code="empty")
        if len(value) > max_len:
            raise RecordError(T("{field} 超过 {max_len} 个字符",
                                field=field, max_len=max_len), field=field,
                              code="too_long")
        if _CONTROL.search(value):
            raise RecordError(T("{field} 含有控制字符", field=field), field=field,
                              code="control_characters")
        return value
    return parse


_text64 = text(64)


def check_strings(value: Any, field: str | None = None) -> None:
    """Refuse a control character in any string or object key anywhere inside ``value``
    (``control_characters``, naming the path): PostgreSQL cannot store NUL at all, and the
    two databases must accept the same records."""
    if isinstance(value, str):
        if _FREE_CONTROL.search(value):
            raise RecordError(T("{field} 含有控制字符（如 NUL）", field=field), field=field,
                              code="control_characters")
    elif isinstance(value, dict):
        for name, item in value.items():
            path = _path(field, name)
            if _FREE_CONTROL.search(name):
                raise RecordError(T("{path} 的字段名含有控制字符（如 NUL）", path=path), field=path,
                                  code="control_characters")
            check_strings(item, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_strings(item, f"{field}[{i}]")


def check_values(values: dict[str, Any]) -> None:
    """:func:`check_strings` over a validated record's values, each named by its field
    (unknown fields, gathered in ``extra``, by their own names)."""
    for name, value in values.items():
        check_strings(value, None if name == "extra" else name)


def _path(parent: str | None, name: str) -> str:
    """The field path of ``name`` inside ``parent``; control characters shown escaped."""
    shown = name if not _FREE_CONTROL.search(name) else name.encode(
        "unicode_escape").decode("ascii")
    return shown if parent is None else f"{parent}.{shown}"


def key(value: Any, field: str) -> str:
    """A record key (docs/exchange.md v1.1): any printable text, NFC-normalised, surrounding
    spaces removed, 1-128 characters. Real case numbers (柳市监处罚〔2026〕88号) are keys as
    they are written."""
    if type(value) is str and value.isascii() and value.isalnum() and len(value) <= KEY_MAX:
        return value  # most keys
    if not isinstance(value, str):
        raise RecordError(T("{field} 必须是文本", field=field), field=field, code="wrong_type")
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise RecordError(T("{field} 不能为空", field=field), field=field, code="empty")
    if len(value) > KEY_MAX:
        raise RecordError(T("{field} 超过 {KEY_MAX} 个字符",
                            field=field, KEY_MAX=KEY_MAX), field=field, code="too_long")
    if not value.isprintable() and not _printable(value):
        bad = next(ch for ch in value if not _printable(ch))
        control = unicodedata.category(bad) == "Cc"
        raise RecordError(
            (T("{field} 含有控制字符 U+{code:04X}，键只能是可打印文本", field=field, code=ord(bad))
             if control else
             T("{field} 含有不可打印字符 U+{code:04X}，键只能是可打印文本", field=field, code=ord(bad))), field=field,
            code="control_characters" if control else "bad_key")
    return value


def _printable(value: str) -> bool:
    """Printable in the exchange's sense: Python's rule (no controls, formats such as
    zero-width spaces, surrogates, private use, unassigned, line or paragraph separators),
    but every space separator allowed (U+3000 too)."""
    return all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in value)


def choice(*options: Any) -> Parser:
    def parse(value: Any, field: str) -> Any:
        if value not in options or isinstance(value, bool):
            shown = ", ".join(map(str, options))
            raise RecordError(T("{field} 须为 {shown} 之一，收到的是 {value!r}",
                                field=field, shown=shown, value=value), field=field,
                              code="invalid_value")
        return value
    return parse


def number(low: float, high: float) -> Parser:
    def parse(value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RecordError(T("{field} 必须是数字", field=field), field=field, code="wrong_type")
        if not math.isfinite(value) or not low <= value <= high:
            raise RecordError(T("{field} 须在 {low} 与 {high} 之间，收到的是 {value}",
                                field=field, low=low, high=high, value=value),
                              field=field, code="out_of_range")
        return float(value)
    return parse


def integer(low: int, high: int) -> Parser:
    def parse(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(T("{field} 必须是整数", field=field), field=field, code="wrong_type")
        if not low <= value <= high:
            raise RecordError(T("{field} 须在 {low} 与 {high} 之间，收到的是 {value}",
                                field=field, low=low, high=high, value=value),
                              field=field, code="out_of_range")
        return value
    return parse


def _coordinate(limit: float, china: tuple[float, float]) -> Parser:
    """A WGS-84 degree value (within ±limit) that must lie in China's extent."""
    in_range = number(-limit, limit)

    def parse(value: Any, field: str) -> float:
        value = in_range(value, field)
        if not china[0] <= value <= china[1]:
            raise RecordError(T("{field} {value} 不在中国境内", field=field, value=value), field=field,
                              code="coordinate_out_of_range")
        return value
    return parse


latitude = _coordinate(90, CHINA_LAT)
longitude = _coordinate(180, CHINA_LNG)


def day(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise RecordError(T("{field} 必须是 YYYY-MM-DD 格式的日期文本", field=field), field=field,
                          code="wrong_type")
    try:
        if len(value) > 10:  # a full timestamp is accepted; its Shanghai date is kept
            return moment(value, field).astimezone(SHANGHAI).date()
        return date.fromisoformat(value)
    except RecordError as exc:
        if exc.code != "bad_datetime":
            raise
        raise RecordError(T("{field} {value!r} 不是 YYYY-MM-DD 格式的日期",
                            field=field, value=value), field=field,
                          code="bad_date") from None
    except ValueError:
        raise RecordError(T("{field} {value!r} 不是 YYYY-MM-DD 格式的日期",
                            field=field, value=value), field=field,
                          code="bad_date") from None


def moment(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise RecordError(T("{field} 必须是 ISO 8601 格式的时间文本",
                            field=field), field=field, code="wrong_type")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(T("{field} {value!r} 不是 ISO 8601 格式的时间",
                            field=field, value=value), field=field,
                          code="bad_datetime") from None
    if parsed.tzinfo is None:
        raise RecordError(T("{field} {value!r} 须带时区偏移，如 +08:00",
                            field=field, value=value), field=field,
                          code="datetime_needs_offset")
    return parsed.astimezone(timezone.utc)


def string_list(max_items: int, max_len: int) -> Parser:
    def parse(value: Any, field: str) -> list[str]:
        if not isinstance(value, list):
            raise RecordError(T("{field} 必须是列表", field=field), field=field, code="wrong_type")
        if len(value) > max_items:
            raise RecordError(T("{field} 超过 {max_items} 项",
                                field=field, max_items=max_items), field=field,
                              code="too_long")
        parse_item = text(max_len)
        return [parse_item(item, f"{field}[{i}]") for i, item in enumerate(value)]
    return parse


def key_list(max_items: int) -> Parser:
    parse_items = string_list(max_items, KEY_MAX)

    def parse(value: Any, field: str) -> list[str]:
        items = parse_items(value, field)
        return [key(item, f"{field}[{i}]") for i, item in enumerate(items)]
    return parse


def obj(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise RecordError(T("{field} 必须是 JSON 对象", field=field), field=field, code="wrong_type")
    return value


def trace_code(value: Any, field: str) -> str:
    value = normalise_code(_text64(value, field))
    if not is_trace_code(value):
        raise RecordError(T("{field} {value!r} 不是有效的追溯码（4–64 位 A-Z 0-9 . _ / -）",
                            field=field, value=value),
                          field=field, code="bad_code")
    return value


def alias_code(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise RecordError(T("{field} 必须是文本", field=field), field=field, code="wrong_type")
    return text(128)(normalise_code(value), field)


def standard(value: Any, field: str) -> str:
    value = text(100)(value, field)
    if not STANDARD_RE.match(value):
        raise RecordError(T("{field} {value!r} 不是标准编号（如 GB/T 1234 或 Q/LZ 0001S）",
                            field=field, value=value), field=field, code="bad_standard")
    return value


def sha256(value: Any, field: str) -> str:
    """A SHA-256 digest as 64 hexadecimal digits (kept in lower case)."""
    value = text(64)(value, field).lower()
    if len(value) != 64 or not all(ch in "0123456789abcdef" for ch in value):
        raise RecordError(T("{field} 应为 SHA-256 摘要（64 位十六进制数字）", field=field), field=field,
                          code="bad_sha256")
    return value


_PLATE_MARKS = str.maketrans("", "", " ·•・.-_")


def plate(value: Any, field: str) -> str:
    """A vehicle plate (车牌号), written the way it is read: full-width letters and digits made
    half-width, Latin letters upper case, spaces and separator dots dropped (桂B·12345 →
    桂B12345). Plates of other countries pass as they are."""
    value = text(20)(value, field)
    value = unicodedata.normalize("NFKC", value).upper().translate(_PLATE_MARKS)
    if not value:
        raise RecordError(T("{field} 不是车牌号", field=field), field=field, code="empty")
    return value


def phone(value: Any, field: str) -> str:
    value = text(40)(value, field)
    if not PHONE_RE.match(value):
        raise RecordError(T("{field} {value!r} 不是电话号码", field=field, value=value), field=field,
                          code="bad_phone")
    return value


def _identifier(check: Callable[[str, str], str]) -> Parser:
    def parse(value: Any, field: str) -> str:
        try:
            return check(value, field)
        except identifiers.IdentifierError as exc:
            raise RecordError(exc.message, field=field, code=exc.code) from None
    return parse


uscc = _identifier(identifiers.validate_uscc)
licence = _identifier(identifiers.validate_licence_no)
gtin = _identifier(identifiers.validate_gtin)
division = _identifier(identifiers.validate_division_code)

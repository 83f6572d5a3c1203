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
            raise RecordError(f"{field} must be a string", field=field, code="wrong_type")
        value = value.strip()
        if not value:
            raise RecordError(f"{field} must not be empty", field=field, code="empty")
        if len(value) > max_len:
            raise RecordError(f"{field} is longer than {max_len} characters", field=field,
                              code="too_long")
        if _CONTROL.search(value):
            raise RecordError(f"{field} contains control characters", field=field,
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
            raise RecordError(f"{field} 含有控制字符（如 NUL）", field=field,
                              code="control_characters")
    elif isinstance(value, dict):
        for name, item in value.items():
            path = _path(field, name)
            if _FREE_CONTROL.search(name):
                raise RecordError(f"{path} 的字段名含有控制字符（如 NUL）", field=path,
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
        raise RecordError(f"{field} 必须是文本", field=field, code="wrong_type")
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise RecordError(f"{field} 不能为空", field=field, code="empty")
    if len(value) > KEY_MAX:
        raise RecordError(f"{field} 超过 {KEY_MAX} 个字符", field=field, code="too_long")
    if not value.isprintable() and not _printable(value):
        bad = next(ch for ch in value if not _printable(ch))
        control = unicodedata.category(bad) == "Cc"
        raise RecordError(
            f"{field} 含有{'控制字符' if control else '不可打印字符'} U+{ord(bad):04X}，"
            "键只能是可打印文本", field=field,
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
            raise RecordError(f"{field} must be one of {shown}, got {value!r}", field=field,
                              code="invalid_value")
        return value
    return parse


def number(low: float, high: float) -> Parser:
    def parse(value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RecordError(f"{field} must be a number", field=field, code="wrong_type")
        if not math.isfinite(value) or not low <= value <= high:
            raise RecordError(f"{field} must be between {low} and {high}, got {value}",
                              field=field, code="out_of_range")
        return float(value)
    return parse


def integer(low: int, high: int) -> Parser:
    def parse(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(f"{field} must be an integer", field=field, code="wrong_type")
        if not low <= value <= high:
            raise RecordError(f"{field} must be between {low} and {high}, got {value}",
                              field=field, code="out_of_range")
        return value
    return parse


def _coordinate(limit: float, china: tuple[float, float]) -> Parser:
    """A WGS-84 degree value (within ±limit) that must lie in China's extent."""
    in_range = number(-limit, limit)

    def parse(value: Any, field: str) -> float:
        value = in_range(value, field)
        if not china[0] <= value <= china[1]:
            raise RecordError(f"{field} {value} lies outside China", field=field,
                              code="coordinate_out_of_range")
        return value
    return parse


latitude = _coordinate(90, CHINA_LAT)
longitude = _coordinate(180, CHINA_LNG)


def day(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise RecordError(f"{field} must be a date string YYYY-MM-DD", field=field,
                          code="wrong_type")
    try:
        if len(value) > 10:  # a full timestamp is accepted; its Shanghai date is kept
            return moment(value, field).astimezone(SHANGHAI).date()
        return date.fromisoformat(value)
    except RecordError as exc:
        if exc.code != "bad_datetime":
            raise
        raise RecordError(f"{field} {value!r} is not a date YYYY-MM-DD", field=field,
                          code="bad_date") from None
    except ValueError:
        raise RecordError(f"{field} {value!r} is not a date YYYY-MM-DD", field=field,
                          code="bad_date") from None


def moment(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise RecordError(f"{field} must be an ISO 8601 string", field=field, code="wrong_type")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{field} {value!r} is not an ISO 8601 time", field=field,
                          code="bad_datetime") from None
    if parsed.tzinfo is None:
        raise RecordError(f"{field} {value!r} needs a UTC offset such as +08:00", field=field,
                          code="datetime_needs_offset")
    return parsed.astimezone(timezone.utc)


def string_list(max_items: int, max_len: int) -> Parser:
    def parse(value: Any, field: str) -> list[str]:
        if not isinstance(value, list):
            raise RecordError(f"{field} must be a list", field=field, code="wrong_type")
        if len(value) > max_items:
            raise RecordError(f"{field} has more than {max_items} items", field=field,
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
        raise RecordError(f"{field} must be an object", field=field, code="wrong_type")
    return value


def trace_code(value: Any, field: str) -> str:
    value = normalise_code(_text64(value, field))
    if not is_trace_code(value):
        raise RecordError(f"{field} {value!r} is not a valid trace code (4-64 of A-Z 0-9 . _ / -)",
                          field=field, code="bad_code")
    return value


def alias_code(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise RecordError(f"{field} must be a string", field=field, code="wrong_type")
    return text(128)(normalise_code(value), field)


def standard(value: Any, field: str) -> str:
    value = text(100)(value, field)
    if not STANDARD_RE.match(value):
        raise RecordError(f"{field} {value!r} is not a standard number like GB/T 1234 or "
                          "Q/LZ 0001S", field=field, code="bad_standard")
    return value


def sha256(value: Any, field: str) -> str:
    """A SHA-256 digest as 64 hexadecimal digits (kept in lower case)."""
    value = text(64)(value, field).lower()
    if len(value) != 64 or not all(ch in "0123456789abcdef" for ch in value):
        raise RecordError(f"{field} 应为 SHA-256 摘要（64 位十六进制数字）", field=field,
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
        raise RecordError(f"{field} 不是车牌号", field=field, code="empty")
    return value


def phone(value: Any, field: str) -> str:
    value = text(40)(value, field)
    if not PHONE_RE.match(value):
        raise RecordError(f"{field} {value!r} is not a phone number", field=field,
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

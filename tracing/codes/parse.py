"""Trace code parsing: every form a scanner can return. Pure functions, no I/O.

:func:`parse_scan` turns what a camera, a barcode gun or a person typed into a
:class:`ParsedCode`, or raises :class:`CodeMalformed` (code ``code_malformed``, field ``code``)
with a Chinese sentence saying what is wrong and a stable ``rule`` naming the broken rule
(``gs1_check_digit``, ``gs1_requires``, ``dl_duplicate_ai``...). The forms, tried in this order
after NFKC (full-width to half-width) and stripping surrounding whitespace (a leading ``]XY``
symbology identifier is handled first, see 2):

1. ``http(s)://`` URL (scheme and host in any case, as upper-case QR payloads use):
   - trace URL ``/t/<code>`` (optional trailing slash; query and fragment ignored) on any
     host. The host (ASCII, lower case, with its port) is kept in ``ParsedCode.host``:
     whether it is the platform's own is decided per request (``tracing.codes.hosts``), and a
     code on another host is shown with a warning, never refused. A host that is no DNS name
     or IP address is refused.
   - GS1 Digital Link on any host, read by :mod:`tracing.codes.gs1_dl` (GS1's URI rules: key
     and qualifiers in order in the path, AI attributes in the query, no AI twice); it must
     carry a GTIN (``/01/<gtin>``, or the 1.0 name ``/gtin/``). Its host is kept too.
   - enterprise URL ``/e/<credit code>`` (the enterprise's own code, 主体码, posted at a
     stall or shop door) on any host, its host kept as for a trace URL: ``enterprise`` is set.
   - any other URL is neither form and is rejected.
   A scheme-less ``<trace host>/t/<code>`` (or ``/e/<credit code>``) is read as a URL too, for
   the ``trace_hosts`` given (the official hosts).
2. ``]XY`` symbology identifier (ISO/IEC 15424): ``]C1 ]e0 ]d2 ]Q3 ]J1`` introduce GS1 data (an
   element string); ``]E0`` is EAN-13/UPC-A/UPC-E as 13 digits and ``]E4`` EAN-8 as 8, each
   optionally followed by ``|]e0`` and the AIs of a composite component; ``]E3`` is an EAN
   with its 2- or 5-digit add-on (kept in ``extra["addon"]``); ``]E1``/``]E2`` (an add-on
   alone) are no product code. Any other (``]Q1``, ``]d1``, ``]I1``...) is dropped and the rest
   parsed as below.
3. Element string in brackets ``(01)06901234567892(17)261231(10)ABC123``.
4. Element string with GS (``\\x1d``, or the visible ``\\u241d``) as FNC1.
5. Digits only, 8/12/13/14 long: a retail barcode (EAN-8, UPC-A, EAN-13, GTIN-14). A bad
   check digit is rejected, *not* read as a trace code: a digit string of GTIN length is far
   more likely a mistyped or misread barcode than a trace code, and a wrong GTIN would
   silently show another product. Trace codes of exactly those lengths in digits only are
   therefore not supported; issue them with another length or a letter.
6. ``01`` + 14 digits with no brackets and no GS (a scanner that drops FNC1) is an element
   string when it parses completely and passes GS1's rules; otherwise it falls through to 7.
7. 18 characters that pass every rule of a unified social credit code (GB 32100, division
   and both check characters) are an enterprise's own code (``enterprise``). A trace code
   that happens to read as a valid credit code is still found: the scan falls back to it
   when no enterprise has that credit code.
8. Anything matching ``CODE_RE`` after upper-casing is a trace code (this platform's or
   another region's; aliases are resolved elsewhere).

GS1 data is checked against GS1's Barcode Syntax Dictionary (:mod:`tracing.codes.gs1`): each
AI's format and content, then the rules on AIs together (``req``/``ex``, one value per AI).
Trace codes are upper-cased; GS1 lot and serial keep their case. Dates follow
``tracing.codes.gs1`` (YYMMDD, GS1's sliding century, DD=00 is end of month for expiry).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from core.errors import InvalidInput
from core.i18n import T
from tracing.codes import gs1, gs1_dl
from tracing.codes.hosts import normal_host
from tracing.codes.identifiers import IdentifierError, validate_uscc

# A trace code as stored: 4-64 characters of upper-case letters, digits and - _ . /
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{3,63}$")
MAX_SCAN_LENGTH = 2048
GS1_SYMBOLOGIES = {"]C1", "]e0", "]d2", "]Q3", "]J1"}
EAN_SYMBOLOGIES = {"]E0": 13, "]E4": 8}
SYMBOLOGY_RE = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
URL_RE = re.compile(r"^https?://", re.IGNORECASE)
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
COMPOSITE = "|]e0"
ASCII_CONTROL_RE = re.compile(r"[\x00-\x1c\x1e\x1f\x7f]")  # GS (\x1d) is FNC1
SPACE_OR_GS_RE = re.compile(r"[\s\x1d]")


class CodeMalformed(InvalidInput):
    """The scanned text is no code of ours; ``rule`` names the broken rule (stable)."""

    code = "code_malformed"

    def __init__(self, message: str, *, field: str | None = "code", rule: str = "code_format"):
        super().__init__(message, field=field)
        self.rule = rule

    def as_dict(self) -> dict:
        return {**super().as_dict(), "rule": self.rule}


def normalise_code(raw: str) -> str:
    """Full-width to half-width, surrounding whitespace stripped, upper-case."""
    return unicodedata.normalize("NFKC", raw).strip().upper()


def is_trace_code(code: str) -> bool:
    """True when an already normalised string has the shape of a stored trace code."""
    return bool(CODE_RE.match(code))


@dataclass(frozen=True)
class ParsedCode:
    """One scan, understood. ``code`` for trace codes and URLs, ``gtin`` etc. for GS1 forms."""

    # trace_code | trace_url | digital_link | element_string | retail_barcode
    # | enterprise_url | enterprise_code
    form: str
    code: str | None = None
    gtin: str | None = None  # always 14 digits
    lot: str | None = None  # AI 10
    serial: str | None = None  # AI 21
    expiry: date | None = None  # AI 17
    produced: date | None = None  # AI 11
    extra: dict = field(default_factory=dict)  # other AIs (raw values), query attributes
    # The host a URL form names (tracing.codes.hosts.normal_host); it does not change what the
    # code names, so it takes no part in equality
    host: str | None = field(default=None, compare=False)
    enterprise: str | None = None  # the credit code of an enterprise's own code

    def keys(self) -> list[tuple[str, str]]:
        """Lookup keys, most specific first: serial, lot, GTIN (resolver fallback), or code."""
        if self.enterprise is not None:
            return [("enterprise", self.enterprise)]
        if self.code is not None:
            return [("code", self.code)]
        found = []
        if self.serial is not None:
            found.append(("serial", self.gtin + self.serial))
        if self.lot is not None:
            found.append(("lot", self.gtin + self.lot))
        return [*found, ("gtin", self.gtin)]

    def as_dict(self) -> dict:
        """JSON-ready: dates as ISO strings."""
        return {"form": self.form, "code": self.code, "gtin": self.gtin, "lot": self.lot,
                "serial": self.serial, "extra": dict(self.extra), "enterprise": self.enterprise,
                "expiry": self.expiry.isoformat() if self.expiry else None,
                "produced": self.produced.isoformat() if self.produced else None}


def _bad(message: str, rule: str = "code_format") -> NoReturn:
    raise CodeMalformed(message, field="code", rule=rule)


def parse_scan(raw: str, *, trace_hosts: Collection[str] = ()) -> ParsedCode:
    """Parse one scanned or typed code; raise :class:`CodeMalformed` when it is none of ours."""
    if not isinstance(raw, str):
        _bad(T("扫码内容必须是文本"), "code_type")
    if len(raw) > MAX_SCAN_LENGTH:
        _bad(T("扫码内容有 {n} 个字符，最多接受 {MAX_SCAN_LENGTH} 个",
               n=len(raw), MAX_SCAN_LENGTH=MAX_SCAN_LENGTH), "code_too_long")
    text = unicodedata.normalize("NFKC", raw).replace("\u241d", gs1.GS)
    text = text.strip().strip("\ufeff\u200b").strip()  # whitespace, BOM, zero-width space
    if not text:
        _bad(T("扫码内容为空"), "code_empty")
    if len(text) > MAX_SCAN_LENGTH:
        _bad(T("扫码内容有 {n} 个字符，最多接受 {MAX_SCAN_LENGTH} 个",
               n=len(text), MAX_SCAN_LENGTH=MAX_SCAN_LENGTH), "code_too_long")
    if not text.isascii() or ASCII_CONTROL_RE.search(text):
        for pos, ch in enumerate(text):
            if ch != gs1.GS and unicodedata.category(ch)[0] == "C":
                _bad(T("扫码内容第 {value} 位有不可打印字符 U+{ord:04X}", value=pos + 1, ord=ord(ch)),
                     "code_control_character")
    try:
        return _parse_text(text, {h.strip().lower() for h in trace_hosts if h.strip()})
    except gs1.GS1Error as error:
        _bad(error.message, error.rule)


def _parse_text(text: str, hosts: set[str], symbology: bool = True) -> ParsedCode:
    if symbology and text.startswith("]"):
        return _parse_symbology(text, hosts)
    if any(text.lower().startswith(h + "/") for h in hosts):
        text = "https://" + text
    if URL_RE.match(text):
        return _parse_url(text)
    if SCHEME_RE.match(text):
        _bad(T("只接受 http 和 https 网址，收到的是 {value!r}", value=text.split('://')[0]), "url_scheme")
    if text.startswith("("):
        return _from_ais(gs1.parse_bracketed(text), "element_string")
    if gs1.GS in text:
        return _from_ais(gs1.parse_element_string(text), "element_string")
    if text.isascii() and text.isdigit() and len(text) in (8, 12, 13, 14):
        return ParsedCode("retail_barcode", gtin=gs1.check_gtin(text).rjust(14, "0"))
    if text.startswith("01") and len(text) >= 16 and text[2:16].isdigit():
        try:
            return _from_ais(gs1.parse_element_string(text), "element_string")
        except (gs1.GS1Error, CodeMalformed):
            pass
    if len(text) == 18 and text.isascii() and text.isalnum():
        try:
            return ParsedCode("enterprise_code", enterprise=validate_uscc(text))
        except IdentifierError:
            pass
    return _trace_code(text, "trace_code")


def _parse_symbology(text: str, hosts: set[str]) -> ParsedCode:
    prefix, rest = text[:3], text[3:]
    if not SYMBOLOGY_RE.match(text):
        _bad(T("以 ']' 开头，但 {prefix!r} 不是条码识别符", prefix=prefix), "symbology")
    if prefix in GS1_SYMBOLOGIES:
        if not rest:
            _bad(T("条码识别符 {prefix} 后面没有 GS1 数据", prefix=prefix), "symbology")
        return _from_ais(gs1.parse_element_string(rest), "element_string")
    if prefix in EAN_SYMBOLOGIES:
        return _ean(prefix, rest)
    if prefix == "]E3":
        return _ean_with_addon(rest)
    if prefix in ("]E1", "]E2"):
        _bad(T("只扫到了附加码，没有商品条码"), "symbology")
    return _parse_text(rest.strip(), hosts, symbology=False)


def _ean(prefix: str, rest: str) -> ParsedCode:
    size = EAN_SYMBOLOGIES[prefix]
    digits, sep, composite = rest.partition(COMPOSITE)
    name = "EAN-13/UPC" if size == 13 else "EAN-8"
    if len(digits) != size or not (digits.isascii() and digits.isdigit()):
        _bad(T("条码识别符 {prefix}（{name}）后面应是 {size} 位数字，实际为 {value!r}",
               prefix=prefix, name=name, size=size, value=digits[:20]),
             "symbology")
    gtin = gs1.check_gtin(digits).rjust(14, "0")
    if not sep:
        return ParsedCode("retail_barcode", gtin=gtin)
    return _from_ais([("01", gtin), *gs1.parse_element_string(composite)], "element_string")


def _ean_with_addon(rest: str) -> ParsedCode:
    size = {15: 13, 18: 13, 10: 8, 13: 8}.get(len(rest))
    if size is None or not (rest.isascii() and rest.isdigit()):
        _bad(T("条码识别符 ]E3 后面应是 EAN 条码加 2 位或 5 位附加码"), "symbology")
    gtin = gs1.check_gtin(rest[:size]).rjust(14, "0")
    return ParsedCode("retail_barcode", gtin=gtin, extra={"addon": rest[size:]})


def _trace_code(text: str, form: str) -> ParsedCode:
    code = text.upper()
    if text.isascii() and CODE_RE.match(code):  # ASCII first: "ß".upper() is "SS"
        return ParsedCode(form, code=code)
    what = T("追溯网址中的追溯码") if form == "trace_url" else T("追溯码")
    if any(ch.isspace() for ch in code):
        _bad(T("{what}含有空格，请去掉空格后再输入", what=what), "code_space")
    bad = next((ch for ch in text if not re.match(r"[A-Za-z0-9._/-]", ch)), None)
    if bad is not None:
        _bad(T("{what}含有 {bad!r}；追溯码只能由字母、数字和 - _ . / 组成", what=what, bad=bad), "code_character")
    if len(code) < 4 or len(code) > 64:
        _bad(T("{what}长度应为 4 到 64 个字符，实际为 {n} 个", what=what, n=len(code)), "code_length")
    _bad(T("{what}必须以字母或数字开头", what=what), "code_character")


def _from_ais(pairs: list[tuple[str, str]], form: str,
              attributes: dict | None = None) -> ParsedCode:
    values: dict[str, str] = {}
    for ai, value in pairs:
        if values.setdefault(ai, value) != value:
            _bad(T("{ai_label}出现了两次，值不相同", ai_label=gs1.ai_label(ai)), "gs1_repeated_ai")
    if "01" not in values:
        _bad(T("GS1 数据中没有 GTIN（AI 01）") if form == "element_string"
             else T("Digital Link 的路径中没有 GTIN（AI 01）"), "gtin_missing")
    gs1.check_associations(pairs)
    extra = {ai: v for ai, v in values.items() if ai not in ("01", "10", "21", "11", "17")}
    return ParsedCode(  # AI 01 is 14 digits with a good check digit (GS1's format for it)
        form, gtin=values["01"], lot=values.get("10"),
        serial=values.get("21"), extra={**extra, **(attributes or {})},
        expiry=gs1.parse_date("17", values["17"]) if "17" in values else None,
        produced=gs1.parse_date("11", values["11"]) if "11" in values else None)


def _parse_url(text: str) -> ParsedCode:
    if SPACE_OR_GS_RE.search(text):
        _bad(T("网址中含有空格或控制字符"), "url_space")
    try:
        url = urlsplit(text)
        hostname, port = url.hostname or "", url.port
    except ValueError as error:
        _bad(T("网址格式错误：{error}", error=error), "url_malformed")
    host = normal_host(hostname, port) if hostname and "@" not in url.netloc else None
    if host is None:
        _bad(T("网址没有有效的主机名"), "url_host")
    segments = url.path.split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()
    if segments in (["t"], ["T"]):
        _bad(T("追溯网址 /t/ 后面没有追溯码"), "trace_url_empty")
    if len(segments) == 2 and segments[0] in ("t", "T"):
        return replace(_trace_code(_unquote(segments[1]).strip(), "trace_url"), host=host)
    if segments in (["e"], ["E"]):
        _bad(T("主体码网址 /e/ 后面没有统一社会信用代码"), "enterprise_url_empty")
    if len(segments) == 2 and segments[0] in ("e", "E"):
        return replace(_enterprise_url(_unquote(segments[1])), host=host)
    return replace(_parse_digital_link(text, url.query), host=host)


def _enterprise_url(text: str) -> ParsedCode:
    try:
        return ParsedCode("enterprise_url", enterprise=validate_uscc(text, field="code"))
    except IdentifierError as error:
        _bad(T("主体码网址中的{message}", message=error.message), error.code)


def _unquote(segment: str) -> str:
    try:
        value = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        _bad(T("网址部分 {value!r} 的百分号编码无效", value=segment[:40]), "url_percent_encoding")
    return unicodedata.normalize("NFKC", value).strip()


def _parse_digital_link(text: str, query: str) -> ParsedCode:
    try:
        link = gs1_dl.parse_digital_link(text)
    except gs1.GS1Error as error:
        if error.rule != "dl_no_key":
            raise
        if any(p.partition("=")[0].isdigit() for p in query.split("&")):
            _bad(T("Digital Link 的路径中没有 GTIN（AI 01）"), "gtin_missing")
        _bad(T("网址既不是追溯网址（/t/<追溯码>），也不是 GS1 Digital Link（/01/<GTIN>）"),
             "url_unknown")
    return _from_ais(link.pairs, "digital_link", link.attributes)

"""Trace code parsing: every form a scanner can return. Pure functions, no I/O.

:func:`parse_scan` turns what a camera, a barcode gun or a person typed into a
:class:`ParsedCode`, or raises :class:`CodeMalformed` (field ``code``) with a sentence saying
what is wrong. The forms, tried in this order after NFKC (full-width to half-width) and
stripping surrounding whitespace (a leading ``]XY`` symbology identifier is handled first,
see 2):

1. ``http(s)://`` URL (scheme and host in any case, as upper-case QR payloads use):
   - trace URL ``/t/<code>`` (optional trailing slash; query and fragment ignored). With
     ``trace_hosts`` given, its host must be one of them (``"host"`` matches default ports,
     ``"host:port"`` that port); with none given, any host is accepted.
   - GS1 Digital Link on any host: optional path prefix, ``/01/<gtin>`` (8/12/13/14 digits,
     or the 1.0 name ``/gtin/``) then qualifiers ``/22/``, ``/10/``, ``/21/`` in any order,
     percent-encoded; query attributes by numeric AI (``?17=261231&11=250101``). Lot, serial
     or CPV given in the query are accepted when the path lacks them.
   - a URL whose path starts another GS1 key (``/00/``, ``/414/``...) or has only AI query
     attributes is a Digital Link with no GTIN; any other URL is neither form. Both rejected.
   A scheme-less ``<trace host>/t/<code>`` is read as a URL too.
2. ``]XY`` symbology identifier: ``]C1 ]e0 ]d2 ]Q3 ]J1`` (GS1 data) introduce an element
   string; any other (``]E0``, ``]Q1``...) is dropped and the rest parsed as below.
3. Element string in brackets ``(01)06901234567892(17)261231(10)ABC123``.
4. Element string with GS (``\\x1d``, or the visible ``\\u241d``) as FNC1.
5. Digits only, 8/12/13/14 long: a retail barcode (EAN-8, UPC-A, EAN-13, GTIN-14). A bad
   check digit is rejected, *not* read as a trace code: a digit string of GTIN length is far
   more likely a mistyped or misread barcode than a trace code, and a wrong GTIN would
   silently show another product. Trace codes of exactly those lengths in digits only are
   therefore not supported; issue them with another length or a letter.
6. ``01`` + 14 digits with no brackets and no GS (a scanner that drops FNC1) is an element
   string when it parses completely with a valid GTIN; otherwise it falls through to 7.
7. Anything matching ``CODE_RE`` after upper-casing is a trace code (this platform's or
   another region's; aliases are resolved elsewhere).

Trace codes are upper-cased; GS1 lot and serial keep their case. Dates follow
``tracing.codes.gs1`` (YYMMDD, 20YY, DD=00 is end of month for expiry).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import NoReturn
from urllib.parse import parse_qsl, unquote, urlsplit

from core.errors import InvalidInput
from tracing.codes import gs1

# A trace code as stored: 4-64 characters of upper-case letters, digits and - _ . /
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{3,63}$")
MAX_SCAN_LENGTH = 2048
GS1_SYMBOLOGIES = {"]C1", "]e0", "]d2", "]Q3", "]J1"}
SYMBOLOGY_RE = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
URL_RE = re.compile(r"^https?://", re.IGNORECASE)
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class CodeMalformed(InvalidInput):
    code = "code_malformed"


def normalise_code(raw: str) -> str:
    """Full-width to half-width, surrounding whitespace stripped, upper-case."""
    return unicodedata.normalize("NFKC", raw).strip().upper()


def is_trace_code(code: str) -> bool:
    """True when an already normalised string has the shape of a stored trace code."""
    return bool(CODE_RE.match(code))


@dataclass(frozen=True)
class ParsedCode:
    """One scan, understood. ``code`` for trace codes and URLs, ``gtin`` etc. for GS1 forms."""

    form: str  # trace_code | trace_url | digital_link | element_string | retail_barcode
    code: str | None = None
    gtin: str | None = None  # always 14 digits
    lot: str | None = None  # AI 10
    serial: str | None = None  # AI 21
    expiry: date | None = None  # AI 17
    produced: date | None = None  # AI 11
    extra: dict = field(default_factory=dict)  # other AIs (raw values), query attributes

    def keys(self) -> list[tuple[str, str]]:
        """Lookup keys, most specific first: serial, lot, GTIN (resolver fallback), or code."""
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
                "serial": self.serial, "extra": dict(self.extra),
                "expiry": self.expiry.isoformat() if self.expiry else None,
                "produced": self.produced.isoformat() if self.produced else None}


def _bad(message: str) -> NoReturn:
    raise CodeMalformed(message, field="code")


def parse_scan(raw: str, *, trace_hosts: Collection[str] = ()) -> ParsedCode:
    """Parse one scanned or typed code; raise :class:`CodeMalformed` when it is none of ours."""
    if not isinstance(raw, str):
        _bad("code must be text")
    if len(raw) > MAX_SCAN_LENGTH:
        _bad(f"code is {len(raw)} characters long, at most {MAX_SCAN_LENGTH} are accepted")
    text = unicodedata.normalize("NFKC", raw).replace("\u241d", gs1.GS)
    text = text.strip().strip("\ufeff\u200b").strip()  # whitespace, BOM, zero-width space
    if not text:
        _bad("code is empty")
    if len(text) > MAX_SCAN_LENGTH:
        _bad(f"code is {len(text)} characters long, at most {MAX_SCAN_LENGTH} are accepted")
    for pos, ch in enumerate(text):
        if ch != gs1.GS and unicodedata.category(ch)[0] == "C":
            _bad(f"code contains the non-printable character U+{ord(ch):04X} "
                 f"at position {pos + 1}")
    try:
        return _parse_text(text, {h.strip().lower() for h in trace_hosts if h.strip()})
    except gs1.GS1Error as error:
        _bad(str(error))


def _parse_text(text: str, hosts: set[str], symbology: bool = True) -> ParsedCode:
    if symbology and text.startswith("]"):
        if not SYMBOLOGY_RE.match(text):
            _bad(f"code starts with ']' but {text[:3]!r} is not a symbology identifier")
        if text[:3] in GS1_SYMBOLOGIES:
            return _from_ais(gs1.parse_element_string(text[3:]), "element_string")
        return _parse_text(text[3:].strip(), hosts, symbology=False)
    if any(text.lower().startswith(h + "/") for h in hosts):
        text = "https://" + text
    if URL_RE.match(text):
        return _parse_url(text, hosts)
    if SCHEME_RE.match(text):
        _bad(f"only http and https URLs are accepted, got {text.split('://')[0]!r}")
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
    return _trace_code(text, "trace_code")


def _trace_code(text: str, form: str) -> ParsedCode:
    code = text.upper()
    if text.isascii() and CODE_RE.match(code):  # ASCII first: "ß".upper() is "SS"
        return ParsedCode(form, code=code)
    what = "trace URL code" if form == "trace_url" else "code"
    if any(ch.isspace() for ch in code):
        _bad(f"{what} contains a space; type it without spaces")
    bad = next((ch for ch in text if not re.match(r"[A-Za-z0-9._/-]", ch)), None)
    if bad is not None:
        _bad(f"{what} contains {bad!r}; trace codes use only letters, digits and - _ . /")
    if len(code) < 4 or len(code) > 64:
        _bad(f"{what} must be 4 to 64 characters long, got {len(code)}")
    _bad(f"{what} must start with a letter or digit")


def _from_ais(pairs: list[tuple[str, str]], form: str,
              attributes: dict | None = None) -> ParsedCode:
    values: dict[str, str] = {}
    for ai, value in pairs:
        if values.setdefault(ai, value) != value:
            _bad(f"{gs1.ai_label(ai)} appears twice with different values")
    if "01" not in values:
        _bad("element string has no GTIN (AI 01)" if form == "element_string"
             else "Digital Link has no GTIN (AI 01) in its path")
    extra = {ai: v for ai, v in values.items() if ai not in ("01", "10", "21", "11", "17")}
    return ParsedCode(
        form, gtin=gs1.check_gtin(values["01"]).rjust(14, "0"), lot=values.get("10"),
        serial=values.get("21"), extra={**extra, **(attributes or {})},
        expiry=gs1.parse_date("17", values["17"]) if "17" in values else None,
        produced=gs1.parse_date("11", values["11"]) if "11" in values else None)


def _host_allowed(netloc: str, hostname: str, port: int | None, hosts: set[str]) -> bool:
    return not hosts or netloc in hosts or (hostname in hosts and port in (None, 80, 443))


def _parse_url(text: str, hosts: set[str]) -> ParsedCode:
    if any(ch.isspace() or ch == gs1.GS for ch in text):
        _bad("URL contains a space or control character")
    try:
        url = urlsplit(text)
        hostname, port = url.hostname or "", url.port
    except ValueError as error:
        _bad(f"URL is malformed: {error}")
    netloc = url.netloc.lower()
    if not hostname or "@" in netloc:
        _bad("URL has no valid host")
    segments = url.path.split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()
    if segments in (["t"], ["T"]):
        _bad("trace URL has no code after /t/")
    if len(segments) == 2 and segments[0] in ("t", "T"):
        if not _host_allowed(netloc, hostname, port, hosts):
            _bad(f"trace URL host {netloc!r} is not this platform's "
                 f"(expected {', '.join(sorted(hosts))})")
        return _trace_code(_unquote(segments[1]).strip(), "trace_url")
    return _parse_digital_link(segments, url.query)


def _unquote(segment: str) -> str:
    try:
        value = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        _bad(f"URL part {segment[:40]!r} has bad percent-encoding")
    return unicodedata.normalize("NFKC", value).strip()


def _parse_digital_link(segments: list[str], query: str) -> ParsedCode:
    keys = [gs1.PATH_ALIASES.get(s, s) for s in segments]
    starts = [i for i, k in enumerate(keys) if k == "01"]
    start = next((i for i in starts if i + 1 < len(segments) and segments[i + 1].isdigit()),
                 starts[0] if starts else None)
    query_ais, attributes = [], {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name.isascii() and name.isdigit():
            query_ais.append((name, unicodedata.normalize("NFKC", value).strip()))
        elif name:
            attributes[name] = value
    if start is None:
        if query_ais or any(k in gs1.KEY_AIS for k in keys):
            _bad("Digital Link has no GTIN (AI 01) in its path")
        _bad("URL is neither a trace URL (/t/<code>) nor a GS1 Digital Link (/01/<gtin>)")
    path = keys[start:]
    pairs = [(path[i], _unquote(segments[start + i + 1]) if start + i + 1 < len(segments)
              else "") for i in range(0, len(path), 2)]
    for ai, value in pairs:
        if ai != "01" and ai not in gs1.GTIN_QUALIFIERS:
            _bad(f"Digital Link path has {ai!r} after the GTIN; only 22, 10 and 21 may follow")
        if not value:
            _bad(f"Digital Link path has no value for {gs1.ai_label(ai)}")
    gtin = pairs[0][1]
    gs1.check_gtin(gtin)
    pairs[0] = ("01", gtin.rjust(14, "0"))
    for ai, value in query_ais:
        if ai in gs1.KEY_AIS:
            _bad(f"Digital Link query repeats the key {gs1.ai_label(ai)}")
        pairs.append((ai, value))
    return _from_ais([(ai, gs1.check_value(ai, v)) for ai, v in pairs], "digital_link",
                     attributes)

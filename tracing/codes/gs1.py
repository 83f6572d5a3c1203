"""GS1 application identifiers (AIs): the table, value checks and element-string parsing.

Pure functions, no I/O. Follows the GS1 General Specifications (section 3, AI definitions;
section 7.8, element strings; section 7.12, dates) for the AIs a food package may carry.
Errors are :class:`GS1Error` (a ``ValueError`` with a sentence); ``tracing.codes.parse`` turns them
into ``CodeMalformed`` for the public.

- Each AI is ``(kind, min_len, max_len)``: ``N`` digits, ``X`` the GS1 82-character set.
- Element strings read fixed-length AIs by length and variable-length ones up to the FNC1
  separator (ASCII GS, ``\\x1d``) or the end; a GS after a fixed-length field is tolerated.
- Dates are YYMMDD read as 20YY (food dates never leave this century in practice; the GS1
  sliding-century rule gives the same years until 2049). DD=00 means "day unknown": the last
  day of the month for expiry-like dates (12, 15, 16, 17), the first day for production and
  packaging dates (11, 13), so a derived shelf life is never longer than the real one.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from tracing.codes.identifiers import gtin_check_digit

GS = "\x1d"
# GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
CSET82_RE = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$")

AI_TABLE: dict[str, tuple[str, int, int]] = {
    "00": ("N", 18, 18), "01": ("N", 14, 14), "02": ("N", 14, 14), "10": ("X", 1, 20),
    "11": ("N", 6, 6), "12": ("N", 6, 6), "13": ("N", 6, 6), "15": ("N", 6, 6),
    "16": ("N", 6, 6), "17": ("N", 6, 6), "20": ("N", 2, 2), "21": ("X", 1, 20),
    "22": ("X", 1, 20), "235": ("X", 1, 28), "240": ("X", 1, 30), "241": ("X", 1, 30),
    "242": ("N", 1, 6), "243": ("X", 1, 20), "250": ("X", 1, 30), "251": ("X", 1, 30),
    "253": ("X", 14, 30), "254": ("X", 1, 20), "255": ("N", 14, 25), "30": ("N", 1, 8),
    "37": ("N", 1, 8), "400": ("X", 1, 30), "401": ("X", 1, 30), "402": ("N", 17, 17),
    "403": ("X", 1, 30), "420": ("X", 1, 20), "421": ("X", 4, 12), "422": ("N", 3, 3),
    "423": ("N", 4, 15), "424": ("N", 3, 3), "425": ("N", 4, 15), "426": ("N", 3, 3),
    "427": ("X", 1, 3), "7001": ("N", 13, 13), "7002": ("X", 1, 30), "7003": ("N", 10, 10),
    "7004": ("N", 1, 4), "7005": ("X", 1, 12), "7006": ("N", 6, 6), "7007": ("N", 6, 12),
    "7008": ("X", 1, 3), "7009": ("X", 1, 10), "7010": ("X", 1, 2), "7011": ("N", 6, 10),
    "7020": ("X", 1, 20), "7021": ("X", 1, 20), "7022": ("X", 1, 20), "7023": ("X", 1, 30),
    "8001": ("N", 14, 14), "8002": ("X", 1, 20), "8003": ("X", 15, 30), "8004": ("X", 1, 30),
    "8005": ("N", 6, 6), "8006": ("N", 18, 18), "8007": ("X", 1, 34), "8008": ("N", 8, 12),
    "8010": ("X", 1, 30), "8011": ("N", 1, 12), "8012": ("X", 1, 20), "8013": ("X", 1, 25),
    "8017": ("N", 18, 18), "8018": ("N", 18, 18), "8019": ("N", 1, 10), "8020": ("X", 1, 25),
    "8026": ("N", 18, 18), "8110": ("X", 1, 70), "8111": ("N", 4, 4), "8112": ("X", 1, 70),
    "8200": ("X", 1, 70), "90": ("X", 1, 30),
    **{str(ai): ("X", 1, 90) for ai in range(91, 100)},
    **{f"41{d}": ("N", 13, 13) for d in range(8)},
    # Measures: 310n-316n, 320n-329n, 330n-337n, 340n-349n, 350n-357n, 360n-369n (n decimals).
    **{f"{p}{n}": ("N", 6, 6) for last, pre in ((6, "31"), (9, "32"), (7, "33"), (9, "34"),
                                              (7, "35"), (9, "36"))
       for p in (pre + str(d) for d in range(last + 1)) for n in range(10)},
    **{f"39{d}{n}": ("N", *lens) for d, lens in (("0", (1, 15)), ("1", (4, 18)),
                                                 ("2", (1, 15)), ("3", (4, 18)))
       for n in range(10)},
    **{f"394{n}": ("N", 4, 4) for n in range(10)}, **{f"395{n}": ("N", 6, 6) for n in range(10)},
}
DATE_AIS = {"11", "12", "13", "15", "16", "17", "7006"}
END_OF_MONTH_AIS = {"12", "15", "16", "17"}
# Primary keys a Digital Link path may start with (only 01 is traceable here).
KEY_AIS = {"00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006",
           "8010", "8013", "8017", "8018"}
# Qualifiers of a GTIN in a Digital Link path, and convenience names of GS1 Digital Link 1.0.
GTIN_QUALIFIERS = {"22", "10", "21", "235"}
PATH_ALIASES = {"gtin": "01", "cpv": "22", "lot": "10", "ser": "21"}
NAMES = {"01": "GTIN", "10": "lot", "11": "production date", "17": "expiry date",
         "21": "serial", "22": "consumer product variant"}


class GS1Error(ValueError):
    """A GS1 syntax rule is broken; ``str(error)`` says which."""


def ai_label(ai: str) -> str:
    return f"{NAMES[ai]} (AI {ai})" if ai in NAMES else f"AI {ai}"


def check_value(ai: str, value: str) -> str:
    """Return ``value`` when it fits AI ``ai`` (known, length, charset, date, GTIN check)."""
    if ai not in AI_TABLE:
        raise GS1Error(f"unknown GS1 application identifier ({ai})")
    kind, low, high = AI_TABLE[ai]
    label = ai_label(ai)
    if not value:
        raise GS1Error(f"{label} has no value")
    if len(value) > high:
        raise GS1Error(f"{label} is {len(value)} characters long, GS1 allows at most {high}")
    if len(value) < low:
        need = f"{low}" if low == high else f"at least {low}"
        raise GS1Error(f"{label} is incomplete: needs {need} characters, got {len(value)}")
    if kind == "N" and not (value.isascii() and value.isdigit()):
        raise GS1Error(f"{label} must be digits only, got {value!r}")
    if kind == "X" and not CSET82_RE.match(value):
        bad = next(ch for ch in value if not CSET82_RE.match(ch))
        raise GS1Error(f"{label} contains {bad!r}, which GS1 does not allow")
    if ai == "01":
        check_gtin(value)
    if ai in DATE_AIS:
        parse_date(ai, value)
    return value


def check_gtin(gtin: str) -> str:
    """Raise :class:`GS1Error` unless ``gtin`` is 8/12/13/14 digits with a good check digit."""
    if len(gtin) not in (8, 12, 13, 14) or not (gtin.isascii() and gtin.isdigit()):
        raise GS1Error(f"GTIN must be 8, 12, 13 or 14 digits, got {gtin!r}")
    expected = gtin_check_digit(gtin[:-1])
    if expected != gtin[-1]:
        raise GS1Error(f"GTIN {gtin} has a bad check digit: expected {expected}, got {gtin[-1]}")
    return gtin


def parse_date(ai: str, value: str) -> date:
    """A GS1 YYMMDD date; DD=00 per the rule in the module docstring."""
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise GS1Error(f"{ai_label(ai)} {value} has month {month:02d}, not 01-12")
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        return date(year, month, last if ai in END_OF_MONTH_AIS else 1)
    if day > last:
        raise GS1Error(f"{ai_label(ai)} {value} is not a date: {year}-{month:02d} has {last} days")
    return date(year, month, day)


def _ai_at(text: str, pos: int) -> str:
    for size in (2, 3, 4):
        if text[pos:pos + size] in AI_TABLE:
            return text[pos:pos + size]
    head = text[pos:pos + 4]
    if len(head) < 2 or not head[:2].isdigit():
        raise GS1Error(f"expected a GS1 application identifier at position {pos + 1}, "
                       f"got {head!r}")
    raise GS1Error(f"unknown GS1 application identifier at position {pos + 1} ({head})")


def parse_element_string(text: str) -> list[tuple[str, str]]:
    """``(ai, value)`` pairs of an unbracketed element string with GS as FNC1."""
    pairs, pos = [], 0
    while pos < len(text):
        if text[pos] == GS:
            pos += 1
            continue
        ai = _ai_at(text, pos)
        kind, low, high = AI_TABLE[ai]
        start = pos + len(ai)
        end = start + high if low == high else text.find(GS, start)
        end = len(text) if end < 0 else min(end, len(text))
        value = text[start:end]
        if GS in value:
            raise GS1Error(f"{ai_label(ai)} is incomplete: needs {high} characters, "
                           f"got {value.index(GS)}")
        pairs.append((ai, check_value(ai, value)))
        pos = end
    return pairs


BRACKET_RE = re.compile(r"\(\s*(\d{2,4})\s*\)")


def parse_bracketed(text: str) -> list[tuple[str, str]]:
    """``(ai, value)`` pairs of a human-readable ``(01)...(10)...`` element string.

    Whitespace around the parts is ignored (typed input). A value that itself contains
    ``(NN)`` cannot be written in this form and is split there, as every reader does.
    """
    parts = BRACKET_RE.split(text)
    if parts[0].strip():
        raise GS1Error(f"unexpected {parts[0].strip()!r} before the first (AI)")
    return [(ai, check_value(ai, value.strip())) for ai, value in zip(parts[1::2], parts[2::2])]

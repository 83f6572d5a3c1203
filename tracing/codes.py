"""Trace code parsing: every form a scanner can return. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata

from gongzhi.errors import InvalidInput

# A trace code as stored: 4-64 characters of upper-case letters, digits and - _ . /
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{3,63}$")


class CodeMalformed(InvalidInput):
    code = "code_malformed"


def normalise_code(raw: str) -> str:
    """Full-width to half-width, surrounding whitespace stripped, upper-case."""
    return unicodedata.normalize("NFKC", raw).strip().upper()


def is_trace_code(code: str) -> bool:
    """True when an already normalised string has the shape of a stored trace code."""
    return bool(CODE_RE.match(code))

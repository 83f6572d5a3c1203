"""GB/T 2260 administrative division codes with their history. Pure lookups, no I/O at import.

The list is python-stdnum's ``stdnum/cn/loc.dat`` (read once, on first use): every province
and every county-level code that has been in use since the 1980s, with the years each name
held (``[1983-2004]城北区``). A code keeps the division it was issued under, so a code whose
division has since been merged or renamed stays valid: credit codes and licences issued under
it are not re-issued. ``100000`` is the national level (central organs register there); it is
a valid registration division for credit codes but not a place.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

NATIONAL = "100000"
_LINE_RE = re.compile(r'^(\s*)(\d+) (?:province|county)="([^"]*)"')
_YEARS_RE = re.compile(r"^\[[0-9-]*\]")


@cache
def table() -> dict[str, str]:
    """Every 6-digit code of the list -> its names with their years, as the list has them."""
    codes: dict[str, str] = {}
    province = ""
    text = files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    for line in text.splitlines():
        match = _LINE_RE.match(line)
        if match is None:
            continue
        indent, number, names = match.groups()
        if not indent:
            province = number
            continue
        codes[province + number] = names
    return codes


def exists(code: str, *, national: bool = False) -> bool:
    """True when the 6-digit ``code`` is or was a division (or the national level, if asked)."""
    return code in table() or (national and code == NATIONAL)


def name_of(code: str) -> str | None:
    """The latest name of a division code (``None`` when unknown)."""
    if code == NATIONAL:
        return "全国"
    names = table().get(code)
    if names is None:
        return None
    return _YEARS_RE.sub("", names.split(",")[-1])

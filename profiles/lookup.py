"""Finding enterprises: a credit code checked by its rules (400 malformed, 404 unknown), and
a lookup by credit code, licence number or name.

What a person types is read as it comes: full-width characters, spaces, lower case. A
credit code or licence number is matched exactly (indexed columns); anything else is a name:
the enterprise of that exact name first (an indexed column), then what the search backend
finds for it (part of a name, pinyin, initials...: :mod:`search`), never a scan of the table.
At most :data:`LIMIT` answers.
"""

from __future__ import annotations

import unicodedata

from core.errors import InvalidInput
from core.i18n import T
from profiles import sql
from search.base import SearchBackend, SearchQuery, normalise_text
from tracing.codes.identifiers import IdentifierError, normalise, validate_licence_no, \
    validate_uscc

LIMIT = 20
MAX_QUERY = 100


class UsccMalformed(InvalidInput):
    """A credit code that breaks GB 32100; ``rule`` names the rule (``uscc_checksum``...)."""

    code = "uscc_malformed"

    def __init__(self, message: str, *, rule: str, field: str = "uscc"):
        super().__init__(message, field=field)
        self.rule = rule


def parse_uscc(raw: str | None, field: str = "uscc") -> str:
    """The normalised credit code, or :class:`UsccMalformed` (400) naming the rule."""
    if raw is None or not str(raw).strip():
        raise UsccMalformed(T("请提供统一社会信用代码"), rule="uscc_missing", field=field)
    try:
        return validate_uscc(str(raw), field=field)
    except IdentifierError as error:
        raise UsccMalformed(error.message, rule=error.code, field=field) from None


def _looks_like(text: str) -> str:
    """``uscc``, ``licence`` or ``name``: what a query is, by its shape."""
    code = normalise(text)
    if len(code) == 18 and code.isascii() and code.isalnum():
        return "uscc"
    if len(code) == 16 and code[:2] in ("SC", "JY", "YB") and code[2:].isdigit():
        return "licence"
    return "name"


_COLUMNS = ("SELECT uscc, name, kind, licence_no, address, division_code, status, "
            "risk_grade FROM enterprise")


async def find_enterprises(query: str | None, *, search: SearchBackend) -> dict:
    """Enterprises a query names: ``{"match": "uscc"|"licence"|"name", "items": [...]}``."""
    text = unicodedata.normalize("NFKC", query or "").strip()
    if not text:
        raise InvalidInput(T("请输入统一社会信用代码、许可证编号或名称"), field="q",
                           code="query_missing")
    if len(text) > MAX_QUERY:
        raise InvalidInput(T("查询词最多 {MAX_QUERY} 个字",
                             MAX_QUERY=MAX_QUERY), field="q", code="query_too_long")
    kind = _looks_like(text)
    if kind == "uscc":
        uscc = parse_uscc(text, field="q")
        return {"match": "uscc", "items": await sql.rows(f"{_COLUMNS} WHERE uscc = ?", [uscc])}
    if kind == "licence":
        try:
            number = validate_licence_no(text, field="q")
        except IdentifierError:  # YB filing numbers (v1.1) share the JY layout
            number = normalise(text)
        return {"match": "licence", "items": await sql.rows(
            f"{_COLUMNS} WHERE licence_no = ? ORDER BY uscc LIMIT ?", [number, LIMIT])}
    return {"match": "name", "items": await _by_name(text, search)}


async def _by_name(text: str, search: SearchBackend) -> list[dict]:
    """The enterprises of exactly this name, then the search backend's hits in its order."""
    exact = await sql.rows(f"{_COLUMNS} WHERE name = ? ORDER BY uscc LIMIT ?", [text, LIMIT])
    if len(exact) >= LIMIT or not normalise_text(text):  # punctuation only: no name part
        return exact
    found = await search.search(SearchQuery(q=text, kind="enterprise", size=LIMIT,
                                            fuzzy=False).validate())
    keys = [h.key for h in found.hits if h.key not in {e["uscc"] for e in exact}]
    rows = {row["uscc"]: row async for row in sql.rows_in(
        f"{_COLUMNS} WHERE uscc IN ({{keys}})", keys)}
    return exact + [rows[k] for k in keys if k in rows][:LIMIT - len(exact)]

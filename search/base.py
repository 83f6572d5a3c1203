"""The search interface: documents, queries, results and the :class:`SearchBackend` ABC.

Pure except for the abstract class. Every backend ranks the same way (the tiers of
:mod:`search.match`): identifier, exact name, name prefix, name substring, every term
somewhere, sound, fuzzy sound, partial; within a tier active licences first, then the
shorter name (ties after that are backend-defined), partial matches by how well they match.
"""

from __future__ import annotations

import math
import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import AsyncIterable, Iterable, Mapping

from core.errors import InvalidInput

from core.i18n import T

KINDS = ("enterprise", "product")
STATUSES = ("active", "suspended", "revoked", "closed")
STATUS_RANK = {"active": 0, "suspended": 1, "closed": 2, "revoked": 3}
MATCH_KINDS = ("identifier", "exact", "prefix", "substring", "sound", "partial")
MAX_QUERY_CHARS = 100
MAX_TERMS = 8
MAX_RADIUS_KM = 100.0
DEFAULT_RADIUS_KM = 5.0
MAX_SIZE = 50
MAX_WINDOW = 10_000  # page * size; Elasticsearch's default max_result_window


def normalise_text(text: str) -> str:
    """The search normaliser (:func:`search.normalise.fold`): NFKC, traditional → simplified,
    case folded, punctuation as spaces, emoji and other symbols dropped."""
    from .normalise import fold

    return fold(text or "")


_ASCII_SEPARATORS = str.maketrans("", "", " \t\n\r\f\v\x1c\x1d\x1e\x1f-")


def normalise_identifier(text: str) -> str:
    """Identifiers compare without spaces or dashes, upper-case, half-width."""
    if text and text.isascii():  # NFKC changes no ASCII: the fast path of bulk indexing
        return text.translate(_ASCII_SEPARATORS).upper()
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text or "")).upper()


def division_prefix(code: str) -> str:
    """``450200`` (a city) → ``4502``, so its districts (``450202``) match; ``450000`` → ``45``."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code



@dataclass(frozen=True)
class SearchDoc:
    """One searchable thing: an enterprise (key = credit code) or a product (key = product_id)."""

    kind: str
    key: str
    title: str
    subtitle: str = ""
    identifiers: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    division_code: str = ""
    lat: float | None = None
    lng: float | None = None
    risk_grade: str | None = None
    status: str = "active"
    alerts: tuple[str, ...] = ()

    def all_identifiers(self) -> tuple[str, ...]:
        """The key and every identifier, normalised, without repeats or blanks."""
        key = normalise_identifier(self.key)
        out = [key] if key else []
        for raw in self.identifiers:  # a loop, not generators: this runs per indexed document
            ident = normalise_identifier(raw)
            if ident and ident not in out:
                out.append(ident)
        return tuple(out)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lng is not None


@dataclass(frozen=True)
class SearchHit:
    kind: str
    key: str
    title: str
    subtitle: str = ""
    highlight: str = ""
    distance_km: float | None = None
    risk_grade: str | None = None
    alerts: tuple[str, ...] = ()
    status: str = "active"
    match: str = ""  # one of MATCH_KINDS; "" for a nearby listing without text

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "key": self.key, "title": self.title, "subtitle": self.subtitle,
            "highlight": self.highlight, "distance_km": self.distance_km,
            "risk_grade": self.risk_grade, "alerts": list(self.alerts), "status": self.status,
            "match": self.match,
        }


@dataclass(frozen=True)
class SearchResult:
    """``total`` is exact unless ``total_is_lower_bound`` (a broad query: "at least total")."""

    total: int
    hits: list[SearchHit] = field(default_factory=list)
    took_ms: float = 0.0
    total_is_lower_bound: bool = False

    def as_dict(self) -> dict:
        return {"total": self.total, "total_is_lower_bound": self.total_is_lower_bound,
                "hits": [h.as_dict() for h in self.hits], "took_ms": round(self.took_ms, 2)}


def _bad(code: str, field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, field=field_name, code=code)


def _parse_near(raw: str) -> tuple[float, float]:
    try:
        lat_s, lng_s = raw.split(",")
        lat, lng = float(lat_s), float(lng_s)
    except ValueError:
        raise _bad("search_bad_coordinates", "near", T("near（位置）应写作“纬度,经度”")) from None
    return lat, lng


_LABELS = {"page": T("page（页码）"), "size": T("size（每页条数）"), "fuzzy": T("fuzzy（模糊音）")}


def _parse_int(raw: object, name: str, code: str) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise _bad(code, name, T("{value}应为整数", value=_LABELS[name])) from None


def _parse_bool(raw: object, name: str, code: str) -> bool:
    value = str(raw).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise _bad(code, name, T("{value}应为 1 或 0（true 或 false）", value=_LABELS[name]))


def count_terms(q: str) -> int:
    """How many distinct terms ``q`` has (see :func:`search.normalise.split_terms`)."""
    from .normalise import split_terms

    return len(split_terms(normalise_text(q)))


@dataclass(frozen=True)
class SearchQuery:
    """A validated search. Build with :meth:`from_params` or construct and call :meth:`validate`.

    ``fuzzy``: the fuzzy sound pairs of pinyin keyboards (s/sh, z/zh, c/ch, n/l, an/ang, en/eng,
    in/ing) also match; on by default.
    """

    q: str = ""
    kind: str = "all"
    division: str | None = None
    near: tuple[float, float] | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    page: int = 1
    size: int = 10
    fuzzy: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def text(self) -> str:
        return normalise_text(self.q)

    def validate(self) -> "SearchQuery":
        """Return self, or raise :class:`InvalidInput` with a stable ``search_*`` code."""
        self._validate_text()
        if self.kind not in (*KINDS, "all"):
            raise _bad("search_bad_kind", "kind", T("kind（类别）只能是 enterprise、product 或 all"))
        if self.near is not None:
            lat, lng = self.near
            if not (math.isfinite(lat) and math.isfinite(lng)
                    and -90 <= lat <= 90 and -180 <= lng <= 180):
                raise _bad("search_bad_coordinates", "near",
                           T("near（位置）超出范围：纬度 -90～90，经度 -180～180"))
        if not (math.isfinite(self.radius_km) and 0 < self.radius_km <= MAX_RADIUS_KM):
            raise _bad("search_bad_radius", "radius_km",
                       T("radius_km（半径）应大于 0 且不超过 {MAX_RADIUS_KM:g} 公里",
                         MAX_RADIUS_KM=MAX_RADIUS_KM))
        self._validate_paging()
        if self.division is not None and not re.fullmatch(r"\d{2,6}", self.division):
            raise _bad("search_bad_division", "division", T("division（行政区划）应为 2～6 位数字代码"))
        return self

    def _validate_text(self) -> None:
        if len(self.q or "") > MAX_QUERY_CHARS:
            raise _bad("search_query_too_long", "q", T("q（搜索词）最多 {MAX_QUERY_CHARS} 个字符",
                                                       MAX_QUERY_CHARS=MAX_QUERY_CHARS))
        if not (self.q or "").strip() and self.near is None:
            raise _bad("search_query_empty", "q", T("q（搜索词）不能为空，除非给出 near（位置）"))
        if count_terms(self.q or "") > MAX_TERMS:
            raise _bad("search_too_many_terms", "q", T("q（搜索词）最多 {MAX_TERMS} 个词",
                                                       MAX_TERMS=MAX_TERMS))

    def _validate_paging(self) -> None:
        if self.page < 1:
            raise _bad("search_bad_page", "page", T("page（页码）从 1 开始"))
        if not 1 <= self.size <= MAX_SIZE:
            raise _bad("search_bad_size", "size", T("size（每页条数）应在 1～{MAX_SIZE} 之间",
                                                    MAX_SIZE=MAX_SIZE))
        if self.page * self.size > MAX_WINDOW:
            raise _bad("search_bad_page", "page", T("只能翻到前 {MAX_WINDOW} 条结果",
                                                    MAX_WINDOW=MAX_WINDOW))

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> "SearchQuery":
        """Parse query-string values (strings); raise :class:`InvalidInput` on bad input."""
        near_raw = str(params.get("near") or "").strip()
        radius_raw = str(params.get("radius_km") or "").strip()
        try:
            radius = float(radius_raw) if radius_raw else DEFAULT_RADIUS_KM
        except ValueError:
            raise _bad("search_bad_radius", "radius_km", T("radius_km（半径）应为数字")) from None
        division = str(params.get("division") or "").strip() or None
        fuzzy_raw = params.get("fuzzy")
        return cls(
            q=str(params.get("q") or ""),
            kind=str(params.get("kind") or "all").strip(),
            division=division,
            near=_parse_near(near_raw) if near_raw else None,
            radius_km=radius,
            page=_parse_int(params.get("page") or 1, "page", "search_bad_page"),
            size=_parse_int(params.get("size") or 10, "size", "search_bad_size"),
            fuzzy=True if fuzzy_raw in (None, "") else _parse_bool(fuzzy_raw, "fuzzy",
                                                                   "search_bad_fuzzy"),
        ).validate()


class SearchBackend(ABC):
    """Full-text, pinyin, identifier and nearby search over enterprises and products.

    Documents are keyed by ``(kind, key)``; indexing the same key again replaces it.
    Implementations never let engine syntax errors escape: user text is always literal.
    """

    @abstractmethod
    async def index(self, docs: Iterable[SearchDoc]) -> int:
        """Insert or replace ``docs`` (same kind and key = update); return how many."""

    @abstractmethod
    async def remove(self, kind: str, keys: Iterable[str]) -> int:
        """Delete documents of ``kind`` with these keys; unknown keys are ignored."""

    @abstractmethod
    async def search(self, query: SearchQuery) -> SearchResult:
        """Ranked, filtered, paged results; a page past the end has no hits but the true total."""

    @abstractmethod
    async def suggest(self, q: str, size: int = 8) -> list[SearchHit]:
        """Type-ahead with the matching of :meth:`search`: the best ``size`` hits of ``q``."""

    @abstractmethod
    async def nearby(self, lat: float, lng: float, radius_km: float = DEFAULT_RADIUS_KM,
                     kind: str = "all", size: int = 20) -> list[SearchHit]:
        """Documents within ``radius_km`` of the point, nearest first, with ``distance_km``."""

    @abstractmethod
    async def count(self, kind: str | None = None) -> int:
        """How many documents (of ``kind``, or all) are searchable now."""

    @abstractmethod
    async def drop(self) -> None:
        """Delete every document and the index itself; the next write recreates it."""

    @abstractmethod
    async def rebuild(self, docs: Iterable[SearchDoc] | AsyncIterable[SearchDoc]) -> int:
        """Build a fresh index from ``docs`` beside the live one, then swap atomically.

        Searches keep answering from the old index until the swap; writes made through this
        backend while the rebuild runs are replayed into the new index before it goes live.
        """

    @abstractmethod
    async def close(self) -> None:
        """Release connections and files."""

    @abstractmethod
    async def ping(self) -> bool:
        """True when the backend can answer searches now."""

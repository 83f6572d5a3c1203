"""The search interface: documents, queries, results and the :class:`SearchBackend` ABC.

Pure except for the abstract class. Every backend ranks the same way (see
:data:`TIER_NAMES`): exact identifier, exact name, name prefix, name substring, other-field
substring, pinyin; within a tier active licences first, then the shorter name (ties after
that are backend-defined).
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import AsyncIterable, Iterable, Mapping

from core.errors import InvalidInput

KINDS = ("enterprise", "product")
STATUSES = ("active", "suspended", "revoked", "closed")
STATUS_RANK = {"active": 0, "suspended": 1, "closed": 2, "revoked": 3}
TIER_NAMES = ("identifier", "exact_name", "prefix", "substring", "other_field", "pinyin")
MAX_QUERY_CHARS = 100
MAX_RADIUS_KM = 100.0
DEFAULT_RADIUS_KM = 5.0
MAX_SIZE = 50
MAX_WINDOW = 10_000  # page * size; Elasticsearch's default max_result_window
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_text(text: str) -> str:
    """NFKC (full-width to half-width), control characters dropped, spaces collapsed, lower."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text or ""))
    return " ".join(text.split()).lower()


def normalise_identifier(text: str) -> str:
    """Identifiers compare without spaces or dashes, upper-case, half-width."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text or "")).upper()


def division_prefix(code: str) -> str:
    """``450200`` (a city) → ``4502``, so its districts (``450202``) match; ``450000`` → ``45``."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code



def highlight(title: str, q: str) -> str:
    """``title`` HTML-escaped, with the first case-insensitive occurrence of ``q`` in ``<em>``."""
    needle = normalise_text(q)
    at = title.lower().find(needle) if needle else -1
    if at < 0:
        return html.escape(title)
    end = at + len(needle)
    return (
        f"{html.escape(title[:at])}<em>{html.escape(title[at:end])}</em>{html.escape(title[end:])}"
    )


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
        ids = (normalise_identifier(i) for i in (self.key, *self.identifiers))
        return tuple(dict.fromkeys(i for i in ids if i))

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

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "key": self.key, "title": self.title, "subtitle": self.subtitle,
            "highlight": self.highlight, "distance_km": self.distance_km,
            "risk_grade": self.risk_grade, "alerts": list(self.alerts), "status": self.status,
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
        raise _bad("search_bad_coordinates", "near", "near must be '<lat>,<lng>'") from None
    return lat, lng


def _parse_int(raw: object, name: str, code: str) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise _bad(code, name, f"{name} must be a whole number") from None


@dataclass(frozen=True)
class SearchQuery:
    """A validated search. Build with :meth:`from_params` or construct and call :meth:`validate`."""

    q: str = ""
    kind: str = "all"
    division: str | None = None
    near: tuple[float, float] | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    page: int = 1
    size: int = 10

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def text(self) -> str:
        return normalise_text(self.q)

    def validate(self) -> "SearchQuery":
        """Return self, or raise :class:`InvalidInput` with a stable ``search_*`` code."""
        if len(self.q or "") > MAX_QUERY_CHARS:
            raise _bad("search_query_too_long", "q", f"q is limited to {MAX_QUERY_CHARS} characters")
        if not self.text and self.near is None:
            raise _bad("search_query_empty", "q", "q is required unless near is given")
        if self.kind not in (*KINDS, "all"):
            raise _bad("search_bad_kind", "kind", "kind must be enterprise, product or all")
        if self.near is not None:
            lat, lng = self.near
            if not (math.isfinite(lat) and math.isfinite(lng)
                    and -90 <= lat <= 90 and -180 <= lng <= 180):
                raise _bad("search_bad_coordinates", "near", "near is outside -90..90, -180..180")
        if not (math.isfinite(self.radius_km) and 0 < self.radius_km <= MAX_RADIUS_KM):
            raise _bad("search_bad_radius", "radius_km",
                       f"radius_km must be above 0 and at most {MAX_RADIUS_KM:g}")
        if self.page < 1:
            raise _bad("search_bad_page", "page", "page starts at 1")
        if not 1 <= self.size <= MAX_SIZE:
            raise _bad("search_bad_size", "size", f"size must be between 1 and {MAX_SIZE}")
        if self.page * self.size > MAX_WINDOW:
            raise _bad("search_bad_page", "page", f"only the first {MAX_WINDOW} results can be paged")
        if self.division is not None and not re.fullmatch(r"\d{2,6}", self.division):
            raise _bad("search_bad_division", "division", "division must be a 2-6 digit code")
        return self

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> "SearchQuery":
        """Parse query-string values (strings); raise :class:`InvalidInput` on bad input."""
        near_raw = str(params.get("near") or "").strip()
        radius_raw = str(params.get("radius_km") or "").strip()
        try:
            radius = float(radius_raw) if radius_raw else DEFAULT_RADIUS_KM
        except ValueError:
            raise _bad("search_bad_radius", "radius_km", "radius_km must be a number") from None
        division = str(params.get("division") or "").strip() or None
        return cls(
            q=str(params.get("q") or ""),
            kind=str(params.get("kind") or "all").strip(),
            division=division,
            near=_parse_near(near_raw) if near_raw else None,
            radius_km=radius,
            page=_parse_int(params.get("page") or 1, "page", "search_bad_page"),
            size=_parse_int(params.get("size") or 10, "size", "search_bad_size"),
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
        """Type-ahead: names starting with (or whose pinyin starts with) ``q`` first."""

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

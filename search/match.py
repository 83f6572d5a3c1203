"""How a query matches a name: the query plan, the tiers, partial matching, highlighting. Pure.

Both backends rank by the same tiers (lower first) and answer the same ``match`` labels:

== ============ ===================================================================
0  identifier   the query is a credit code, licence number, GTIN or key
1  exact        the name, folded (:mod:`search.normalise`), equals the query
2  prefix       the name starts with the query
3  substring    the name contains the query
4  substring    every term is in the name or in another field (address, brand,
                category), in any order (``米粉 柳城``)
5  sound        every term is in the name or sounds like part of it, syllable for
                syllable (``冷连`` for 冷链, ``luosifen``, ``lsf``)
6  sound        the same with the fuzzy pairs of pinyin keyboards (``sh``/``s`` …)
7  partial      every term is in the name, sounds like it, or has its characters in
                order with others between (``城中农贸`` for 城中区农副产品贸易市场)
== ============ ===================================================================

Within tier 4 the documents with more of the terms in the name first (``城中 中山``: 城中中山
粉店 before a 中山 shop of 城中区). Within tier 7 the better partial match first (:func:`partial_score`): fewer characters of
the query missing, then fewer characters skipped in the name, then nearer its start.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .base import normalise_identifier
from .normalise import compact, fold, is_han_text, split_terms
from .pinyin import Sounds, query_sounds

TIER_MATCH = ("identifier", "exact", "prefix", "substring", "substring", "sound", "sound",
              "partial")
PARTIAL_TIER = 7
MAX_TERMS = 8
MIN_PARTIAL = 2  # characters in a term before its characters may be apart in the name


def span_limit(n: int) -> int:
    """How far apart the characters of an ``n``-character term may be: ``3n + 2``."""
    return 3 * n + 2


@dataclass(frozen=True)
class Term:
    text: str
    sounds: Sounds
    partial: bool  # Chinese, long enough to be matched with characters skipped


@dataclass(frozen=True)
class Plan:
    """A folded query: ``text`` without spaces for exact/prefix/substring, its terms, its
    identifier form and whether the fuzzy sound pairs apply."""

    text: str
    terms: tuple[Term, ...]
    ident: str
    fuzzy: bool = True

    @property
    def sound(self) -> Sounds:
        """The one sound of a single-term (or all-letters) query."""
        if self.text.isascii() and self.text.isalpha():
            return query_sounds(self.text)
        return self.terms[0].sounds if len(self.terms) == 1 else Sounds()

    def sound_strings(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(exact, fuzzy) strings of :attr:`sound`; the fuzzy ones find the candidates of an
        exact sound match too (the fuzzy form of an exact match matches)."""
        sound = self.sound
        return sound.exact, sound.fuzzy


def make_term(text: str) -> Term:
    return Term(text, query_sounds(text), is_han_text(text) and len(text) >= MIN_PARTIAL)


def plan_query(q: str, fuzzy: bool = True) -> Plan:
    """The plan of a raw query string (terms beyond :data:`MAX_TERMS` are the caller's to
    refuse; see :meth:`search.base.SearchQuery.validate`)."""
    folded = fold(q)
    terms = tuple(make_term(t) for t in split_terms(folded)[:MAX_TERMS])
    return Plan(folded.replace(" ", ""), terms, normalise_identifier(q), fuzzy)


def partial_positions(term: str, title: str) -> list[int] | None:
    """Positions in ``title`` of the tightest in-order match of every character of ``term``
    within :func:`span_limit`, earliest first among equals; None if there is none."""
    best: list[int] | None = None
    limit = span_limit(len(term))
    start = title.find(term[0])
    while start >= 0:
        at, found = start, [start]
        for ch in term[1:]:
            at = title.find(ch, at + 1)
            if at < 0 or at - start >= limit:
                return best
            found.append(at)
        if best is None or found[-1] - found[0] < best[-1] - best[0]:
            best = found
        start = title.find(term[0], start + 1)
    return best


def partial_match(term: str, title: str) -> tuple[int, list[int]] | None:
    """(characters of ``term`` missing, positions): all characters, else (terms of four or
    more characters) all but one."""
    found = partial_positions(term, title)
    if found is not None:
        return 0, found
    if len(term) < 4:
        return None
    absent = [i for i, ch in enumerate(term) if ch not in title]
    if len(absent) > 1:  # only one character may be left out
        return None
    if not absent:  # a character the term holds more often than the name must be the one
        extra = {ch: n for ch in set(term) if (n := term.count(ch) - title.count(ch)) > 0}
        if sum(extra.values()) > 1:
            return None
        absent = [i for i, ch in enumerate(term) if ch in extra] or range(len(term))
    options = [p for i in absent
               if (p := partial_positions(term[:i] + term[i + 1:], title)) is not None]
    return (1, min(options, key=lambda p: (p[-1] - p[0], p[0]))) if options else None


def partial_score(missing: int, positions: list[int]) -> tuple[int, int, int]:
    """Order within the partial tier: characters missing, characters skipped, start."""
    return missing, positions[-1] - positions[0] + 1 - len(positions), positions[0]


def sound_tier(sounds: Sounds, exact: str, fuzzy: str, use_fuzzy: bool) -> int | None:
    if any(s in exact for s in sounds.exact):
        return 5
    if use_fuzzy and any(s in fuzzy for s in sounds.fuzzy):
        return 6
    return None


def term_tier(term: Term, fields: "Fields", use_fuzzy: bool) -> tuple[int, tuple] | None:
    """(tier, score) of one term against one document's fields, or None."""
    if term.text in fields.title:
        return 3, ()
    if term.text in fields.other:
        return 4, ()
    tier = sound_tier(term.sounds, fields.exact, fields.fuzzy, use_fuzzy) if term.sounds else None
    if tier is not None:
        return tier, ()
    found = partial_match(term.text, fields.title) if term.partial else None
    return (PARTIAL_TIER, partial_score(*found)) if found else None


@dataclass(frozen=True)
class Fields:
    """What classification reads of a document: folded compact name and other text, and its
    exact and fuzzy sound strings (:func:`search.pinyin.sound_strings`)."""

    title: str
    other: str = ""
    exact: str = ""
    fuzzy: str = ""


def classify(plan: Plan, fields: Fields) -> tuple[int, tuple] | None:
    """(tier, score) of a document for ``plan`` (identifiers aside), or None: no match."""
    text, title = plan.text, fields.title
    if text and title == text:
        return 1, ()
    if text and title.startswith(text):
        return 2, ()
    if text and text in title:
        return 3, ()
    if not plan.terms:
        return None
    if len(plan.terms) > 1 and all(t.text in title or t.text in fields.other
                                   for t in plan.terms):
        return 4, (sum(t.text not in title for t in plan.terms),)  # all in the name first
    sound = plan.sound if len(plan.terms) > 1 else Sounds()
    if sound and (tier := sound_tier(sound, fields.exact, fields.fuzzy, plan.fuzzy)):
        return tier, ()
    found = [term_tier(t, fields, plan.fuzzy) for t in plan.terms]
    if any(f is None for f in found):
        return None
    tier = max(max(f[0] for f in found), 4)  # type: ignore[index]
    score = tuple(sum(f[1][i] for f in found if f[1]) for i in range(3))  # type: ignore[index]
    return tier, (score if tier == PARTIAL_TIER else ())


def _folded_chars(title: str) -> tuple[str, list[int]]:
    """The compact folded title and, for each of its characters, the index in ``title``."""
    chars, origin = [], []
    for i, ch in enumerate(title):
        for out in compact(ch):
            chars.append(out)
            origin.append(i)
    return "".join(chars), origin


def highlight(title: str, plan: Plan) -> str:
    """``title`` HTML-escaped, the characters that matched ``plan`` in ``<em>`` (the whole
    query, else each term found whole, else a partial match's characters)."""
    folded, origin = _folded_chars(title)
    marked: set[int] = set()
    spans = [plan.text] if plan.text and plan.text in folded else [t.text for t in plan.terms]
    for needle in spans:
        at = folded.find(needle) if needle else -1
        if at >= 0:
            marked.update(origin[at:at + len(needle)])
        elif is_han_text(needle):
            found = partial_match(needle, folded) if len(needle) >= MIN_PARTIAL else None
            marked.update(origin[p] for p in (found[1] if found else ()))
    out, open_ = [], False
    for i, ch in enumerate(title):
        if (i in marked) != open_:
            out.append("<em>" if not open_ else "</em>")
            open_ = not open_
        out.append(html.escape(ch))
    return "".join(out) + ("</em>" if open_ else "")

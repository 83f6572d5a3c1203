"""The one text normaliser of search: index text and queries both go through :func:`fold`. Pure.

``fold`` applies Unicode NFKC (full-width letters and digits to half-width, ``①`` to ``1``),
then one pass per character: traditional to simplified Chinese (OpenCC's ``TSCharacters``
table, shipped by ``opencc-purepy``: ``廣西貿易`` → ``广西贸易``), case folding; letters and
digits kept; punctuation, separators, control characters and maths/currency signs become a space
(they separate terms: ``龙城超市（五一路店）`` → ``龙城超市 五一路店``); emoji, other symbols,
format characters (zero-width joiners) and combining marks are dropped, so ``螺😀蛳粉`` reads
``螺蛳粉``. Spaces are collapsed.

The conversion is character by character (OpenCC's phrase table is not applied): both sides
of every comparison are folded the same way, and one character in gives at most one out,
so positions in the folded text map back to the original for highlighting.

:func:`compact` is the folded text without spaces (what exact, prefix and substring matches
compare); :func:`split_terms` cuts a folded query into terms at spaces and where Chinese
characters meet Latin letters or digits (``江滨lsf`` → ``江滨``, ``lsf``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DROP = frozenset(("So", "Sk", "Cf", "Mn", "Me", "Cs", "Co", "Cn"))
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")


class _CharMap(dict):
    """``str.translate`` table built lazily: each code point's category is looked up once."""

    def __missing__(self, code: int):
        ch = chr(code)
        cat = unicodedata.category(ch)
        if cat[0] in "LN":
            folded = _simplified().get(ch, ch).casefold()
            value = code if folded == ch else folded
        elif cat in _DROP:
            value = ""
        else:  # punctuation, separators, control characters, Sm, Sc
            value = " "
        self[code] = value
        return value


_TABLE = _CharMap()


@lru_cache(maxsize=1)
def _simplified() -> dict[str, str]:
    """OpenCC's traditional → simplified character table (one character each)."""
    from opencc_purepy import OpenCC

    table = OpenCC("t2s").dictionary.ts_characters[0]
    return {k: v for k, v in table.items() if len(k) == 1 and len(v) == 1}


def fold(text: str) -> str:
    """NFKC, traditional → simplified, case folded, punctuation as spaces, symbols dropped."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.translate(_TABLE).split())


def compact(text: str) -> str:
    """:func:`fold` without spaces."""
    return fold(text).replace(" ", "")


def split_terms(folded: str) -> list[str]:
    """Terms of an already folded text: at spaces and at Chinese/non-Chinese boundaries,
    without repeats, in the order typed."""
    terms: dict[str, None] = {}
    for word in folded.split():
        for run in _HAN_RUN.findall(word):
            terms.setdefault(run, None)
    return list(terms)


def is_han_text(text: str) -> bool:
    """Every character is a CJK ideograph."""
    return _HAN.fullmatch(text) is not None

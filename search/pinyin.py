"""Pinyin for search: full pinyin without tones and initials, heteronyms included. Pure.

``readings("重庆小面馆")`` gives the phrase-aware reading first (``chongqingxiaomianguan``,
``cqxmg``) and then variants where one multi-reading character takes another of its readings
(``zhongqing...``, ``zq...``), so a user who types the "wrong" reading still finds the name.
The number of variants is bounded (:data:`MAX_READINGS`) so long names with many heteronyms
cannot blow up the index.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

MAX_READINGS = 6
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def is_han(ch: str) -> bool:
    """True for a CJK ideograph (the characters pypinyin reads)."""
    return bool(_HAN.fullmatch(ch))


@lru_cache(maxsize=8192)
def _char_readings(ch: str) -> tuple[str, ...]:
    return tuple(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def _syllables(text: str) -> list[tuple[str, bool]]:
    """(syllable, is_han) pairs: one per ideograph, runs of other characters kept whole."""
    out: list[tuple[str, bool]] = []
    for part in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        if part and all(c.isascii() for c in part) and part.isalpha() and part.islower():
            out.append((part, True))
        else:
            cleaned = _NON_ALNUM.sub("", part.lower())
            if cleaned:
                out.append((cleaned, False))
    return out


def _join(sylls: list[tuple[str, bool]]) -> tuple[str, str]:
    full = "".join(s for s, _ in sylls)
    initials = "".join(s[0] if han else s for s, han in sylls)
    return full, initials


def readings(text: str, limit: int = MAX_READINGS) -> list[tuple[str, str]]:
    """``[(full, initials), ...]``: the phrase-aware reading first, then heteronym variants.

    >>> readings("长沙")[0]
    ('changsha', 'cs')
    """
    text = text or ""
    sylls = _syllables(text)
    if not sylls:
        return []
    result = [_join(sylls)]
    han_chars = [ch for ch in text if is_han(ch)]
    han_positions = [i for i, (_, han) in enumerate(sylls) if han]
    if len(han_chars) != len(han_positions):  # pypinyin read a non-ideograph; stay simple
        return result
    for pos, ch in zip(han_positions, han_chars):
        for alt in _char_readings(ch):
            if len(result) >= limit:
                return result
            if alt == sylls[pos][0]:
                continue
            variant = list(sylls)
            variant[pos] = (alt, True)
            joined = _join(variant)
            if joined not in result:
                result.append(joined)
    return result


def pinyin_text(*texts: str, limit: int = MAX_READINGS) -> str:
    """Every full reading and every initials string of ``texts``, space-separated, no repeats."""
    seen: dict[str, None] = {}
    for text in texts:
        for full, initials in readings(text, limit):
            seen.setdefault(full, None)
            seen.setdefault(initials, None)
    return " ".join(seen)


def looks_like_pinyin(q: str) -> bool:
    """A query that could be pinyin or initials: ASCII letters, optionally spaces/apostrophes."""
    stripped = q.replace(" ", "").replace("'", "")
    return bool(stripped) and stripped.isascii() and stripped.isalpha()


def normalise_pinyin_query(q: str) -> str:
    """``"Luo Si'fen"`` → ``"luosifen"``."""
    return _NON_ALNUM.sub("", q.lower())

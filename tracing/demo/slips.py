"""Search queries as people type them, made from real names: the labelled slips that the search
tests and ``benchmarks/search_bench.py`` look for. Pure (deterministic for a given ``rng``).

Each function takes a name (and for :func:`terms` the address) and returns the query a
person might type for it, or None when the slip does not apply to that name:

- :func:`traditional`: the name in traditional characters (OpenCC ``s2t``);
- :func:`full_width`: its pinyin initials typed in full-width letters (``ｌｚｓ…``);
- :func:`homophone`: one character replaced by a common character of the same sound
  (副食品 → 付食品), as a pinyin keyboard's wrong pick gives;
- :func:`fuzzy`: one character replaced by one whose sound differs by a fuzzy pair
  (s/sh, z/zh, c/ch, n/l, an/ang, en/eng, in/ing);
- :func:`skipped`: a quarter of the characters after the first left out (城中农贸);
- :func:`terms`: the district and a piece of the name (from the address: another field),
  with a space.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from search.pinyin import char_readings, fuzzy as fuzzy_class, is_han, readings

KINDS = ("traditional", "full_width", "homophone", "fuzzy", "skipped", "terms")
_DISTRICT = re.compile(r"^柳州市(.{2})")
_PAIRS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@lru_cache(maxsize=1)
def _by_sound() -> dict[str, list[str]]:
    """Toneless reading → characters read only that way, the commonest first (by how many
    words of pypinyin's phrase table use them)."""
    from pypinyin.phrases_dict import phrases_dict

    uses: dict[str, int] = {}
    for phrase in phrases_dict:
        for ch in phrase:
            uses[ch] = uses.get(ch, 0) + 1
    out: dict[str, list[str]] = {}
    for ch in sorted(uses, key=lambda c: (-uses[c], c)):
        found = char_readings(ch) if is_han(ch) else ()
        if len(found) == 1 and uses[ch] >= 20:
            out.setdefault(found[0], []).append(ch)
    return out


def traditional(name: str, rng: random.Random | None = None) -> str | None:
    from opencc_purepy import OpenCC

    converted = OpenCC("s2t").convert(name)
    return converted if converted != name else None


def full_width(name: str, rng: random.Random | None = None) -> str | None:
    found = readings(name)
    if not found:
        return None
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in found[0][1])


def _replace(name: str, rng: random.Random, sounds) -> str | None:
    """``name`` with one character (after the first) replaced by a common character of one of
    the sounds ``sounds(reading)`` gives for the character's reading."""
    table = _by_sound()
    options = []
    for i, ch in enumerate(name):
        if i == 0 or not is_han(ch) or not char_readings(ch):
            continue
        found = [c for s in sounds(char_readings(ch)[0]) for c in table.get(s, ())[:8]
                 if c != ch and c not in name]
        if found:
            options.append((i, found))
    if not options:
        return None
    i, found = rng.choice(options)
    return name[:i] + rng.choice(found[:5]) + name[i + 1:]


def homophone(name: str, rng: random.Random) -> str | None:
    return _replace(name, rng, lambda reading: [reading])


def _fuzzy_partners(reading: str) -> list[str]:
    out = []
    for a, b in _PAIRS:
        if reading.startswith(a) and not (a == "n" and reading.startswith("ng")):
            out.append(b + reading[len(a):])
        elif reading.startswith(b) and not (b == "z" and reading.startswith("zh")) \
                and not (b in "cs" and reading[1:2] == "h"):
            out.append(a + reading[len(b):])
    for a, b in _FINALS:
        if reading.endswith(a):
            out.append(reading[:-len(a)] + b)
        elif reading.endswith(b):
            out.append(reading + "g")
    return [r for r in out if r != reading and fuzzy_class(r) == fuzzy_class(reading)]


def fuzzy(name: str, rng: random.Random) -> str | None:
    return _replace(name, rng, _fuzzy_partners)


def skipped(name: str, rng: random.Random) -> str | None:
    chars = [i for i, ch in enumerate(name) if is_han(ch)]
    if len(chars) < 5:
        return None
    drop = set(rng.sample(chars[1:-1], max(1, len(chars) // 4)))
    return "".join(ch for i, ch in enumerate(name) if i not in drop and is_han(ch))


def terms(name: str, address: str, rng: random.Random | None = None) -> str | None:
    """The district, a space, then the two characters after the name's place words (the
    trade name, mostly): ``柳城 嘉利`` for 柳州市嘉利米粉厂 of 柳城县."""
    district = _DISTRICT.match(address or "")
    if not district:
        return None
    core = name
    for prefix in ("柳州市", "柳州", "广西", district.group(1)):
        core = core.removeprefix(prefix)
    core = "".join(ch for ch in core if is_han(ch))
    if len(core) < 2:
        return None
    return f"{district.group(1)} {core[:2]}"


def slip(kind: str, name: str, address: str, rng: random.Random) -> str | None:
    """The query of slip ``kind`` (one of :data:`KINDS`) for a name."""
    if kind == "terms":
        return terms(name, address, rng)
    return {"traditional": traditional, "full_width": full_width, "homophone": homophone,
            "fuzzy": fuzzy, "skipped": skipped}[kind](name, rng)

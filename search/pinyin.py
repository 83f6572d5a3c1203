"""Pinyin for search: syllables without tones, heteronyms kept, and the fuzzy sounds of pinyin
keyboards (模糊音). Pure.

A name is read character by character (:func:`units`): each Chinese character becomes its
readings, the phrase reading first (``重庆`` → ``chong``, not ``zhong``: two-character words
of pypinyin's phrase table decide), then its other readings; other runs of letters or digits
stay as they are. Every distinct character is looked up once (cached).

Sound strings (:func:`sound_strings`) are what the index holds, in two parallel forms:

- *exact*: the full reading run together (``chongqingxiaomianguan``), the initials
  (``cqxmg``), and for each other reading of a heteronym a short snippet around it
  (``zhongqingxiao``, ``zqx``), at most :data:`MAX_VARIANTS` of them;
- *fuzzy*: the same with every syllable put in its fuzzy class (:func:`fuzzy`): ``zh ch sh``
  → ``z c s``, initial ``n`` → ``l``, finals ``ang eng ing`` → ``an en in`` (so ``iang`` →
  ``ian``, ``uang`` → ``uan``). ``冷链`` (``leng lian``) and ``冷连`` read the same, and so do
  ``shipin`` and ``sipin``; ``sibin`` does not (b/p is no fuzzy pair).

A query (:func:`query_sounds`) is matched by the same strings: a Chinese term by its readings,
a Latin term by its splits into syllables (:func:`segment`, the last one may be the start of
a syllable, as typed) or, failing that, as initials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_VARIANTS = 5  # heteronym snippets per name
MAX_ALTERNATES = 3  # readings kept per character
SNIPPET = 2  # syllables either side of a heteronym in its snippet
MAX_SEGMENTATIONS = 4
_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_FINAL = re.compile(r"(ang|eng|ing)$")
SYLLABLES = frozenset("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang
cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan
chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia
dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou
fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang
hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing
jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui
kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan
lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai
nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o
ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie
qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa
sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai
shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao
tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie
xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai
zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua
zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo""".split())
_STARTS = frozenset(s[:i] for s in SYLLABLES for i in range(1, len(s) + 1))


def is_han(ch: str) -> bool:
    """True for a CJK ideograph (the characters pypinyin reads)."""
    return bool(_HAN.fullmatch(ch))


@lru_cache(maxsize=None)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, pypinyin's default first; ``()`` if it has none."""
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch))
    if not raw:
        return ()
    out = dict.fromkeys(p.translate(_TONES) for p in raw.split(","))
    return tuple(p for p in out if p.isascii() and p.isalpha())[:MAX_ALTERNATES]


@lru_cache(maxsize=65536)
def _phrase(pair: str) -> tuple[str, str] | None:
    from pypinyin.phrases_dict import phrases_dict

    found = phrases_dict.get(pair)
    if not found or len(found) != 2:
        return None
    return found[0][0].translate(_TONES), found[1][0].translate(_TONES)


def _first(unit: tuple[str, ...], reading: str) -> tuple[str, ...]:
    return (reading, *(r for r in unit if r != reading)) if reading in unit else unit


def _is_han_char(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=131072)
def units(text: str) -> tuple[tuple[str, ...], ...]:
    """Per Chinese character its readings (phrase reading first); other alphanumeric runs as
    one unit each; everything else skipped. ``text`` is folded (see :mod:`search.normalise`)."""
    out: list[tuple[str, ...]] = []
    han: list[tuple[int, str]] = []  # (position in out, character)
    run = ""
    for ch in text + " ":
        if ch.isascii() and ch.isalnum():
            run += ch
            continue
        if run:
            out.append((run,))
            run = ""
        readings = char_readings(ch) if _is_han_char(ch) else ()
        if readings:
            han.append((len(out), ch))
            out.append(readings)
    for (i, a), (j, b) in zip(han, han[1:]):
        if j == i + 1 and (len(out[i]) > 1 or len(out[j]) > 1):
            phrase = _phrase(a + b)
            if phrase:
                out[i], out[j] = _first(out[i], phrase[0]), _first(out[j], phrase[1])
    return tuple(out)


@lru_cache(maxsize=4096)
def fuzzy(syllable: str) -> str:
    """The fuzzy class of a syllable (or of its start as typed): zh/ch/sh → z/c/s, initial n →
    l, ang/eng/ing → an/en/in."""
    s = syllable
    if s[:2] in ("zh", "ch", "sh"):
        s = s[0] + s[2:]
    elif s[:1] == "n":
        s = "l" + s[1:]
    return _FINAL.sub(lambda m: m.group(1)[0] + "n", s)


@lru_cache(maxsize=8192)
def _forms(unit: str) -> tuple[str, str, str, str]:
    """(exact, exact initial, fuzzy, fuzzy initial) of a syllable; a raw run is kept whole."""
    if unit in SYLLABLES:
        f = fuzzy(unit)
        return unit, unit[0], f, f[0]
    return unit, unit, unit, unit


def _join(seq: list[str], fuzzy_form: bool) -> tuple[str, str]:
    """(full, initials) of a sequence of syllables or raw runs (raw runs kept whole)."""
    at = 2 if fuzzy_form else 0
    forms = [_forms(s) for s in seq]
    return "".join(f[at] for f in forms), "".join(f[at + 1] for f in forms)


def _snippets(found: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    main = [u[0] for u in found]
    out: list[list[str]] = []
    for i, unit in enumerate(found):
        for alt in unit[1:]:
            if len(out) >= MAX_VARIANTS:
                return out
            lo = max(0, i - SNIPPET)
            out.append(main[lo:i] + [alt] + main[i + 1:i + 1 + SNIPPET])
    return out


@lru_cache(maxsize=131072)
def sound_parts(text: str) -> tuple[str, str, tuple[str, ...]]:
    """(exact, fuzzy, fuzzy initials): the sound strings of a folded name (space-separated, in
    parallel order) and, apart, the fuzzy initials of each reading (main, then snippets)."""
    found = units(text.replace(" ", ""))
    if not any(len(u) > 1 or u[0] in SYLLABLES for u in found):
        return "", "", ()
    seqs = [[u[0] for u in found], *_snippets(found)]
    exact: dict[str, None] = {}
    fuzzy_: dict[str, None] = {}
    initials: dict[str, None] = {}
    for seq in seqs:
        full, first, fz_full, fz_initials = map("".join, zip(*map(_forms, seq)))
        exact.setdefault(full, None)
        exact.setdefault(first, None)
        fuzzy_.setdefault(fz_full, None)
        fuzzy_.setdefault(fz_initials, None)
        initials.setdefault(fz_initials, None)
    return " ".join(exact), " ".join(fuzzy_), tuple(initials)


def sound_strings(text: str) -> tuple[str, str]:
    """(exact, fuzzy): space-separated sound strings of a folded name, in parallel order."""
    exact, fuzzy_, _ = sound_parts(text)
    return exact, fuzzy_


def segment(letters: str, limit: int = MAX_SEGMENTATIONS) -> list[list[str]]:
    """Ways to read ``letters`` as pinyin syllables, fewest syllables first; when no way ends
    on a whole syllable, the last may be the start of one (``chongq`` → ``chong q``)."""
    found: list[list[str]] = []

    def walk(at: int, acc: list[str]) -> None:
        if len(found) >= limit * 4:
            return
        if at == len(letters):
            found.append(list(acc))
            return
        for end in range(min(len(letters), at + 6), at, -1):
            piece = letters[at:end]
            if piece in SYLLABLES or (end == len(letters) and piece in _STARTS):
                acc.append(piece)
                walk(end, acc)
                acc.pop()

    if letters.isascii() and letters.isalpha() and len(letters) <= 40:
        walk(0, [])
    complete = [seq for seq in found if seq[-1] in SYLLABLES]
    return sorted(complete or found, key=len)[:limit]


@dataclass(frozen=True)
class Sounds:
    """What a query term sounds like: strings to find among a name's sound strings."""

    exact: tuple[str, ...] = ()
    fuzzy: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.exact or self.fuzzy)


def _han_sounds(term: str) -> Sounds:
    found = units(term)
    if len(found) < 2 or not all(u[0] in SYLLABLES for u in found):
        return Sounds()
    seqs = [[u[0] for u in found]]
    for i, unit in enumerate(found):
        seqs += [[*seqs[0][:i], alt, *seqs[0][i + 1:]] for alt in unit[1:]]
    seqs = seqs[:MAX_SEGMENTATIONS]
    return Sounds(tuple(dict.fromkeys(_join(s, False)[0] for s in seqs)),
                  tuple(dict.fromkeys(_join(s, True)[0] for s in seqs)))


def _letter_sounds(term: str) -> Sounds:
    if len(term) < 2 or not (term.isascii() and term.isalpha()):
        return Sounds()
    seqs = segment(term)
    fuzzies = ["".join(map(fuzzy, seq)) for seq in seqs if len(seq) > 1 or len(term) >= 3]
    if not seqs or seqs[0][-1] not in SYLLABLES:  # no whole-syllable reading: initials too
        fuzzies.append(term.replace("n", "l"))
    return Sounds((term,), tuple(dict.fromkeys(fuzzies)))


def query_sounds(term: str) -> Sounds:
    """The sound strings of one folded query term: Chinese characters by their readings (two
    or more characters), letters as syllables or initials (two or more letters)."""
    if all(is_han(ch) for ch in term):
        return _han_sounds(term)
    return _letter_sounds(term)


def readings(text: str, limit: int = MAX_VARIANTS + 1) -> list[tuple[str, str]]:
    """``[(full, initials), ...]``: the phrase reading first, then heteronym variants of the
    whole name (one character reading otherwise each)."""
    from .normalise import compact

    found = units(compact(text))
    if not found:
        return []
    main = [u[0] for u in found]
    result = [_join(main, False)]
    for i, unit in enumerate(found):
        for alt in unit[1:]:
            joined = _join([*main[:i], alt, *main[i + 1:]], False)
            if len(result) < limit and joined not in result:
                result.append(joined)
    return result


def looks_like_pinyin(q: str) -> bool:
    """A query that could be pinyin or initials: ASCII letters, optionally spaces/apostrophes."""
    stripped = q.replace(" ", "").replace("'", "")
    return bool(stripped) and stripped.isascii() and stripped.isalpha()

"""GS1 application identifiers (AIs): the table, value checks and element-string parsing.

Pure functions, no I/O. The table is GS1's Barcode Syntax Dictionary
(:mod:`tracing.codes.gs1_ais`, generated from ``data/gs1-syntax-dictionary.txt``): every AI's
components (length, character set N digits / X CSET 82 / Y CSET 39 / Z base64url) and content
checks (:mod:`tracing.codes.gs1_lint`: check digits, dates, ISO country and currency codes...),
and its association rules (``req``/``ex``, checked by :func:`check_associations`).
Errors are :class:`GS1Error`: a ``ValueError`` with a stable ``rule`` and a Chinese sentence;
``tracing.codes.parse`` turns them into ``CodeMalformed`` for the public.

- Element strings read predefined-length AIs by length and the others up to the FNC1
  separator (ASCII GS, ``\\x1d``) or the end; a GS after a predefined-length AI is tolerated,
  and so are repeated GS.
- Dates are YYMMDD with GS1's sliding century (General Specifications 7.12, this year taken in
  Asia/Shanghai): a year more than 50 years back counts as ahead and one 51 or more ahead as
  back, so in 2025 "96" is 1996 and "60" is 2060. DD=00 means "day unknown" where GS1 allows
  it (AIs 11-17): :func:`parse_date` reads it as the last day of the month for expiry-like
  dates (12, 15, 16, 17) and the first day otherwise, so a derived shelf life is never longer
  than the real one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from core.i18n import T
from tracing.codes import gs1_lint
from tracing.codes.gs1_ais import AIS, PREFIX_LENGTHS

GS = "\x1d"
CSET_RE = {
    "N": re.compile(r"[0-9]+"),
    "X": re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+"),
    "Y": re.compile(r"[#\-/0-9A-Z]+"),
    "Z": re.compile(r"[A-Za-z0-9\-_]*={0,2}"),
}
CSET_NAMES = {"N": T("数字"), "X": T("GS1 字符集 82"), "Y": T("GS1 字符集 39"), "Z": T("base64url 字符集")}
END_OF_MONTH_AIS = frozenset({"12", "15", "16", "17"})
NAMES = {
    "00": T("系列货运包装箱代码"), "01": T("商品代码 GTIN"), "02": T("所含贸易项目 GTIN"), "10": T("批号"),
    "11": T("生产日期"), "12": T("付款截止日期"), "13": T("包装日期"), "15": T("保质期"),
    "16": T("销售截止日期"), "17": T("有效期"), "20": T("产品变体"), "21": T("序列号"), "22": T("消费品变体"),
    "235": T("第三方序列号"), "250": T("二级序列号"), "30": T("可变数量"), "37": T("贸易项目数量"),
    "422": T("原产国"), "423": T("初加工国家"), "424": T("加工国家"), "425": T("拆分国家"),
    "426": T("全程加工国家"), "427": T("原产地区"), "7006": T("首次冷冻日期"), "7007": T("收获日期"),
    "8030": T("数字签名"), "8200": T("产品网址"),
    **{f"703{n}": T("加工者批准号") for n in range(10)},
    **{f"723{n}": T("认证参考") for n in range(10)},
    **{f"310{n}": T("净重（千克）") for n in range(6)},
}


class GS1Error(ValueError):
    """A GS1 rule is broken; ``rule`` is stable, ``str(error)`` says which in Chinese."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message  # a core.i18n.Text


@dataclass(frozen=True, slots=True)
class Component:
    cset: str
    low: int
    high: int
    optional: bool
    linters: tuple
    match: object  # the character set's compiled fullmatch

    def fits(self, part: str) -> bool:
        return self.match(part) is not None and (self.cset != "Z" or _padded(part))


@dataclass(frozen=True, slots=True)
class Entry:
    """One AI of GS1's dictionary (see :mod:`tracing.codes.gs1_ais`)."""

    ai: str
    title: str
    fixed: bool  # predefined length: no FNC1 needed after it
    dl_attribute: bool  # allowed as a Digital Link query attribute
    components: tuple[Component, ...]
    requires: tuple
    excludes: tuple[str, ...]
    dl_key: tuple | None
    min_len: int
    max_len: int
    requires_m: tuple  # requires and excludes as matchers: an AI, or (prefix, length)
    excludes_m: tuple


def _matcher(pattern: str) -> str | tuple[str, int]:
    return (pattern.rstrip("n"), len(pattern)) if "n" in pattern else pattern


def _entry(ai: str, row: tuple) -> Entry:
    title, fixed, dl_attribute, components, requires, excludes, dl_key = row
    parts = tuple(Component(cset, low, high, optional,
                            tuple(gs1_lint.LINTERS[name] for name in linters),
                            CSET_RE[cset].fullmatch)
                  for cset, low, high, optional, linters in components)
    requires_m = tuple(tuple(tuple(_matcher(p) for p in group) for group in alternatives)
                       for alternatives in requires)
    return Entry(ai, title, fixed, dl_attribute, parts, requires, excludes, dl_key,
                 sum(p.low for p in parts if not p.optional), sum(p.high for p in parts),
                 requires_m, tuple(_matcher(p) for p in excludes))


AI_TABLE: dict[str, Entry] = {ai: _entry(ai, row) for ai, row in AIS.items()}
# Digital Link primary keys (only 01 is traceable here) and the qualifiers of a GTIN.
KEY_AIS = frozenset(ai for ai, e in AI_TABLE.items() if e.dl_key is not None)
GTIN_QUALIFIERS = frozenset(q for seq in AI_TABLE["01"].dl_key for q in seq)


def ai_label(ai: str) -> str:
    return T("{name}（AI {ai}）", name=NAMES[ai], ai=ai) if ai in NAMES else f"AI {ai}"


def lookup(ai: str) -> Entry:
    entry = AI_TABLE.get(ai)
    if entry is None:
        raise GS1Error("gs1_unknown_ai", T("未知的 GS1 应用标识符（{ai}）", ai=ai))
    return entry


def check_value(ai: str, value: str) -> str:
    """Return ``value`` when it fits AI ``ai``: known, length, characters, content checks."""
    entry = lookup(ai)
    if not value:
        raise GS1Error("gs1_empty_value", T("{ai_label}没有值", ai_label=ai_label(ai)))
    if len(value) > entry.max_len:
        _too_long(entry, len(value))
    if len(value) < entry.min_len:
        _too_short(entry, len(value))
    _components(entry, value)
    return value


def _too_long(entry: Entry, size: int) -> None:
    raise GS1Error("gs1_too_long",
                   T("{ai_label}有 {size} 位，GS1 最多允许 {max_len} 位",
                     ai_label=ai_label(entry.ai), size=size, max_len=entry.max_len))


def _too_short(entry: Entry, size: int, part: int | None = None) -> None:
    need = entry.min_len if part is None else entry.components[part].low
    fixed = entry.min_len == entry.max_len or part is not None
    where = "" if part is None or len(entry.components) == 1 else T("第 {n} 段", n=part + 1)
    raise GS1Error("gs1_too_short", (
        T("{ai_label}{where}不完整：需要 {need} 位，实际 {size} 位", ai_label=ai_label(entry.ai),
          where=where, need=need, size=size) if fixed else
        T("{ai_label}{where}不完整：需要至少 {need} 位，实际 {size} 位",
          ai_label=ai_label(entry.ai), where=where, need=need, size=size)))


def _components(entry: Entry, value: str) -> None:
    """Apply each component in turn, each taking as much as it may (GS1's rule). The value's
    length is already within the AI's bounds."""
    if len(entry.components) == 1:  # most AIs: the component is the whole value
        comp = entry.components[0]
        if not comp.fits(value):
            _bad_characters(entry, comp, value)
        for linter in comp.linters:
            problem = linter(value)
            if problem is not None:
                raise GS1Error(problem[0], T("{ai_label}的值 {value}：{problem}",
                                             ai_label=ai_label(entry.ai), value=value,
                                             problem=problem[1]))
        return
    pos, size = 0, len(value)
    for index, comp in enumerate(entry.components):
        take = min(comp.high, size - pos)
        if take == 0 and comp.optional:
            continue
        if take < comp.low:
            _too_short(entry, take, index)
        part = value[pos:pos + take]
        if not comp.fits(part):
            _bad_characters(entry, comp, part)
        for linter in comp.linters:
            problem = linter(part)
            if problem is not None:
                raise GS1Error(problem[0], T("{ai_label}的值 {part}：{problem}",
                                             ai_label=ai_label(entry.ai), part=part,
                                             problem=problem[1]))
        pos += take


def _padded(part: str) -> bool:
    """base64url padding: at most two ``=``, only to complete a group of three characters."""
    pads = len(part) - len(part.rstrip("="))
    return pads == 0 or (pads <= 2 and len(part) % 3 == 0)


def _bad_characters(entry: Entry, comp: Component, part: str) -> None:
    label = ai_label(entry.ai)
    if comp.cset == "N":
        raise GS1Error("gs1_not_numeric", T("{label}只能是数字，实际为 {part!r}", label=label, part=part))
    if comp.cset == "Z" and CSET_RE["Z"].fullmatch(part):
        raise GS1Error("gs1_bad_character", T("{label}末尾的填充字符 = 个数不对", label=label))
    bad = next((ch for ch in part if not CSET_RE[comp.cset].fullmatch(ch)), "=")
    raise GS1Error("gs1_bad_character",
                   T("{label}含有 {bad!r}，{cset}中没有这个字符", label=label, bad=bad,
                     cset=CSET_NAMES[comp.cset]))


def check_gtin(gtin: str) -> str:
    """Raise :class:`GS1Error` unless ``gtin`` is 8/12/13/14 digits with a good check digit."""
    if len(gtin) not in (8, 12, 13, 14) or not (gtin.isascii() and gtin.isdigit()):
        raise GS1Error("gtin_format", T("GTIN 必须是 8、12、13 或 14 位数字，实际为 {gtin!r}", gtin=gtin))
    expected = gs1_lint.mod10_check_digit(gtin[:-1])
    if expected != gtin[-1]:
        raise GS1Error("gs1_check_digit",
                       T("GTIN {gtin} 的校验位错误：应为 {expected}，实际为 {actual}", gtin=gtin,
                         expected=expected, actual=gtin[-1]))
    return gtin


def parse_date(ai: str, value: str, this_year: int | None = None) -> date:
    """A checked YYMMDD value as a date; DD=00 per the rule in the module docstring."""
    year = gs1_lint.full_year(int(value[:2]), this_year)
    month, day = int(value[2:4]), int(value[4:6])
    if day == 0:
        day = calendar.monthrange(year, month)[1] if ai in END_OF_MONTH_AIS else 1
    return date(year, month, day)


def _ai_at(text: str, pos: int) -> Entry:
    size = PREFIX_LENGTHS.get(text[pos:pos + 2])
    ai = text[pos:pos + size] if size else ""
    if ai in AI_TABLE:
        return AI_TABLE[ai]
    head = text[pos:pos + 4]
    if len(head) < 2 or not head[:2].isdigit():
        raise GS1Error("gs1_no_ai", T("第 {position} 位应是 GS1 应用标识符，实际为 {head!r}",
                                      position=pos + 1, head=head))
    raise GS1Error("gs1_unknown_ai", T("第 {position} 位是未知的 GS1 应用标识符（{head}）",
                                       position=pos + 1, head=head))


def parse_element_string(text: str) -> list[tuple[str, str]]:
    """``(ai, value)`` pairs of an unbracketed element string with GS as FNC1 (not yet
    checked together: see :func:`check_associations`)."""
    pairs, pos, size = [], 0, len(text)
    while pos < size:
        if text[pos] == GS:
            pos += 1
            continue
        entry = _ai_at(text, pos)
        start = pos + len(entry.ai)
        stop = text.find(GS, start)
        stop = size if stop < 0 else stop
        if entry.fixed:
            stop = min(stop, start + entry.max_len)
        elif stop - start > entry.max_len:
            _too_long(entry, stop - start)
        value = text[start:stop]
        if not value:
            raise GS1Error("gs1_empty_value", T("{ai_label}没有值", ai_label=ai_label(entry.ai)))
        if len(value) < entry.min_len:
            _too_short(entry, len(value))
        _components(entry, value)
        pairs.append((entry.ai, value))
        pos = stop
    if not pairs:
        raise GS1Error("gs1_empty", T("没有 GS1 数据"))
    return pairs


BRACKET_RE = re.compile(r"(?<!\\)\(\s*(\d{2,4})\s*\)")


def parse_bracketed(text: str) -> list[tuple[str, str]]:
    """``(ai, value)`` pairs of a human-readable ``(01)...(10)...`` element string.

    Whitespace around the parts is ignored (typed input). A ``(`` inside a value is written
    ``\\(`` (GS1's syntax engine convention); an unescaped ``(NN)`` starts the next AI.
    """
    parts = BRACKET_RE.split(text)
    if len(parts) == 1 and not text.strip():
        raise GS1Error("gs1_empty", T("没有 GS1 数据"))
    if parts[0].strip():
        raise GS1Error("gs1_no_ai", T("第一个 (AI) 前面有多余的 {extra!r}", extra=parts[0].strip()))
    return [(ai, check_value(ai, value.strip().replace("\\(", "(")))
            for ai, value in zip(parts[1::2], parts[2::2])]


def _present(matcher: str | tuple[str, int], present: dict[str, str], ignore: str) -> str | None:
    """The AI there that ``matcher`` matches (``("31", 4)``: any 31xx), other than ``ignore``."""
    if matcher.__class__ is str:
        return matcher if matcher != ignore and matcher in present else None
    prefix, length = matcher
    return next((ai for ai in present
                 if ai != ignore and len(ai) == length and ai.startswith(prefix)), None)


def _alternatives(alternatives: tuple) -> str:
    return T("{first}、{rest}",
             first=_group(alternatives[0]), rest=_alternatives(alternatives[1:])) \
        if len(alternatives) > 1 else _group(alternatives[0])


def _group(group: tuple) -> str:
    return T("{first} 和 {rest}", first="AI " + group[0], rest=_group(group[1:])) \
        if len(group) > 1 else f"AI {group[0]}"


def association_problems(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every broken rule on the AIs together, as ``(rule, message)``: ``ex`` (may not appear
    with), ``req`` (needs one of), one value per AI, and a serialised key with a digital
    signature (8030). Instances of one AI with one value count once."""
    problems: list[tuple[str, str]] = []
    present: dict[str, str] = {}
    for ai, value in pairs:
        if present.setdefault(ai, value) != value:
            problems.append(("gs1_repeated_ai", T("{ai_label}出现了两次，值不相同", ai_label=ai_label(ai))))
    for ai in present:
        entry = AI_TABLE[ai]
        for matcher in entry.excludes_m:
            other = _present(matcher, present, ai)
            if other is not None:
                problems.append(("gs1_excludes",
                                 T("{ai_label}不能与 {ai_label2} 同时出现",
                                   ai_label=ai_label(ai), ai_label2=ai_label(other))))
        for index, alternatives in enumerate(entry.requires_m):
            for group in alternatives:
                if all(_present(m, present, ai) is not None for m in group):
                    break
            else:
                either = _alternatives(entry.requires[index])
                problems.append(("gs1_requires", T("{ai_label}必须与以下之一同时出现：{alternatives}",
                                                   ai_label=ai_label(ai), alternatives=either)))
    if "8030" in present:
        for ai in ("253", "255", "8003"):
            if ai in present and len(present[ai]) == AI_TABLE[ai].min_len:
                problems.append(("gs1_digsig_serial",
                                 T("带数字签名（AI 8030）时，{ai_label}必须带序列部分", ai_label=ai_label(ai))))
    return problems


def check_associations(pairs: list[tuple[str, str]]) -> None:
    """Raise :class:`GS1Error` for the first rule on AIs together that ``pairs`` break."""
    problems = association_problems(pairs)
    if problems:
        raise GS1Error(*problems[0])

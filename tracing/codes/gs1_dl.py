"""GS1 Digital Link URIs at the GS1 level: which AIs a URI carries. Pure functions, no I/O.

Follows GS1's Digital Link URI syntax as GS1's syntax engine checks it:

- only URI characters; scheme ``http://`` or ``https://`` (all lower or all upper case); a
  host without ``_~?#@!$&'()*+,;=%``;
- the path is read back from its end in ``/AI/value`` pairs up to the rightmost primary key
  (``dlpkey`` in GS1's dictionary); whatever precedes it is the URI stem. The key and its
  qualifiers must be one of the key's qualifier sequences, in order (``/01/../22/../10/../21``
  or ``/01/../235/..``); a path may not end with ``/``;
- query parameters with a numeric name are AIs: known, not empty, allowed as attributes
  (``?`` in GS1's dictionary) and not ones that belong in the path as qualifiers; other
  parameters are kept as attributes. ``+`` is a space in the query, itself in the path;
- no AI twice; then every value is checked as :func:`tracing.codes.gs1.check_value` does.

Deliberate tolerance (GS1's engine has it as an option): a GTIN (AI 01) of 8, 12 or 13
digits is padded to 14, as GS1 Digital Link 1.0 wrote them. The 1.0 convenience names
(``/gtin/``, ``/lot/``, ``/ser/``...) are read as their AIs. Values are NFKC-normalised after
percent-decoding (full-width characters typed into a generator).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

from core.i18n import T
from tracing.codes import gs1
from tracing.codes.gs1 import AI_TABLE, GS1Error, ai_label

URI_RE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
BAD_HOST_RE = re.compile(r"[_~?#@!$&'()*+,;=%]")
ALPHAS = {
    "cpid": "8010", "cpsn": "8011", "cpv": "22", "gcn": "255", "gdti": "253", "giai": "8004",
    "ginc": "401", "gln": "414", "glnx": "254", "gmn": "8013", "grai": "8003", "gsin": "402",
    "gsrn": "8018", "gsrnp": "8017", "gtin": "01", "itip": "8006", "lot": "10", "party": "417",
    "refno": "8020", "ser": "21", "srin": "8019", "sscc": "00",
}


def _sequences() -> frozenset[tuple[str, ...]]:
    """Every valid path: a key, then an ordered subset of one of its qualifier sequences."""
    found = set()
    for ai, entry in AI_TABLE.items():
        if entry.dl_key is None:
            continue
        for seq in entry.dl_key or ((),):
            for mask in range(1 << len(seq)):
                found.add((ai, *(q for i, q in enumerate(seq) if mask >> i & 1)))
    return frozenset(found)


SEQUENCES = _sequences()


@dataclass
class DigitalLink:
    pairs: list[tuple[str, str]]  # path AIs first, then query AIs, in order
    path: list[str]
    attributes: dict[str, str] = field(default_factory=dict)  # non-AI query parameters


def resolve(segment: str) -> str | None:
    """The AI a path segment names (a number in GS1's table, or a 1.0 convenience name)."""
    if segment in AI_TABLE:
        return segment
    return ALPHAS.get(segment) if 3 <= len(segment) <= 5 else None


def find_root(segments: list[str]) -> int | None:
    """Index of the rightmost primary key, reading ``/AI/value`` pairs back from the end."""
    i = len(segments) - 2
    while i >= 0:
        ai = resolve(segments[i])
        if ai is None:
            return None
        if AI_TABLE[ai].dl_key is not None:
            return i
        i -= 2
    return None


def parse_digital_link(uri: str) -> DigitalLink:
    """The AIs of a GS1 Digital Link URI; :class:`GS1Error` says which rule it breaks."""
    if not URI_RE.fullmatch(uri):
        bad = uri[URI_RE.match(uri).end()]
        raise GS1Error("dl_bad_character", T("Digital Link 含有网址中不允许的字符 {bad!r}", bad=bad))
    scheme, _, rest = uri.partition("://")
    host, slash, path = rest.partition("/")
    path = slash + path.partition("#")[0]
    path, _, query = path.partition("?")
    segments = path.split("/")[1:]
    root = _root_or_error(segments)
    if scheme not in ("http", "https", "HTTP", "HTTPS"):
        raise GS1Error("dl_bad_scheme", T("Digital Link 的协议只能是 http 或 https（全小写或全大写）"))
    if not host or BAD_HOST_RE.search(host):
        raise GS1Error("dl_bad_host", T("Digital Link 的主机名 {host!r} 无效", host=host))
    path_ais = [resolve(s) for s in segments[root::2]]
    pairs = [(ai, _path_value(ai, s)) for ai, s in zip(path_ais, segments[root + 1::2])]
    if tuple(path_ais) not in SEQUENCES:
        raise GS1Error("dl_bad_path", _path_problem(path_ais))
    query_pairs, attributes = _query(query)
    _check_query(path_ais, pairs, query_pairs)
    pairs += query_pairs
    for ai, value in pairs:
        gs1.check_value(ai, value)
    return DigitalLink(pairs, path_ais, attributes)


def _root_or_error(segments: list[str]) -> int:
    root = find_root(segments)
    if root is not None:
        return root
    if segments and segments[-1] == "" and find_root(segments[:-1]) is not None:
        raise GS1Error("dl_trailing_slash", T("Digital Link 的路径不能以 / 结尾"))
    if len(segments) > 1 and find_root(segments[:-1]) is not None:
        ai = resolve(segments[-1])
        raise GS1Error("dl_empty_value", T("Digital Link 路径中{ai_label}没有值", ai_label=ai_label(ai)))
    raise GS1Error("dl_no_key", T("网址路径中没有 GS1 Digital Link 主键（如 /01/<GTIN>）"))


def _decode(raw: str, ai: str, query: bool) -> str:
    try:
        value = (unquote_plus if query else unquote)(raw, errors="strict")
    except UnicodeDecodeError:
        raise GS1Error("dl_bad_percent_encoding",
                       T("Digital Link 中{ai_label}的百分号编码无效：{value!r}",
                         ai_label=ai_label(ai), value=raw[:40])) from None
    value = unicodedata.normalize("NFKC", value)
    if "\x00" in value:
        raise GS1Error("dl_bad_percent_encoding", T("Digital Link 中{ai_label}含有空字符",
                                                    ai_label=ai_label(ai)))
    if ai == "01" and len(value) in (8, 12, 13):
        value = value.rjust(14, "0")  # GS1 Digital Link 1.0 wrote GTIN-8/12/13 unpadded
    return value


def _path_value(ai: str, raw: str) -> str:
    if not raw:
        raise GS1Error("dl_empty_value", T("Digital Link 路径中{ai_label}没有值", ai_label=ai_label(ai)))
    return _decode(raw, ai, query=False)


def _path_problem(path_ais: list[str]) -> str:
    key = AI_TABLE[path_ais[0]]
    allowed = " 或 ".join("、".join(f"AI {q}" for q in seq) for seq in key.dl_key or ())
    shown = "/".join(f"{ai}" for ai in path_ais)
    if not allowed:
        return T("Digital Link 路径 {shown} 不对：{ai_label}后面不能再跟其他 AI", shown=shown,
                 ai_label=ai_label(key.ai))
    return T("Digital Link 路径 {shown} 不对：{ai_label}后面只能按顺序跟 {allowed}（可省略其中一些）",
             shown=shown, ai_label=ai_label(key.ai), allowed=allowed)


def _query(query: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    pairs, attributes = [], {}
    for param in query.split("&"):
        if not param:
            continue
        name, _, raw = param.partition("=")
        if not (name.isascii() and name.isdigit()):
            attributes.setdefault(unquote_plus(name), unquote_plus(raw))
            continue
        if name not in AI_TABLE:
            raise GS1Error("gs1_unknown_ai",
                           T("Digital Link 查询参数中有未知的 GS1 应用标识符（{name}）", name=name))
        if not raw:
            raise GS1Error("dl_empty_value", T("Digital Link 查询参数中{ai_label}没有值",
                                               ai_label=ai_label(name)))
        pairs.append((name, _decode(raw, name, query=True)))
    return pairs, attributes


def _check_query(path_ais: list[str], path_pairs: list, query_pairs: list) -> None:
    seen: set[str] = set()
    for ai, _ in path_pairs + query_pairs:
        if ai in seen:
            raise GS1Error("dl_duplicate_ai", T("Digital Link 中{ai_label}出现了不止一次",
                                                ai_label=ai_label(ai)))
        seen.add(ai)
    for ai, _ in query_pairs:
        if not AI_TABLE[ai].dl_attribute:
            raise GS1Error("dl_not_attribute", T("{ai_label}不能作为 Digital Link 查询参数",
                                                 ai_label=ai_label(ai)))
        for j in range(1, len(path_ais) + 1):
            if (*path_ais[:j], ai, *path_ais[j:]) in SEQUENCES:
                raise GS1Error("dl_belongs_in_path",
                               T("{ai_label}应写在 Digital Link 路径中（/{ai}/…），不能作为查询参数",
                                 ai_label=ai_label(ai), ai=ai))

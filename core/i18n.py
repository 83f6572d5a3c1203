"""Sentences a person reads: Simplified Chinese first, English on request.

Every user-facing message is written once, in Chinese, through ``T``::

    raise InvalidInput(T("终端密钥至少{n}个字符", n=MIN_KEY_LENGTH), field="key")

``T`` returns a ``Text``: a ``str`` whose value is the Chinese sentence (so logs, JSON and
existing callers see plain Chinese) and which keeps its message id and parameters so the
HTTP layer can render it again in the language the client asked for. The message id is
the Chinese template itself; Babel extracts every ``T(...)`` call into the catalogue
(``babel.cfg``), and the English catalogue ``core/locale/en/LC_MESSAGES/gongzhi.po`` is read
with Babel once, on first use, straight from the ``.po`` (compiled in memory: no ``.mo``
to keep in step, nothing fetched at run time). ``tests/unit/test_i18n_catalogue.py`` fails
when a message has no English translation.

``negotiate`` picks the language of an ``Accept-Language`` header (``zh`` unless English is
preferred); ``translate`` renders a ``Text`` — and the ``Text`` parameters inside it — in it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "gongzhi"


class Text(str):
    """A Chinese sentence that remembers its template (``msgid``) and ``params``."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> "Text":
        values = params or {}
        text = super().__new__(cls, msgid.format(**values) if values else msgid)
        text.msgid = msgid
        text.params = values
        return text

    def __reduce__(self):
        return (Text, (self.msgid, self.params))

    def format(self, *args: Any, **params: Any) -> str:
        """A template kept for later (``T("……{until}")``) filled in: still a ``Text``."""
        if args:
            return str.format(self, *args, **params)
        return Text(self.msgid, {**self.params, **params})


def T(msgid: str, /, **params: Any) -> Text:
    """Mark ``msgid`` (a Chinese template with ``{name}`` fields) as a message to translate."""
    return Text(msgid, params)


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid → translated template of ``lang`` (non-empty, non-fuzzy entries only)."""
    if lang == DEFAULT:
        return {}
    from babel.messages.pofile import read_po

    with catalogue_path(lang).open("rb") as handle:
        messages = read_po(handle)
    return {m.id: m.string for m in messages
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def translate(text: Any, lang: str) -> Any:
    """``text`` in ``lang``: a ``Text`` translated (its template, then its parameters, which
    may be ``Text`` too); anything else, and any text in Chinese, as it is. A message missing
    from the catalogue stays Chinese rather than failing."""
    if lang == DEFAULT or not isinstance(text, Text):
        return text
    template = catalogue(lang).get(text.msgid, text.msgid)
    if not text.params:
        return template
    params = {k: translate(v, lang) for k, v in text.params.items()}
    return template.format(**params)


def translate_tree(value: Any, lang: str) -> Any:
    """``value`` (JSON-ready dicts, lists, tuples) with every ``Text`` inside translated."""
    if lang == DEFAULT:
        return value
    if isinstance(value, Text):
        return translate(value, lang)
    if isinstance(value, dict):
        return {k: translate_tree(v, lang) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [translate_tree(v, lang) for v in value]
    return value


def negotiate(accept_language: str | None) -> str:
    """``"en"`` when the ``Accept-Language`` header prefers English to Chinese (by q-value,
    then order), else ``"zh"``; a missing or unreadable header, ``*`` or no supported
    language give ``"zh"``."""
    if not accept_language:
        return DEFAULT
    best, best_q = DEFAULT, 0.0
    for part in accept_language.split(",")[:32]:
        tag, _, rest = part.strip().partition(";")
        lang = tag.strip().lower().split("-", 1)[0]
        if lang == "*":  # any language: ours is Chinese
            lang = DEFAULT
        if lang not in LANGUAGES:
            continue
        q = _quality(rest)
        if q > best_q:
            best, best_q = lang, q
    return best


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def join(parts: list, sep: str = "，") -> Any:
    """``parts`` joined by the Chinese separator ``sep`` (``，`` ``、`` or ``；``), as a ``Text``
    whose English joins them with a comma or semicolon; an empty list gives ``""``."""
    if not parts:
        return ""
    text = parts[-1]
    for part in reversed(parts[:-1]):
        if sep == "、":
            text = T("{first}、{rest}", first=part, rest=text)
        elif sep == "；":
            text = T("{first}；{rest}", first=part, rest=text)
        else:
            text = T("{first}，{rest}", first=part, rest=text)
    return text


def dump(text: Any) -> Any:
    """A ``Text`` as JSON-ready data (``[msgid, params]``, nested ``Text`` parameters too) to
    store beside the Chinese sentence; anything else as it is."""
    if not isinstance(text, Text):
        return text
    return [text.msgid, {k: dump(v) for k, v in text.params.items()}]


def load(data: Any) -> Any:
    """The ``Text`` that :func:`dump` stored (a plain string stays a string)."""
    if isinstance(data, list) and len(data) == 2 and isinstance(data[0], str) \
            and isinstance(data[1], dict):
        return Text(data[0], {k: load(v) for k, v in data[1].items()})
    return data

"""Sentences a person reads: Simplified Chinese first, English on request.

Every user-facing message is written once, in Chinese, through ``T``::

    raise InvalidInput(T("终端密钥至少{n}个字符", n=MIN_KEY_LENGTH), field="key")

``T`` returns a ``Text``: a ``str`` whose value is the Chinese sentence (so logs, JSON and
existing callers see plain Chinese) and which keeps its message id and parameters so the
HTTP layer can render it again in the language the client asked for. The message id is
the Chinese template itself; Babel extracts every ``T(...)`` call into the catalogue.
"""

from __future__ import annotations

from typing import Any


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


def T(msgid: str, /, **params: Any) -> Text:
    """Mark ``msgid`` (a Chinese template with ``{name}`` fields) as a message to translate."""
    return Text(msgid, params)

"""The language of an answer: Simplified Chinese, or English when ``Accept-Language`` prefers it
(:func:`core.i18n.negotiate`).

:class:`api.browser.BrowserRequest` sets :data:`CURRENT` for each request as it is made (the
handler runs in the same task), so the app's JSON encoder (:func:`dumps`, given to Sanic)
renders every ``core.i18n.Text`` of a ``json(...)`` answer — error messages, import
rejections, complaint views — in that language without the handlers doing anything. A
Chinese answer is encoded as before: no walk. Answers cached as JSON bytes (the trace view,
profiles) are cached per language by their services, which take ``language(request)``.
Every answer says ``Content-Language`` and ``Vary: Accept-Language`` (:data:`HEADERS`).
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache

from sanic.helpers import json_dumps

from core.i18n import DEFAULT, negotiate, translate_tree

CURRENT: ContextVar[str] = ContextVar("gongzhi_language", default=DEFAULT)
TAGS = {"zh": "zh-CN", "en": "en"}
HEADERS = {lang: (("Content-Language", tag), ("Vary", "Accept-Language"))
           for lang, tag in TAGS.items()}


@lru_cache(maxsize=512)
def negotiated(accept_language: str | None) -> str:
    """:func:`core.i18n.negotiate`, remembered (clients send a handful of distinct headers)."""
    return negotiate(accept_language)


def language(request) -> str:
    """``"zh"`` or ``"en"`` for ``request``."""
    return negotiated(request.headers.get("accept-language"))


def dumps(body, **kwargs):
    """Sanic's JSON encoder, every ``Text`` in ``body`` first rendered in the current
    request's language."""
    lang = CURRENT.get()
    if lang != DEFAULT:
        body = translate_tree(body, lang)
    return json_dumps(body, **kwargs)

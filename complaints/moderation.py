"""The content check of filings WeChat cannot check, pure.

WeChat's text check (msgSecCheck v2) and image check (mediaCheckAsync v2) need the openid of
a user who used the mini-program in the last two hours: a filer without a WeChat session
(an anonymous report from the H5 page, a browser, a kiosk) has none, and sending the text
under somebody else's openid would misuse the interface. Such filings go through the
service's own policy instead, at once and in the same transaction as the case:

- the text is matched against a word list (advertising and traffic diversion, gambling and
  pornography, abuse) and for links, after folding full-width forms, case and spaces;
- photos cannot be checked without WeChat: a filing with photos is held for a person.

A hit is never dropped: the case is stored and held in ``moderation`` with the reasons, for a
handler to release (``pending``) or refuse. ``GONGZHI_MODERATION_WORDS`` names a file (one
word a line, ``#`` comments) that replaces the built-in list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from core.errors import InvalidInput
from core.i18n import T

WORDS = ("加微信", "加我微信", "加v", "vx号", "私聊我", "代开发票", "刷单", "兼职日结", "网贷",
         "博彩", "赌博", "色情", "约炮", "傻逼", "操你", "去死")
LINK = re.compile(r"https?://|www\.|[a-z0-9-]+\.(?:com|cn|net|top|xyz)\b")


@dataclass(frozen=True)
class Screen:
    """How a new case's content is checked, and what it found."""

    value: str  # pending (WeChat's check runs after the commit) | pass | review | skipped
    reasons: tuple[str, ...] = ()

    @property
    def deferred(self) -> bool:
        return self.value == "pending"

    @property
    def held(self) -> bool:
        return self.value == "review"

    def triage(self) -> dict:
        return {"value": self.value, "reasons": list(self.reasons)}


WECHAT = Screen("pending")


@dataclass(frozen=True)
class Policy:
    """The service's own content policy: the words that hold a filing for a person."""

    words: tuple[str, ...] = WORDS

    @classmethod
    def load(cls, path: Path | None) -> "Policy":
        if path is None:
            return cls()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(T("内容审核词表 {path} 无法读取：{error}", path=str(path),
                                 error=str(exc)), field="GONGZHI_MODERATION_WORDS",
                               code="moderation_words_unreadable") from None
        words = tuple(_fold(w) for w in (line.split("#")[0].strip() for line in lines) if w)
        return cls(words)

    def screen(self, text: str, *, photos: int) -> Screen:
        """Check a filing without a WeChat session: ``review`` (held) or ``pass``."""
        folded = _fold(text)
        found = [w for w in self.words if w in folded]
        reasons = []
        if found:
            reasons.append(T("本系统内容审核：文字含“{words}”，转人工审核", words="、".join(found)))
        if LINK.search(folded):
            reasons.append(T("本系统内容审核：文字含网址链接，转人工审核"))
        if photos:
            reasons.append(T("提交人未登录微信，{n}张照片无法经微信图片安全检测，转人工审核", n=photos))
        if reasons:
            return Screen("review", tuple(reasons))
        return Screen("pass", (T("提交人未登录微信，文字经本系统内容审核词表检查，未见问题"),))


def _fold(text: str) -> str:
    """Full-width to half-width, lower case, no spaces: ``加 微 信``, ``ＶＸ号`` still match."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()

"""The statutory reasons for refusing a complaint (不予受理的情形), as data, pure.

The built-in table is article 15 of the 2020 interim measures (市场监督管理投诉举报处理暂行办法,
SAMR Order No. 20, in force 2020-01-01). SAMR Order No. 121 (市场监督管理投诉举报处理办法,
published 2025-12-30, in force 2026-04-15) replaced them; its refusal article could not be
checked against its text here, so the table is configurable: ``GONGZHI_REFUSAL_REASONS``
names a JSON file ``{"law": ..., "reasons": {code: {"text": ..., "article": ...}}}`` that
replaces it without a release. Codes are stable: a case refused under an older table keeps
its code, and its text is still found (the built-in table answers for codes a newer one
dropped).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from core.errors import InvalidInput
from core.i18n import T

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")  # fits complaint_event.refusal_reason
LAW_2020 = "《市场监督管理投诉举报处理暂行办法》（国家市场监督管理总局令第20号）"
_ARTICLE = "第十五条第（{}）项"


@dataclass(frozen=True)
class Reason:
    text: str
    article: str  # where the law says it


def _builtin() -> dict[str, Reason]:
    texts = {
        "not_competent": "投诉事项不属于市场监督管理部门职责，或者本行政机关不具有处理权限",
        "handled_elsewhere": "法院、仲裁机构、市场监督管理部门或者其他行政机关、消费者协会或者依法"
                             "成立的其他调解组织已经受理或者处理过同一消费者权益争议",
        "not_consumer": "不是为生活消费需要购买、使用商品或者接受服务，或者不能证明与被投诉人之间存在"
                        "消费者权益争议",
        "time_barred": "除法律另有规定外，投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年",
        "incomplete": "未提供投诉人姓名、电话、地址，被投诉人名称、地址，具体的投诉请求和消费者权益争议"
                      "事实等规定的材料",
        "other_statutory": "法律、法规、规章规定不予受理的其他情形",
    }
    items = "一二三四五六"
    return {code: Reason(text, LAW_2020 + _ARTICLE.format(items[i]))
            for i, (code, text) in enumerate(texts.items())}


@dataclass(frozen=True)
class Refusals:
    """The refusal reasons in force: ``code -> Reason``, and the law they come from."""

    law: str = LAW_2020
    reasons: Mapping[str, Reason] = field(default_factory=lambda: MappingProxyType(_builtin()))

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.reasons

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.reasons)

    def text(self, code: str | None) -> str | None:
        """The reason's text, for this table's codes and for those of the built-in one."""
        found = self.reasons.get(code or "") or BUILTIN.reasons.get(code or "")
        return found.text if found else None

    def article(self, code: str | None) -> str | None:
        found = self.reasons.get(code or "") or BUILTIN.reasons.get(code or "")
        return found.article if found else None

    @classmethod
    def load(cls, path: Path | None) -> "Refusals":
        """The built-in table, or the one in ``path`` (refused whole when anything is wrong)."""
        if path is None:
            return BUILTIN
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            reasons = {code: Reason(str(r["text"]), str(r["article"]))
                       for code, r in data["reasons"].items()}
            law = str(data["law"])
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
                AttributeError) as exc:
            raise _bad(path, f"{type(exc).__name__}: {exc}") from None
        bad = [code for code in reasons if not CODE_RE.match(code)]
        if bad or not reasons or not all(r.text.strip() for r in reasons.values()):
            raise _bad(path, "理由代码须为 2–30 位小写字母、数字或下划线，且每项须有文字")
        return cls(law, MappingProxyType(reasons))


def _bad(path: Path, error: str) -> InvalidInput:
    return InvalidInput(T("不予受理理由文件 {path} 无效：{error}", path=str(path), error=error),
                        field="GONGZHI_REFUSAL_REASONS", code="refusal_reasons_invalid")


BUILTIN = Refusals()

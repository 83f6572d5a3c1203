"""Automatic triage, explainable: category and priority from the text and the target,
jurisdiction from the target's division or the place, and possible duplicates.

Every decision carries the reasons that made it (Chinese, shown to handlers).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.i18n import T

#: category -> words that point to it, most serious first (the first category matched wins)
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "poisoning": ("食物中毒", "中毒", "呕吐", "吐了", "腹泻", "拉肚子", "腹痛", "肚子疼", "发烧",
                  "头晕", "住院", "送医", "急诊"),
    "foreign_body": ("异物", "头发", "虫子", "苍蝇", "蟑螂", "玻璃", "金属", "铁丝", "塑料片",
                     "钢丝", "石子"),
    "expired": ("过期", "超过保质期", "保质期", "变质", "发霉", "霉变", "馊", "臭了", "异味"),
    "no_licence": ("无证", "无照", "没有营业执照", "无营业执照", "无许可证", "没有许可证",
                   "无证经营"),
    "counterfeit": ("假冒", "仿冒", "假货", "山寨", "冒牌"),
    "hygiene": ("卫生", "不干净", "老鼠", "脏", "生熟不分", "没戴口罩", "没有健康证"),
    "labelling": ("标签", "生产日期", "没有日期", "配料表", "虚假宣传", "夸大宣传"),
}
CATEGORY_NAMES = {
    "poisoning": T("疑似食物中毒"), "foreign_body": T("食品异物"), "expired": T("过期变质"),
    "no_licence": T("无证经营"), "counterfeit": T("假冒伪劣"), "hygiene": T("卫生问题"),
    "labelling": T("标签标识"), "other": T("其他"),
}
VULNERABLE = ("儿童", "孩子", "小孩", "宝宝", "婴儿", "学生", "学校", "幼儿园", "食堂", "老人",
              "孕妇")
GROUP = ("多人", "集体", "一家人", "全家", "好几个人", "群体")
PRIORITIES = ("urgent", "high", "normal")


@dataclass(frozen=True)
class Triage:
    category: str
    priority: str  # urgent | high | normal
    reasons: tuple[str, ...]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def categorise(text: str, *, claimed: str | None = None, target_alerts: tuple[str, ...] = ()
               ) -> Triage:
    """Category and priority of a case from its text, the category the submitter chose and
    the alerts on its target (a recalled or failed batch makes it more urgent)."""
    body = _norm(text)
    reasons: list[str] = []
    category = None
    for name, words in CATEGORY_WORDS.items():
        hit = next((w for w in words if w in body), None)
        if hit:
            category = name
            reasons.append(f"描述含“{hit}”：{CATEGORY_NAMES[name]}")
            break
    if category is None:
        category = claimed if claimed in CATEGORY_NAMES else "other"
        reasons.append(f"按提交人所选类别：{CATEGORY_NAMES[category]}")
    priority = "high" if category in ("foreign_body", "expired", "counterfeit", "no_licence") \
        else "normal"
    if category == "poisoning":
        priority = "urgent"
        reasons.append("涉及人身健康损害，优先处理")
    for words, why in ((VULNERABLE, "涉及儿童、学生、老人等易感人群"), (GROUP, "可能涉及多人")):
        hit = next((w for w in words if w in body), None)
        if hit and category in ("poisoning", "foreign_body", "expired"):
            priority = "urgent"
            reasons.append(f"描述含“{hit}”：{why}，优先处理")
    if target_alerts:
        if priority == "normal":
            priority = "high"
        reasons.append("被投诉对象有风险提示：" + "、".join(target_alerts))
    return Triage(category, priority, tuple(reasons))


@dataclass(frozen=True)
class Jurisdiction:
    division: str | None  # 6-digit GB/T 2260 code of the county-level office, or None
    reason: str


def jurisdiction(*, target_division: str | None, place_division: str | None) -> Jurisdiction:
    """The office that handles the case: the target enterprise's district, else the place's."""
    if target_division:
        return Jurisdiction(target_division, f"按被投诉企业登记地（{target_division}）分派")
    if place_division:
        return Jurisdiction(place_division, f"按事发地点（{place_division}）分派")
    return Jurisdiction(None, "无法确定属地，由上级统一分派")


def bigrams(text: str) -> frozenset[str]:
    """Character pairs of the text's letters and digits (punctuation and spaces dropped)."""
    chars = [c for c in _norm(text) if c.isalnum()]
    return frozenset(a + b for a, b in zip(chars, chars[1:]))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character pairs (0..1)."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


@dataclass(frozen=True)
class Candidate:
    ticket: str
    target: str | None
    text: str
    received_at: datetime


@dataclass(frozen=True)
class Duplicate:
    ticket: str
    score: float
    reason: str


@dataclass(frozen=True)
class DuplicateRule:
    window: timedelta = timedelta(days=30)
    threshold: float = 0.35
    limit: int = 3


def duplicates(*, target: str | None, text: str, at: datetime,
               candidates: list[Candidate], rule: DuplicateRule = DuplicateRule()
               ) -> list[Duplicate]:
    """Open cases that look like this one: same target, similar text, recent; best first."""
    found = []
    for other in candidates:
        if target is None or other.target != target or at - other.received_at > rule.window:
            continue
        score = similarity(text, other.text)
        if score >= rule.threshold:
            found.append(Duplicate(other.ticket, round(score, 2),
                                   f"同一对象，描述相似度 {score:.0%}，"
                                   f"{other.received_at.date().isoformat()} 已有案件"))
    found.sort(key=lambda d: -d.score)
    return found[:rule.limit]

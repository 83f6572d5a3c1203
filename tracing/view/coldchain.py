"""Cold chain: how a product must be kept and which readings break it. Pure, no I/O.

A product says its ``storage_class`` (``ambient``, ``chilled``, ``frozen``; docs/exchange.md
v1.1). When it does not, its storage wording decides, as a fallback, and only what it says
about storage before opening: "常温保存，开封后冷藏" is an ambient product (the advice after
opening is the consumer's, not the cold chain's), and "阴凉处（≤25℃）" is not cold because it
names a temperature.

The limits are those of GB 31605-2020 食品安全国家标准 食品冷链物流卫生规范: frozen food at or
below −18 ℃, chilled food from 0 ℃ to 8 ℃ (``Limits``, configurable through settings
``GONGZHI_FROZEN_MAX_CELSIUS``, ``GONGZHI_CHILLED_MIN_CELSIUS``, ``GONGZHI_CHILLED_MAX_CELSIUS``);
:data:`CLAUSES` says which clause each default comes from. A chilled reading below the lower
bound is an excursion too (the food froze).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.i18n import T

STORAGE_CLASSES = ("ambient", "chilled", "frozen")
AFTER_OPENING = ("开封", "开启", "开袋", "拆封", "打开", "开盖", "食用前", "解冻后")
FROZEN_WORDS = ("冷冻", "速冻", "冻品", "frozen")
CHILLED_WORDS = ("冷藏", "冷鲜", "保鲜", "chilled", "refrigerat")
_CLAUSES = re.compile(r"[，,；;。！!\n（）()]")
_NOT_NEEDED = re.compile(r"(无需|无须|不需|不必|不用|勿)要?(冷藏|冷冻)")
# A temperature: the sign belongs to the number only when it does not join a range (0-4℃).
_CELSIUS = re.compile(r"(?<![\d.])([-−])?(\d+(?:\.\d+)?)\s*(?:℃|°[cC]|度)")
FROZEN_BELOW = -12.0  # a stated temperature at or below this is frozen storage
CHILLED_BELOW = 10.0  # and at or below this (and above the former) chilled storage


#: The default of each cold-chain limit and the clause of GB 31605-2020 it comes from. The
#: clause numbers are UNVERIFIED: the standard's text (openstd.samr.gov.cn, an image reader) was
#: not at hand when they were written; check them against it before citing them to the public
#: (alerts name only the standard). The values are settings, so a reading of the standard that
#: differs is a configuration change, not a code change.
CLAUSES: dict[str, tuple[float, str]] = {
    "frozen_max_celsius": (-18.0, "GB 31605-2020 附录A（冷冻食品：不高于−18 ℃）; "
                                  "3 基本要求（全程温度符合标签标示的贮存条件）"),
    "chilled_min_celsius": (0.0, "GB 31605-2020 附录A（冷藏食品：0 ℃～8 ℃，下限）"),
    "chilled_max_celsius": (8.0, "GB 31605-2020 附录A（冷藏食品：0 ℃～8 ℃，上限）"),
}


@dataclass(frozen=True)
class Limits:
    """Cold-chain limits (GB 31605-2020, :data:`CLAUSES`) and the expiry warning, from
    settings."""

    chilled_max_celsius: float = CLAUSES["chilled_max_celsius"][0]
    frozen_max_celsius: float = CLAUSES["frozen_max_celsius"][0]
    expiry_warning_days: int = 3
    chilled_min_celsius: float = CLAUSES["chilled_min_celsius"][0]


def storage_class(declared: str | None, storage: str | None) -> str:
    """The product's storage class: as declared, else read from its storage wording."""
    if declared in STORAGE_CLASSES:
        return declared
    kept = [c for c in _CLAUSES.split(_NOT_NEEDED.sub("", storage or ""))
            if c and not any(word in c for word in AFTER_OPENING)]
    text = " ".join(kept).lower()
    if any(word in text for word in FROZEN_WORDS):
        return "frozen"
    if any(word in text for word in CHILLED_WORDS):
        return "chilled"
    temperatures = [float(n) * (-1 if sign else 1) for sign, n in _CELSIUS.findall(text)]
    if temperatures and min(temperatures) <= FROZEN_BELOW:
        return "frozen"
    if temperatures and max(temperatures) <= CHILLED_BELOW:
        return "chilled"
    return "ambient"


def is_cold_chain(declared: str | None, storage: str | None) -> bool:
    return storage_class(declared, storage) != "ambient"


def temperature_range(cls: str, limits: Limits) -> tuple[float | None, float] | None:
    """(lowest, highest) acceptable temperature of a storage class; None when not cold."""
    if cls == "frozen":
        return None, limits.frozen_max_celsius
    if cls == "chilled":
        return limits.chilled_min_celsius, limits.chilled_max_celsius
    return None


def excursions(events: list[dict], bounds: tuple[float | None, float] | None) -> list[dict]:
    """Per event, the reading furthest outside ``bounds`` in its ``detail.temperatures``."""
    if bounds is None:
        return []
    low, high = bounds
    found = []
    for event in events:
        temps = [t for t in (event.get("detail") or {}).get("temperatures") or ()
                 if isinstance(t, dict) and isinstance(t.get("celsius"), (int, float))]
        over = [t for t in temps if t["celsius"] > high]
        under = [t for t in temps if low is not None and t["celsius"] < low]
        if not over and not under:
            continue
        if over:
            peak, limit, bound = max(over, key=lambda t: t["celsius"]), high, "max"
        else:
            peak, limit, bound = min(under, key=lambda t: t["celsius"]), low, "min"
        found.append({"event_id": event["event_id"], "at": peak.get("at"),
                      "celsius": peak["celsius"], "limit": limit, "bound": bound,
                      "readings": len(over) + len(under)})
    return found


def excursion_alerts(found: list[dict], *, own: bool, batch_label: str = "") -> list[dict]:
    out = []
    for x in found:
        where = T("该批次") if own else T("原料{batch_label}", batch_label=batch_label)
        if x.get("bound") == "min":
            text = T("{where}冷链温度最低为{celsius:g}℃，低于冷藏食品{limit:g}℃的下限",
                     where=where, celsius=x["celsius"], limit=x["limit"])
        else:
            text = T("{where}冷链运输中温度最高达{celsius:g}℃，超过{limit:g}℃的要求",
                     where=where, celsius=x["celsius"], limit=x["limit"])
        out.append({"kind": "temperature_excursion" if own else "input_temperature_excursion",
                    "severity": "high" if own else "medium",
                    "message": T("{text}（GB 31605-2020）。", text=text), "event_id": x["event_id"],
                    "celsius": x["celsius"], "limit": x["limit"]})
    return out

"""The state of an enterprise's licence as the public reads it. Pure, no I/O.

States, most serious first: ``revoked`` (the enterprise's status is revoked), ``closed``
(deregistered), ``suspended``, ``expired`` (its validity date has passed), ``expiring``
(it ends within :data:`EXPIRING_DAYS` days), ``valid``, and ``unknown``
(no licence on record: shops that only sell prepackaged food may have a filing number or
none). The enterprise's status outranks the date: a revoked licence is revoked whatever its
date says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.i18n import T

EXPIRING_DAYS = 30
STATES = ("revoked", "closed", "suspended", "expired", "expiring", "valid", "unknown")
SERIOUS = frozenset({"revoked", "closed", "suspended", "expired"})
MESSAGES = {
    "revoked": T("许可证已被吊销，不得从事食品生产经营。"),
    "closed": T("该主体已注销。"),
    "suspended": T("许可已被暂停，暂停期间不得从事食品生产经营。"),
    "expired": T("许可证已于{until}过期。"),
    "expiring": T("许可证将于{until}到期（剩余{days}天）。"),
    "valid": T("许可证有效期至{until}。"),
    "unknown": T("平台没有该主体的许可证有效期信息。"),
}


@dataclass(frozen=True)
class LicenceState:
    state: str
    days_left: int | None  # days until the validity date (negative once expired)
    message: str

    @property
    def serious(self) -> bool:
        return self.state in SERIOUS

    def as_dict(self) -> dict:
        return {"state": self.state, "days_left": self.days_left, "message": self.message}


def licence_state(*, status: str | None, valid_until: date | None, today: date,
                  expiring_days: int = EXPIRING_DAYS) -> LicenceState:
    """The licence state of an enterprise with ``status`` whose licence ends ``valid_until``."""
    days = (valid_until - today).days if valid_until is not None else None
    until = valid_until.isoformat() if valid_until is not None else ""
    if status in ("revoked", "closed", "suspended"):
        state = status
    elif days is None:
        state = "unknown"
    elif days < 0:
        state = "expired"
    elif days <= expiring_days:
        state = "expiring"
    else:
        state = "valid"
    return LicenceState(state, days, MESSAGES[state].format(until=until, days=days))

"""Who may act for the regulator here (the trace export, deciding correction requests): a
small interface that resolves a staff identity from a bearer token.

Staff accounts with roles (handler, supervisor; ``POST /api/v1/auth/staff``) are the
accounts feature's; until they are on this branch, :class:`RegulatorTokenStaff` accepts the
regulator platform's exchange token (``GONGZHI_EXCHANGE_TOKEN``) as the identity
``regulator``. Swapping in staff sessions is one class resolving their tokens.
"""

from __future__ import annotations

import hmac
from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class StaffIdentity:
    """A member of the regulator's staff, or its platform."""

    username: str
    role: str  # regulator | handler | supervisor
    division: str | None = None


class StaffDirectory(ABC):
    """Resolves bearer tokens to staff identities."""

    @abstractmethod
    async def resolve(self, token: str | None) -> StaffIdentity | None:
        """The staff identity behind ``token``, or None (missing, unknown, expired)."""


class RegulatorTokenStaff(StaffDirectory):
    """The exchange token stands for the regulator's platform (role ``regulator``)."""

    def __init__(self, exchange_token: str | None):
        self._token = exchange_token

    async def resolve(self, token: str | None) -> StaffIdentity | None:
        if not self._token or not token:
            return None
        if hmac.compare_digest(token.encode(), self._token.encode()):
            return StaffIdentity("regulator", "regulator")
        return None

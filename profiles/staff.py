"""Who may act for the regulator here (the trace export, deciding correction requests): a
small interface that resolves a staff identity from a bearer token, and where each may act.

Two kinds of token stand for the regulator: the regulator platform's exchange token
(``GONGZHI_EXCHANGE_TOKEN``, identity ``regulator``, as for imports) and a staff session of
the accounts feature (``POST /api/v1/auth/staff``: a ``handler`` of one county-level office,
or a ``supervisor``). :class:`StaffTokens` tries both. A regulator and a supervisor act on
every enterprise; a handler only on the enterprises of its own district (``division``).
"""

from __future__ import annotations

import hmac
from abc import ABC, abstractmethod
from dataclasses import dataclass

from accounts.staff import resolve_staff
from core.errors import Forbidden
from core.i18n import T


@dataclass(frozen=True)
class StaffIdentity:
    """A member of the regulator's staff, or its platform."""

    username: str
    role: str  # regulator | handler | supervisor
    division: str | None = None

    @property
    def district_only(self) -> str | None:
        """The one district a handler acts in; None for those who act everywhere."""
        return self.division if self.role == "handler" else None

    def check_district(self, division: str | None, *, what: str) -> None:
        """403 ``outside_jurisdiction`` when a handler acts outside its district."""
        mine = self.district_only
        if mine is not None and division != mine:
            raise Forbidden(T("{what}不在您所辖区县（{division}）内", what=what, division=mine),
                            field="Authorization", code="outside_jurisdiction")


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


class StaffSessions(StaffDirectory):
    """Logged-in handlers and supervisors (the accounts feature's sessions: they end after
    ``accounts.staff.STAFF_SESSION_TTL``, at logout, or when the account is deactivated)."""

    async def resolve(self, token: str | None) -> StaffIdentity | None:
        session = await resolve_staff(token=token)
        if session is None:
            return None
        return StaffIdentity(session.username, session.role, session.division)


class StaffTokens(StaffDirectory):
    """The first of several directories that knows the token."""

    def __init__(self, *directories: StaffDirectory):
        self._directories = directories

    async def resolve(self, token: str | None) -> StaffIdentity | None:
        for directory in self._directories:
            found = await directory.resolve(token)
            if found is not None:
                return found
        return None

"""What the public and an enterprise may know about the complaints against it: the interface
between the complaints feature (which has the cases) and the profiles feature (which shows
the figures). Neither imports the other; both import this.

The complaints feature provides its implementation at start
(``services.provide(ComplaintFigures, ...)``); until it does, :class:`NoComplaintFigures`
answers with no cases. Nothing here names a complainant or carries anything that could
identify one: no ticket, no name, no phone, no text written by the complainant. An
implementation must keep it so (the profiles feature serialises only these fields).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

log = logging.getLogger("gongzhi.complaint_figures")
Listener = Callable[[set[str]], Awaitable[object]]


@dataclass(frozen=True)
class ComplaintCounts:
    """Cases about one enterprise received in ``[since, until]`` (Asia/Shanghai days).

    ``by_category`` and ``by_outcome`` count the same cases; an outcome is a stable word
    (``pending``, ``accepted``, ``refused``, ``mediated``, ``resolved``, ``transferred``,
    ``withdrawn``...) chosen by the provider.
    """

    since: date
    until: date
    total: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseSummary:
    """One case about an enterprise, as the enterprise may see it: never who complained.

    ``reason_code``/``reason`` are the statutory reason of the outcome (e.g. a refusal
    reason of the SAMR rules) when the case has one.
    """

    received_on: date
    kind: str  # complaint | report
    category: str
    status: str
    outcome: str | None = None
    reason_code: str | None = None
    reason: str | None = None
    decided_on: date | None = None


class ComplaintFigures(ABC):
    """Complaint figures about enterprises (implemented by the complaints feature).

    The provider calls :meth:`changed` after it commits a case or a move of one; whoever
    keeps figures derived from it (the profiles' cache) listens with :meth:`on_change`.
    """

    def on_change(self, listener: Listener) -> None:
        """Call ``listener(usccs)`` whenever the figures of these enterprises change."""
        self.__dict__.setdefault("_listeners", []).append(listener)

    async def changed(self, usccs: Iterable[str | None]) -> None:
        """Tell the listeners; a failing one is logged (the case is committed already, and
        derived figures expire on their own)."""
        known = {u for u in usccs if u}
        if not known:
            return
        for listener in self.__dict__.get("_listeners", ()):
            try:
                await listener(known)
            except Exception:  # noqa: BLE001 - see above
                log.exception("a complaint figures listener failed for %s", sorted(known))

    @abstractmethod
    async def counts(self, *, uscc: str, since: date, until: date) -> ComplaintCounts:
        """Counts by category and by outcome of the cases about ``uscc`` received in the
        period (both ends included)."""

    @abstractmethod
    async def cases(self, *, uscc: str, since: date, limit: int) -> list[CaseSummary]:
        """The latest ``limit`` cases about ``uscc`` received on or after ``since``, newest
        first."""


class NoComplaintFigures(ComplaintFigures):
    """No cases: what the profiles show until the complaints feature provides its figures."""

    async def counts(self, *, uscc: str, since: date, until: date) -> ComplaintCounts:
        return ComplaintCounts(since=since, until=until)

    async def cases(self, *, uscc: str, since: date, limit: int) -> list[CaseSummary]:
        return []

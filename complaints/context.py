"""What the complaint use cases share: settings, the working calendar and deadline rules,
the clock, photo storage, a way to wake the job worker after a commit and one to say whose
complaint figures changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Awaitable, Callable

from complaints.deadlines import Deadline, DeadlineRules, WorkingCalendar
from complaints.moderation import Policy
from complaints.refusals import BUILTIN, Refusals
from complaints.storage import PhotoStorage
from core.clock import SHANGHAI, aware
from core.settings import Settings


@dataclass(frozen=True)
class Actor:
    """Who acts on a case: staff (username, role, division) or the complainant or the system."""

    role: str  # complainant | handler | supervisor | system
    name: str
    division: str | None = None


SYSTEM = Actor("system", "system")


async def _nothing() -> None:
    """No one listens for changed figures."""


@dataclass
class CaseContext:
    settings: Settings
    calendar: WorkingCalendar
    rules: DeadlineRules
    storage: PhotoStorage
    clock: Callable[[], datetime]
    wake: Callable[[], None] = field(default=lambda: None)
    moderation: Policy = field(default_factory=Policy)
    refusals: Refusals = BUILTIN
    # told the enterprises whose complaint figures a committed case or move changed
    figures_changed: Callable[[set[str | None]], Awaitable[None]] = field(
        default=lambda usccs: _nothing())

    @classmethod
    def from_settings(cls, settings: Settings, *, storage: PhotoStorage,
                      clock: Callable[[], datetime]) -> "CaseContext":
        calendar = WorkingCalendar()
        for path in settings.holiday_files:
            calendar.load(path)
        rules = DeadlineRules(acceptance=settings.acceptance_days,
                              mediation=settings.mediation_days,
                              verification=settings.verification_days)
        return cls(settings, calendar, rules, storage, clock,
                   moderation=Policy.load(settings.moderation_words_file),
                   refusals=Refusals.load(settings.refusal_reasons_file))

    def now(self) -> datetime:
        """Now as an aware UTC instant: SQLite compares stored instants as UTC text, so every
        value a query compares with must be UTC too."""
        return aware(self.clock()).astimezone(timezone.utc)

    def today(self) -> date:
        return local_day(self.clock())

    def due(self, start: datetime, days: int) -> Deadline:
        """``days`` working days after the day ``start`` falls on in Asia/Shanghai."""
        return self.calendar.add_working_days(local_day(start), days)


def local_day(moment: datetime) -> date:
    return aware(moment).astimezone(SHANGHAI).date()


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Shanghai, as a UTC instant (for queries)."""
    return datetime.combine(day, time(), SHANGHAI).astimezone(timezone.utc)

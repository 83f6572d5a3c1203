"""The :class:`Context` every cluster of the demo data set shares: the random source, the
moment "now", the id counters, and small draws (people, phones, inspections)."""

from __future__ import annotations

import random
from datetime import date, datetime

from core.clock import SHANGHAI
from tracing.demo.names import PEOPLE


class Context:
    """Counters and the random source shared by every cluster."""

    def __init__(self, rng: random.Random, now: datetime, ppe: float):
        self.rng, self.now, self.ppe = rng, now, ppe
        self.today = now.date()
        self.ent = self.batch = self.event = self.sample = self.notice = 0
        self.code = 1000
        self.case = 200

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)

    def next_id(self, attr: str, prefix: str, width: int) -> str:
        value = getattr(self, attr) + 1
        setattr(self, attr, value)
        return f"{prefix}{value:0{width}d}"

    def inspection(self, check: tuple[str, str], day: date, prefix: str) -> dict:
        """An event ``detail`` with a passed inspection of ``check`` (items, method)."""
        return {"detail": {"inspection": {
            "item": check[0], "method": check[1], "result": "pass", "inspector": self.person(),
            "report_no": f"{prefix}{day:%Y%m%d}{int(self.rng.random() * 10**4):04d}"}}}

    def person(self) -> str:
        return PEOPLE[int(self.rng.random() * len(PEOPLE))]

    def phone(self, small: bool) -> str:
        r = self.rng
        if small:
            return f"1{r.choice(('38', '39', '58', '77', '88', '36'))}{r.randrange(10**8):08d}"
        return f"0772-{r.choice('2358')}{r.randrange(10**6):06d}"

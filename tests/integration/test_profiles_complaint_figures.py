"""Complaint figures reach profiles only through ``core.complaint_figures``: counts by
category and outcome on the public profile, cases with their status and statutory reason on
the enterprise's own view, nothing about who complained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import orjson

from core.complaint_figures import CaseSummary, ComplaintCounts, ComplaintFigures
from core.kv import MemoryStore
from profiles.private import private_view
from profiles.service import ProfileService, complaints_since
from tests import factories as F
from tracing.exchange.importer import ExchangeImporter
from tracing.view.cache import ViewCache

NOW = datetime(2026, 11, 1, 4, tzinfo=timezone.utc)
TODAY = date(2026, 11, 1)


@dataclass
class Case:
    """A case as a complaints table holds it, personal data included."""

    uscc: str
    received_on: date
    category: str
    status: str
    outcome: str | None
    reason_code: str | None = None
    reason: str | None = None
    complainant: str = "王小明"
    phone: str = "13812345678"


class ListComplaintFigures(ComplaintFigures):
    """A provider over a list of cases, as the complaints feature's is over its table."""

    def __init__(self, cases: list[Case]):
        self.cases_held = cases
        self.asked: list[tuple] = []

    async def counts(self, *, uscc, since, until) -> ComplaintCounts:
        self.asked.append((uscc, since, until))
        found = [c for c in self.cases_held if c.uscc == uscc and since <= c.received_on <= until]
        by_category, by_outcome = {}, {}
        for c in found:
            by_category[c.category] = by_category.get(c.category, 0) + 1
            by_outcome[c.outcome or "pending"] = by_outcome.get(c.outcome or "pending", 0) + 1
        return ComplaintCounts(since=since, until=until, total=len(found),
                               by_category=by_category, by_outcome=by_outcome)

    async def cases(self, *, uscc, since, limit) -> list[CaseSummary]:
        found = sorted((c for c in self.cases_held if c.uscc == uscc and c.received_on >= since),
                       key=lambda c: c.received_on, reverse=True)[:limit]
        return [CaseSummary(received_on=c.received_on, kind="complaint", category=c.category,
                            status=c.status, outcome=c.outcome, reason_code=c.reason_code,
                            reason=c.reason) for c in found]


CASES = [
    Case(F.uscc(1), date(2026, 10, 3), "食品变质", "closed", "mediated"),
    Case(F.uscc(1), date(2026, 9, 1), "标签标识", "closed", "refused", "no_jurisdiction",
         "不属于本部门管辖"),
    Case(F.uscc(1), date(2025, 6, 1), "食品变质", "closed", "mediated"),  # over a year ago
    Case(F.uscc(2), date(2026, 10, 1), "食品变质", "accepted", None),
]


async def _import(records) -> None:
    result = await ExchangeImporter().run(orjson.dumps(r) for r in records)
    assert result.rejected_total == 0, result.rejected[:3]


async def test_counts_and_cases_come_from_the_provider_without_complainants(db):
    await _import(F.world())
    figures = ListComplaintFigures(CASES)
    store = MemoryStore()
    service = ProfileService(db.with_(profile_cache_ttl=0), store, ViewCache(store, ttl=60),
                             figures=figures, clock=lambda: NOW)
    profile = orjson.loads(await service.public(F.uscc(1)))
    assert figures.asked == [(F.uscc(1), date(2025, 11, 2), TODAY)]
    assert profile["complaints"] == {
        "since": "2025-11-02", "until": "2026-11-01", "total": 2,
        "by_category": {"标签标识": 1, "食品变质": 1},
        "by_outcome": {"mediated": 1, "refused": 1}}
    private = await private_view(F.uscc(1), store=store, figures=figures, now=NOW, today=TODAY,
                                 complaints_since=complaints_since(TODAY))
    items = private["complaints"]["items"]
    assert [(i["received_on"], i["outcome"], i["reason_code"]) for i in items] == [
        ("2026-10-03", "mediated", None), ("2026-09-01", "refused", "no_jurisdiction")]
    assert items[1]["reason"] == "不属于本部门管辖"
    text = orjson.dumps([profile, private]).decode()
    assert "王小明" not in text and "13812345678" not in text

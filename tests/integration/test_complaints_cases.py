"""Case work against the real database (SQLite or PostgreSQL): the handlers' queue with its
deadlines, reassignment, merging, concurrent moves, job leases, and stale upload clean-up."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from complaints import actions
from complaints.context import Actor, CaseContext
from complaints.jobs import JobWorker
from complaints.models import Complaint, ComplaintJob, Photo
from complaints.queue import list_cases
from complaints.storage import LocalPhotoStorage
from complaints.submit import Filer, submit_complaint
from complaints.uploads import remove_stale_uploads, upload_photo
from core.errors import Conflict, Forbidden
from tests import complaint_helpers as H

HANDLER = Actor("handler", "h1", "450204")
OTHER = Actor("handler", "h2", "450205")
SUPERVISOR = Actor("supervisor", "s1", None)
ANON = Filer(owner_hash=None, openid=None, client="ip:127.0.0.1")


@pytest.fixture
def clock():
    return H.Clock(2026, 9, 30, 9)


@pytest.fixture
def ctx(db, clock, tmp_path):
    return CaseContext.from_settings(db, storage=LocalPhotoStorage(tmp_path / "photos"),
                                     clock=clock)


async def report(ctx, division="450204", text="这家店无证经营，卫生很差，后厨有老鼠。", **over):
    body = {"kind": "report", "description": text,
            "target": {"type": "merchant", "name": over.pop("name", "小吃店"),
                       "address": "柳州市某路1号"},
            "place": {"address": "柳州市某路1号", "division_code": division}, **over}
    answer, _ = await submit_complaint(ctx=ctx, body=body, filer=ANON, idempotency_key=None)
    return await Complaint.get(ticket=answer["ticket"])


async def test_queue_by_jurisdiction_priority_and_deadline(ctx, clock):
    first = await report(ctx)  # received 2026-09-30: due 2026-10-15
    clock.set(2026, 10, 12, 9)
    urgent = await report(ctx, text="学校食堂多人呕吐腹泻，疑似食物中毒。", name="食堂")  # due 10-21
    await report(ctx, division="450205", name="别处的店")
    mine = await list_cases(ctx=ctx, actor=HANDLER, params={})
    assert [c["ticket"] for c in mine["items"]] == [urgent.ticket, first.ticket]
    assert mine["items"][0]["priority"] == "urgent"
    everything = await list_cases(ctx=ctx, actor=SUPERVISOR, params={})
    assert len(everything["items"]) == 3
    clock.set(2026, 10, 14, 9)  # due soon: within two working days (10-15, 10-16)
    soon = await list_cases(ctx=ctx, actor=HANDLER, params={"due_soon": "true"})
    assert [c["ticket"] for c in soon["items"]] == [first.ticket]
    clock.set(2026, 10, 16, 9)
    late = await list_cases(ctx=ctx, actor=HANDLER, params={"overdue": "true"})
    assert [c["ticket"] for c in late["items"]] == [first.ticket] and late["items"][0]["overdue"]
    assert (await list_cases(ctx=ctx, actor=HANDLER, params={"priority": "urgent"}))[
        "items"][0]["ticket"] == urgent.ticket
    await actions.move_case(ctx=ctx, case=first, actor=HANDLER, to="accepted",
                            mode="investigation")
    assert first.due_on.isoformat() == "2026-11-06"  # 15 working days for a report
    assert (await list_cases(ctx=ctx, actor=HANDLER, params={"overdue": "true"}))["items"] == []


async def test_reassign_and_merge(ctx):
    first = await report(ctx)
    second = await report(ctx, text="这家店无证经营，卫生很差，后厨还有老鼠！")
    assert second.triage["duplicates"][0]["ticket"] == first.ticket
    with pytest.raises(Forbidden):
        await actions.merge(ctx=ctx, case=second, into=first, actor=OTHER)
    await actions.merge(ctx=ctx, case=second, into=first, actor=HANDLER)
    merged = await Complaint.get(id=second.id)
    assert (merged.status, merged.duplicate_of) == ("merged", first.ticket)
    with pytest.raises(Conflict):
        await actions.move_case(ctx=ctx, case=merged, actor=HANDLER, to="pending", reason="x")
    from complaints.form import Target  # noqa: F401 - the handler list comes from accounts
    from accounts.staff import StaffSession
    known = {"h2": StaffSession("h2", "李", "handler", "450205")}
    await actions.assign(ctx=ctx, case=first, actor=SUPERVISOR, division=None, handler="h2",
                         known_handlers=known)
    moved = await Complaint.get(id=first.id)
    assert (moved.division, moved.assigned_to) == ("450205", "h2")
    assert (await list_cases(ctx=ctx, actor=HANDLER, params={}))["items"] == []


async def test_two_handlers_at_once_one_wins(ctx):
    case = await report(ctx)
    copy = await Complaint.get(id=case.id)
    results = await asyncio.gather(
        actions.move_case(ctx=ctx, case=case, actor=HANDLER, to="accepted",
                          mode="investigation"),
        actions.move_case(ctx=ctx, case=copy, actor=HANDLER, to="refused",
                          refusal_reason="not_competent"), return_exceptions=True)
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert (await Complaint.get(id=case.id)).status in ("accepted", "refused")


async def test_a_job_is_claimed_once(ctx, clock):
    await ComplaintJob.create(kind="notify", ticket="TS0", next_at=clock(), created_at=clock(),
                              payload={"status": "pending", "at": clock().isoformat()})
    calls = []

    class Gateway:
        async def send_subscribe_message(self, **kwargs):
            calls.append(kwargs)
            return True

    await Complaint.create(ticket="TS0", kind="report", status="pending", category="other",
                           priority="normal", priority_rank=2, description="x" * 10,
                           target_type="merchant", channel="h5", received_at=clock(),
                           acceptance_due=clock().date(), openid="o-1")
    workers = [JobWorker(ctx, Gateway) for _ in range(3)]
    await asyncio.gather(*(w.drain() for w in workers))
    assert len(calls) == 1
    job = await ComplaintJob.get(ticket="TS0")
    assert (job.outcome, job.attempts) == ("sent", 1)


async def test_stale_uploads_are_removed_after_a_day(ctx, clock):
    kept = await upload_photo(ctx=ctx, data=H.png(), uploader="u1")
    stale = await upload_photo(ctx=ctx, data=H.webp(), uploader="u1")
    twin = await upload_photo(ctx=ctx, data=H.png(), uploader="u2")  # same content as kept
    case = await report(ctx)
    await Photo.filter(id=kept["id"]).update(complaint_id=case.id)
    clock.now += timedelta(hours=23)
    assert await remove_stale_uploads(ctx=ctx) == 0
    clock.now += timedelta(hours=2)
    assert await remove_stale_uploads(ctx=ctx) == 2
    assert set(await Photo.all().values_list("id", flat=True)) == {kept["id"]}
    photo = await Photo.get(id=kept["id"])
    assert await ctx.storage.get(photo.sha256) is not None  # shared with the twin: kept
    stale_digest = await ctx.storage.exists(photo.thumb_sha256)
    assert stale_digest and twin["id"] != kept["id"] and stale["id"]


async def test_an_image_verdict_pushed_before_its_trace_id_is_kept(ctx):
    from complaints.jobs import media_verdict

    case = await report(ctx)
    up = await upload_photo(ctx=ctx, data=H.png(), uploader="u1")
    await Photo.filter(id=up["id"]).update(complaint_id=case.id)
    assert not await media_verdict(ctx=ctx, trace_id="t-early", suggest="risky", label=20002)
    await Photo.filter(id=up["id"]).update(check_trace_id="t-early")
    await JobWorker(ctx, lambda: None).drain()
    assert (await Photo.get(id=up["id"])).check_suggest == "risky"
    assert (await Complaint.get(id=case.id)).status == "moderation"
    assert (await ComplaintJob.get(kind="verdict")).outcome == "done"



async def test_figures_for_the_enterprise_name_no_one(ctx, clock):
    from datetime import date

    from complaints.public_figures import CaseFigures
    from tests import factories as F
    from tracing.exchange.importer import ExchangeImporter

    result = await ExchangeImporter().run(F.ndjson(F.world()).splitlines())
    assert result.rejected == []
    body = {"kind": "complaint", "description": "买到的螺蛳粉里有头发，要求退款。",
            "target": {"type": "enterprise", "uscc": F.uscc(1)},
            "contact": {"name": "张三", "phone": "13800138000"}}
    first, _ = await submit_complaint(ctx=ctx, body=body, filer=ANON, idempotency_key=None)
    second, _ = await submit_complaint(ctx=ctx, body={**body, "description": "包装上没有生产日期。"},
                                       filer=ANON, idempotency_key=None)
    case = await Complaint.get(ticket=second["ticket"])
    await actions.move_case(ctx=ctx, case=case, actor=HANDLER, to="refused",
                            refusal_reason="not_consumer")
    figures = CaseFigures()
    counts = await figures.counts(uscc=F.uscc(1), since=date(2026, 9, 1),
                                  until=date(2026, 9, 30))
    assert counts.total == 2 and counts.by_outcome == {"pending": 1, "refused": 1}
    assert counts.by_category == {"foreign_body": 1, "labelling": 1}
    assert (await figures.counts(uscc=F.uscc(1), since=date(2026, 10, 1),
                                 until=date(2026, 10, 31))).total == 0
    cases = await figures.cases(uscc=F.uscc(1), since=date(2026, 1, 1), limit=10)
    refused = next(c for c in cases if c.outcome == "refused")
    assert refused.reason_code == "not_consumer" and "生活消费" in refused.reason
    assert refused.decided_on == date(2026, 9, 30)
    assert "张三" not in repr(cases) and first["ticket"] not in repr(cases)

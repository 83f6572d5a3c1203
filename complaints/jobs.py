"""The job worker: what happens after a commit, durably. Jobs live in ``complaint_job``
(written in the same transaction as the case), are claimed with a lease so several worker
processes never run one twice, and are retried with backoff. A failing WeChat call never
blocks a transition: the move is committed first, its notification follows.

- ``check``: WeChat content security of a new case (text: msgSecCheck v2; each photo:
  mediaCheckAsync v2, whose verdict is pushed back later). Risky or doubtful content puts
  the case in moderation; when WeChat stays unreachable, so does the case (a person looks).
- ``notify``: a subscribe message to the complainant about a status change.
- ``verdict``: an image verdict WeChat pushed before the check's trace_id was stored here.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from complaints.actions import move_case
from complaints.context import SYSTEM, CaseContext
from complaints.models import Complaint, ComplaintJob, Photo
from complaints.uploads import remove_stale_uploads, signed_media_path
from complaints.workflow import Status, status_name
from core.clock import SHANGHAI
from core.errors import Conflict, DomainError

log = logging.getLogger("gongzhi.complaints.jobs")
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 15 * 2 ** attempts))


class JobWorker:
    """Runs due jobs; ``wake()`` after a commit, ``run()`` in the background for retries."""

    def __init__(self, ctx: CaseContext, gateway: Callable[[], object], *,
                 interval: float = 2.0):
        self.ctx = ctx
        self.gateway = gateway
        self.interval = interval
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._last_cleanup = 0.0

    def wake(self) -> None:
        """Start a drain in the background unless one is running (never raises)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._quiet_drain())

    async def _quiet_drain(self) -> None:
        try:
            await self.drain()
        except Exception:  # noqa: BLE001 - the background loop retries
            log.exception("complaint jobs failed")

    async def drain(self) -> int:
        """Run every due job now; return how many ran."""
        async with self._lock:
            done = 0
            while True:
                now = self.ctx.now()
                due = await ComplaintJob.filter(done_at=None, next_at__lte=now) \
                    .order_by("id").limit(50)
                if not due:
                    return done
                for job in due:
                    if await self._claim(job):
                        await self._run(job)
                        done += 1

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.drain()
                if loop.time() - self._last_cleanup > 3600:
                    self._last_cleanup = loop.time()
                    await remove_stale_uploads(ctx=self.ctx)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("complaint jobs failed")

    async def _claim(self, job: ComplaintJob) -> bool:
        now = self.ctx.now()
        claimed = await ComplaintJob.filter(id=job.id, done_at=None, next_at__lte=now) \
            .update(next_at=now + LEASE, attempts=job.attempts + 1)
        job.attempts += 1
        return bool(claimed)

    async def _run(self, job: ComplaintJob) -> None:
        handler: Callable[[ComplaintJob], Awaitable[str]] = {
            "check": self._check, "notify": self._notify, "verdict": self._verdict}[job.kind]
        try:
            outcome = await handler(job)
        except Exception as exc:  # noqa: BLE001 - recorded and retried
            message = exc.message if isinstance(exc, DomainError) else repr(exc)
            await self._failed(job, message[:300])
            return
        await ComplaintJob.filter(id=job.id).update(done_at=self.ctx.now(), outcome=outcome)

    async def _failed(self, job: ComplaintJob, message: str) -> None:
        now = self.ctx.now()
        if job.attempts < MAX_ATTEMPTS:
            await ComplaintJob.filter(id=job.id).update(next_at=now + backoff(job.attempts),
                                                        last_error=message)
            return
        await ComplaintJob.filter(id=job.id).update(done_at=now, outcome="failed",
                                                    last_error=message)
        if job.kind == "check":
            case = await Complaint.get_or_none(ticket=job.ticket)
            if case is not None and case.status == Status.SUBMITTED:
                await move_case(ctx=self.ctx, case=case, actor=SYSTEM,
                                to=Status.MODERATION.value,
                                reason="内容安全检测暂不可用，转人工审核")

    async def _check(self, job: ComplaintJob) -> str:
        case = await Complaint.get_or_none(ticket=job.ticket)
        if case is None or case.status != Status.SUBMITTED or not case.openid:
            return "skipped"
        gateway = self.gateway()
        verdict = await gateway.check_text(content=case.description, openid=case.openid)
        base = self.ctx.settings.public_base_url
        for photo in await Photo.filter(complaint_id=case.id, check_trace_id=None):
            url = base + signed_media_path(self.ctx.settings.wechat_secret, photo.id,
                                           ttl=86400)
            trace_id = await gateway.check_media(url=url, openid=case.openid)
            await Photo.filter(id=photo.id).update(check_trace_id=trace_id)
        triage = dict(case.triage)
        triage["content_check"] = {"value": verdict.suggest, "reasons": [
            f"微信内容安全检测（文本）：{verdict.suggest}，标签 {verdict.label}"]}
        await Complaint.filter(id=case.id).update(triage=triage)
        to, why = (Status.PENDING, "等待受理") if verdict.passed \
            else (Status.MODERATION, "内容待人工审核")
        try:
            await move_case(ctx=self.ctx, case=case, actor=SYSTEM, to=to.value, reason=why)
        except Conflict:  # an image verdict moved it meanwhile
            pass
        return "done"

    async def _notify(self, job: ComplaintJob) -> str:
        case = await Complaint.get_or_none(ticket=job.ticket)
        if case is None or not case.openid:
            return "skipped"
        payload = job.payload
        status = Status(payload["status"])
        at = datetime.fromisoformat(payload["at"]).astimezone(SHANGHAI)
        data = {"character_string1": case.ticket, "phrase2": status_name(status)[:5],
                "time3": at.strftime("%Y-%m-%d %H:%M"),
                "thing4": (payload.get("note") or "案件状态已更新")[:20]}
        sent = await self.gateway().send_subscribe_message(
            openid=case.openid, template_id=self.ctx.settings.complaint_template_id,
            data=data, page=f"pages/complaint/complaint?ticket={case.ticket}")
        return "sent" if sent else "refused"

    async def _verdict(self, job: ComplaintJob) -> str:
        """An image verdict that arrived before its check's trace_id was stored."""
        payload = job.payload
        if not await media_verdict(ctx=self.ctx, trace_id=payload["trace_id"],
                                   suggest=payload["suggest"], label=payload["label"],
                                   early=False):
            raise LookupError(f"no photo has trace_id {payload['trace_id']}")
        return "done"


async def media_verdict(*, ctx: CaseContext, trace_id: str, suggest: str, label: int,
                        early: bool = True) -> bool:
    """A pushed image verdict: record it; risky or doubtful puts the case in moderation.

    WeChat may push before the check's answer (and its trace_id) was stored here: such an
    ``early`` verdict is kept as a job and applied when the photo is known."""
    photo = await Photo.get_or_none(check_trace_id=trace_id)
    if photo is None:
        if early:
            now = ctx.now()
            await ComplaintJob.create(kind="verdict", ticket="-", next_at=now, created_at=now,
                                      payload={"trace_id": trace_id, "suggest": suggest,
                                               "label": label})
        return False
    await Photo.filter(id=photo.id).update(check_suggest=suggest)
    if suggest == "pass" or photo.complaint_id is None:
        return True
    for _ in range(3):  # the text check may move the case at the same moment: re-read
        case = await Complaint.get(id=photo.complaint_id)
        if case.status not in (Status.SUBMITTED, Status.PENDING):
            return True
        try:
            await move_case(ctx=ctx, case=case, actor=SYSTEM, to=Status.MODERATION.value,
                            reason=f"图片内容待人工审核（标签 {label}）")
            return True
        except Conflict:
            continue
    return True

"""The running part of the complaints feature: the shared case context and the job worker."""

from __future__ import annotations

from dataclasses import dataclass

from complaints.context import CaseContext
from complaints.jobs import JobWorker


@dataclass
class ComplaintService:
    ctx: CaseContext
    jobs: JobWorker

    async def close(self) -> None:
        """Let a drain in flight finish its job (it is short; the lease covers a crash)."""
        task = self.jobs._task
        if task is not None and not task.done():
            try:
                await task
            except Exception:  # noqa: BLE001 - retried by the next process
                pass

"""Sends the queued scans when the network returns: oldest first, each with its own id and the
time it was seen, deleted from the queue only once the server has handled it.

One failure (unreachable, timeout, 5xx, 429, a refused device key) stops the batch and backs
off for the whole queue (``backoff`` seconds, doubling to ``max_backoff``; a 429's
``Retry-After`` wins); any delivery resets it. :meth:`QueueSender.wake` (a live scan got
through) sends the backlog at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.client import Answer, ServerClient
from kiosk.store import OfflineStore

log = logging.getLogger("kiosk.sender")


class QueueSender:
    def __init__(self, store: OfflineStore, client: ServerClient, *, batch: int = 50,
                 backoff: float = 1.0, max_backoff: float = 30.0, timeout: float = 10.0,
                 on_answer: Callable[[str, Answer], None] | None = None):
        self.store, self.client = store, client
        self.batch, self.timeout = batch, timeout
        self.base_backoff, self.max_backoff = backoff, max_backoff
        self.backoff = 0.0  # the current pause after a failure (0: none)
        self.on_answer = on_answer
        self.sent = 0
        self._wake = threading.Event()

    def send_due(self) -> tuple[int, Answer | None]:
        """Send what is due; (how many were delivered, the failing answer or None)."""
        claimed = self.store.claim_due(self.batch)
        delivered = 0
        for i, scan in enumerate(claimed):
            answer = self.client.scan(scan.code, scan_id=scan.scan_id,
                                      scanned_at=scan.scanned_at, timeout=self.timeout)
            if not answer.delivered:
                self.store.retry_later(scan.scan_id, delay=0.0, error=answer.error)
                self.store.unclaim([s.scan_id for s in claimed[i + 1:]])
                self._failed(answer)
                return delivered, answer
            self.store.delivered(scan.scan_id)
            delivered += 1
            self.sent += 1
            self.backoff = 0.0
            if self.on_answer is not None:
                self.on_answer(scan.code, answer)
        return delivered, None

    def _failed(self, answer: Answer) -> None:
        self.backoff = min(self.max_backoff, max(self.base_backoff, self.backoff * 2))
        if answer.retry_after:
            self.backoff = max(self.backoff, min(answer.retry_after, 300.0))
        log.warning("queued scans not delivered (%s: %s); next try in %.0f s",
                    answer.outcome, answer.error, self.backoff)

    def wake(self) -> None:
        """Try now (the network is back)."""
        self.backoff = 0.0
        self._wake.set()

    def run(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Send until ``stop`` is set (the kiosk's sender thread)."""
        while not stop.is_set():
            try:
                delivered, failure = self.send_due()
            except Exception:  # a bug here must not stop the queue for good
                log.exception("queue sender failed")
                delivered, failure = 0, None
                self.backoff = self.max_backoff
            if delivered and failure is None:
                continue  # maybe more due: go on at once
            self._wake.wait(self.backoff if failure is not None else interval)
            self._wake.clear()

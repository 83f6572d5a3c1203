"""One scan, end to end: queue it durably, ask the server, keep the answer for offline use,
show it (or the kept copy, marked offline with its age, or a notice in Chinese), read a recall
aloud. Whatever the server does, this answers a screen and logs why."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from kiosk.client import Answer, ServerClient
from kiosk.display import present
from kiosk.display.server import DisplayHub
from kiosk.scans import usable
from kiosk.speech import Speaker
from kiosk.store import OfflineStore

log = logging.getLogger("kiosk.service")
OFFLINE = {"unreachable", "timeout", "server_error", "bad_answer", "unauthorized"}


class KioskService:
    def __init__(self, *, client: ServerClient, store: OfflineStore, hub: DisplayHub,
                 speaker: Speaker, phone_base: str, complaint_url: str,
                 scan_timeout: float = 3.0, wake_sender: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.time):
        self.client, self.store, self.hub, self.speaker = client, store, hub, speaker
        self.phone_base, self.complaint_url = phone_base, complaint_url
        self.scan_timeout = scan_timeout
        self.wake_sender = wake_sender
        self.clock = clock
        self.last_answer: Answer | None = None

    def scan(self, text: str) -> dict:
        """Handle one new scan of ``text`` (the raw decoded text); returns the screen shown."""
        why = usable(text)
        if why is not None:
            log.warning("decoded text not sent (%s): %d characters", why, len(text))
            return self._show(present.notice_screen(why))
        self.hub.show(present.notice_screen("looking"))
        queued = self.store.enqueue(text, scanned_at=datetime.now(UTC))
        answer = self.client.scan(text, scan_id=queued.scan_id, scanned_at=queued.scanned_at,
                                  timeout=self.scan_timeout)
        self.last_answer = answer
        if answer.delivered:
            self.store.delivered(queued.scan_id)
            if self.wake_sender is not None:
                self.wake_sender()
        else:
            self.store.retry_later(queued.scan_id, delay=0.0, error=answer.error)
        online = answer.outcome not in ("unreachable", "timeout")
        self.hub.set_status(online=online, queue=self.store.pending())
        log.info("scan %s: %s%s in %.0f ms", queued.scan_id, answer.outcome,
                 f" ({answer.error})" if answer.error else "", answer.ms)
        return self._show(self.screen_for(text, answer))

    def screen_for(self, text: str, answer: Answer) -> dict:
        if answer.outcome == "view":
            self.store.save_view(text, answer.status or 200, answer.body)
            return self._trace(text, answer.body)
        if answer.outcome in ("not_found", "withdrawn"):
            self.store.save_view(text, answer.status, answer.body or {})
            return present.notice_screen(answer.outcome, message=_message(answer.body))
        if answer.outcome in OFFLINE:
            kept = self.store.view(text)
            if kept is not None:
                log.info("showing the copy kept %.0f s ago", self.clock() - kept.fetched_at)
                if kept.status == 200:
                    return self._trace(text, kept.body, fetched_at=kept.fetched_at)
                outcome = "withdrawn" if kept.status == 410 else "not_found"
                return present.notice_screen(outcome, message=_message(kept.body))
        return present.notice_screen(answer.outcome)

    def _trace(self, text: str, body: dict, fetched_at: float | None = None) -> dict:
        try:
            return present.trace_screen(body, raw=text, phone_base=self.phone_base,
                                        complaint_url=self.complaint_url,
                                        fetched_at=fetched_at, now=self.clock())
        except Exception:  # a view of an unexpected shape: say so, stay up
            log.exception("could not present the trace view")
            return present.notice_screen("bad_answer")

    def notice(self, kind: str, *, count: int = 0) -> dict:
        """Show a notice that needs no server (too many codes in view...)."""
        log.info("notice %s (%d codes)", kind, count)
        return self._show(present.notice_screen(kind, count=count))

    def _show(self, screen: dict) -> dict:
        self.hub.show(screen)
        self.speaker.say(screen.get("speech"))
        return screen


def _message(body) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
        return message if isinstance(message, str) else None
    return None

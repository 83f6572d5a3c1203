"""Wiring of the running kiosk, in one factory: frame loop thread, scan worker, queue sender,
heartbeat and the display server. Tests pass their own parts (a source, a client...)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from kiosk.chain import ChainDecoder
from kiosk.client import ServerClient, heartbeat_payload
from kiosk.display.server import DisplayHub, DisplayServer
from kiosk.loop import ScanLoop
from kiosk.sender import QueueSender
from kiosk.service import KioskService
from kiosk.settings import KioskSettings
from kiosk.sources import FrameSource, make_source
from kiosk.speech import Speaker
from kiosk.store import OfflineStore

log = logging.getLogger("kiosk")


class Kiosk:
    def __init__(self, settings: KioskSettings, *, source: FrameSource | None = None,
                 chain: ChainDecoder | None = None, client: ServerClient | None = None,
                 store: OfflineStore | None = None, speaker: Speaker | None = None,
                 sender_backoff: float = 1.0, max_backoff: float = 30.0):
        self.settings = settings
        self.source = source or make_source(settings.source, loop=settings.loop)
        self.chain = chain or ChainDecoder(budget_ms=settings.budget_ms, static_level=4.0)
        self.client = client or ServerClient(settings.server, kiosk_id=settings.kiosk_id,
                                             key=settings.key)
        self.store = store or OfflineStore(settings.data_dir / "kiosk.sqlite3")
        self.speaker = speaker or Speaker(enabled=settings.speech)
        self.hub = DisplayHub(idle_seconds=settings.idle_seconds,
                              alert_idle_seconds=settings.alert_idle_seconds,
                              orientation=settings.orientation)
        self.sender = QueueSender(self.store, self.client, backoff=sender_backoff,
                                  max_backoff=max_backoff)
        self.service = KioskService(client=self.client, store=self.store, hub=self.hub,
                                    speaker=self.speaker, phone_base=settings.phone_base,
                                    complaint_url=settings.complaint_url,
                                    scan_timeout=settings.scan_timeout,
                                    wake_sender=self.sender.wake)
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-scan")
        self.loop = ScanLoop(self.source, self.chain, on_scan=self._submit,
                             on_notice=self._notice, on_camera=self._camera,
                             debounce_seconds=settings.debounce_seconds)
        self.display = DisplayServer(self.hub, host=settings.host, port=settings.port)
        self.stop_event = threading.Event()
        self._threads: list[threading.Thread] = []
        self.heartbeat_absent = False

    def _submit(self, text: str) -> None:
        self.worker.submit(self._scan_safely, text)

    def _scan_safely(self, text: str) -> None:
        try:
            self.service.scan(text)
        except Exception:  # the worker must survive anything a scan throws
            log.exception("scan failed")

    def _notice(self, kind: str, count: int) -> None:
        self.worker.submit(self.service.notice, kind, count=count)

    def _camera(self, status: str) -> None:
        self.hub.set_status(camera=status)

    def heartbeat_once(self):
        fps, rate = self.loop.stats.take()
        answer = self.client.heartbeat(heartbeat_payload(
            camera="ok" if self.source.status != "lost" else "lost", fps=fps, decode_rate=rate,
            queue=self.store.pending()))
        if answer.outcome == "absent" and not self.heartbeat_absent:
            log.info("the server has no heartbeat endpoint (HTTP %s); going on", answer.status)
            self.heartbeat_absent = True
        elif answer.outcome not in ("ok", "absent"):
            log.warning("heartbeat: %s %s", answer.outcome, answer.error or "")
        return answer

    def _heartbeats(self) -> None:
        """One heartbeat at start (staff see a kiosk as soon as it runs), then one a period."""
        while True:
            try:
                self.heartbeat_once()
            except Exception:
                log.exception("heartbeat failed")
            if self.stop_event.wait(self.settings.heartbeat_seconds):
                return

    def start(self) -> Kiosk:
        self.display.start()
        self.hub.set_status(queue=self.store.pending())
        for name, target in (("kiosk-loop", lambda: self.loop.run(self.stop_event)),
                             ("kiosk-sender", lambda: self.sender.run(self.stop_event)),
                             ("kiosk-heartbeat", self._heartbeats)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("kiosk %s showing %s", self.settings.kiosk_id, self.display.url)
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.sender.wake()
        for thread in self._threads:
            thread.join(timeout=5)
        self.worker.shutdown(wait=True)
        self.display.stop()
        self.source.close()
        self.speaker.stop()
        self.client.close()
        self.store.close()

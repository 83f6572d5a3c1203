"""The frame loop: newest frame → decode chain → which code counts → debounce → a new scan
handed to ``on_scan`` (which must not block: the kiosk runs scans on a worker thread)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2

from kiosk.chain import ChainDecoder
from kiosk.scans import Debouncer, pick
from kiosk.sources import FrameSource

log = logging.getLogger("kiosk.loop")


@dataclass
class LoopStats:
    """Counters since the last :meth:`take` (the heartbeat's fps and decode rate)."""

    frames: int = 0
    candidates: int = 0  # frames that looked like they held a code
    decoded: int = 0  # of those, frames where a code was read
    scans: int = 0
    since: float = field(default_factory=time.monotonic)

    def take(self, now: float | None = None) -> tuple[float, float | None]:
        """(frames per second, decode rate or None) since the last call; resets."""
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.since, 1e-6)
        fps = self.frames / elapsed
        rate = self.decoded / self.candidates if self.candidates else None
        self.frames = self.candidates = self.decoded = 0
        self.since = now
        return fps, rate


class ScanLoop:
    def __init__(self, source: FrameSource, chain: ChainDecoder, *,
                 on_scan: Callable[[str], None], on_notice: Callable[[str, int], None],
                 on_camera: Callable[[str], None] | None = None, debounce_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic):
        self.source, self.chain = source, chain
        self.on_scan, self.on_notice, self.on_camera = on_scan, on_notice, on_camera
        self.debouncer = Debouncer(debounce_seconds)
        self.stats = LoopStats()
        self.clock = clock

    def step(self, timeout: float = 0.5) -> bool:
        """Handle one frame; False once the source has ended."""
        frame = self.source.read(timeout)
        if self.on_camera is not None:
            self.on_camera(self.source.status)
        if frame is None:
            return self.source.status != "ended"
        image = frame.image
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        result = self.chain.run(gray)
        self.stats.frames += 1
        self.stats.candidates += result.candidate
        self.stats.decoded += bool(result.codes)
        if not result.codes:
            return True
        chosen = pick(result.codes)
        now = self.clock()
        if chosen.code is None:
            if self.debouncer.is_new("\x00too_many", now):
                self.on_notice(chosen.reason, chosen.count)
            return True
        for code in result.codes:  # everything in view counts as held, not just the pick
            if code is not chosen.code:
                self.debouncer.is_new(code.text, now)
        if self.debouncer.is_new(chosen.code.text, now):
            self.stats.scans += 1
            self.on_scan(chosen.code.text)
        return True

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if not self.step():
                    log.info("frame source ended")
                    return
            except Exception:  # one bad frame must not stop the kiosk
                log.exception("frame loop error")
                time.sleep(0.05)

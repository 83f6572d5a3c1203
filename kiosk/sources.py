"""Frame sources behind one interface: :class:`FrameSource` → :class:`CameraFrameSource`
(V4L2 through OpenCV), :class:`FileFrameSource` (a video file), and
:class:`ImageSequenceFrameSource` (image files or a folder) for simulation, demos and tests.

A live source always hands out the newest frame: the camera is read by a thread into a
one-frame slot (and asked for a driver buffer of one), so decoding never works on a stale
frame. A lost camera is noticed (reads failing, or no frame for ``stall_seconds``), released
and reopened every ``reopen_seconds`` until it answers again, without restarting the program.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("kiosk.sources")

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mjpeg", ".mjpg"}


@dataclass
class Frame:
    image: np.ndarray  # BGR (or grayscale) uint8
    index: int  # 0, 1, 2... as read from the source
    at: float  # monotonic time the frame was captured
    name: str = ""  # the file it came from, for image sequences


class FrameSource(ABC):
    """Where frames come from."""

    name = "source"

    @abstractmethod
    def read(self, timeout: float = 1.0) -> Frame | None:
        """The next frame (a live source: the newest one not handed out yet), waiting at most
        ``timeout`` seconds; None when none came or the source has ended."""

    @property
    @abstractmethod
    def status(self) -> str:
        """``ok``, ``lost`` (a camera gone, being reopened) or ``ended`` (file or folder
        done)."""

    def close(self) -> None:
        """Release the device or file (idempotent)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ------------------------------------------------------------------ camera

def open_v4l2(index: int | str, width: int, height: int, fps: int):
    """``cv2.VideoCapture`` on V4L2: MJPG, the requested size, a driver buffer of one."""
    import cv2

    capture = cv2.VideoCapture(index, cv2.CAP_V4L2)
    capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    capture.set(cv2.CAP_PROP_FPS, fps)
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    return capture


class CameraFrameSource(FrameSource):
    """A camera read by a background thread; see the module docstring.

    ``opener(index, width, height, fps)`` returns a capture object with ``isOpened()``,
    ``read()`` and ``release()`` (OpenCV's by default; tests inject a fake one).
    """

    name = "camera"

    def __init__(self, index: int | str = 0, *, width: int = 1280, height: int = 720,
                 fps: int = 30, opener: Callable = open_v4l2, failures_to_lose: int = 5,
                 stall_seconds: float = 2.0, reopen_seconds: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self.index, self.size, self.fps = index, (width, height), fps
        self._opener = opener
        self._failures_to_lose = failures_to_lose
        self._stall, self._reopen = stall_seconds, reopen_seconds
        self._clock = clock
        self._slot: Frame | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._status = "lost"
        self._capture = None
        self._count = 0
        self.reopens = 0  # how many times the camera came back after a loss
        self._thread = threading.Thread(target=self._pump, name="kiosk-camera", daemon=True)
        self._thread.start()

    @property
    def status(self) -> str:
        return self._status

    def read(self, timeout: float = 1.0) -> Frame | None:
        with self._cond:
            if self._slot is None:
                self._cond.wait(timeout)
            frame, self._slot = self._slot, None
            return frame

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._release()

    # the thread
    def _pump(self) -> None:
        lost_once = False
        while not self._stop.is_set():
            if self._capture is None and not self._open():
                self._stop.wait(self._reopen)
                continue
            if lost_once and self._status == "lost":
                self.reopens += 1
            self._status = "ok"
            lost_once = True
            self._drain()
            if not self._stop.is_set():
                self._lose()

    def _open(self) -> bool:
        try:
            capture = self._opener(self.index, *self.size, self.fps)
            if capture is not None and capture.isOpened():
                self._capture = capture
                log.info("camera %s open", self.index)
                return True
            if capture is not None:
                capture.release()
        except Exception:  # a driver error must not end the program: try again later
            log.exception("camera %s failed to open", self.index)
        return False

    def _drain(self) -> None:
        """Read frames into the slot until the camera fails or stalls."""
        failures, last_ok = 0, self._clock()
        while not self._stop.is_set():
            try:
                ok, image = self._capture.read()
            except Exception:
                log.exception("camera %s read failed", self.index)
                ok, image = False, None
            now = self._clock()
            if ok and image is not None:
                failures, last_ok = 0, now
                with self._cond:
                    self._slot = Frame(image, self._count, now)
                    self._count += 1
                    self._cond.notify_all()
                continue
            failures += 1
            if failures >= self._failures_to_lose or now - last_ok >= self._stall:
                return
            self._stop.wait(0.01)

    def _lose(self) -> None:
        log.warning("camera %s lost; reopening every %.1f s", self.index, self._reopen)
        self._status = "lost"
        with self._cond:
            self._slot = None  # a frame from before the loss is stale
        self._release()

    def _release(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            try:
                capture.release()
            except Exception:
                log.exception("camera %s release failed", self.index)


# ------------------------------------------------------------------ video file

class FileFrameSource(FrameSource):
    """A video file. ``realtime``: frames are handed out as a camera would (by the wall clock at
    the file's frame rate, skipping what the reader was too slow for); otherwise every frame in
    order. ``loop``: start again at the end."""

    name = "file"

    def __init__(self, path: str | Path, *, realtime: bool = False, loop: bool = False,
                 clock: Callable[[], float] = time.monotonic):
        import cv2

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"video file not found: {self.path}")
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            raise ValueError(f"not a readable video: {self.path}")
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or 25.0
        self.realtime, self.loop, self._clock = realtime, loop, clock
        self._next = 0  # index of the next frame in the file
        self._start: float | None = None
        self._status = "ok"

    @property
    def status(self) -> str:
        return self._status

    def read(self, timeout: float = 1.0) -> Frame | None:
        if self._status == "ended":
            return None
        if self.realtime:
            now = self._clock()
            if self._start is None:
                self._start = now
            due = int((now - self._start) * self.fps)
            if due < self._next:  # ahead of the clock: wait for the frame's time
                time.sleep(min(timeout, (self._next - due) / self.fps))
                due = self._next
            while self._next < due:  # behind: skip, as a camera would have
                if not self._capture.grab() and not self._rewind():
                    return None
                self._next += 1
        ok, image = self._capture.read()
        if not ok and self._rewind():
            ok, image = self._capture.read()
        if not ok:
            self._status = "ended"
            return None
        frame = Frame(image, self._next, self._clock())
        self._next += 1
        return frame

    def _rewind(self) -> bool:
        import cv2

        if not self.loop:
            self._status = "ended"
            return False
        self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        self._start = None if self.realtime else self._start
        self._next = 0
        return True

    def close(self) -> None:
        self._capture.release()


# ------------------------------------------------------------------ images

def image_files(paths: Iterable[str | Path]) -> list[Path]:
    """Image files named, or found (sorted by name) in folders named."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such image or folder: {path}")
    return found


class ImageSequenceFrameSource(FrameSource):
    """Image files (or every image of a folder, by name) as frames. ``hold``: each image is
    handed out that many times in a row (a code held in view); ``fps``: paced like a camera;
    ``loop``: start again at the end. An unreadable file is logged and skipped."""

    name = "images"

    def __init__(self, paths: Iterable[str | Path] | str | Path, *, hold: int = 1,
                 fps: float | None = None, loop: bool = False,
                 clock: Callable[[], float] = time.monotonic):
        if isinstance(paths, (str, Path)):
            paths = [paths]
        self.files = image_files(paths)
        self.hold, self.fps, self.loop, self._clock = max(1, hold), fps, loop, clock
        self._i = 0
        self._last: float | None = None
        self._cache: tuple[int, np.ndarray] | None = None
        self._status = "ok" if self.files else "ended"

    @property
    def status(self) -> str:
        return self._status

    def read(self, timeout: float = 1.0) -> Frame | None:
        import cv2

        while self._status == "ok":
            total = len(self.files) * self.hold
            if self._i >= total:
                if not self.loop:
                    self._status = "ended"
                    return None
                self._i = 0
            self._pace(timeout)
            position = self._i // self.hold
            self._i += 1
            path = self.files[position]
            if self._cache is None or self._cache[0] != position:
                image = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if image is None:
                    log.warning("skipping unreadable image %s", path)
                    self._i = (position + 1) * self.hold
                    continue
                self._cache = (position, image)
            return Frame(self._cache[1], self._i - 1, self._clock(), path.name)
        return None

    def _pace(self, timeout: float) -> None:
        if not self.fps:
            return
        now = self._clock()
        if self._last is not None:
            wait = self._last + 1 / self.fps - now
            if wait > 0:
                time.sleep(min(wait, timeout))
        self._last = self._clock()


def make_source(spec: str, *, realtime: bool = True, loop: bool = False,
                hold: int = 1, fps: float | None = None) -> FrameSource:
    """A source from a command-line spec: ``camera`` / ``camera:N`` / ``/dev/videoN`` (a
    camera), a video file, an image file or a folder of images."""
    if spec == "camera" or spec.startswith("camera:") or spec.startswith("/dev/video"):
        index: int | str = spec.split(":", 1)[1] if ":" in spec else 0
        if isinstance(index, str) and index.isdigit():
            index = int(index)
        return CameraFrameSource(spec if spec.startswith("/dev/") else index)
    path = Path(spec)
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSequenceFrameSource(path, hold=hold, fps=fps, loop=loop)
    return FileFrameSource(path, realtime=realtime, loop=loop)

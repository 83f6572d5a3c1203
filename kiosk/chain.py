"""The decode chain: a cheap pass on every frame, then more decoders and preprocessing only on
frames that look like they hold a code, within a per-frame time budget.

The chain is data: a tuple of :class:`Step` (decoder, transform, scope), run in order until one
finds a code or the budget is spent. The first step always runs, on the whole frame, and also
reports symbols it found but could not read; those boxes and the regions of
:func:`kiosk.regions.code_regions` decide whether the frame is a candidate at all and where the
``regions`` steps look (cropped from the full-resolution image, rescaled to ``region_side``).
On a live camera the stall behind the kiosk rarely changes: a candidate frame on which the
slower steps found nothing is remembered (as a thumbnail), and a next frame that looks the same
(mean difference under ``static_level`` grey levels, overall brightness aside) gets only the
first step, except every ``retry_every``-th such frame. A pack moving into view changes the
frame and gets the full chain.
The orders below were chosen with ``benchmarks/kiosk_tune.py`` (gain per millisecond on a
generated degraded set) — rerun it after changing a step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk import preprocess
from kiosk.decoders import Box, Code, Decoder, ZbarDecoder, ZxingDecoder
from kiosk.regions import code_regions, grow


@dataclass(frozen=True)
class Step:
    decoder: str  # a key of the chain's decoders: zxing-fast, zxing, zbar
    transform: str = "none"  # a key of preprocess.TRANSFORMS
    scope: str = "frame"  # frame | regions

    @property
    def label(self) -> str:
        return f"{self.decoder}:{self.transform}:{self.scope}"


FIRST = Step("zxing-fast")
# Live kiosk: every frame pays FIRST (a few ms); candidates get the rest within the budget.
LIVE_STEPS = (
    FIRST,
    Step("zxing", "smooth", "regions"),
    Step("zxing", "half", "regions"),
    Step("zxing", "invert", "regions"),
    Step("zbar", "none", "regions"),
    Step("zxing", "sharpen", "regions"),
    Step("zbar", "half", "regions"),
    Step("zxing", "smooth"),
)
# `python -m kiosk decode`: one image, a generous budget, every step worth trying.
THOROUGH_STEPS = LIVE_STEPS + (
    Step("zxing"),
    Step("zxing", "clahe_invert"),
    Step("zxing", "sharpen"),
    Step("zbar", "clahe_invert", "regions"),
    Step("zxing", "clahe", "regions"),
    Step("zxing", "rotate45", "regions"),
    Step("zxing", "stretch", "regions"),
    Step("zbar", "rotate45"),
    Step("zbar"),
    Step("zxing", "invert"),
    Step("zbar", "smooth"),
    Step("zbar", "invert", "regions"),
    Step("zxing", "half"),
    Step("zbar", "stretch", "regions"),
    Step("zbar", "clahe"),
    Step("zxing", "rotate45"),
)


@dataclass
class ChainResult:
    codes: list[Code]
    candidate: bool  # the frame looked like it held a code
    steps: list[str] = field(default_factory=list)  # labels of the steps that ran
    ms: float = 0.0


def default_decoders() -> dict[str, Decoder]:
    """zxing-cpp (fast and full) and, when libzbar0 is installed, zbar."""
    decoders: dict[str, Decoder] = {"zxing-fast": ZxingDecoder(fast=True),
                                    "zxing": ZxingDecoder()}
    try:
        decoders["zbar"] = ZbarDecoder()
    except (ImportError, OSError):  # no libzbar0: the chain runs without zbar's steps
        pass
    return decoders


class ChainDecoder(Decoder):
    """Runs :class:`Step` s in order within ``budget_ms``; see the module docstring."""

    name = "chain"

    def __init__(self, decoders: dict[str, Decoder] | None = None, *,
                 steps: tuple[Step, ...] = LIVE_STEPS, budget_ms: float = 30.0,
                 max_side: int = 1600, region_side: int = 640, regions: int = 2,
                 static_level: float = 0.0, retry_every: int = 5,
                 clock: Callable[[], float] = time.perf_counter):
        self.decoders = decoders if decoders is not None else default_decoders()
        self.steps = tuple(s for s in steps if s.decoder in self.decoders)
        self.budget = budget_ms / 1000.0
        self.max_side, self.region_side, self.regions = max_side, region_side, regions
        self.clock = clock
        self.static_level, self.retry_every = static_level, retry_every
        self._fruitless: np.ndarray | None = None  # thumbnail of the last fruitless candidate
        self._skipped = 0

    def decode(self, gray: np.ndarray) -> list[Code]:
        return self.run(gray).codes

    def run(self, gray: np.ndarray) -> ChainResult:
        """Decode one frame; says whether it was a candidate and which steps ran."""
        start = self.clock()
        work, factor = preprocess.limit_to(np.ascontiguousarray(gray), self.max_side)
        first, *rest = self.steps
        codes, missed = self._first(first, work, factor)
        result = ChainResult(codes, bool(codes) or bool(missed), [first.label])
        if not codes:
            boxes = [_scaled(b, 1 / factor) for b in missed]
            if len(boxes) < self.regions:
                boxes += [_scaled(b, 1 / factor) for b in code_regions(work)]
            result.candidate = bool(boxes)
            boxes = _distinct(boxes)[: self.regions]
            if boxes and self._unchanged(work):
                boxes = []
            for step in rest if boxes else ():
                if self.clock() - start >= self.budget:
                    break
                result.steps.append(step.label)
                result.codes = self._step(step, gray, work, factor, boxes)
                if result.codes:
                    break
            self._remember(work, fruitless=len(result.steps) > 1 and not result.codes)
        result.ms = (self.clock() - start) * 1000
        return result

    def _unchanged(self, work: np.ndarray) -> bool:
        """The frame looks like the last fruitless candidate (and it is not time to retry)."""
        if not self.static_level or self._fruitless is None:
            return False
        diff = float(np.mean(np.abs(_thumb(work) - self._fruitless)))
        if diff >= self.static_level or self._skipped + 1 >= self.retry_every:
            self._skipped = 0
            return False
        self._skipped += 1
        return True

    def _remember(self, work: np.ndarray, *, fruitless: bool) -> None:
        if self.static_level and fruitless:
            self._fruitless = _thumb(work)

    def _first(self, step: Step, work, factor) -> tuple[list[Code], list[Box]]:
        decoder = self.decoders[step.decoder]
        if isinstance(decoder, ZxingDecoder):
            codes, missed = decoder.scan(work, misses=True)
        else:
            codes, missed = decoder.decode(work), []
        return [_moved(c, 1 / factor, 0, 0) for c in codes], missed

    def _step(self, step: Step, gray, work, factor, boxes: list[Box]) -> list[Code]:
        decoder = self.decoders[step.decoder]
        transform = preprocess.TRANSFORMS[step.transform]
        if step.scope == "frame":
            image = np.ascontiguousarray(transform.apply(work))
            scale = factor * transform.scale
            return _unique([_moved(c, 1 / scale, 0, 0) if transform.keeps_geometry
                            else _boxless(c) for c in decoder.decode(image)])
        found: list[Code] = []
        for box in boxes:
            x, y, w, h = grow(box, 0.1, gray.shape)
            crop = gray[y:y + h, x:x + w]
            crop, up = preprocess.upscale_to(crop, self.region_side)
            crop, down = preprocess.limit_to(crop, self.region_side * 2)
            image = np.ascontiguousarray(transform.apply(crop))
            scale = up * down * transform.scale
            found += [_moved(c, 1 / scale, x, y) if transform.keeps_geometry
                      else Code(c.text, c.format, (x, y, w, h), c.decoder)
                      for c in decoder.decode(image)]
            if found:
                break
        return _unique(found)


def _thumb(image: np.ndarray) -> np.ndarray:
    """A small copy less its mean: a camera's exposure drifting is not a change of scene."""
    thumb = cv2.resize(image, (80, 45), interpolation=cv2.INTER_AREA).astype(np.float32)
    return thumb - thumb.mean()


def _scaled(box: Box, by: float) -> Box:
    return tuple(int(v * by) for v in box)  # type: ignore[return-value]


def _moved(code: Code, by: float, dx: int, dy: int) -> Code:
    if code.box is None:
        return code
    x, y, w, h = _scaled(code.box, by)
    return Code(code.text, code.format, (x + dx, y + dy, w, h), code.decoder)


def _boxless(code: Code) -> Code:
    return Code(code.text, code.format, None, code.decoder)


def _unique(codes: list[Code]) -> list[Code]:
    seen, out = set(), []
    for code in codes:
        if (code.text, code.format) not in seen:
            seen.add((code.text, code.format))
            out.append(code)
    return out


def _distinct(boxes: list[Box]) -> list[Box]:
    """Boxes minus those mostly inside an earlier one."""
    out: list[Box] = []
    for box in boxes:
        if not any(_inside(box, kept) > 0.6 for kept in out):
            out.append(box)
    return out


def _inside(a: Box, b: Box) -> float:
    """Share of ``a``'s area that lies in ``b``."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    return ix * iy / max(1, aw * ah)

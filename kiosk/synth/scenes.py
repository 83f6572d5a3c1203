"""Camera-like frames with codes in them: a cluttered market background, a pack label holding
the symbol, placed at a size, angle and perspective, then degraded like a cheap camera would.

:func:`degraded_set` is the tuning and benchmark set (deterministic for a seed): each sample
draws one or two label effects and one to three frame effects from
:mod:`kiosk.synth.degrade`, so no single degradation dominates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.synth import degrade
from kiosk.synth.symbols import Symbol, random_symbol

FRAME = (1280, 720)


@dataclass
class Sample:
    image: np.ndarray  # BGR uint8
    symbols: list[Symbol]
    effects: list[str] = field(default_factory=list)

    @property
    def expected(self) -> list[str]:
        return [s.expected for s in self.symbols]


def background(rng: random.Random, size: tuple[int, int] = FRAME) -> np.ndarray:
    """A busy stall: a colour gradient, boxes, discs, lines and printed-looking text."""
    w, h = size
    top = np.array([rng.randint(40, 220) for _ in range(3)], np.float32)
    bottom = np.array([rng.randint(40, 220) for _ in range(3)], np.float32)
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    image = np.ascontiguousarray(np.broadcast_to(top + (bottom - top) * ramp, (h, w, 3)),
                                 dtype=np.uint8)
    for _ in range(rng.randint(4, 12)):
        color = tuple(rng.randint(0, 255) for _ in range(3))
        x, y = rng.randint(-100, w), rng.randint(-100, h)
        if rng.random() < 0.5:
            cv2.rectangle(image, (x, y), (x + rng.randint(40, 400), y + rng.randint(40, 300)),
                          color, -1)
        else:
            cv2.circle(image, (x, y), rng.randint(20, 160), color, -1)
    for _ in range(rng.randint(2, 8)):
        color = tuple(rng.randint(0, 255) for _ in range(3))
        cv2.line(image, (rng.randint(0, w), rng.randint(0, h)),
                 (rng.randint(0, w), rng.randint(0, h)), color, rng.randint(1, 6))
    for _ in range(rng.randint(3, 10)):
        text = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789 ") for _ in range(12))
        cv2.putText(image, text, (rng.randint(0, w - 100), rng.randint(20, h)),
                    cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.5, 1.6),
                    tuple(rng.randint(0, 255) for _ in range(3)), rng.randint(1, 3))
    return image


def label(symbol: Symbol, rng: random.Random) -> np.ndarray:
    """The symbol on a white (or off-white) pack label with a little printed text."""
    sh, sw = symbol.image.shape
    pad = max(8, int(0.08 * max(sh, sw)))
    card = np.full((sh + 2 * pad + 24, sw + 2 * pad), rng.randint(215, 255), np.uint8)
    card[pad:pad + sh, pad:pad + sw] = np.minimum(card[pad:pad + sh, pad:pad + sw],
                                                  symbol.image)
    cv2.putText(card, "TRACE", (pad, sh + pad + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 60, 1)
    return card


def place(frame: np.ndarray, card: np.ndarray, rng: random.Random, *, height: float,
          angle: float, tilt: float) -> None:
    """Warp ``card`` into ``frame`` (in place): ``height`` of the frame's height, turned by
    ``angle`` degrees, corners jittered by ``tilt`` (perspective)."""
    fh, fw = frame.shape[:2]
    ch, cw = card.shape[:2]
    scale = height * fh / ch
    w, h = cw * scale, ch * scale
    cx = rng.uniform(0.3, 0.7) * fw
    cy = rng.uniform(0.35, 0.65) * fh
    rad = math.radians(angle)
    corners = []
    for x, y in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        jx, jy = rng.uniform(-tilt, tilt) * w, rng.uniform(-tilt, tilt) * h
        x, y = x + jx, y + jy
        corners.append([cx + x * math.cos(rad) - y * math.sin(rad),
                        cy + x * math.sin(rad) + y * math.cos(rad)])
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    matrix = cv2.getPerspectiveTransform(src, np.float32(corners))
    color = cv2.cvtColor(card, cv2.COLOR_GRAY2BGR)
    warped = cv2.warpPerspective(color, matrix, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), matrix, (fw, fh))
    np.copyto(frame, warped, where=mask[..., None] > 127)


def scene(rng: random.Random, symbols: list[Symbol], *, label_effects=(), frame_effects=(),
          size: tuple[int, int] = FRAME, height: float | None = None,
          angle: float | None = None, tilt: float | None = None) -> Sample:
    """One frame with ``symbols`` in it, the named effects applied."""
    frame = background(rng, size)
    for symbol in symbols:
        card = label(symbol, rng)
        for name in label_effects:
            card = degrade.ON_LABEL[name](card, rng)
        linear = symbol.format in ("EAN13", "Code128", "DataBar")
        place(frame, card, rng,
              height=height if height is not None else rng.uniform(0.22, 0.6) / len(symbols),
              angle=angle if angle is not None else rng.uniform(-35, 35) if linear
              else rng.uniform(-180, 180),
              tilt=tilt if tilt is not None else rng.uniform(0, 0.12))
    for name in frame_effects:
        frame = degrade.ON_FRAME[name](frame, rng)
    return Sample(frame, list(symbols), [*label_effects, *frame_effects])


def degraded_sample(rng: random.Random) -> Sample:
    """One sample of the tuning set: one symbol, a random mix of effects."""
    symbol = random_symbol(rng, None)
    label_fx = [n for n in degrade.ON_LABEL if rng.random() < 0.22]
    frame_fx = rng.sample(list(degrade.ON_FRAME), rng.randint(1, 3))
    return scene(rng, [symbol], label_effects=label_fx, frame_effects=frame_fx,
                 height=rng.uniform(0.14, 0.6))


def degraded_set(n: int, seed: int = 7) -> Iterator[Sample]:
    """``n`` degraded samples, the same for the same seed."""
    rng = random.Random(seed)
    for _ in range(n):
        yield degraded_sample(rng)


def empty_frame(rng: random.Random, size: tuple[int, int] = FRAME) -> np.ndarray:
    """A frame with no code in it (background, camera noise and JPEG)."""
    frame = background(rng, size)
    return degrade.jpeg(degrade.noise(frame, rng, sigma=(2, 6)), rng, quality=(60, 85))

"""Image preprocessing for the decode chain, pure functions on grayscale uint8 arrays.

Each :class:`Transform` says how far it scales the image (to map a decoded box back) and
whether it keeps the geometry at all (a rotation does not: its boxes are dropped)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def invert(gray: np.ndarray) -> np.ndarray:
    return cv2.bitwise_not(gray)


def clahe(gray: np.ndarray) -> np.ndarray:
    """Local contrast: lifts codes out of glare and shadow."""
    return _CLAHE.apply(gray)


def stretch(gray: np.ndarray) -> np.ndarray:
    """Full-range contrast from the 1st to the 99th percentile (low light, washed out)."""
    lo, hi = np.percentile(gray, (1, 99))
    if hi - lo < 1:
        return gray
    scale = 255.0 / (hi - lo)
    return cv2.convertScaleAbs(gray, alpha=scale, beta=-lo * scale)


def sharpen(gray: np.ndarray) -> np.ndarray:
    """Unsharp mask (defocus, motion)."""
    soft = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return cv2.addWeighted(gray, 1.8, soft, -0.8, 0)


def smooth(gray: np.ndarray) -> np.ndarray:
    """A light blur: screen pixel grids, moiré and sensor noise."""
    return cv2.GaussianBlur(gray, (0, 0), 1.2)


def half(gray: np.ndarray) -> np.ndarray:
    return cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


def rotate45(gray: np.ndarray) -> np.ndarray:
    """Turned by 45° on a white canvas big enough to keep every pixel (slanted barcodes)."""
    h, w = gray.shape[:2]
    side = int((h + w) * 0.7072) + 2
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 45, 1.0)
    matrix[0, 2] += side / 2 - w / 2
    matrix[1, 2] += side / 2 - h / 2
    return cv2.warpAffine(gray, matrix, (side, side), borderValue=255)


def upscale_to(gray: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """``gray`` enlarged so its longer side is ``side`` (never shrunk); and the factor."""
    h, w = gray.shape[:2]
    factor = side / max(h, w)
    if factor <= 1.0:
        return gray, 1.0
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC), factor


def limit_to(gray: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """``gray`` shrunk so its longer side is at most ``side``; and the factor."""
    h, w = gray.shape[:2]
    factor = side / max(h, w)
    if factor >= 1.0:
        return gray, 1.0
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), factor


@dataclass(frozen=True)
class Transform:
    name: str
    apply: Callable[[np.ndarray], np.ndarray]
    scale: float = 1.0  # output pixels per input pixel
    keeps_geometry: bool = True


TRANSFORMS = {t.name: t for t in (
    Transform("none", lambda g: g),
    Transform("invert", invert),
    Transform("clahe", clahe),
    Transform("stretch", stretch),
    Transform("sharpen", sharpen),
    Transform("smooth", smooth),
    Transform("clahe_invert", lambda g: invert(clahe(g))),
    Transform("half", half, scale=0.5),
    Transform("rotate45", rotate45, keeps_geometry=False),
)}

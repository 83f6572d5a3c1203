"""Where in a frame a code might be, found cheaply (about a millisecond on 1280×720): codes
are dense, high-contrast edges in a compact patch. A frame with no such patch is not worth
the chain's slower passes.

:func:`code_regions` works on a small copy of the frame: morphological gradient, a threshold
relative to the frame's own contrast, closing to join a symbol's modules into one blob, then
blobs of a plausible size and fill, largest first, in full-frame coordinates with a margin.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]

WORK_WIDTH = 320
_KERNEL3 = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
_KERNEL_CLOSE = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))


def edge_map(gray: np.ndarray, width: int = WORK_WIDTH) -> tuple[np.ndarray, float]:
    """Binary map of strong edges on a ``width``-wide copy, and the copy's scale."""
    h, w = gray.shape[:2]
    scale = width / w if w > width else 1.0
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))),
                       interpolation=cv2.INTER_AREA) if scale != 1.0 else gray
    grad = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, _KERNEL3)
    # Relative threshold: dark and washed-out frames have weak but real edges.
    level = max(12.0, float(np.percentile(grad, 97)) * 0.45)
    return (grad >= level).astype(np.uint8) * 255, scale


def code_regions(gray: np.ndarray, *, limit: int = 3, margin: float = 0.25) -> list[Box]:
    """Up to ``limit`` boxes (x, y, w, h in ``gray``'s pixels) that may hold a code."""
    edges, scale = edge_map(gray)
    closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, _KERNEL_CLOSE)
    count, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    sh, sw = edges.shape
    found = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if w < 6 or h < 6 or w * h > 0.6 * sw * sh:
            continue
        fill = area / (w * h)
        density = float(edges[y:y + h, x:x + w].mean()) / 255
        aspect = max(w, h) / min(w, h)
        if fill < 0.35 or density < 0.18 or aspect > 6:
            continue
        found.append((area * density, (x, y, w, h)))
    found.sort(reverse=True)
    boxes = []
    gh, gw = gray.shape[:2]
    for _, (x, y, w, h) in found[:limit]:
        mx, my = w * margin, h * margin
        x0, y0 = max(0, int((x - mx) / scale)), max(0, int((y - my) / scale))
        x1, y1 = min(gw, int((x + w + mx) / scale)), min(gh, int((y + h + my) / scale))
        boxes.append((x0, y0, x1 - x0, y1 - y0))
    return boxes


def looks_like_code(gray: np.ndarray) -> bool:
    """Whether the frame has a patch dense enough in edges to be a code."""
    return bool(code_regions(gray, limit=1))


def grow(box: Box, by: float, shape: tuple[int, ...]) -> Box:
    """``box`` grown by ``by`` of its size on each side, clipped to an image of ``shape``."""
    x, y, w, h = box
    gh, gw = shape[:2]
    x0, y0 = max(0, int(x - w * by)), max(0, int(y - h * by))
    x1, y1 = min(gw, int(x + w * (1 + by))), min(gh, int(y + h * (1 + by)))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)

"""A demo video of pack codes for the simulated kiosk: each code held in front of the camera
for a few seconds (moving a little, as in a hand), an empty scene between codes."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np

from kiosk.synth.scenes import FRAME, background, label
from kiosk.synth.symbols import render


def code_symbol(text: str):
    """A QR code of ``text``; GS1 element strings in brackets become a GS1 DataMatrix."""
    if text.startswith("(01)"):
        return render("datamatrix_gs1", text)
    return render("qr", text)


def make_demo_video(codes: list[str], out: str | Path, *, seconds: float = 3.0,
                    gap: float = 1.5, fps: int = 25, seed: int = 1) -> Path:
    """Write ``out`` (.mp4: mp4v, .avi: MJPG); returns its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fourcc = cv2.VideoWriter_fourcc(*("MJPG" if out.suffix.lower() == ".avi" else "mp4v"))
    writer = cv2.VideoWriter(str(out), fourcc, fps, FRAME)
    if not writer.isOpened():
        raise RuntimeError(f"cannot write video {out}")
    rng = random.Random(seed)
    scene = background(rng)
    try:
        for _ in range(int(gap * fps)):
            writer.write(scene)
        for text in codes:
            card = cv2.cvtColor(label(code_symbol(text), rng), cv2.COLOR_GRAY2BGR)
            scale = min(FRAME[1] * 0.55 / card.shape[0], FRAME[0] * 0.8 / card.shape[1])
            card = cv2.resize(card, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            for i in range(int(seconds * fps)):
                frame = scene.copy()
                x = FRAME[0] // 2 - card.shape[1] // 2 + int(12 * np.sin(i / 7))
                y = FRAME[1] // 2 - card.shape[0] // 2 + int(8 * np.cos(i / 5))
                frame[y:y + card.shape[0], x:x + card.shape[1]] = card
                writer.write(frame)
            for _ in range(int(gap * fps)):
                writer.write(scene)
    finally:
        writer.release()
    return out

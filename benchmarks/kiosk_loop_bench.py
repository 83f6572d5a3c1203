"""Frames per second of the kiosk's whole frame loop on 1280×720 frames, on one core.

    python -m benchmarks.kiosk_loop_bench [--seconds 12] [--share 0.4]

A clip like a kiosk's camera sees: mostly an empty stall, codes held in view some of the time
(``--share`` of the frames; mildly degraded, some hard). Each frame goes through the real
loop (colour to gray, the live decode chain with its budget, picking, debounce) — once from
memory, once decoded from an MP4 file as a camera's MJPG stream would be. Baseline in the same
run: zxing-cpp alone with its default (full) options on the same frames. The process is pinned
to one core and OpenCV to one thread. Target: ≥ 25 fps.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import cv2

from kiosk.chain import ChainDecoder
from kiosk.decoders import ZxingDecoder
from kiosk.loop import ScanLoop
from kiosk.sources import FileFrameSource, Frame, FrameSource
from kiosk.synth.scenes import background, scene
from kiosk.synth.symbols import random_symbol


class MemorySource(FrameSource):
    def __init__(self, images):
        self.images, self.i = images, 0

    @property
    def status(self):
        return "ok" if self.i < len(self.images) else "ended"

    def read(self, timeout=1.0):
        if self.i >= len(self.images):
            return None
        self.i += 1
        return Frame(self.images[self.i - 1], self.i - 1, time.monotonic())


def clip(seconds: float, share: float, seed: int = 5) -> tuple[list, list[bool]]:
    """Frames at 30 fps: holds of 1-2 s of one code between stretches of empty stall."""
    rng = random.Random(seed)
    stall = background(rng)
    frames, has_code = [], []
    total = int(seconds * 30)
    while len(frames) < total:
        if rng.random() < share:
            effects = rng.sample(["blur", "noise", "glare", "low_light", "jpeg", "motion"],
                                 rng.choice([0, 1, 1, 2]))
            held = scene(rng, [random_symbol(rng)], frame_effects=effects).image
            n = rng.randint(30, 60)
            frames += [held] * n
            has_code += [True] * n
        else:
            n = rng.randint(30, 90)
            noisy = [cv2.add(stall, rng.randint(0, 12)) for _ in range(4)]
            frames += [noisy[i % 4] for i in range(n)]
            has_code += [False] * n
    return frames[:total], has_code[:total]


def run_loop(source: FrameSource) -> tuple[float, int, int]:
    scans = []
    loop = ScanLoop(source, ChainDecoder(budget_ms=30, static_level=4.0), on_scan=scans.append,
                    on_notice=lambda *a: None)
    started = time.perf_counter()
    while loop.step(timeout=0):
        pass
    return time.perf_counter() - started, loop.stats.frames, len(scans)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--share", type=float, default=0.4)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    frames, has_code = clip(args.seconds, args.share)
    print(f"{len(frames)} frames 1280x720, {sum(has_code)} with a code in view; one core; "
          "machine shared with other work")
    zxing = ZxingDecoder()
    started = time.perf_counter()
    for image in frames:
        zxing.decode(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    base = len(frames) / (time.perf_counter() - started)
    print(f"  baseline, zxing-cpp alone (full options), from memory: {base:6.1f} fps")
    elapsed, n, scans = run_loop(MemorySource(frames))
    fps = n / elapsed
    print(f"  kiosk loop (live chain), from memory:                 {fps:6.1f} fps"
          f"  ({fps / base:.2f}x baseline, {scans} scans)")
    for code in (False, True):
        part = [f for f, c in zip(frames, has_code) if c == code]
        elapsed, n, _ = run_loop(MemorySource(part))
        print(f"    frames {'with' if code else 'without'} a code: {n / elapsed:6.1f} fps")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (1280, 720))
        for image in frames:
            writer.write(image)
        writer.release()
        elapsed, n, scans = run_loop(FileFrameSource(path))
        print(f"  kiosk loop, frames decoded from MP4 (camera-like):     {n / elapsed:6.1f} fps"
              f"  ({scans} scans)")


if __name__ == "__main__":
    main()

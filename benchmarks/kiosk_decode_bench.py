"""Decode rate on generated degraded frames: zxing-cpp alone, pyzbar alone, the live chain
(per-frame budget) and the thorough chain (``python -m kiosk decode``).

    python -m benchmarks.kiosk_decode_bench [--n 500] [--seed 101] [--budget-ms 30]

The set is drawn by :func:`kiosk.synth.scenes.degraded_set` with a seed the chain was not
tuned on (tuning used 11 and 23). A frame counts as decoded when the expected text is among
the codes read. Times are per frame on this machine (shared with other work: compare the
ratios, not the milliseconds).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import cv2

from kiosk.chain import THOROUGH_STEPS, ChainDecoder, default_decoders
from kiosk.synth.scenes import degraded_set


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--budget-ms", type=float, default=30.0)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    samples = [(cv2.cvtColor(s.image, cv2.COLOR_BGR2GRAY), s.expected[0], s.symbols[0].kind,
                s.effects) for s in degraded_set(args.n, args.seed)]
    print(f"{len(samples)} degraded 1280x720 frames generated in {time.perf_counter() - t0:.0f} s"
          f" (seed {args.seed})")
    decoders = default_decoders()
    contenders = {"zxing-cpp alone": decoders["zxing"]}
    if "zbar" in decoders:
        contenders["pyzbar alone"] = decoders["zbar"]
    contenders[f"chain, live ({args.budget_ms:g} ms budget)"] = ChainDecoder(
        decoders, budget_ms=args.budget_ms)
    contenders["chain, thorough (decode command)"] = ChainDecoder(
        decoders, steps=THOROUGH_STEPS, budget_ms=1500)
    misses: dict[str, Counter] = {}
    base = None
    for name, decoder in contenders.items():
        hits, missed = 0, Counter()
        t0 = time.perf_counter()
        for gray, expected, kind, effects in samples:
            if expected in {c.text for c in decoder.decode(gray)}:
                hits += 1
            else:
                missed.update([kind, *effects])
        ms = (time.perf_counter() - t0) / len(samples) * 1000
        base = base or hits
        misses[name] = missed
        print(f"{name:36s} {hits:4d}/{len(samples)} = {hits / len(samples):6.1%}"
              f"  ({hits / base:4.2f}x zxing-cpp)  {ms:6.1f} ms/frame")
    kinds = Counter(k for _, _, k, fx in samples) + Counter(f for *_, fx in samples for f in fx)
    print("\nmisses by symbol and effect (of frames having it):")
    for key in sorted(kinds, key=lambda k: -kinds[k]):
        row = "  ".join(f"{misses[n][key]:3d}" for n in contenders)
        print(f"  {key:16s} {kinds[key]:4d}   {row}")


if __name__ == "__main__":
    main()

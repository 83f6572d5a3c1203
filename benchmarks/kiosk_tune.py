"""Which decode-chain steps earn their time: on a generated degraded set, the frames the cheap
first pass misses are tried with every (decoder, transform, scope) step alone; steps are then
ordered greedily by new hits per millisecond. Used to choose ``kiosk.chain.LIVE_STEPS``.

    python -m benchmarks.kiosk_tune [--n 400] [--seed 11]

Tune on several seeds (the set is random): a step that only helps one set is noise.
"""

from __future__ import annotations

import argparse
import time

import cv2

from kiosk.chain import FIRST, ChainDecoder, Step, default_decoders
from kiosk.preprocess import TRANSFORMS
from kiosk.synth.scenes import degraded_set


def candidates(decoders) -> list[Step]:
    return [Step(d, t, s) for d in decoders if d != "zxing-fast" for t in TRANSFORMS
            for s in ("frame", "regions")]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    decoders = default_decoders()
    frames = [(cv2.cvtColor(s.image, cv2.COLOR_BGR2GRAY), s.expected[0])
              for s in degraded_set(args.n, args.seed)]
    first = ChainDecoder(decoders, steps=(FIRST,), budget_ms=1e9)
    missed = [(g, e) for g, e in frames if e not in {c.text for c in first.decode(g)}]
    print(f"{len(frames)} frames, first pass misses {len(missed)}")
    hits, cost = {}, {}
    for step in candidates(decoders):
        chain = ChainDecoder(decoders, steps=(FIRST, step), budget_ms=1e9)
        t0 = time.perf_counter()
        hits[step] = {i for i, (g, e) in enumerate(missed)
                      if e in {c.text for c in chain.decode(g)}}
        cost[step] = (time.perf_counter() - t0) / max(1, len(missed)) * 1000
    covered: set[int] = set()
    print(f"{'step':34s} {'alone':>5s} {'new':>4s} {'ms':>6s}")
    remaining = set(hits)
    while remaining:
        best = max(remaining, key=lambda s: len(hits[s] - covered) / max(cost[s], 0.5))
        gain = len(hits[best] - covered)
        if gain == 0:
            break
        covered |= hits[best]
        remaining.discard(best)
        print(f"{best.label:34s} {len(hits[best]):5d} {gain:4d} {cost[best]:6.1f}")
    print(f"all steps together recover {len(covered)} of {len(missed)}")
    print("\nbest alone:")
    for step in sorted(hits, key=lambda s: -len(hits[s]))[:12]:
        print(f"{step.label:34s} {len(hits[step]):5d} {cost[step]:6.1f} ms")


if __name__ == "__main__":
    main()

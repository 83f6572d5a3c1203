"""Scan parsing time per code: this tree's parse_scan against a baseline revision's, same run.

    python benchmarks/parse_bench.py                  # baseline: main; 7 rounds of 20,000
    python benchmarks/parse_bench.py --baseline d9ee9eb --rounds 9 --loops 50000

parse_scan is on the scan hot path. A fixed mix of what scanners send (trace URLs and codes,
GS1 Digital Links, GS1 element strings with and without symbology identifiers, EAN/UPC) is
parsed by both versions in alternating rounds; each version's figure is its best round
(least disturbed by other work on the machine), in microseconds per code, then the ratio.
The baseline is loaded from git (``benchmarks/gs1_conformance.py``'s loader).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.gs1_conformance import load_baseline  # noqa: E402
from tracing.codes.parse import parse_scan  # noqa: E402

GS = "\x1d"
HOSTS = ("trace.lz.gov.cn",)
# (code, weight): how often each kind comes per 20 scans, roughly.
MIX = [
    ("https://trace.lz.gov.cn/t/LZ20240315A0001", 6),
    ("LZ20240315A0001", 3),
    ("https://id.gs1.org/01/06901234567892/10/ABC123/21/0001", 2),
    ("https://example.com/01/06901234567892/10/L7?17=261231&11=250315", 1),
    ("]d2010690123456789217261231" "10ABC123" + GS + "210001", 2),
    ("(01)06901234567892(17)261231(10)ABC123", 1),
    ("010690123456789217261231" "10ABC123", 1),
    ("6901234567892", 2),
    ("]E06901234567892", 1),
    ("]C10106901234567892" "3103001250" "15261231" "10L1", 1),
]
CODES = [code for code, weight in MIX for _ in range(weight)]


def per_code_us(parse, loops: int, codes: list[str] = CODES) -> float:
    rounds = max(1, loops // len(codes))
    start = time.perf_counter()
    for _ in range(rounds):
        for code in codes:
            parse(code, trace_hosts=HOSTS)
    return (time.perf_counter() - start) / (rounds * len(codes)) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--loops", type=int, default=20_000, help="codes parsed per round")
    parser.add_argument("--by-kind", action="store_true", help="also time each kind alone")
    args = parser.parse_args(argv)
    _, old_parse = load_baseline(args.baseline)
    for code in CODES:  # both read the mix alike (same forms and keys)
        old = old_parse.parse_scan(code, trace_hosts=HOSTS)
        new = parse_scan(code, trace_hosts=HOSTS)
        assert (old.form, old.keys()) == (new.form, new.keys()), code
    before, after = [], []
    for _ in range(args.rounds):
        before.append(per_code_us(old_parse.parse_scan, args.loops))
        after.append(per_code_us(parse_scan, args.loops))
    b, a = min(before), min(after)
    print(f"parse_scan, mix of {len(CODES)} codes ({len(MIX)} kinds), best of {args.rounds} "
          f"rounds of {args.loops} codes")
    print(f"  baseline {args.baseline}: {b:6.2f} us/code")
    print(f"  this tree:      {a:6.2f} us/code")
    print(f"  ratio this/baseline: {a / b:.3f}")
    if args.by_kind:
        print("  by kind (best of rounds, us/code): baseline, this tree, ratio")
        for code, _ in MIX:
            old = min(per_code_us(old_parse.parse_scan, args.loops // 4, [code])
                      for _ in range(args.rounds))
            new = min(per_code_us(parse_scan, args.loops // 4, [code])
                      for _ in range(args.rounds))
            print(f"  {old:7.2f} {new:7.2f} {new / old:5.2f}  {code[:56]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

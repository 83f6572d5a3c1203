"""Conformance figures: cases of tests/unit/data/gs1_conformance.json read right, now and on a
baseline revision (its tracing/codes/gs1.py and parse.py, loaded from git).

    python benchmarks/gs1_conformance.py               # baseline: main
    python benchmarks/gs1_conformance.py --baseline d9ee9eb

"Right" means accepted when the source expects a valid case and refused when it expects an
invalid one, at the level the source tested (see the data file's "about"). The baseline had
no GS1-level Digital Link reader: its Digital Link and scan cases go through its parse_scan,
which also refuses Digital Links without a GTIN; the "with GTIN" column counts only cases
carrying AI 01 (the ones the platform traces), where that makes no difference.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.test_gs1_conformance import CASES, accepted  # noqa: E402

GS = "\x1d"
RULES = ("req", "ex", "repeats", "digsig")


def load_baseline(rev: str) -> tuple[types.ModuleType, types.ModuleType]:
    """The baseline's gs1 and parse modules (parse reading the baseline's gs1)."""
    def show(path: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True,
                              capture_output=True, text=True).stdout
    old_gs1 = sys.modules["baseline_gs1"] = types.ModuleType("baseline_gs1")
    exec(compile(show("tracing/codes/gs1.py"), "baseline gs1.py", "exec"), old_gs1.__dict__)
    source = show("tracing/codes/parse.py").replace(
        "from tracing.codes import gs1\n", "import baseline_gs1 as gs1\n")
    old_parse = sys.modules["baseline_parse"] = types.ModuleType("baseline_parse")
    exec(compile(source, "baseline parse.py", "exec"), old_parse.__dict__)
    return old_gs1, old_parse


def baseline_accepted(case: dict, old_gs1, old_parse) -> bool:
    form, check, text = case["form"], case["check"], case["input"]
    try:
        if form in ("scan", "dl"):
            old_parse.parse_scan(text)
            return True
        if form == "bracketed":
            pairs = old_gs1.parse_bracketed(text)
        elif form == "element":
            pairs = old_gs1.parse_element_string(text)
        elif not text.startswith("^"):
            return False
        else:
            pairs = old_gs1.parse_element_string(text[1:].replace("^", GS))
        if check in ("repeats", "full"):  # the only rule on AIs together it had
            seen: dict[str, str] = {}
            return all(seen.setdefault(ai, v) == v for ai, v in pairs)
        return True
    except Exception:  # the baseline's GS1Error, CodeMalformed (or anything it raised)
        return False


def has_gtin(case: dict) -> bool:
    text = case["input"]
    return "(01)" in text or "/01/" in text or "/gtin/" in text or text.startswith(
        ("^01", "01", "]E", "]C101", "]d201", "]Q301", "]e001"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision (default: main)")
    args = parser.parse_args(argv)
    old_gs1, old_parse = load_baseline(args.baseline)
    total, before, after = Counter(), Counter(), Counter()
    for case in CASES:
        level = "rules" if case["check"] in RULES + ("full",) else case["check"]
        keys = [level, "all"] + (["with GTIN"] if has_gtin(case) else [])
        for key in keys:
            total[key] += 1
            before[key] += baseline_accepted(case, old_gs1, old_parse) is case["valid"]
            after[key] += accepted(case) is case["valid"]
    print(f"GS1 conformance cases read right (baseline {args.baseline} -> this tree)")
    print(f"{'cases':<12}{'n':>5}{'before':>16}{'after':>16}")
    for key in ("syntax", "rules", "dl", "scan", "with GTIN", "all"):
        n = total[key]
        print(f"{key:<12}{n:>5}{before[key]:>8} ({before[key] / n:4.0%}){after[key]:>8} "
              f"({after[key] / n:4.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Public conformance vectors (GS1's syntax engine, biip): every case is read right.

The vectors are facts copied from their sources (``tests/unit/data/gs1_conformance.json``
says which and how to read them); this file only feeds each one to the matching reader and
compares the outcome with the source's. ``benchmarks/gs1_conformance.py`` prints the same
count for the code on another revision (the figure before a change).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracing.codes import gs1, gs1_dl
from tracing.codes.parse import CodeMalformed, parse_scan

ROOT = Path(__file__).resolve().parents[2]
SUITE = json.loads((Path(__file__).parent / "data" / "gs1_conformance.json").read_text("utf-8"))
# How this platform reads: the engine options its Digital Link reading corresponds to.
PROFILE = {"permitConvenienceAlphas=on", "permitZeroSuppressedGTINinDLuris=on"}
RULES = {"req": "gs1_requires", "ex": "gs1_excludes", "repeats": "gs1_repeated_ai",
         "digsig": "gs1_digsig_serial"}
CASES = [c for c in SUITE["cases"] if c.get("option", next(iter(PROFILE))) in PROFILE]
OFF_PROFILE = [c for c in SUITE["cases"] if c not in CASES]


def read_pairs(form: str, text: str) -> list[tuple[str, str]]:
    if form == "bracketed":
        return gs1.parse_bracketed(text)
    if form == "element":
        return gs1.parse_element_string(text)
    if form == "fnc1":
        if not text.startswith("^"):
            raise gs1.GS1Error("gs1_no_fnc1", "no FNC1 in first position")
        return gs1.parse_element_string(text[1:].replace("^", gs1.GS))
    if form == "dl":
        return gs1_dl.parse_digital_link(text).pairs
    raise ValueError(form)


def accepted(case: dict) -> bool:
    """True when the code accepts the case at the level its source tested."""
    form, check, text = case["form"], case["check"], case["input"]
    try:
        if form == "scan":
            parse_scan(text)
            return True
        pairs = read_pairs(form, text)
        if check == "full":
            gs1.check_associations(pairs)
        elif check in RULES:
            return RULES[check] not in {rule for rule, _ in gs1.association_problems(pairs)}
        return True
    except (gs1.GS1Error, CodeMalformed):
        return False


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['check']}:{c['input'][:60]!r}")
def test_conformance_vector(case):
    assert accepted(case) is case["valid"], case["source"]


def test_every_source_and_form_is_represented():
    assert len(CASES) > 350
    assert {c["form"] for c in CASES} == {"bracketed", "fnc1", "element", "dl", "scan"}
    assert any("biip" in c["source"] for c in CASES)
    assert all(c["source"] and isinstance(c["valid"], bool) for c in SUITE["cases"])
    assert sum(not c["valid"] for c in CASES) > 150  # refusals are tested as much as reads


def test_vectors_of_the_other_engine_settings_are_the_ones_set_aside():
    assert {c["option"] for c in OFF_PROFILE} == {"permitConvenienceAlphas=off",
                                                 "permitZeroSuppressedGTINinDLuris=off"}
    # With those options on, as here, GS1's engine reads them (the "on" twins are in CASES).
    assert all(accepted({**c, "valid": True}) for c in OFF_PROFILE)


def test_generated_ai_table_matches_the_vendored_dictionary():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_gs1_ai_table.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout

"""Generate ``tracing/codes/gs1_ais.py`` from GS1's Barcode Syntax Dictionary.

    python scripts/gen_gs1_ai_table.py            # rewrite tracing/codes/gs1_ais.py
    python scripts/gen_gs1_ai_table.py --check    # exit 1 when the module is out of date

The dictionary (``tracing/codes/data/gs1-syntax-dictionary.txt``, Apache-2.0, GS1 AISBL) has
one line per AI or AI range::

    AIs  [Flags]  Specification  [Attributes...]  [# Title]

Flags: ``*`` predefined length (no FNC1 separator needed), ``?`` allowed as a Digital Link
query attribute. Specification: components ``N6,yymmd0`` / ``[X..17]`` (type N digits,
X CSET 82, Y CSET 39, Z base64url; ``..`` a variable length; brackets optional; then linters).
Attributes: ``req=01+21,02`` (one group of a list required; repeated keys all apply),
``ex=01,392n`` (none may appear), ``dlpkey[=22,10,21|235]`` (Digital Link primary key and its
ordered qualifier sequences).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tracing" / "codes" / "data" / "gs1-syntax-dictionary.txt"
TARGET = ROOT / "tracing" / "codes" / "gs1_ais.py"
COMPONENT_RE = re.compile(r"^(\[)?([NXYZ])(\.\.)?(\d+)(\])?((?:,\w+)*)$")
FLAG_CHARS = set("*?!\"$%&'()+,-./:;<=>@[\\]^_`{|}~")

HEADER = '''"""GS1 application identifiers, generated from GS1's Barcode Syntax Dictionary.

DO NOT EDIT: run ``python scripts/gen_gs1_ai_table.py`` (source and licence in
``tracing/codes/data/``). Each entry of ``AIS``::

    ai: (title, fixed_length, dl_attribute, components, requires, excludes, dl_key)

- components: ``(charset, min, max, optional, linters)``; charset N digits, X CSET 82,
  Y CSET 39, Z base64url.
- requires: one tuple per ``req=`` attribute; each is a tuple of alternatives, an
  alternative a tuple of AI patterns that must all be present (``31nn``: any 31xx).
- excludes: AI patterns that must not appear with this AI (the AI itself never counts).
- dl_key: ``None``, or the qualifier sequences of this Digital Link primary key (``()``: none).

``PREFIX_LENGTHS`` maps the first two digits of an AI to its length (the same for all AIs
that share them), as GS1 allocates them.
"""

# fmt: off
'''


def parse_line(line: str) -> list[tuple]:
    """The entries of one dictionary line (a range gives one entry per AI)."""
    spec, _, title = line.partition("#")
    tokens = spec.split()
    ais, tokens = tokens[0], tokens[1:]
    flags = ""
    if tokens and set(tokens[0]) <= FLAG_CHARS:
        flags, tokens = tokens[0], tokens[1:]
    components, requires, excludes, dl_key = [], [], [], None
    for token in tokens:
        match = COMPONENT_RE.match(token)
        if match and not ("=" in token or token == "dlpkey"):
            opt_open, cset, dots, size, _, linters = match.groups()
            size = int(size)
            components.append((cset, 1 if dots else size, size, bool(opt_open),
                               tuple(x for x in linters.split(",") if x)))
        elif token.startswith("req="):
            requires.append(tuple(tuple(group.split("+")) for group in token[4:].split(",")))
        elif token.startswith("ex="):
            excludes.extend(token[3:].split(","))
        elif token == "dlpkey":
            dl_key = ()
        elif token.startswith("dlpkey="):
            dl_key = tuple(tuple(seq.split(",")) for seq in token[7:].split("|"))
        else:
            raise ValueError(f"unknown token {token!r} in line {line!r}")
    if not components:
        raise ValueError(f"no specification in line {line!r}")
    first, _, last = ais.partition("-")
    codes = [first] if not last else [str(n).zfill(len(first))
                                      for n in range(int(first), int(last) + 1)]
    return [(code, (title.strip(), "*" in flags, "?" in flags, tuple(components),
                    tuple(requires), tuple(excludes), dl_key)) for code in codes]


def parse_dictionary(text: str) -> dict[str, tuple]:
    entries: dict[str, tuple] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for code, entry in parse_line(line):
            if code in entries:
                raise ValueError(f"AI {code} is defined twice")
            entries[code] = entry
    return entries


def prefix_lengths(entries: dict[str, tuple]) -> dict[str, int]:
    lengths: dict[str, int] = {}
    for code in entries:
        if lengths.setdefault(code[:2], len(code)) != len(code):
            raise ValueError(f"AIs starting {code[:2]} differ in length")
    return lengths


def render(entries: dict[str, tuple]) -> str:
    lines = [HEADER, "AIS = {"]
    lines += [f"    {code!r}: {entry!r}," for code, entry in entries.items()]
    lines += ["}", "", "PREFIX_LENGTHS = {"]
    lines += [f"    {prefix!r}: {size}," for prefix, size in prefix_lengths(entries).items()]
    lines += ["}", "# fmt: on", ""]
    return "\n".join(lines)


def generate() -> str:
    return render(parse_dictionary(SOURCE.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/gen_gs1_ai_table.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({len(parse_dictionary(SOURCE.read_text(encoding='utf-8')))} AIs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

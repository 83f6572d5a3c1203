"""The README's settings table names every ``GONGZHI_*`` variable the settings module reads,
and no other (a variable added to ``core.settings`` without a row fails here)."""

from __future__ import annotations

import re
from pathlib import Path

from core import settings

README = Path(__file__).resolve().parents[2] / "README.md"
NAME = re.compile(r"`(GONGZHI_[A-Z0-9_]+)`")


def settings_table(text: str) -> list[str]:
    """The first column of every row of the table under ``## Settings``."""
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [row.split("|")[1] for row in rows]


def test_the_readme_settings_table_lists_every_variable_of_the_settings_module():
    listed = [name for cell in settings_table(README.read_text(encoding="utf-8"))
              for name in NAME.findall(cell)]
    assert len(listed) == len(set(listed)), "a variable has two rows"
    assert set(listed) == set(settings._PARSERS)


def test_the_table_parser_reads_every_name_of_a_row():
    text = ("intro\n## Settings\n\n| Variable | Default |\n| --- | --- |\n"
            "| `GONGZHI_A`, `GONGZHI_B` | `1` |\n| `GONGZHI_C` | `GONGZHI_D` |\n\n## Next\n"
            "| `GONGZHI_E` | x |\n")
    cells = settings_table(text)
    assert [NAME.findall(c) for c in cells] == [["GONGZHI_A", "GONGZHI_B"], ["GONGZHI_C"]]


LINK = re.compile(r"\]\(([^)\s]+)\)")
ROOT = README.parent


def test_the_readme_and_docs_link_only_to_files_inside_the_repository():
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            path = (page.parent / target.split("#", 1)[0]).resolve()
            assert "://" not in target and path.is_relative_to(ROOT), (page.name, target)
            assert path.is_file(), (page.name, target)

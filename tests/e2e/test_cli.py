"""The ``gongzhi`` command as a subprocess against a private SQLite data dir."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories as F

GONGZHI = shutil.which("gongzhi")
COMMAND = [GONGZHI] if GONGZHI else [
    sys.executable, "-c", "import sys; from gongzhi.cli import main; sys.exit(main())"]


def gongzhi(*args: str, data_dir: Path, command=COMMAND, **env: str):
    """Run the command with only our ``GONGZHI_*`` variables (the test database's are dropped)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    environ.update(GONGZHI_DATA_DIR=str(data_dir), **env)
    return subprocess.run([*command, *args], env=environ, capture_output=True, text=True,
                          timeout=300, cwd=data_dir)


def summaries(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo data written and imported once: (data_dir, file, import result)."""
    data_dir = tmp_path_factory.mktemp("cli")
    path = data_dir / "demo.ndjson"
    written = gongzhi("demo-data", "--enterprises", "10", "--out", str(path), data_dir=data_dir)
    assert written.returncode == 0, written.stderr
    assert "enterprise 10" in written.stderr
    imported = gongzhi("import", str(path), data_dir=data_dir)
    return data_dir, path, imported


def test_demo_data_imports_with_zero_rejections(demo):
    data_dir, path, imported = demo
    assert imported.returncode == 0, imported.stderr
    lines = sum(1 for line in path.read_bytes().splitlines() if line.strip())
    assert summaries(imported.stdout) == [{"file": str(path), "accepted": lines,
                                           "rejected": [], "warnings": []}]
    assert "demo.ndjson" in imported.stderr and "100%" in imported.stderr  # progress bar
    with sqlite3.connect(data_dir / "gongzhi.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM enterprise").fetchone()[0] == 10
        assert conn.execute("SELECT count(*) FROM event").fetchone()[0] > 0


def test_verify_passes_after_the_import(demo):
    data_dir, _, _ = demo
    verified = gongzhi("verify", data_dir=data_dir)
    assert verified.returncode == 0, verified.stderr
    assert "every chain verifies" in verified.stdout and "BROKEN" not in verified.stdout


def test_reimporting_the_demo_is_idempotent(demo):
    data_dir, path, first = demo
    db = data_dir / "gongzhi.sqlite3"
    with sqlite3.connect(db) as conn:
        events = conn.execute("SELECT count(*) FROM event").fetchone()[0]
    again = gongzhi("import", "--quiet", str(path), data_dir=data_dir)
    assert again.returncode == 0 and summaries(again.stdout) == summaries(first.stdout)
    assert again.stderr == ""  # --quiet: no progress bar
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM event").fetchone()[0] == events


@pytest.mark.parametrize("name,value", [
    ("GONGZHI_PORT", "abc"), ("GONGZHI_PORT", "70000"), ("GONGZHI_WORKERS", "0"),
    ("GONGZHI_DB_URL", "mysql://db/x"), ("GONGZHI_MAX_BODY_BYTES", "ten"),
    ("GONGZHI_SEARCH_BACKEND", "solr"),
])
@pytest.mark.parametrize("command", ["verify", "import"])
def test_a_bad_setting_exits_2_naming_the_variable(tmp_path, name, value, command):
    args = [command] + ([str(tmp_path / "none.ndjson")] if command == "import" else [])
    result = gongzhi(*args, data_dir=tmp_path, **{name: value})
    assert result.returncode == 2
    assert f"bad setting {name}" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "gongzhi.sqlite3").exists()


def test_import_reports_rejections_and_exits_1(tmp_path):
    good, bad = tmp_path / "good.ndjson", tmp_path / "bad.ndjson"
    good.write_bytes(F.ndjson(F.world()))
    bad.write_bytes(F.ndjson([F.enterprise(3), b"{oops", F.product("P9", enterprise_n=9)]))
    result = gongzhi("import", "--quiet", str(good), str(bad), data_dir=tmp_path)
    assert result.returncode == 1, result.stderr
    first, second = summaries(result.stdout)
    assert first == {"file": str(good), "accepted": 21, "rejected": [], "warnings": []}
    assert second["accepted"] == 1
    assert [(r["line"], r["field"], r["code"]) for r in second["rejected"]] == [
        (2, None, "malformed_json"), (3, "enterprise_uscc", "unknown_reference")]
    assert gongzhi("verify", data_dir=tmp_path).returncode == 0


def test_verify_names_a_row_changed_behind_the_back(tmp_path):
    path = tmp_path / "world.ndjson"
    path.write_bytes(F.ndjson(F.world()))
    assert gongzhi("import", "--quiet", str(path), data_dir=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "gongzhi.sqlite3") as conn:
        change = "UPDATE event SET quantity = 1 WHERE event_id = 'E2'"
        try:
            conn.execute(change)
        except sqlite3.DatabaseError:  # an append-only guard: drop it, as an attacker would
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                        " AND tbl_name = 'event'").fetchall():
                conn.execute(f'DROP TRIGGER "{name}"')
            conn.execute(change)
    result = gongzhi("verify", data_dir=tmp_path)
    assert result.returncode == 1
    assert "BROKEN: batch B1: event E2 (seq 2): content does not match" in result.stdout


def test_python_m_gongzhi_cli_keeps_its_output(demo):
    data_dir, _, _ = demo
    command = [sys.executable, "-m", "gongzhi.cli"]
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("GONGZHI_") and k != "PYTHONUNBUFFERED"}
    environ["GONGZHI_DATA_DIR"] = str(data_dir)
    result = subprocess.run([*command, "verify"], env=environ, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0
    assert "every chain verifies" in result.stdout


def test_verify_on_an_empty_data_dir_is_not_a_broken_chain(tmp_path):
    result = gongzhi("verify", data_dir=tmp_path)
    assert result.returncode != 1 and "Traceback" not in result.stderr


def test_calendar_deadline_across_national_day(tmp_path):
    """Handlers ask the command for a case's due date (7 working days, receipt not counted)."""
    run = gongzhi("calendar", "deadline", "2026-09-30", "7", data_dir=tmp_path)
    assert run.returncode == 0 and run.stdout.strip() == "2026-10-15"
    late = gongzhi("calendar", "deadline", "2026-12-28", "7", data_dir=tmp_path)
    assert late.returncode == 0 and late.stdout.strip() == "2027-01-06 provisional"
    bad = gongzhi("calendar", "deadline", "2026-13-01", "7", data_dir=tmp_path)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stdout


def _closed_port() -> int:
    from tests.conftest import _free_port

    return _free_port()  # bound and released: nothing listens there


@pytest.mark.parametrize("command", [["migrate"], ["serve"], ["up", "--no-serve"],
                                     ["verify"]])
@pytest.mark.parametrize("url,shown", [
    ("postgres://gz:hunter2@127.0.0.1:{port}/gz", "PostgreSQL 127.0.0.1:{port}/gz"),
    ("postgresql://gz@db.invalid:5432/gz", "PostgreSQL db.invalid:5432/gz"),
])
def test_an_unreachable_database_is_one_line_naming_the_setting(tmp_path, command, url, shown):
    port = _closed_port()
    result = gongzhi(*command, data_dir=tmp_path, GONGZHI_DB_URL=url.format(port=port))
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith("gongzhi: GONGZHI_DB_URL: ")
    assert shown.format(port=port) in lines[0] and "hunter2" not in lines[0]


def test_a_database_postgresql_does_not_have_is_one_line(tmp_path):
    from tests.conftest import TEST_PG_URL, need

    need(TEST_PG_URL, "PostgreSQL")
    url = TEST_PG_URL.rsplit("/", 1)[0] + "/gz_no_such_database"
    result = gongzhi("migrate", data_dir=tmp_path, GONGZHI_DB_URL=url)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "GONGZHI_DB_URL" in result.stderr and "gz_no_such_database" in result.stderr

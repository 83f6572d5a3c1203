"""verify_chains and ``gongzhi verify`` find rows changed behind the application's back.

The tampering is raw SQL, as someone with database access would do it. If the schema
forbids UPDATE/DELETE on ``event`` with triggers, they are switched off first (as that
attacker would) and restored afterwards, so the test holds either way.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

import pytest
from tortoise import connections

from tests import factories as F
from tracing.model.chain import verify_chains
from tracing.exchange.importer import ExchangeImporter
from tracing.model.models import Batch, Event

pytestmark = pytest.mark.usefixtures("db")


async def load(records) -> None:
    result = await ExchangeImporter().run(F.ndjson(records).splitlines(keepends=True))
    assert result.rejected == []


def chains() -> list[dict]:
    """Two batches of events; B1 has five, B2 three (one a correction)."""
    records = [F.enterprise(1), F.product(), F.batch("B1"), F.batch("B2")]
    records += [F.event(f"E{i}", occurred_at=f"2026-09-0{i}T08:00:00+08:00") for i in range(1, 6)]
    records += [F.event("F1", batch_id="B2"), F.event("F2", batch_id="B2", kind="inspection"),
                F.event("F3", batch_id="B2", corrects="F2", kind="inspection",
                        detail={"inspection": {"item": "菌落总数", "result": "fail"}})]
    return records


@contextlib.asynccontextmanager
async def triggers_off():
    """Switch off any triggers on ``event`` (append-only guards), restore them afterwards."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script("ALTER TABLE event DISABLE TRIGGER USER")
        try:
            yield
        finally:
            await conn.execute_script("ALTER TABLE event ENABLE TRIGGER USER")
        return
    _, rows = await conn.execute_query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'")
    saved = [(row["name"], row["sql"]) for row in rows]
    for name, _ in saved:
        await conn.execute_script(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _, sql in saved:
            await conn.execute_script(sql)


async def tamper(sql: str) -> None:
    """Run ``sql`` directly; if a guard refuses it, disable the guards and run it again."""
    conn = connections.get("default")
    try:
        await conn.execute_script(sql)
    except Exception:
        async with triggers_off():
            await conn.execute_script(sql)


async def test_chains_verify_after_imports():
    await load(chains())
    await load([F.event("E6", occurred_at="2026-09-07T08:00:00+08:00"), F.batch("B1", lot="X")])
    report = await verify_chains()
    assert report.ok and (report.batches, report.events) == (2, 9)


async def test_verify_with_small_pages_walks_every_batch():
    records = [F.enterprise(1), F.product()]
    for b in range(7):
        records += [F.batch(f"B{b}"), F.event(f"E{b}a", batch_id=f"B{b}"),
                    F.event(f"E{b}b", batch_id=f"B{b}")]
    await load(records)
    seen = []
    report = await verify_chains(page=2, progress=seen.append)
    assert report.ok and (report.batches, report.events) == (7, 14) and sum(seen) == 14


@pytest.mark.parametrize("change", [
    "UPDATE event SET quantity = 4000 WHERE event_id = 'E3'",
    "UPDATE event SET detail = '{\"note\": \"改\"}' WHERE event_id = 'E3'",
    "UPDATE event SET kind = 'destruction' WHERE event_id = 'E3'",
    "UPDATE event SET actor = NULL WHERE event_id = 'E3'",
    "UPDATE event SET extra = '{\"x\": 1}' WHERE event_id = 'E3'",
])
async def test_a_changed_event_is_named(change):
    await load(chains())
    assert (await verify_chains()).ok
    if "detail" in change or "extra" in change:
        if connections.get("default").capabilities.dialect == "postgres":
            change = change.replace("' WHERE", "'::jsonb WHERE")
    await tamper(change)
    broken = (await verify_chains()).first_break
    assert (broken.batch_id, broken.event_id, broken.seq) == ("B1", "E3", 3)
    assert "content" in broken.reason
    assert str(broken).startswith("batch B1: event E3 (seq 3)")


async def test_a_changed_event_with_its_hash_recomputed_breaks_the_next_link():
    from tracing.model.chain import row_hash

    await load(chains())
    row = await Event.get(event_id="E2").values()
    forged = row_hash(row["prev_hash"], {**row, "quantity": 1.0})
    await tamper(f"UPDATE event SET quantity = 1, hash = '{forged}' WHERE event_id = 'E2'")
    broken = (await verify_chains()).first_break
    assert (broken.batch_id, broken.event_id) == ("B1", "E3")
    assert "prev_hash" in broken.reason


async def test_a_deleted_middle_event_is_detected():
    await load(chains())
    await tamper("DELETE FROM event WHERE event_id = 'F2'")
    broken = (await verify_chains()).first_break
    assert (broken.batch_id, broken.event_id, broken.seq) == ("B2", "F3", 3)
    assert "sequence gap" in broken.reason


async def test_a_deleted_last_event_is_detected_by_the_batch_head():
    await load(chains())
    await tamper("DELETE FROM event WHERE event_id = 'E5'")
    broken = (await verify_chains()).first_break
    assert (broken.batch_id, broken.event_id) == ("B1", None)
    assert str(broken).startswith("batch B1: batch head")


async def test_a_reset_chain_head_is_detected():
    await load(chains())
    await tamper("UPDATE batch SET chain_head = NULL, chain_length = 0 WHERE batch_id = 'B2'")
    broken = (await verify_chains()).first_break
    assert (broken.batch_id, broken.event_id) == ("B2", None)


async def test_events_added_behind_the_back_are_detected():
    await load(chains())
    row = await Event.get(event_id="E5").values()
    await tamper(
        "INSERT INTO event (event_id, batch_id, seq, kind, occurred_at, quantity, inputs, "
        "detail, extra, prev_hash, hash, recorded_at) VALUES ('E6', 'B1', 6, 'sale', "
        f"'2026-09-09 00:00:00+00:00', 1, '[]', '{{}}', '{{}}', '{row['hash']}', "
        f"'{'f' * 64}', '2026-09-09 00:00:00+00:00')")
    broken = (await verify_chains()).first_break
    assert (broken.batch_id, broken.event_id, broken.seq) == ("B1", "E6", 6)


def run_cli(*args: str, db_url: str, data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DB_URL=db_url, GONGZHI_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "gongzhi.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


async def test_gongzhi_verify_names_the_changed_row(settings, tmp_path):
    await load(chains())
    ok = run_cli("verify", db_url=settings.db_url, data_dir=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "checked 2 batches, 8 events;" in ok.stdout and "every chain verifies" in ok.stdout
    await tamper("UPDATE event SET quantity = 1 WHERE event_id = 'F2'")
    bad = run_cli("verify", db_url=settings.db_url, data_dir=tmp_path)
    assert bad.returncode == 1, bad.stderr
    assert "BROKEN: batch B2: event F2 (seq 2)" in bad.stdout
    assert (await Batch.get(batch_id="B2")).chain_length == 3  # verify only reads


async def test_tampering_past_an_append_only_guard_is_still_detected():
    """With a trigger refusing UPDATE on event, the attacker drops it; verify still sees it."""
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    if postgres:
        await conn.execute_script(
            "CREATE OR REPLACE FUNCTION gz_test_guard() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'event is append-only'; END $$ LANGUAGE plpgsql; "
            "CREATE TRIGGER gz_test_guard BEFORE UPDATE ON event "
            "FOR EACH ROW EXECUTE FUNCTION gz_test_guard();")
    else:
        await conn.execute_script("CREATE TRIGGER gz_test_guard BEFORE UPDATE ON event "
                                  "BEGIN SELECT RAISE(ABORT, 'event is append-only'); END;")
    try:
        await load(chains())
        with pytest.raises(Exception):
            await conn.execute_script("UPDATE event SET quantity = 2 WHERE event_id = 'E4'")
        await tamper("UPDATE event SET quantity = 2 WHERE event_id = 'E4'")
        broken = (await verify_chains()).first_break
        assert (broken.batch_id, broken.event_id) == ("B1", "E4")
        with pytest.raises(Exception):  # the guard is back in place
            await conn.execute_script("UPDATE event SET quantity = 3 WHERE event_id = 'E4'")
    finally:
        await conn.execute_script("DROP TRIGGER IF EXISTS gz_test_guard" + (
            " ON event; DROP FUNCTION IF EXISTS gz_test_guard();" if postgres else ";"))

"""Migration 0006 on a database holding scans written before it: the client-written city column
is gone, logged-in scans become ``person``, earlier kiosk scans (no key proved) stay
anonymous, and the kiosk table exists. Runs on SQLite, and on PostgreSQL when
GONGZHI_DB_URL names one (a fresh database beside it)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api.migrate import migrate as migrate_api

from core.db import tortoise_config
from core.settings import Settings
from gongzhi.schema import MIGRATIONS, models
from tests.conftest import DB_URL, USE_POSTGRES, need

WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)
ROWS = [("C1", "person-hash", None, "请拨13800138000退款"), ("C1", None, "K1", "<b>x</b>"),
        ("C1", None, None, "柳州")]


@pytest.fixture
async def fresh_url(tmp_path):
    if not USE_POSTGRES:
        yield f"sqlite://{tmp_path / 'old.sqlite3'}"
        return
    need(DB_URL, "PostgreSQL")
    import asyncpg

    name = f"gzmig_{uuid.uuid4().hex[:10]}"
    admin = DB_URL.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield DB_URL.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def migrate_to(url: str, target: str | None) -> None:
    config = tortoise_config(Settings(db_url=url), models=models(), migrations=MIGRATIONS)
    await migrate_api(config=config, target=target)
    await Tortoise.close_connections()


async def test_old_scans_lose_their_city_text_and_gain_their_trust(fresh_url):
    await migrate_to(fresh_url, "gongzhi.0005_scan_subject")
    config = tortoise_config(Settings(db_url=fresh_url), models=[])
    await Tortoise.init(config=config)
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    marks = ", ".join(f"${i}" for i in range(1, 8)) if postgres else ", ".join("?" * 7)
    for subject, user, kiosk, city in ROWS:
        await conn.execute_query(
            "INSERT INTO scan (subject, level, scanned_at, channel, kiosk_id, city, user_hash) "
            f"VALUES ({marks})", [subject, "item", WHEN if postgres else str(WHEN), "h5", kiosk,
                                  city, user])
    await Tortoise.close_connections()
    await migrate_to(fresh_url, None)
    await Tortoise.init(config=config)
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT user_hash, kiosk_id, source, division FROM scan ORDER BY id")
    assert [tuple(r) for r in rows] == [("person-hash", None, "person", None),
                                        (None, "K1", "anonymous", None),
                                        (None, None, "anonymous", None)]
    with pytest.raises(Exception):
        await conn.execute_query("SELECT city FROM scan")
    _, kiosks = await conn.execute_query("SELECT count(*) FROM kiosk")
    assert list(kiosks[0])[0] == 0
    await Tortoise.close_connections()

"""Migration 0012 on a database holding kiosk scans written before it: they keep no scan id
and stay as they are (NULL ids never collide), a kiosk's scan id is then unique per kiosk, and
the heartbeat table exists. SQLite, and PostgreSQL when GONGZHI_DB_URL names one."""

from __future__ import annotations

import pytest
from tortoise import Tortoise, connections

from core.db import tortoise_config
from core.settings import Settings
from tests.integration.test_migration_scan_trust import WHEN, fresh_url, migrate_to  # noqa: F401

COLUMNS = "subject, level, scanned_at, channel, kiosk_id, source"


async def insert(conn, kiosk: str, scan_id: str | None = None) -> None:
    postgres = conn.capabilities.dialect == "postgres"
    columns = COLUMNS + (", scan_id" if scan_id else "")
    n = 7 if scan_id else 6
    marks = ", ".join(f"${i}" for i in range(1, n + 1)) if postgres else ", ".join("?" * n)
    values = ["LZ1", "batch", WHEN if postgres else str(WHEN), "kiosk", kiosk, "kiosk"]
    await conn.execute_query(f"INSERT INTO scan ({columns}) VALUES ({marks})",
                             values + ([scan_id] if scan_id else []))


async def test_old_kiosk_scans_stay_and_scan_ids_become_unique_per_kiosk(fresh_url):  # noqa: F811
    await migrate_to(fresh_url, "gongzhi.0011_staff_sessions")
    config = tortoise_config(Settings(db_url=fresh_url), models=[])
    await Tortoise.init(config=config)
    for _ in range(2):
        await insert(connections.get("default"), "K1")
    await Tortoise.close_connections()
    await migrate_to(fresh_url, None)
    await Tortoise.init(config=config)
    conn = connections.get("default")
    try:
        _, rows = await conn.execute_query("SELECT kiosk_id, scan_id FROM scan")
        assert [tuple(r) for r in rows] == [("K1", None), ("K1", None)]
        await insert(conn, "K1", "0b6f3c1e-scan")
        await insert(conn, "K2", "0b6f3c1e-scan")  # another kiosk's id may be the same
        with pytest.raises(Exception):
            await insert(conn, "K1", "0b6f3c1e-scan")
        _, beats = await conn.execute_query("SELECT count(*) FROM kiosk_heartbeat")
        assert list(beats[0])[0] == 0
    finally:
        await Tortoise.close_connections()

"""What recording a scan once per kiosk costs: the scan recorder's flush of kiosk scans that
carry their scan id (looked up before the insert, unique index) against the same scans without
one, measured in the same run on a table already holding ``--existing`` scans.

    python -m benchmarks.kiosk_dedupe_bench [--batches 20] [--batch 2000] [--existing 200000]
                                            [--pg postgres://postgres@127.0.0.1:5432/postgres]

Prints scans per second of each, their ratio, and the flush of a batch of resent scans (every
id already recorded: nothing inserted).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from core import db
from core.kv import MemoryStore
from core.settings import Settings
from gongzhi.schema import MIGRATIONS, models
from tracing.scans.client import ScanClient
from tracing.scans.kiosks import KioskPlace
from tracing.scans.recorder import ScanRecorder

START = datetime(2026, 11, 2, 2, tzinfo=timezone.utc)
PLACE = KioskPlace("K-BENCH", "柳州市城中区农贸市场", "450202", "450200", 24.3, 109.4)


def fill(recorder: ScanRecorder, n: int, *, offset: int, ids: list[str] | None) -> None:
    client = ScanClient(channel="kiosk", kiosk_id="K-BENCH").at_kiosk(PLACE)
    for i in range(n):
        recorder.record(subject=f"LZ{(offset + i) % 5000:012d}", level="batch", batch_id=None,
                        quantity=None, at=START + timedelta(milliseconds=offset + i),
                        client=client, scan_id=ids[i] if ids else None)


async def timed(recorder: ScanRecorder, n: int, *, offset: int, ids) -> float:
    fill(recorder, n, offset=offset, ids=ids)
    started = time.perf_counter()
    await recorder.flush()
    return time.perf_counter() - started


async def run(url: str, args) -> None:
    settings = Settings(db_url=url, data_dir=Path(tempfile.mkdtemp()))
    await db.migrate(settings, models=models(), migrations=MIGRATIONS)
    await db.init_db(settings, models=models())
    recorder = ScanRecorder(MemoryStore(), max_batch=args.batch)
    offset = 0
    for _ in range(0, args.existing, args.batch):  # a table that is not empty
        fill(recorder, args.batch, offset=offset, ids=[str(uuid.uuid4()) for _ in
                                                       range(args.batch)])
        await recorder.flush()
        offset += args.batch
    plain = with_ids = 0.0
    last_ids: list[str] = []
    for _ in range(args.batches):
        plain += await timed(recorder, args.batch, offset=offset, ids=None)
        offset += args.batch
        last_ids = [str(uuid.uuid4()) for _ in range(args.batch)]
        with_ids += await timed(recorder, args.batch, offset=offset, ids=last_ids)
        offset += args.batch
    resent = await timed(recorder, args.batch, offset=offset - args.batch, ids=last_ids)
    n = args.batches * args.batch
    print(f"{url.split('://')[0]:8} without ids {n / plain:9.0f} scans/s   with ids "
          f"{n / with_ids:9.0f} scans/s   ids take {with_ids / plain:.2f}x the time   "
          f"{args.batch} resent: {resent * 1000:.0f} ms")
    await db.close_db()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--existing", type=int, default=200_000)
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is created)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite://{tmp}/bench.sqlite3", args))
    if args.pg:
        asyncio.run(_with_pg(args.pg, args))


async def _with_pg(url: str, args) -> None:
    import asyncpg

    name = f"gzbench_{uuid.uuid4().hex[:8]}"
    admin = url.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        await run(url.rsplit("/", 1)[0] + "/" + name, args)
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


if __name__ == "__main__":
    main()

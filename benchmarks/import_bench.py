"""Exchange import throughput (records/s) on SQLite and PostgreSQL, and peak memory.

    python -m benchmarks.import_bench                    # 100,000 mixed records, both databases
    python -m benchmarks.import_bench --records 20000 --db sqlite
    python -m benchmarks.import_bench --file big.ndjson --db sqlite   # e.g. the 1 GB file

Each run imports into a fresh database (a new SQLite file; a new PostgreSQL database beside
GONGZHI_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test, dropped afterwards).
Prints records, seconds, records/s, the process's peak RSS, the importer's CPU time per record
and, on PostgreSQL, the server's (every postgres process: other clients of a shared server
add to it). The seeds' floor is 10,000
records in 30 s (T/LZLSF 0016 8.3.2); the target here is 20,000 records/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks import postgres_cpu_seconds
from core import db
from core.settings import Settings
from gongzhi.schema import migrate, models

PG_URL = os.environ.get("GONGZHI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
RECORDS_PER_ENTERPRISE = 73.5  # what tracing.demo.generator writes on average at the default mix


def make_file(records: int, directory: Path) -> Path:
    from tracing.demo.generator import write_demo

    path = directory / f"bench-{records}.ndjson"
    with open(path, "w", encoding="utf-8") as out:
        write_demo(out, enterprises=max(10, round(records / RECORDS_PER_ENTERPRISE)))
    return path


async def _pg_database(action: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    try:
        if action == "create":
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def run_import(path: Path, settings: Settings) -> tuple[int, int, float, float, float]:
    from tracing.exchange.importer import ExchangeImporter
    from tracing.exchange.lines import file_lines

    await migrate(settings)
    await db.init_db(settings, models=models())
    try:
        pg_before = postgres_cpu_seconds() if settings.is_postgres else 0.0
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        with open(path, "rb") as handle:
            result = await ExchangeImporter().run(file_lines(handle))
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
        pg = postgres_cpu_seconds() - pg_before if settings.is_postgres else 0.0
    finally:
        await db.close_db()
    if result.rejected:
        print("first rejections:", [r.as_dict() for r in result.rejected[:2]])
    return result.accepted, result.rejected_total, elapsed, cpu, pg


async def bench(path: Path, kind: str, work: Path) -> None:
    name = f"gzbench_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        settings = Settings(db_url=f"sqlite://{work / (name + '.sqlite3')}", data_dir=work)
    else:
        await _pg_database("create", name)
        settings = Settings(db_url=PG_URL.rsplit("/", 1)[0] + "/" + name, data_dir=work)
    try:
        accepted, rejected, elapsed, cpu, pg = await run_import(path, settings)
    finally:
        if kind == "postgres":
            await _pg_database("drop", name)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = accepted + rejected
    print(f"{kind:9s} {total:>10,} records  {elapsed:8.2f} s  {total / elapsed:>10,.0f} records/s"
          f"  rejected {rejected}  peak RSS {peak_mb:,.0f} MB  file {path.stat().st_size / 1e6:,.0f} MB"
          f"  importer CPU {cpu / total * 1e6:.1f} µs/record"
          + (f"  PostgreSQL CPU {pg / total * 1e6:.1f} µs/record" if kind == "postgres" else ""))


def _cpu_seconds() -> float:
    """This process's user + system CPU (the importer's own cost, steadier than wall time on
    a shared machine; the database server's CPU is not in it, nor is the migration of the
    fresh database, which runs before)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--file", type=Path, help="import this file instead of generating one")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = args.file or make_file(args.records, work)
        if args.db != "both":
            asyncio.run(bench(path, args.db, work))
            return
        # One process per database: Tortoise keeps per-dialect state in its model classes.
        for kind in ("sqlite", "postgres"):
            subprocess.run([sys.executable, "-m", "benchmarks.import_bench", "--file", str(path),
                            "--db", kind], check=True)


if __name__ == "__main__":
    main()

"""Trace export throughput (rows/s, MB/s) for a product with 10,000 batches, CSV and XLSX,
in the service and over HTTP, with the process's peak memory.

    python -m benchmarks.export_bench                    # SQLite
    python -m benchmarks.export_bench --db postgres
    python -m benchmarks.export_bench --batches 2000     # quicker

Data, imported through the exchange: one product with ``--batches`` batches in a year, five
events each (production from one of 50 raw-material batches, inspection with a report,
shipping to a wholesaler with a certificate, receiving, sale), the raw batches with their
own events, and 100 gift-box batches made from some of them (downstream). One export asks
for the whole year (one answer: ``GONGZHI_EXPORT_PAGE_BATCHES`` is 10,000).

Baseline in the same run: reading the same event rows without writing any file, so the
ratios say what each format costs on a machine other work shares.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import orjson

from benchmarks import serving
from core import db
from core.settings import Settings
from gongzhi.schema import migrate, models
from tracing.codes.identifiers import make_uscc

PG_URL = os.environ.get("GONGZHI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
TOKEN = "bench-exchange-token"
START = date(2026, 1, 1)


def uscc(n: int) -> str:
    return make_uscc("9", "1", "450204", f"{n:08d}")


def _enterprise(n: int, kind: str) -> dict:
    return {"type": "enterprise", "uscc": uscc(n), "name": f"企业{n}", "kind": kind,
            "address": "广西柳州市", "division_code": "450204"}


def _events(batch_id: str, day: date, n: int, raw: str) -> list[dict]:
    at = lambda hour: f"{day.isoformat()}T{hour:02d}:00:00+08:00"  # noqa: E731
    base = {"type": "event", "batch_id": batch_id, "quantity": 500, "unit": "袋"}
    return [
        {**base, "event_id": f"{batch_id}-1", "kind": "production", "occurred_at": at(8),
         "place_uscc": uscc(1), "inputs": [raw]},
        {**base, "event_id": f"{batch_id}-2", "kind": "inspection", "occurred_at": at(10),
         "place_uscc": uscc(1), "detail": {"inspection": {
             "item": "菌落总数", "result": "pass", "report_no": f"R-{n}"}}},
        {**base, "event_id": f"{batch_id}-3", "kind": "shipping", "occurred_at": at(14),
         "place_uscc": uscc(1), "detail": {
             "counterparty": {"name": "企业3", "uscc": uscc(3)},
             "certificates": [{"kind": "quarantine", "number": f"Q-{n}"}]}},
        {**base, "event_id": f"{batch_id}-4", "kind": "receiving", "occurred_at": at(18),
         "place_uscc": uscc(3)},
        {**base, "event_id": f"{batch_id}-5", "kind": "sale", "occurred_at": at(20),
         "place_uscc": uscc(3)},
    ]


def records(batches: int) -> list[dict]:
    out = [_enterprise(1, "producer"), _enterprise(2, "farm"), _enterprise(3, "wholesaler"),
           {"type": "product", "product_id": "P", "enterprise_uscc": uscc(1), "name": "原味螺蛳粉"},
           {"type": "product", "product_id": "RAW", "enterprise_uscc": uscc(2), "name": "酸笋"},
           {"type": "product", "product_id": "GIFT", "enterprise_uscc": uscc(1),
            "name": "螺蛳粉礼盒"}]
    for r in range(50):
        out.append({"type": "batch", "batch_id": f"R{r}", "product_id": "RAW", "lot": f"R{r}",
                    "produced_at": "2025-12-01"})
        out.append({"type": "event", "event_id": f"R{r}-1", "batch_id": f"R{r}",
                    "kind": "production", "occurred_at": "2025-12-01T08:00:00+08:00",
                    "place_uscc": uscc(2)})
    for n in range(batches):
        day = START + timedelta(days=n * 365 // batches)
        out.append({"type": "batch", "batch_id": f"B{n}", "product_id": "P", "lot": f"L{n}",
                    "produced_at": day.isoformat()})
        out += _events(f"B{n}", day, n, f"R{n % 50}")
    for g in range(100):
        out.append({"type": "batch", "batch_id": f"G{g}", "product_id": "GIFT",
                    "lot": f"G{g}", "produced_at": "2027-01-10"})
        out.append({"type": "event", "event_id": f"G{g}-1", "batch_id": f"G{g}",
                    "kind": "production", "occurred_at": "2027-01-10T08:00:00+08:00",
                    "place_uscc": uscc(1), "inputs": [f"B{g * batches // 100}"]})
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def in_service(settings: Settings) -> None:
    from profiles.export import event_rows, matching_batches, parse_query, related_batches
    from profiles.export_formats import csv_chunks, xlsx_file
    from profiles.staff import StaffIdentity

    params = {"product_id": "P", "from": "2026-01-01", "to": "2026-12-31"}
    await db.init_db(settings, models=models())
    try:
        async def related():
            matched, _ = await matching_batches(parse_query(params, page=10_000),
                                              StaffIdentity("regulator", "regulator"))
            return await related_batches([b["batch_id"] for b in matched])

        started = time.perf_counter()
        rows = 0
        async for chunk in event_rows(await related()):
            rows += len(chunk)
        base = time.perf_counter() - started
        print(f"  read only  {rows:>8,} rows  {base:6.2f} s  {rows / base:>9,.0f} rows/s"
              f"  peak RSS {peak_mb():,.0f} MB")
        started = time.perf_counter()
        size = 0
        async for part in csv_chunks(event_rows(await related())):
            size += len(part)
        took = time.perf_counter() - started
        print(f"  CSV        {rows:>8,} rows  {took:6.2f} s  {rows / took:>9,.0f} rows/s  "
              f"{size / took / 1e6:5.1f} MB/s  {size / 1e6:5.1f} MB  {took / base:4.1f}x read"
              f"  peak RSS {peak_mb():,.0f} MB")
        started = time.perf_counter()
        with await xlsx_file(event_rows(await related())) as spool:
            spool.seek(0, 2)
            size = spool.tell()
        took = time.perf_counter() - started
        print(f"  XLSX       {rows:>8,} rows  {took:6.2f} s  {rows / took:>9,.0f} rows/s  "
              f"{size / took / 1e6:5.1f} MB/s  {size / 1e6:5.1f} MB  {took / base:4.1f}x read"
              f"  peak RSS {peak_mb():,.0f} MB")
    finally:
        await db.close_db()


async def over_http(settings: Settings) -> None:
    import httpx

    params = {"product_id": "P", "from": "2026-01-01", "to": "2026-12-31"}
    async with serving(settings) as url:
        async with httpx.AsyncClient(base_url=url, timeout=600) as client:
            for kind in ("csv", "xlsx"):
                started = time.perf_counter()
                first, size = None, 0
                async with client.stream("GET", "/api/v1/exports/trace",
                                         params={**params, "format": kind},
                                         headers={"Authorization": f"Bearer {TOKEN}"}) as answer:
                    assert answer.status_code == 200
                    async for part in answer.aiter_bytes():
                        first = first or time.perf_counter() - started
                        size += len(part)
                took = time.perf_counter() - started
                print(f"  HTTP {kind:5s} {size / 1e6:6.1f} MB in {took:6.2f} s "
                      f"({size / took / 1e6:5.1f} MB/s), first byte after {first:5.2f} s")


async def bench(kind: str, batches: int, work: Path) -> None:
    name = f"gzbench_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        url = f"sqlite://{work / (name + '.sqlite3')}"
    else:
        from benchmarks.import_bench import _pg_database

        await _pg_database("create", name)
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
    settings = Settings(db_url=url, data_dir=work, exchange_token=TOKEN)
    try:
        from tracing.exchange.importer import ExchangeImporter

        await migrate(settings)
        await db.init_db(settings, models=models())
        try:
            result = await ExchangeImporter().run(orjson.dumps(r) for r in records(batches))
            assert result.rejected_total == 0, result.rejected[:2]
        finally:
            await db.close_db()
        print(f"{kind}: one product with {batches:,} batches ({result.accepted:,} records)")
        await in_service(settings)
        await over_http(settings)
    finally:
        if kind == "postgres":
            from benchmarks.import_bench import _pg_database

            await _pg_database("drop", name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, shared with other work while this ran")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
            asyncio.run(bench(kind, args.batches, Path(tmp)))


if __name__ == "__main__":
    main()

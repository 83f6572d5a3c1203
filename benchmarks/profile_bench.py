"""Enterprise profile latency (p50/p95/p99, ms), cached and uncached, over HTTP and in the
service, with 10,000 enterprises, 1,000 sampling results and 100,000 complaints.

    python -m benchmarks.profile_bench                     # SQLite, in-process store
    python -m benchmarks.profile_bench --db postgres --redis redis://127.0.0.1:6379/0
    python -m benchmarks.profile_bench --enterprises 2000 --requests 300   # quicker

Data: ``--enterprises`` enterprises with three products and one batch each, 1,000 sampling
results, 300 enforcement decisions, 20 recalls with their notices, all imported through the
exchange; 100,000 cases in the complaints feature's own ``complaint`` table, read by its
provider of figures (``complaints.public_figures.CaseFigures``, what the running app uses;
a tenth of the cases go to ten enterprises, which the requests include).

Targets: cached p95 <= 20 ms, uncached p95 <= 100 ms. Baseline in the same run: the
enterprise's row alone (service) and ``GET /api/v1/health`` (HTTP), so the ratios hold on a
machine other work shares. Requests go one at a time (latency, not throughput).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import orjson

from benchmarks import serving
from core import db
from core.clock import utc_now
from core.settings import Settings
from gongzhi.schema import migrate, models
from tracing.codes.identifiers import make_uscc

# Two apps in one process (uncached, cached): Sanic's touch-up rewrites its classes once only.
os.environ.setdefault("GONGZHI_SANIC_TOUCHUP", "false")
PG_URL = os.environ.get("GONGZHI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
CATEGORIES = ("food_safety", "quality", "labeling", "price", "service", "other")
STATES = (("pending", None), ("accepted", "accepted"), ("in_progress", "accepted"),
          ("refused", "refused"), ("resolved", "accepted"), ("closed", "accepted"),
          ("transferred", "transferred"))


def uscc(n: int) -> str:
    return make_uscc("9", "1", "450204", f"{n:08d}")


def records(enterprises: int, samplings: int = 1000) -> list[dict]:
    """Exchange records of the benchmark's world (reference order)."""
    rng = random.Random(3)
    out, batches = [], []
    for n in range(enterprises):
        until = (date(2026, 11, 1) + timedelta(days=rng.randint(-60, 900))).isoformat()
        out.append({"type": "enterprise", "uscc": uscc(n), "name": f"柳州螺蛳粉企业{n}号",
                    "kind": rng.choice(("producer", "retailer", "caterer", "wholesaler")),
                    "licence_no": "SC10345020400017", "licence_valid_until": until,
                    "address": f"广西柳州市柳南区航岭路{n}号", "division_code": "450204",
                    "lat": 24.3 + rng.random() / 10, "lng": 109.4 + rng.random() / 10,
                    "risk_grade": rng.choice("ABCD")})
    for n in range(enterprises):
        for k in range(3):
            pid = f"P{n}-{k}"
            out.append({"type": "product", "product_id": pid, "enterprise_uscc": uscc(n),
                        "name": f"螺蛳粉{k}号", "shelf_life_days": 180})
    for n in range(enterprises):
        for k in range(3):
            batches.append((n, f"B{n}-{k}"))
            out.append({"type": "batch", "batch_id": f"B{n}-{k}", "product_id": f"P{n}-{k}",
                        "lot": f"L{n}-{k}", "produced_at": "2026-09-01"})
    for s in range(samplings):
        n = s % max(1, enterprises // 10)
        out.append({"type": "sampling", "sample_id": f"S{s}", "enterprise_uscc": uscc(n),
                    "product_name": "螺蛳粉0号", "lot": f"L{n}-0",
                    "sampled_at": (date(2026, 1, 1) + timedelta(days=s % 300)).isoformat(),
                    "result": "fail" if s % 17 == 0 else "pass",
                    "authority": "柳州市市场监督管理局"})
    for e in range(300):
        out.append({"type": "enforcement", "case_no": f"C{e}", "enterprise_uscc": uscc(e * 7 %
                                                                                       enterprises),
                    "decided_at": "2026-06-01", "violation": "标签不符合规定", "penalty": "警告",
                    "authority": "柳州市市场监督管理局"})
    for r, (n, batch_id) in enumerate(rng.sample(batches, 20)):
        out.append({"type": "recall", "recall_id": f"R{r}", "level": 2, "reason": "抽检不合格",
                    "started_at": "2026-10-01", "batch_ids": [batch_id]})
        out.append({"type": "notice", "notice_id": f"N{r}", "kind": "recall",
                    "title": "召回公告", "body": "召回。", "related": [f"R{r}"],
                    "published_at": "2026-10-01T09:00:00+08:00"})
    return out


def case_rows(enterprises: int, complaints: int):
    """The benchmark's cases as complaint rows (no personal data: figures never read it)."""
    from complaints.models import Complaint

    rng = random.Random(5)
    for i in range(complaints):
        n = rng.randrange(10) if i % 10 == 0 else rng.randrange(enterprises)
        received = datetime(2026, 11, 1, 2, tzinfo=timezone.utc) - timedelta(
            days=rng.randrange(540), minutes=rng.randrange(600))
        status, decision = rng.choice(STATES)
        yield Complaint(ticket=f"TS{i:012d}", kind="complaint", status=status,
                        category=rng.choice(CATEGORIES), priority="normal", priority_rank=2,
                        description="汤包胀袋", target_type="enterprise", target_key=uscc(n),
                        target_uscc=uscc(n), division="450204", channel="miniapp",
                        received_at=received, acceptance_due=received.date(),
                        is_open=status not in ("closed",), decision=decision, triage={},
                        decided_at=received if decision else None)


async def load(settings: Settings, enterprises: int, complaints: int) -> None:
    from tortoise.transactions import in_transaction

    from tracing.exchange.importer import ExchangeImporter

    await migrate(settings)
    await db.init_db(settings, models=models())
    try:
        result = await ExchangeImporter().run(orjson.dumps(r) for r in records(enterprises))
        assert result.rejected_total == 0, result.rejected[:2]
        from complaints.models import Complaint

        rows = list(case_rows(enterprises, complaints))
        async with in_transaction():
            await Complaint.bulk_create(rows, batch_size=2000)
    finally:
        await db.close_db()


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (f"p50 {statistics.median(ordered) * 1000:7.2f} ms  p95 {pick(0.95):7.2f} ms  "
            f"p99 {pick(0.99):7.2f} ms  (n={len(ordered)})")


async def timed(call, keys) -> list[float]:
    out = []
    for key in keys:
        started = time.perf_counter()
        await call(key)
        out.append(time.perf_counter() - started)
    return out


async def service_level(settings: Settings, store, keys: list[str]) -> None:
    from complaints.public_figures import CaseFigures
    from profiles.profile_rows import enterprise_row
    from profiles.service import ProfileService
    from tracing.view.cache import ViewCache

    await db.init_db(settings, models=models())
    try:
        provider = CaseFigures()  # the built-in refusal reasons
        base = await timed(enterprise_row, keys)
        for label, ttl in (("uncached", 0), ("cached", 600)):
            service = ProfileService(settings.with_(profile_cache_ttl=ttl), store,
                                     ViewCache(store, ttl=3600), figures=provider,
                                     clock=utc_now)
            if ttl:
                await timed(service.public, keys)  # warm
            found = await timed(service.public, keys)
            ratio = statistics.median(found) / statistics.median(base)
            print(f"  service  {label:9s} {figures(found)}  {ratio:5.1f}x the row alone")
        print(f"  service  row only  {figures(base)}")
    finally:
        await db.close_db()


async def http_level(settings: Settings, store, keys: list[str]) -> None:
    import httpx

    for label, ttl in (("uncached", 0), ("cached", 600)):
        async with serving(settings.with_(profile_cache_ttl=ttl), store) as url:
            async with httpx.AsyncClient(base_url=url) as client:
                async def get(key):
                    answer = await client.get(f"/api/v1/enterprises/{key}")
                    assert answer.status_code == 200, answer.text

                async def health(_):
                    await client.get("/api/v1/health")

                base = await timed(health, keys)
                if ttl:
                    await timed(get, keys)
                found = await timed(get, keys)
        ratio = statistics.median(found) / statistics.median(base)
        print(f"  HTTP     {label:9s} {figures(found)}  {ratio:5.1f}x GET /api/v1/health")
    print(f"  HTTP     health    {figures(base)}")


async def bench(kind: str, args, work: Path) -> None:
    name = f"gzbench_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        settings = Settings(db_url=f"sqlite://{work / (name + '.sqlite3')}", data_dir=work,
                            public_base_url="https://gz.example.cn")
    else:
        from benchmarks.import_bench import _pg_database

        await _pg_database("create", name)
        settings = Settings(db_url=PG_URL.rsplit("/", 1)[0] + "/" + name, data_dir=work,
                            public_base_url="https://gz.example.cn")
    try:
        started = time.perf_counter()
        await load(settings, args.enterprises, args.complaints)
        print(f"{kind}: {args.enterprises:,} enterprises, 1,000 sampling results, "
              f"{args.complaints:,} complaints loaded in {time.perf_counter() - started:.1f} s")
        rng = random.Random(11)
        keys = [uscc(n) for n in range(10)] + [uscc(rng.randrange(args.enterprises))
                                               for _ in range(args.requests - 10)]
        store = await make_store(args.redis)
        await service_level(settings, store, keys)
        await http_level(settings, store, keys)
        await store.close()
    finally:
        if kind == "postgres":
            from benchmarks.import_bench import _pg_database

            await _pg_database("drop", name)


async def make_store(redis_url: str | None):
    from core.kv import MemoryStore, RedisStore

    if not redis_url:
        return MemoryStore()
    return RedisStore(redis_url, prefix=f"gzbench:{uuid.uuid4().hex[:8]}:")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--redis", help="a Redis URL for the cache (default: in-process)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, shared with other work while this ran")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
            asyncio.run(bench(kind, args, Path(tmp)))


if __name__ == "__main__":
    main()

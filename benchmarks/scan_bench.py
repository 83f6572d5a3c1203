"""Scan throughput and latency: cached, uncached, and a bare Sanic handler for the ratio.

    python benchmarks/scan_bench.py                       # embedded default (SQLite, memory)
    python benchmarks/scan_bench.py --pg postgres://postgres@127.0.0.1:5432/test \\
        --redis redis://127.0.0.1:6379/0                  # PostgreSQL + Redis

Needs ``wrk`` (Debian: ``apt-get install -y wrk``). Each run uses a temporary data directory
(and a fresh PostgreSQL database beside ``--pg``, dropped afterwards), imports one chain of
``tracing.demo.sample_chain`` (20 events, 5 input batches), starts ``gongzhi serve`` with 2 workers
on a free loopback port and loads it with wrk:

1. cached: the same code again and again (view from the cache, scan recorded);
2. bare: a Sanic app, 2 workers, answering fixed JSON bytes of the same size;
3. uncached: ``GONGZHI_VIEW_CACHE_TTL=0``, so every scan assembles the view from the database;
4. cached_en: as 1 with ``Accept-Language: en`` (the English view, cached on its own).

It prints requests/s, p50 and p99 for each, the cached/bare ratio, and the number of SQL
statements one uncached scan sends (counted by wrapping the Tortoise connection and, on
SQLite, by SQLite's statement trace on the view's read connection).
The rate limit is raised (and its window shortened to 1 s) since all load comes from one
address. Everything runs on loopback and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from functools import partial
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
CODE = "BENCH0000"
ENGLISH = "Accept-Language: en-US,en;q=0.9"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.read()
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer in {timeout}s") from None
            time.sleep(0.2)


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and all its descendants (from /proc): the
    server's own cost per request, steadier than a rate on a machine shared with others."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        todo.extend(parents.get(pid, ()))
    return total / os.sysconf("SC_CLK_TCK")


def measured(pid: int, url: str, *, seconds: int, connections: int, threads: int,
             header: str | None = None) -> dict:
    """:func:`wrk` plus the server tree's CPU microseconds per request."""
    before = tree_cpu_seconds(pid)
    result = wrk(url, seconds=seconds, connections=connections, threads=threads, header=header)
    spent = tree_cpu_seconds(pid) - before
    result["cpu_us"] = spent / max(1, result["requests"]) * 1e6
    return result


def wrk(url: str, *, seconds: int, connections: int, threads: int,
        header: str | None = None) -> dict:
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                          *(["-H", header] if header else []), "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if len(lat) < 2:
        raise RuntimeError(f"wrk output not understood:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "requests": requests,
            "non_2xx": int(errors.group(1)) if errors else 0}


def bare_app(size: int):
    from sanic import Sanic
    from sanic.response import raw

    app = Sanic("bare_bench")
    body = orjson.dumps({"pad": "x" * max(0, size - 10)})

    @app.get("/api/v1/scan")
    async def scan(request):
        return raw(body, content_type="application/json")

    return app


def serve_bare(port: int, size: int) -> None:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    loader = AppLoader(factory=partial(bare_app, size))
    app = loader.load()
    app.prepare(host="127.0.0.1", port=port, workers=2, access_log=False, motd=False)
    Sanic.serve(primary=app, app_loader=loader)


class Server:
    """``gongzhi serve --workers 2`` in a subprocess with the given environment."""

    def __init__(self, env: dict, port: int):
        self.env, self.port = env, port
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gongzhi.cli", "serve", "--workers", "2", "--port",
             str(self.port)], env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        wait_for(f"http://127.0.0.1:{self.port}/api/v1/health")
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def count_queries(env: dict) -> tuple[int, int]:
    """SQL statements (and events) of one uncached view of the chain."""
    from tortoise import connections

    from core import db
    from gongzhi.schema import models
    from core.settings import load_settings
    from tracing.codes.parse import parse_scan
    from tracing.view.build import build_view
    from tracing.view.queries import fetch_view_rows
    from tracing.view.resolve import resolve
    from tracing.view.rules import Limits
    from tracing.view.sql import sqlite_reader

    settings = load_settings(env)
    await db.init_db(settings, models=models())
    conn = connections.get("default")
    count = 0
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(conn, name)

        async def counted(*args, _original=original, **kwargs):
            nonlocal count
            count += 1
            return await _original(*args, **kwargs)

        setattr(conn, name, counted)
    reader = sqlite_reader(conn)  # SQLite: the view reads on its own connection
    if reader is not None:
        def traced(_statement):
            nonlocal count
            count += 1

        reader.set_trace_callback(traced)
    from datetime import date

    rows = await fetch_view_rows(await resolve(parse_scan(CODE)), depth=settings.trace_depth)
    view = build_view(rows, today=date.today(), limits=Limits())
    await db.close_db()
    return count, len(view.body["events"])


def pg_database(admin_url: str, create: bool, name: str) -> None:
    import asyncpg

    async def run():
        conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
        if create:
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(run())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", help="PostgreSQL admin URL (a fresh database is made beside)")
    parser.add_argument("--redis", help="Redis URL (default: the in-process store)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--bare", nargs=2, type=int, metavar=("PORT", "SIZE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare:
        serve_bare(*args.bare)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="scanbench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATA_DIR=str(tmp), GONGZHI_SCAN_RATE_LIMIT="1000000",
               GONGZHI_SCAN_RATE_WINDOW="1", GONGZHI_EXCHANGE_TOKEN="bench")
    pg_name = None
    if args.pg:
        pg_name = f"gzbench_{uuid.uuid4().hex[:8]}"
        pg_database(args.pg, True, pg_name)
        env["GONGZHI_DB_URL"] = args.pg.rsplit("/", 1)[0] + "/" + pg_name
    if args.redis:
        env["GONGZHI_REDIS_URL"] = args.redis
    try:
        from tracing.demo.sample_chain import chain_records

        data = tmp / "chain.ndjson"
        data.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in chain_records(
            prefix="BENCH", events=20, inputs=5)))
        subprocess.run([sys.executable, "-m", "gongzhi.cli", "import", "--quiet", str(data)],
                       env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        if args.redis:
            _flush_redis(args.redis)
        what = ("PostgreSQL" if args.pg else "SQLite") + " + " + (
            "Redis" if args.redis else "in-process store")
        print(f"scan benchmark on {what}, 2 workers, wrk -t{args.threads} "
              f"-c{args.connections} -d{args.seconds}s, chain of 20 events and 5 inputs")
        port = free_port()
        url = f"http://127.0.0.1:{port}/api/v1/scan?code={CODE}"
        results = {}
        with Server(env, port) as server:
            size = len(wait_for(url))
            wrk(url, seconds=2, connections=args.connections, threads=args.threads)  # warm-up
            results["cached"] = measured(server.proc.pid, url, seconds=args.seconds,
                                         connections=args.connections, threads=args.threads)
            wrk(url, seconds=2, connections=args.connections, threads=args.threads,
                header=ENGLISH)  # the English view, cached on its own
            results["cached_en"] = measured(server.proc.pid, url, seconds=args.seconds,
                                            connections=args.connections,
                                            threads=args.threads, header=ENGLISH)
        bare_port = free_port()
        bare = subprocess.Popen([sys.executable, __file__, "--bare", str(bare_port), str(size)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bare_url = f"http://127.0.0.1:{bare_port}/api/v1/scan?code={CODE}"
            wait_for(bare_url)
            wrk(bare_url, seconds=2, connections=args.connections, threads=args.threads)
            results["bare"] = measured(bare.pid, bare_url, seconds=args.seconds,
                                       connections=args.connections, threads=args.threads)
        finally:
            bare.terminate()
            bare.wait(timeout=20)
        port = free_port()
        url = f"http://127.0.0.1:{port}/api/v1/scan?code={CODE}"
        with Server({**env, "GONGZHI_VIEW_CACHE_TTL": "0"}, port) as server:
            wrk(url, seconds=2, connections=args.connections, threads=args.threads)
            results["uncached"] = measured(server.proc.pid, url, seconds=args.seconds,
                                           connections=args.connections, threads=args.threads)
        queries, events = asyncio.run(count_queries(env))
        print(f"response size {size} bytes")
        for name, r in results.items():
            print(f"{name:9s} {r['rps']:9.0f} req/s  p50 {r['p50']:>8s}  p99 {r['p99']:>8s}"
                  f"  server CPU {r['cpu_us']:7.0f} µs/req  non-2xx {r['non_2xx']}")
        print(f"cached / bare ratio {results['cached']['rps'] / results['bare']['rps']:.2f} "
              "(target >= 0.6); English cached / Chinese cached "
              f"{results['cached_en']['rps'] / results['cached']['rps']:.2f}")
        print(f"uncached {results['uncached']['rps']:.0f} scans/s (target >= 1000); "
              f"{queries} SQL statements per uncached view (target <= 6), {events} events")
    finally:
        if pg_name:
            pg_database(args.pg, False, pg_name)
        if args.redis:
            _flush_redis(args.redis)
    return 0


def _flush_redis(url: str) -> None:
    """Remove the benchmark's keys (the default ``gz:`` prefix) from a test Redis."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match="gz:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])
    client.close()


if __name__ == "__main__":
    sys.exit(main())

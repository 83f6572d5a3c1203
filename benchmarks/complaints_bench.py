"""Complaints: submissions per second, photo processing time, the triage queue query.

    python benchmarks/complaints_bench.py --pg postgres://postgres@127.0.0.1:5432/test
    python benchmarks/complaints_bench.py --only photo          # no database needed

1. submit: ``gongzhi serve --workers 2`` on PostgreSQL (a fresh database beside ``--pg``,
   dropped afterwards; SQLite without ``--pg``), loaded by ``wrk`` (``apt-get install -y
   wrk``) with ``POST /api/v1/complaints`` without photos: a real-name complaint against a
   free-text merchant whose name varies per request (so duplicate detection has work but
   no pile of look-alikes). Baseline in the same run: a bare Sanic app (2 workers) that
   parses the same JSON body and answers 201.
2. photo: ``complaints.photos.process_photo`` on a 12-megapixel (4000 x 3000) JPEG with EXIF
   orientation and GPS: p50/p95 over ``--photos`` runs. Baseline: decoding the same JPEG.
3. queue: 100,000 open (and 100,000 closed) cases over ten districts written with COPY, then
   the handlers' queue
   (``complaints.queue.list_cases``: one district, most urgent and soonest due first, 50 a
   page; and a supervisor's overdue list over all): p50/p95 over 50 runs. Baseline: a
   primary-key look-up of one case.

The rate limit is lifted since all load comes from one address. The machine may be shared:
say so with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import postgres_cpu_seconds  # noqa: E402
from benchmarks.scan_bench import (free_port, pg_database, tree_cpu_seconds,  # noqa: E402
                                   wait_for)

ROOT = Path(__file__).resolve().parents[1]
BODY = ('{"kind":"complaint","category":"other","description":"在这家店买的螺蛳粉里有异物，'
        'MERCHANT，要求退款并赔偿。","target":{"type":"merchant","name":"MERCHANT",'
        '"address":"柳州市柳南区航岭路1号"},"place":{"address":"柳州市柳南区航岭路1号",'
        '"division_code":"450204"},"contact":{"name":"张三","phone":"13800138000"},'
        '"channel":"h5"}')
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local body = [[BODY]]
counter = 0
request = function()
  counter = counter + 1
  local name = "店" .. math.random(1, 1000000) .. "-" .. counter
  return wrk.format(nil, nil, nil, (string.gsub(body, "MERCHANT", name)))
end
"""


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


# ------------------------------------------------------------------ 1. submissions

def bare_app():
    from sanic import Sanic
    from sanic.response import json

    app = Sanic("bare_complaints_bench")

    @app.post("/api/v1/complaints")
    async def submit(request):
        body = request.json
        return json({"ticket": "TS000000000000", "status": "pending",
                     "kind": body["kind"]}, status=201)

    return app


def serve_bare(port: int) -> None:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    loader = AppLoader(factory=bare_app)
    app = loader.load()
    app.prepare(host="127.0.0.1", port=port, workers=2, access_log=False, motd=False)
    Sanic.serve(primary=app, app_loader=loader)


def load(url: str, script: Path, seconds: int, connections: int, pid: int | None = None
         ) -> dict:
    """wrk with the script, plus the CPU the server tree (``pid``) and every PostgreSQL
    process spent per request: steadier than the rate on a shared machine (the PostgreSQL
    figure includes whatever else the server did meanwhile)."""
    server = tree_cpu_seconds(pid) if pid else 0.0
    pg = postgres_cpu_seconds()
    result = wrk_script(url, script, seconds=seconds, connections=connections)
    requests = max(1, result["requests"])
    result["cpu_us"] = (tree_cpu_seconds(pid) - server) / requests * 1e6 if pid else None
    result["pg_us"] = (postgres_cpu_seconds() - pg) / requests * 1e6
    return result


def wrk_script(url: str, script: Path, *, seconds: int, connections: int) -> dict:
    import re

    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", str(script), url], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": lat.get("50", "?"), "p99": lat.get("99", "?"),
            "non_2xx": int(errors.group(1)) if errors else 0, "requests": requests}


def bench_submit(env: dict, args) -> None:
    script = Path(tempfile.mkdtemp(prefix="cbench-")) / "submit.lua"
    script.write_text(LUA.replace("BODY", BODY), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "serve", "--workers", "2",
                             "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health")
        url = f"http://127.0.0.1:{port}/api/v1/complaints"
        load(url, script, 2, args.connections)  # warm-up
        ours = load(url, script, args.seconds, args.connections, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    bare_port = free_port()
    bare = subprocess.Popen([sys.executable, "-m", "benchmarks.complaints_bench", "--bare",
                             str(bare_port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(bare_port)
        url = f"http://127.0.0.1:{bare_port}/api/v1/complaints"
        load(url, script, 2, args.connections)
        base = load(url, script, args.seconds, args.connections, bare.pid)
    finally:
        bare.terminate()
        bare.wait(timeout=20)
    stored = asyncio.run(count_cases(env))
    for name, r in (("gongzhi", ours), ("bare", base)):
        print(f"submit {name:8s} {r['rps']:8.0f} req/s  p50 {r['p50']:>8s}  p99 {r['p99']:>8s}"
              f"  server CPU {r['cpu_us']:6.0f} µs/req  PostgreSQL CPU {r['pg_us']:5.0f} µs/req"
              f"  non-2xx {r['non_2xx']}")
    spent = (ours["cpu_us"] + ours["pg_us"]) / 1e6
    print(f"submit: {ours['rps']:.0f} submissions/s (target >= 500), "
          f"{ours['rps'] / base['rps']:.2f} of the bare handler; {stored} cases stored; "
          f"server + PostgreSQL CPU {spent * 1e3:.2f} ms per submission, i.e. at most "
          f"{(os.cpu_count() or 1) / spent:.0f}/s on {os.cpu_count()} idle cores "
          f"(load average now {os.getloadavg()[0]:.1f})")


def wait_for_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"port {port} did not open")


async def count_cases(env: dict) -> int:
    from complaints.models import Complaint
    from core import db
    from core.settings import load_settings
    from gongzhi.schema import models

    await db.init_db(load_settings(env), models=models())
    try:
        return await Complaint.all().count()
    finally:
        await db.close_db()


# ------------------------------------------------------------------ 2. photos

def twelve_megapixels() -> bytes:
    from PIL import Image

    noise = [Image.effect_noise((4000, 3000), sigma).convert("L") for sigma in (40, 60, 80)]
    image = Image.merge("RGB", noise)
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (24.0, 19.0, 0.0), "E", (109.0, 24.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def bench_photo(args) -> None:
    from PIL import Image

    from complaints.photos import process_photo

    data = twelve_megapixels()
    runs, decode = [], []
    for _ in range(args.photos):
        start = time.perf_counter()
        Image.open(io.BytesIO(data)).load()
        decode.append(time.perf_counter() - start)
        start = time.perf_counter()
        process_photo(data, max_bytes=50 * 2**20, max_pixels=50_000_000)
        runs.append(time.perf_counter() - start)
    p50, p95 = percentile(runs, 0.5), percentile(runs, 0.95)
    print(f"photo: 12 MP JPEG ({len(data) / 2**20:.1f} MB) processed p50 {p50 * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms over {args.photos} runs; decoding alone p50 "
          f"{percentile(decode, 0.5) * 1000:.0f} ms (ratio {p50 / percentile(decode, 0.5):.1f})")


# ------------------------------------------------------------------ 3. queue

DIVISIONS = [f"4502{n:02d}" for n in range(2, 12)]


async def fill(cases: int, closed: int) -> None:
    from tortoise import connections

    conn = connections.get("default")
    now = datetime.now(timezone.utc)
    today = date.today()
    rnd = random.Random(7)
    rows = []
    for i in range(cases + closed):
        priority = rnd.choices(("urgent", "high", "normal"), (1, 4, 15))[0]
        received = now - timedelta(hours=rnd.randint(0, 24 * 60))
        due = today + timedelta(days=rnd.randint(-20, 40))
        status = rnd.choice(("pending", "pending", "accepted", "in_progress", "moderation"))
        if i >= cases:
            status, due = "closed", None
        rows.append((f"TS{i:012d}", "complaint", status, "other", priority,
                     {"urgent": 0, "high": 1, "normal": 2}[priority], "描述" * 20, "merchant",
                     f"merchant:店{i % 5000}", f"店{i % 5000}", rnd.choice(DIVISIONS), "h5",
                     received, due or today, due, False, "{}", "gongzhi", "张三", "13800138000",
                     now, i < cases))
    columns = ["ticket", "kind", "status", "category", "priority", "priority_rank",
               "description", "target_type", "target_key", "target_name", "division",
               "channel", "received_at", "acceptance_due", "due_on", "provisional_due",
               "triage", "source", "name", "phone", "updated_at", "is_open"]
    async with conn.acquire_connection() as raw:  # the asyncpg connection: COPY
        await raw.copy_records_to_table("complaint", records=rows, columns=columns)
        await raw.execute("ANALYZE complaint")


async def bench_queue_async(env: dict, args) -> None:
    from complaints.context import Actor, CaseContext
    from complaints.models import Complaint
    from complaints.queue import list_cases
    from complaints.storage import LocalPhotoStorage
    from core import db
    from core.settings import load_settings
    from gongzhi.schema import migrate, models

    settings = load_settings(env)
    await migrate(settings)
    await db.init_db(settings, models=models())
    try:
        start = time.perf_counter()
        await fill(args.cases, args.closed)
        print(f"queue: {args.cases:,} open and {args.closed:,} closed cases written in "
              f"{time.perf_counter() - start:.1f} s")
        ctx = CaseContext.from_settings(settings, storage=LocalPhotoStorage(Path("/nonexistent")),
                                        clock=lambda: datetime.now(timezone.utc))
        handler = Actor("handler", "h", DIVISIONS[3])
        supervisor = Actor("supervisor", "s", None)
        cases = {
            "handler, one district": (handler, {}),
            "handler, overdue": (handler, {"overdue": "true"}),
            "supervisor, all overdue": (supervisor, {"overdue": "true"}),
            "supervisor, urgent": (supervisor, {"priority": "urgent"}),
        }
        base = []
        for i in range(50):
            start = time.perf_counter()
            await Complaint.get(ticket=f"TS{i * 997:012d}")
            base.append(time.perf_counter() - start)
        base50 = percentile(base, 0.5)
        for name, (actor, params) in cases.items():
            runs = []
            for _ in range(50):
                start = time.perf_counter()
                page = await list_cases(ctx=ctx, actor=actor, params=params)
                runs.append(time.perf_counter() - start)
            print(f"queue {name:24s} p50 {percentile(runs, 0.5) * 1000:6.1f} ms  p95 "
                  f"{percentile(runs, 0.95) * 1000:6.1f} ms  ({len(page['items'])} a page; "
                  f"{percentile(runs, 0.5) / base50:.1f} x a primary-key look-up)")
        print(f"queue baseline: primary-key look-up p50 {base50 * 1000:.2f} ms")
    finally:
        await db.close_db()


# ------------------------------------------------------------------ main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", help="PostgreSQL admin URL (a fresh database is made beside)")
    parser.add_argument("--only", choices=("submit", "photo", "queue"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--cases", type=int, default=100_000, help="open cases")
    parser.add_argument("--closed", type=int, default=100_000, help="closed cases beside")
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare:
        serve_bare(args.bare)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="cbench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATA_DIR=str(tmp), GONGZHI_COMPLAINT_RATE_LIMIT="1000000000",
               GONGZHI_COMPLAINT_RATE_WINDOW="1")
    print(f"complaints benchmark, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} (shared machine: other work may run)")
    if args.only in (None, "photo"):
        bench_photo(args)
    for part in ("submit", "queue"):
        if args.only not in (None, part):
            continue
        if part == "queue" and not args.pg:
            print("queue: needs --pg (COPY into PostgreSQL)")
            continue
        name = None
        if args.pg:
            name = f"gzbench_{uuid.uuid4().hex[:8]}"
            pg_database(args.pg, True, name)
            env["GONGZHI_DB_URL"] = args.pg.rsplit("/", 1)[0] + "/" + name
        try:
            if part == "submit":
                bench_submit(env, args)
            else:
                asyncio.run(bench_queue_async(env, args))
        finally:
            if name:
                pg_database(args.pg, False, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

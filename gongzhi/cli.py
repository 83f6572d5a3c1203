"""The ``gongzhi`` command: serve, up, migrate, import, reindex, demo-data, verify."""

from __future__ import annotations

import argparse
import asyncio
import sys
from functools import partial
from pathlib import Path

from core.settings import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"gongzhi: bad setting {exc}", file=sys.stderr)
        return 2
    return args.func(settings, args) or 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongzhi", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="command")

    p = sub.add_parser("serve", help="run the HTTP service (migrates first)")
    p.add_argument("--host"), p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("up", help="migrate, load the demo data if the database is empty, serve")
    p.add_argument("--enterprises", type=int, default=60)
    p.add_argument("--port", type=int)
    p.add_argument("--no-serve", action="store_true", help="prepare only")
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("import", help="import NDJSON exchange files")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("reindex", help="rebuild the search index from the database")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("demo-data", help="write the Liuzhou luosifen demo data set as NDJSON")
    p.add_argument("--enterprises", type=int, default=60)
    p.add_argument("--products-per-enterprise", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("verify", help="walk every event chain; name the first row that breaks")
    p.set_defaults(func=cmd_verify)
    return parser


def cmd_migrate(settings: Settings, args) -> int:
    from core import db

    asyncio.run(db.migrate(settings))
    print(f"migrated {_where(settings)}")
    return 0


def cmd_import(settings: Settings, args) -> int:
    import orjson

    from core import db

    async def run() -> int:
        await db.migrate(settings)
        services = await _services(settings)
        status = 0
        try:
            for path in args.files:
                result = await import_file(path, services, progress=not args.quiet)
                print(orjson.dumps({"file": str(path), **result.as_dict()}).decode())
                status = status or (1 if result.rejected_total else 0)
        finally:
            await services.close()
        return status

    return asyncio.run(run())


async def import_file(path: Path, services, *, progress: bool = True):
    """Import one NDJSON file with a progress bar over its bytes."""
    from tqdm import tqdm

    from tracing.exchange.importer import ExchangeImporter
    from tracing.exchange.lines import file_lines

    importer = ExchangeImporter(on_commit=services.changes_committed)
    with open(path, "rb") as handle, tqdm(total=path.stat().st_size, unit="B", unit_scale=True,
                                           desc=path.name, disable=not progress,
                                           file=sys.stderr) as bar:
        def counted():
            for line in file_lines(handle):
                bar.update(len(line))
                yield line

        return await importer.run(counted())


def cmd_reindex(settings: Settings, args) -> int:
    from core import db

    async def run() -> int:
        await db.migrate(settings)
        services = await _services(settings)
        try:
            return await reindex(services, progress=not args.quiet)
        finally:
            await services.close()

    count = asyncio.run(run())
    print(f"search index rebuilt: {count} documents")
    return 0


async def reindex(services, *, progress: bool = True) -> int:
    """Rebuild the search index from the database, pages streamed, with a progress bar."""
    from tqdm import tqdm

    from tracing.indexing import count_all, rebuild_index

    with tqdm(total=await count_all(), unit="doc", desc="reindex", disable=not progress,
              file=sys.stderr) as bar:
        return await rebuild_index(search=services.search, progress=bar.update)


async def _services(settings: Settings):
    from core.services import Services

    return await Services.start(settings, background=False)


def cmd_demo_data(settings: Settings, args) -> int:
    from tracing.demo.generator import write_demo

    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        counts = write_demo(out, enterprises=args.enterprises,
                            products_per_enterprise=args.products_per_enterprise, seed=args.seed)
    finally:
        if args.out:
            out.close()
    print(", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
    return 0


def cmd_verify(settings: Settings, args) -> int:
    from core import db
    from tracing.model.chain import verify_chains

    async def run():
        await db.migrate(settings)
        await db.init_db(settings)
        try:
            return await verify_chains()
        finally:
            await db.close_db()

    report = asyncio.run(run())
    print(f"checked {report.batches} batches, {report.events} events")
    if report.first_break:
        print(f"BROKEN: {report.first_break}")
        return 1
    print("every chain verifies")
    return 0


def cmd_up(settings: Settings, args) -> int:
    if args.port:
        settings = settings.with_(port=args.port,
                                  public_base_url=f"http://{settings.host}:{args.port}")
    asyncio.run(_prepare_demo(settings, args.enterprises))
    if args.no_serve:
        return 0
    return cmd_serve(settings, argparse.Namespace(host=None, port=None, workers=None, demo=True))


async def _prepare_demo(settings: Settings, enterprises: int) -> None:
    import tempfile

    from core import db
    from tracing.demo.generator import write_demo
    from tracing.model.models import Enterprise

    await db.migrate(settings)
    services = await _services(settings)
    try:
        if await Enterprise.all().count():
            print(f"database {_where(settings)} already holds data; not loading the demo")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "demo.ndjson"
                with open(path, "w", encoding="utf-8") as out:
                    write_demo(out, enterprises=enterprises)
                result = await import_file(path, services)
            print(f"demo data loaded: {result.accepted} records, {result.rejected_total} "
                  "rejected")
        await _searchable(services)
    finally:
        await services.close()


async def _searchable(services) -> None:
    """Make sure every enterprise and product is searchable (the import's outbox drain
    normally did it; an index lost or left behind is rebuilt)."""
    from tracing.indexing import count_all

    try:
        await services.outbox.drain_now()  # changes left queued by an earlier failure
    except Exception as exc:  # noqa: BLE001 - the reindex below covers them
        print(f"outbox drain failed ({exc}); rebuilding the index", file=sys.stderr)
    expected = await count_all()
    if await services.search.count() != expected:
        await reindex(services)
    print(f"search index: {await services.search.count()} documents")


def cmd_serve(settings: Settings, args) -> int:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from api.app import create_app
    from core import db

    changes = {k: v for k, v in (("host", args.host), ("port", args.port),
                                 ("workers", args.workers)) if v}
    settings = settings.with_(**changes)
    asyncio.run(db.migrate(settings))
    _print_urls(settings, demo=getattr(args, "demo", False))
    loader = AppLoader(factory=partial(create_app, settings))
    app = loader.load()
    app.prepare(host=settings.host, port=settings.port, workers=settings.workers,
                access_log=False, motd=False, single_process=settings.workers == 1)
    if settings.workers == 1:
        Sanic.serve_single(primary=app)
    else:
        Sanic.serve(primary=app, app_loader=loader)
    return 0


def _print_urls(settings: Settings, demo: bool = False) -> None:
    base = f"http://{settings.host}:{settings.port}"
    print(f"Gongzhi on {_where(settings)}, {settings.workers} worker(s)")
    print(f"  health   {base}/api/v1/health")
    print(f"  API doc  {base}/docs/openapi.json")
    if demo:
        from urllib.parse import quote

        from tracing.demo.generator import DEMO_KEYS

        print(f"  scan     {base}/api/v1/scan?code={DEMO_KEYS['recalled_code']}  (recalled batch)")
        print(f"  scan     {base}/api/v1/scan?code={DEMO_KEYS['ok_code']}")
        print(f"  scan     {base}/api/v1/scan?code={quote(DEMO_KEYS['gs1_digital_link'], safe='')}")
        print(f"  search   {base}/api/v1/search?q=lsf  (pinyin initials of 螺蛳粉)")
    sys.stdout.flush()


def _where(settings: Settings) -> str:
    if settings.sqlite_path is not None:
        return f"SQLite {settings.sqlite_path}"
    return "PostgreSQL " + settings.db_url.split("@")[-1]


if __name__ == "__main__":
    sys.exit(main())

"""The ``gongzhi`` command: ``serve``, ``up`` and ``migrate`` here, and every command the
registered features add (``import``, ``reindex``, ``demo-data``, ``verify``...)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from functools import partial
from urllib.parse import quote

from core.db import DatabaseUnavailable
from core.features import CommandContext, Registry
from core.services import per_process_warning
from core.settings import Settings, SettingsError, load_settings
from gongzhi.schema import MIGRATIONS, registry


def main(argv: list[str] | None = None) -> int:
    features = registry()
    args = _parser(features).parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"gongzhi: bad setting {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(CommandContext(settings, features, MIGRATIONS), args) or 0
    except DatabaseUnavailable as exc:
        print(f"gongzhi: {exc}", file=sys.stderr)
        return 2


def _parser(features: Registry) -> argparse.ArgumentParser:
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

    for command in features.commands:
        p = sub.add_parser(command.name, help=command.help)
        command.arguments(p)
        p.set_defaults(func=command.run)
    return parser


def cmd_migrate(context: CommandContext, args) -> int:
    asyncio.run(context.migrate())
    print(f"migrated {_where(context.settings)}")
    return 0


def cmd_up(context: CommandContext, args) -> int:
    settings = context.settings
    if args.port:
        settings = settings.with_(port=args.port,
                                  public_base_url=f"http://{settings.host}:{args.port}")
    context = CommandContext(settings, context.registry, context.migrations)
    asyncio.run(_prepare_demo(context, args.enterprises))
    if args.no_serve:
        return 0
    return cmd_serve(context, argparse.Namespace(host=None, port=None, workers=None, demo=True))


async def _prepare_demo(context: CommandContext, enterprises: int) -> None:
    from tracing.commands import ensure_searchable, load_demo

    services = await context.services()
    try:
        print(await load_demo(services, enterprises=enterprises))
        print(f"search index: {await ensure_searchable(services)} documents")
    finally:
        await services.close()


def cmd_serve(context: CommandContext, args) -> int:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from api.app import create_app
    from api.serving import GracefulHttpProtocol, stop_accepting_first

    changes = {k: v for k, v in (("host", args.host), ("port", args.port),
                                 ("workers", args.workers)) if v}
    settings = context.settings.with_(**changes)
    asyncio.run(CommandContext(settings, context.registry, context.migrations).migrate())
    _print_urls(settings, demo=getattr(args, "demo", False))
    loader = AppLoader(factory=partial(create_app, settings))
    app = loader.load()
    app.prepare(host=settings.host, port=settings.port, workers=settings.workers,
                access_log=False, motd=False, single_process=settings.workers == 1,
                protocol=GracefulHttpProtocol)
    if settings.workers == 1:
        Sanic.serve_single(primary=app)
    else:
        stop_accepting_first(app)
        Sanic.serve(primary=app, app_loader=loader)
    return 0


def _print_urls(settings: Settings, demo: bool = False) -> None:
    base = f"http://{settings.host}:{settings.port}"
    print(f"Gongzhi on {_where(settings)}, {settings.workers} worker(s)")
    if settings.workers > 1 and not settings.redis_url:
        print(f"  注意：{per_process_warning(settings.workers)}")
    print(f"  health   {base}/api/v1/health")
    print(f"  API doc  {base}/docs/openapi.json")
    print(f"  H5       {base}/h5/scan  (the mini-program look-alike for phone browsers)")
    if demo:
        from tracing.demo.generator import DEMO_KEYS

        print(f"  scan     {base}/api/v1/scan?code={DEMO_KEYS['recalled_code']}  (recalled batch)")
        print(f"  scan     {base}/api/v1/scan?code={DEMO_KEYS['ok_code']}")
        print(f"  scan     {base}/api/v1/scan?code={DEMO_KEYS['expired_input_code']}  "
              "(made with an expired input)")
        print(f"  scan     {base}/api/v1/scan?code={quote(DEMO_KEYS['gs1_digital_link'], safe='')}")
        link = DEMO_KEYS["gs1_digital_link"].split("id.gs1.org", 1)[1]
        print(f"  printed  {base}/t/{DEMO_KEYS['recalled_code']}  (a printed trace URL: "
              "a browser lands on the H5 page; ?linkType=linkset lists its links)")
        print(f"  printed  {base}{link}  (a GS1 Digital Link on this host)")
        print(f"  search   {base}/api/v1/search?q=lsf  (pinyin initials of 螺蛳粉)")
        print(f"  H5       {base}/h5/trace?code={DEMO_KEYS['recalled_code']}  (recalled batch)")
        print(f"  H5       {base}/h5/search?q=lsf")
        print(f"  H5       {base}/h5/enterprise?uscc={DEMO_KEYS['failed_sampling_uscc']}")
        print(f"  H5       {base}/h5/notices")
    sys.stdout.flush()


def _where(settings: Settings) -> str:
    if settings.sqlite_path is not None:
        return f"SQLite {settings.sqlite_path}"
    return "PostgreSQL " + settings.db_url.split("@")[-1]


if __name__ == "__main__":
    sys.exit(main())

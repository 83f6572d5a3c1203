"""The tracing feature's ``gongzhi`` commands: import, reindex, demo-data, verify.

``load_demo`` and ``ensure_searchable`` are what ``gongzhi up`` does with them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import orjson
from tqdm import tqdm

from core.features import Command, CommandContext
from core.services import Services
from search.base import SearchBackend
from tracing.demo.generator import write_demo
from tracing.exchange.extensions import ExchangeExtensions
from tracing.exchange.importer import ExchangeImporter, ImportResult
from tracing.exchange.lines import file_lines
from tracing.indexing import count_all, rebuild_index
from tracing.model.chain import verify_chains
from tracing.model.versions import verify_histories
from tracing.model.models import Enterprise


async def import_file(path: Path, services: Services, *, progress: bool = True) -> ImportResult:
    """Import one NDJSON file with a progress bar over its bytes."""
    importer = ExchangeImporter(on_commit=services.changes_committed, clock=services.clock,
                                extensions=services.get(ExchangeExtensions))
    with open(path, "rb") as handle, tqdm(total=path.stat().st_size, unit="B", unit_scale=True,
                                           desc=path.name, disable=not progress,
                                           file=sys.stderr) as bar:
        def counted():
            for line in file_lines(handle):
                bar.update(len(line))
                yield line

        return await importer.run(counted())


async def reindex(services: Services, *, progress: bool = True) -> int:
    """Rebuild the search index from the database, pages streamed, with a progress bar."""
    with tqdm(total=await count_all(), unit="doc", desc="reindex", disable=not progress,
              file=sys.stderr) as bar:
        return await rebuild_index(search=services.get(SearchBackend), progress=bar.update)


async def load_demo(services: Services, *, enterprises: int) -> str:
    """Load the demo data set into an empty database; say what was done."""
    if await Enterprise.all().count():
        return "the database already holds data; not loading the demo"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.ndjson"
        with open(path, "w", encoding="utf-8") as out:
            write_demo(out, enterprises=enterprises)
        result = await import_file(path, services)
    return f"demo data loaded: {result.accepted} records, {result.rejected_total} rejected"


async def ensure_searchable(services: Services) -> int:
    """Make sure every enterprise and product is searchable (the import's outbox drain
    normally did it; an index lost or left behind is rebuilt). Returns the documents."""
    try:
        await services.outbox.drain_now()  # changes left queued by an earlier failure
    except Exception as exc:  # noqa: BLE001 - the reindex below covers them
        print(f"outbox drain failed ({exc}); rebuilding the index", file=sys.stderr)
    search = services.get(SearchBackend)
    if await search.count() != await count_all():
        await reindex(services)
    return await search.count()


def _with_services(context: CommandContext, work) -> int:
    async def run():
        services = await context.services()
        try:
            return await work(services)
        finally:
            await services.close()

    return asyncio.run(run())


def run_import(context: CommandContext, args: argparse.Namespace) -> int:
    async def work(services: Services) -> int:
        status = 0
        for path in args.files:
            result = await import_file(path, services, progress=not args.quiet)
            print(orjson.dumps({"file": str(path), **result.as_dict()}).decode())
            status = status or (1 if result.rejected_total else 0)
        return status

    return _with_services(context, work)


def run_reindex(context: CommandContext, args: argparse.Namespace) -> int:
    count = _with_services(context, lambda services: reindex(services, progress=not args.quiet))
    print(f"search index rebuilt: {count} documents")
    return 0


def run_demo_data(context: CommandContext, args: argparse.Namespace) -> int:
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        counts = write_demo(out, enterprises=args.enterprises,
                            products_per_enterprise=args.products_per_enterprise, seed=args.seed)
    finally:
        if args.out:
            out.close()
    print(", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
    return 0


def run_verify(context: CommandContext, args: argparse.Namespace) -> int:
    async def work(services: Services):
        return await verify_chains(), await verify_histories()

    chains, histories = _with_services(context, work)
    print(f"checked {chains.batches} batches, {chains.events} events; "
          f"{histories.records} records, {histories.versions} earlier versions")
    broken = chains.first_break or histories.first_break
    if broken:
        print(f"BROKEN: {broken}")
        return 1
    print("every chain verifies")
    return 0


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _quiet_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--enterprises", type=int, default=60)
    parser.add_argument("--products-per-enterprise", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")


COMMANDS = (
    Command("import", "import NDJSON exchange files", run_import, _import_arguments),
    Command("reindex", "rebuild the search index from the database", run_reindex,
            _quiet_argument),
    Command("demo-data", "write the Liuzhou luosifen demo data set as NDJSON", run_demo_data,
            _demo_arguments),
    Command("verify", "walk every event chain and record history; name the first row that "
            "breaks", run_verify),
)

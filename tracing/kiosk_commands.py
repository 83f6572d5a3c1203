"""``gongzhi kiosk add|list|simulate``: register market kiosks, list them, run a simulated one.

- ``add --market NAME --division CODE --lat LAT --lng LNG [--id ID] [--replace]`` registers a
  kiosk and prints its device key once (only its SHA-256 hash is stored);
- ``list`` prints every kiosk, the silent ones first (:func:`tracing.scans.fleet.kiosk_board`);
- ``simulate`` registers a demo kiosk if needed (its key kept in the data directory, mode
  0600), writes a video of the demo packs' codes and runs the kiosk program
  (``python -m kiosk run``, a program of its own, started as a process) with that video as its
  camera, against the server of ``gongzhi up``.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys

from core.clock import utc_now
from core.errors import DomainError, InvalidInput
from core.features import Command, CommandContext
from core.i18n import T
from tracing.scans.fleet import kiosk_board
from tracing.scans.kiosks import check_kiosk, clean_market, new_key, register_kiosk


def _float(name: str, value: str | None) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(T("{name} 须为十进制度数", name=name), field=name,
                           code="invalid_location") from None


async def with_db(context: CommandContext, work):
    services = await context.services()
    try:
        return await work()
    finally:
        await services.close()


def _add(context: CommandContext, args) -> int:
    kiosk_id = args.id or f"kiosk-{secrets.token_hex(3)}"
    key = new_key()
    lat, lng = _float("lat", args.lat), _float("lng", args.lng)
    check_kiosk(kiosk_id=kiosk_id, key=key, division_code=args.division, lat=lat, lng=lng)
    clean_market(args.market)  # bad input is refused before the database is touched

    async def work():
        return await register_kiosk(
            kiosk_id=kiosk_id, key=key, market=args.market, division_code=args.division,
            lat=lat, lng=lng, now=utc_now(), replace=args.replace)

    place = asyncio.run(with_db(context, work))
    print(T("终端 {kiosk_id} 已登记：{market}（{division}）", kiosk_id=place.kiosk_id,
            market=place.market, division=place.division_code))
    print(T("设备密钥（只显示这一次，请配置到终端上）：{key}", key=key))
    print(f"GONGZHI_KIOSK_KEY={key} python -m kiosk run --server "
          f"http://{context.settings.host}:{context.settings.port} --kiosk-id {place.kiosk_id}")
    return 0


def _list(context: CommandContext, args) -> int:
    rows = asyncio.run(with_db(context, lambda: kiosk_board(now=utc_now())))
    if not rows:
        print(T("还没有登记的终端（gongzhi kiosk add）"))
    for row in rows:
        beat = row["last_heartbeat"]
        seen = T("从未上报") if beat is None else T(
            "{at} 摄像头{camera} {fps}帧/秒 识别率{rate} 待发{queue} 版本{version}",
            at=beat["at"][:19], camera=beat["camera"], fps=beat["fps"],
            rate=beat["decode_rate"], queue=beat["queue"], version=beat["version"])
        flag = T("【失联】") if row["silent"] else ""
        print(f"{flag}{row['kiosk_id']}\t{row['market']}\t{row['division_code']}\t{seen}\t"
              + T("今日扫码{n}次", n=row["scans_today"]))
    return 0


def run_kiosk(context: CommandContext, args: argparse.Namespace) -> int:
    from tracing.kiosk_simulation import simulate

    actions = {"add": _add, "list": _list, "simulate": simulate}
    try:
        return actions[args.action](context, args)
    except DomainError as exc:
        print(f"gongzhi kiosk: {exc.field}: {exc.message}", file=sys.stderr)
        return 2


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["add", "list", "simulate"])
    parser.add_argument("--market", help="add: the market's name (shown to staff)")
    parser.add_argument("--division", help="add: 6-digit GB/T 2260 code of the market's district")
    parser.add_argument("--lat", help="add: latitude of the market (WGS-84)")
    parser.add_argument("--lng", help="add: longitude of the market (WGS-84)")
    parser.add_argument("--id", help="the kiosk's id (add: default generated; simulate: "
                        "demo-kiosk)")
    parser.add_argument("--replace", action="store_true",
                        help="add: issue a new key to a kiosk already registered")
    parser.add_argument("--server", help="simulate: the server (default: GONGZHI_HOST/PORT)")
    parser.add_argument("--port", type=int, default=8090, help="simulate: the kiosk's page")
    parser.add_argument("--codes", nargs="+", help="simulate: codes shown in the video")
    parser.add_argument("--once", action="store_true",
                        help="simulate: play the video once and stop (default: loop)")
    parser.add_argument("--heartbeat-seconds", type=float, default=30.0)
    parser.add_argument("--speech", action="store_true", help="simulate: read alerts aloud")


COMMAND = Command("kiosk", "register market kiosks, list them, run a simulated one",
                  run_kiosk, _arguments)

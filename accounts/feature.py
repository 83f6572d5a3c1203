"""The accounts feature: WeChat login, session tokens, staff accounts and their endpoints."""

from __future__ import annotations

from accounts import commands
from core.features import Registry
from core.services import Services


def register(registry: Registry) -> None:
    registry.models("accounts.staff")
    registry.http("api.blueprints.auth", "api.blueprints.staff")
    for command in commands.COMMANDS:
        registry.command(command)
    registry.on_start(start)


async def start(services: Services) -> None:
    """Provide the :class:`WeChatGateway` (unless one was passed); it opens no connection
    until its first call."""
    # Imported here: wechatpy and its HTTP stack weigh ~18 MB, which commands that never
    # log anyone in (import, verify, demo-data) should not carry.
    from accounts.wechat import WeChatGateway

    services.provide(WeChatGateway, lambda: WeChatGateway.from_settings(services.settings),
                     close=WeChatGateway.close)

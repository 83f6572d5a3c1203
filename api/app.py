"""The Sanic application factory: ``create_app(settings, **parts)``; wiring, never at import."""

from __future__ import annotations

import importlib
from typing import Callable, Iterable

from sanic import Sanic

from accounts.wechat import WeChatGateway
from api import browser, errors, language
from api.blueprints import h5, meta
from api.features import FEATURES
from core.features import Registry
from core.services import Services
from core.settings import Settings
from search.base import SearchBackend


def create_app(settings: Settings, *, features: Iterable[Callable[[Registry], None]] = FEATURES,
               store=None, search=None, clock=None, wechat=None, background: bool = True,
               name: str = "gongzhi") -> Sanic:
    """Build the app from the registered features; parts left ``None`` are made from
    ``settings`` at server start."""
    registry = Registry.of(features)
    app = Sanic(name, env_prefix="GONGZHI_SANIC_", request_class=browser.BrowserRequest,
                dumps=language.dumps)
    # Handlers enforce settings.max_body_bytes themselves; Sanic's cap leaves room to read
    # the rest of a refused body so the client can read the 413.
    app.config.REQUEST_MAX_SIZE = 2 * settings.max_body_bytes
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.OAS = False
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = settings.shutdown_timeout
    if settings.proxies_count:
        app.config.PROXIES_COUNT = settings.proxies_count
    app.ctx.settings = settings
    errors.install(app)
    app.blueprint(meta.bp)
    app.blueprint(h5.bp)
    for module in registry.http_modules:
        app.blueprint(importlib.import_module(module).bp)
    browser.install(app, settings)

    @app.before_server_start
    async def start(app: Sanic) -> None:
        app.ctx.services = await Services.start(
            settings, registry, store=store, clock=clock, background=background,
            parts={SearchBackend: search, WeChatGateway: wechat})

    @app.after_server_stop
    async def stop(app: Sanic) -> None:
        await app.ctx.services.close()

    return app

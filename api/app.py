"""The Sanic application factory: ``create_app(settings, **parts)``; wiring, never at import."""

from __future__ import annotations

from sanic import Sanic

from api import errors
from core.services import Services
from core.settings import Settings


def create_app(settings: Settings, *, store=None, search=None, clock=None, wechat=None,
               background: bool = True, name: str = "gongzhi") -> Sanic:
    """Build the app; parts left ``None`` are made from ``settings`` at server start."""
    app = Sanic(name, env_prefix="GONGZHI_SANIC_")
    # Handlers enforce settings.max_body_bytes themselves; Sanic's cap leaves room to read
    # the rest of a refused body so the client can read the 413.
    app.config.REQUEST_MAX_SIZE = 2 * settings.max_body_bytes
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.OAS = False
    if settings.proxies_count:
        app.config.PROXIES_COUNT = settings.proxies_count
    app.ctx.settings = settings
    errors.install(app)

    from api.blueprints import auth, exchange, meta, scan
    from api.blueprints import search as search_bp

    for blueprint in (meta.bp, exchange.bp, search_bp.bp, scan.bp, auth.bp):
        app.blueprint(blueprint)

    @app.before_server_start
    async def start(app: Sanic) -> None:
        app.ctx.services = await Services.start(
            settings, store=store, search=search, clock=clock, wechat=wechat,
            background=background)

    @app.after_server_stop
    async def stop(app: Sanic) -> None:
        await app.ctx.services.close()

    return app


def services(request) -> Services:
    """The running services of the app serving ``request``."""
    return request.app.ctx.services

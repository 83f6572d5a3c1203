"""Database wiring: the Tortoise config built from settings, start-up and shutdown."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tortoise import Tortoise, connections

from core.settings import Settings

APP = "gongzhi"  # the one Tortoise app label: every table, one migration history


def tortoise_config(settings: Settings, *, models: list[str],
                    migrations: str | None = None) -> dict:
    """The Tortoise ORM config for ``settings.db_url`` (SQLite file or PostgreSQL) with the
    given model modules (the features') and, for migrating, the migrations package."""
    url = settings.db_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://"):]
    if settings.sqlite_path is not None:
        connection = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": str(settings.sqlite_path),
                "journal_mode": "WAL",
                "synchronous": "NORMAL",
                "busy_timeout": 10000,
                "foreign_keys": "ON",
            },
        }
    else:
        from tortoise.backends.base.config_generator import expand_db_url

        connection = expand_db_url(url)
        connection["credentials"]["reset"] = _keep_session
    app = {"models": ["core.outbox", *models], "default_connection": "default"}
    if migrations:
        app["migrations"] = migrations
    return {
        "connections": {"default": connection},
        "apps": {APP: app},
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(connection) -> None:
    """Pool release without asyncpg's reset query (advisory unlock, CLOSE ALL, UNLISTEN,
    RESET ALL): a round trip per query, 8% of a worker building trace views. Nothing here
    sets session state; an open transaction is still rolled back by asyncpg before this."""


def _prepare(settings: Settings) -> None:
    if settings.sqlite_path is not None:
        Path(settings.sqlite_path).parent.mkdir(parents=True, exist_ok=True)


class DatabaseUnavailable(Exception):
    """The database of ``GONGZHI_DB_URL`` cannot be reached or opened; the message is one
    line naming the setting and where it points (never its password)."""


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    """What connecting can fail with: the network and the name lookup (OSError, Tortoise's
    DBConnectionError among them), and PostgreSQL refusing the login or the database."""
    import sqlite3

    from asyncpg import exceptions as pg

    return (OSError, sqlite3.OperationalError, pg.InvalidAuthorizationSpecificationError,
            pg.InvalidCatalogNameError, pg.CannotConnectNowError, pg.TooManyConnectionsError)


def _unavailable(settings: Settings, exc: BaseException) -> DatabaseUnavailable:
    if settings.sqlite_path is not None:
        where = f"SQLite {settings.sqlite_path}"
    else:
        parts = urlsplit(settings.db_url)
        where = f"PostgreSQL {parts.hostname}:{parts.port or 5432}{parts.path}"
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())  # one line
    return DatabaseUnavailable(f"GONGZHI_DB_URL: 无法连接数据库 {where}（{reason[:300]}）")


async def migrate(settings: Settings, *, models: list[str], migrations: str) -> None:
    """Apply every migration not yet applied (Tortoise's built-in migration engine)."""
    from tortoise.migrations.api import migrate as migrate_api

    try:
        _prepare(settings)
        await migrate_api(config=tortoise_config(settings, models=models,
                                                 migrations=migrations))
    except _unreachable_errors() as exc:
        raise _unavailable(settings, exc) from exc
    finally:
        await Tortoise.close_connections()


async def init_db(settings: Settings, *, models: list[str]) -> None:
    """Open connections; the schema must be migrated already (``gongzhi migrate``)."""
    try:
        _prepare(settings)
        await Tortoise.init(config=tortoise_config(settings, models=models),
                            _enable_global_fallback=True)
    except _unreachable_errors() as exc:
        raise _unavailable(settings, exc) from exc


async def close_db() -> None:
    """Close connections and release Tortoise's global context (so it can start again)."""
    await Tortoise.close_connections()


async def db_ping() -> bool:
    try:
        await connections.get("default").execute_query("SELECT 1")
        return True
    except Exception:
        return False


def is_postgres(conn) -> bool:
    """Whether ``conn`` (a Tortoise client) talks to PostgreSQL rather than SQLite."""
    return conn.capabilities.dialect == "postgres"


def param_marks(conn, count: int) -> list[str]:
    """``count`` query placeholders in ``conn``'s driver style: ``$1, $2...`` (asyncpg) or
    ``?`` (sqlite3)."""
    return dialect_marks(conn.capabilities.dialect, count)


def dialect_marks(dialect: str, count: int) -> list[str]:
    """:func:`param_marks` for a dialect name: the one place placeholders are spelled."""
    if dialect == "postgres":
        return [f"${i}" for i in range(1, count + 1)]
    return ["?"] * count


async def read_generation(name: str) -> int:
    """The counter ``name`` of the ``generation`` table (0 before its first bump)."""
    conn = connections.get("default")
    mark = param_marks(conn, 1)[0]
    rows = await conn.execute_query_dict(f"SELECT value FROM generation WHERE name = {mark}",
                                         [name])
    return int(rows[0]["value"]) if rows else 0


async def bump_generation(name: str) -> int:
    """Add one to the counter ``name`` (in its own transaction); return the new value."""
    conn = connections.get("default")
    mark = param_marks(conn, 1)[0]
    rows = await conn.execute_query_dict(  # (execute_query drops an INSERT's rows)
        f"INSERT INTO generation (name, value) VALUES ({mark}, 1) ON CONFLICT (name) "
        "DO UPDATE SET value = generation.value + 1 RETURNING value", [name])
    return int(rows[0]["value"])

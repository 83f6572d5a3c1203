"""Database wiring: the Tortoise config built from settings, start-up and shutdown."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise, connections

from core.settings import Settings

MODEL_MODULES = ["core.outbox", "tracing.model.models", "tracing.scans.models"]
MIGRATIONS = "gongzhi.migrations"


def tortoise_config(settings: Settings) -> dict:
    """The Tortoise ORM config for ``settings.db_url`` (SQLite file or PostgreSQL)."""
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
    return {
        "connections": {"default": connection},
        "apps": {
            "gongzhi": {
                "models": list(MODEL_MODULES),
                "default_connection": "default",
                "migrations": MIGRATIONS,
            }
        },
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


async def migrate(settings: Settings) -> None:
    """Apply every migration not yet applied (Tortoise's built-in migration engine)."""
    from tortoise.migrations.api import migrate as migrate_api

    _prepare(settings)
    await migrate_api(config=tortoise_config(settings))
    await Tortoise.close_connections()


async def init_db(settings: Settings) -> None:
    """Open connections; the schema must be migrated already (``gongzhi migrate``)."""
    _prepare(settings)
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


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

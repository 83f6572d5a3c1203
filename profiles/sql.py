"""Plain SQL reads for the profiles feature, on SQLite and PostgreSQL alike.

Statements are written with ``?`` placeholders and rewritten to ``$1, $2...`` for asyncpg.
Values come back as the drivers give them: :func:`day`, :func:`instant` and :func:`json`
read dates, times and JSON columns the same way from both.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, AsyncIterator

import orjson
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from core.clock import parse_instant
from core.db import is_postgres

PAGE = 500  # keys per IN (...) list: well under either database's parameter limit


def conn() -> BaseDBAsyncClient:
    return connections.get("default")


def on_postgres() -> bool:
    return is_postgres(conn())


def dialect_sql(client: BaseDBAsyncClient, sql: str) -> str:
    """``sql`` with ``?`` rewritten for asyncpg (no statement here has a literal ``?``)."""
    if not is_postgres(client):
        return sql
    parts = sql.split("?")
    return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, 1))


async def rows(sql: str, params: list | tuple = ()) -> list[dict]:
    """Every row of one statement as a dict."""
    client = conn()
    return await client.execute_query_dict(dialect_sql(client, sql), list(params))


async def value(sql: str, params: list | tuple = ()) -> Any:
    """The first column of the first row (``None`` when there is no row)."""
    found = await rows(sql, params)
    return next(iter(found[0].values())) if found else None


async def execute(sql: str, params: list | tuple = ()) -> int:
    """Run one writing statement; the number of rows it changed."""
    client = conn()
    changed, _ = await client.execute_query(dialect_sql(client, sql), list(params))
    return changed


def marks(n: int) -> str:
    return ", ".join("?" * n)


def pages(keys, size: int = PAGE):
    """``keys`` (deduplicated, sorted) in lists of at most ``size``."""
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


async def rows_in(sql: str, keys, params_before: tuple = (), params_after: tuple = ()
                  ) -> AsyncIterator[dict]:
    """Rows of ``sql`` (with one ``{keys}`` placeholder list) over ``keys`` page by page."""
    for page in pages(keys):
        for row in await rows(sql.format(keys=marks(len(page))),
                              [*params_before, *page, *params_after]):
            yield row


def stamp(moment: datetime) -> Any:
    """A timestamp parameter as the driver stores it: a datetime for asyncpg, Tortoise's
    text form in UTC for SQLite (so text comparisons order like the instants)."""
    return moment if is_postgres(conn()) else str(moment.astimezone(timezone.utc))


def day(raw: Any) -> date | None:
    """A DATE column (a date, or ISO text on SQLite)."""
    if raw is None or isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, datetime):
        return raw.date()
    return date.fromisoformat(str(raw)[:10])


def instant(raw: Any) -> datetime | None:
    """A timestamp column, timezone-aware (naive values are UTC)."""
    return None if raw is None else parse_instant(raw)


def json(raw: Any, default: Any) -> Any:
    """A JSON column (decoded by asyncpg, text on SQLite)."""
    if raw is None:
        return default
    if isinstance(raw, (bytes, str)):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return default
    return raw


"""How the trace view reads: one function for every statement, the shared column lists, and the
decoders that make a row's values the same Python types on SQLite and PostgreSQL.

:func:`fetch_dicts` runs a statement written with ``?`` placeholders and answers fresh dicts.
On a SQLite file it reads on a connection of its own, on the event-loop thread
(:func:`sqlite_reader`); on PostgreSQL it goes through Tortoise (``$n`` placeholders).
"""

from __future__ import annotations

import sqlite3
import weakref
from datetime import date, datetime, timezone
from typing import Any

import orjson
from tortoise import connections

from core.clock import parse_instant
from core.db import dialect_marks, is_postgres

CODE_COLUMNS = "c.code, c.level, c.serial, c.issuer, c.status AS code_status"
PRODUCT_COLUMNS = ("p.product_id, p.name AS p_name, p.gtin, p.brand, p.spec, p.category, "
                   "p.standard, p.ingredients, p.shelf_life_days, p.storage, p.storage_class, "
                   "e.uscc, e.name AS e_name, e.kind AS e_kind, e.licence_no, "
                   "e.licence_valid_until, e.address, e.division_code, e.lat, e.lng, "
                   "e.risk_grade, e.status AS e_status, e.public_phone")
BATCH_COLUMNS = ("b.batch_id, b.lot, b.produced_at, b.expires_at, b.quantity, b.unit, "
                 + PRODUCT_COLUMNS)
BATCH_JOINS = ("JOIN product p ON p.product_id = b.product_id "
               "JOIN enterprise e ON e.uscc = p.enterprise_uscc")

_readers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def fetch_dicts(sql: str, params: list) -> list[dict]:
    """Every statement of a view goes through here (fresh dicts, the caller's to change)."""
    conn = connections.get("default")
    reader = sqlite_reader(conn)
    if reader is not None:
        cursor = reader.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    return await conn.execute_query_dict(_dialect(conn, sql), params)


def sqlite_reader(conn) -> sqlite3.Connection | None:
    """On SQLite, a connection of this process for the view's reads, on the event-loop thread.

    Through Tortoise each of a view's queries hops to aiosqlite's thread and back (a queue,
    a future, a self-pipe wake-up: about as much CPU as the indexed query itself). In WAL mode
    a separate reader sees every committed write and never waits for the writer; each
    statement reads in its own transaction, as Tortoise's autocommit reads did. ``None`` on
    PostgreSQL or an in-memory database. One reader per Tortoise client (dropped with it).
    """
    reader = _readers.get(conn)
    if reader is None:
        path = getattr(conn, "filename", None)
        if conn.capabilities.dialect != "sqlite" or not path or path == ":memory:":
            return None
        reader = sqlite3.connect(path, timeout=10, isolation_level=None)
        _readers[conn] = reader
    return reader


def _dialect(conn, sql: str) -> str:
    """``sql`` with its ``?`` placeholders in the driver's style."""
    if not is_postgres(conn):
        return sql
    parts = sql.split("?")
    marks = dialect_marks("postgres", len(parts) - 1)
    return parts[0] + "".join(mark + part for mark, part in zip(marks, parts[1:]))


def detail_sql(alias: str, *path: str) -> str:
    """A text value inside an event's ``detail`` JSON, written as the indexes of migration
    0009 write it (``detail_sql("o", "vehicle", "plate")``)."""
    if is_postgres(connections.get("default")):
        steps = "".join(f" -> '{key}'" for key in path[:-1])
        return f"({alias}.detail{steps} ->> '{path[-1]}')"
    return f"json_extract({alias}.detail, '$.{'.'.join(path)}')"


def instant_param(moment: datetime) -> datetime | str:
    """An instant to compare with a timestamp column: SQLite keeps them as UTC text
    (``2026-10-02 07:00:00+00:00``), compared as text."""
    if is_postgres(connections.get("default")):
        return moment
    return moment.astimezone(timezone.utc).isoformat(" ")


def placeholders(n: int) -> str:
    """``?, ?, ?`` for ``n`` parameters."""
    return ", ".join("?" * n)


# ------------------------------------------------------------------ decoders

def as_json(value: Any, default: Any) -> Any:
    """A JSON column's value (text on SQLite, maybe decoded already); ``default`` if absent or
    unreadable."""
    if value is None:
        return default
    if isinstance(value, (bytes, str)):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return default
    return value


def as_date(value: Any) -> date | None:
    """A date column's value (ISO text on SQLite) as a date."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_moment(value: Any) -> datetime | None:
    """A timestamp column's value as an aware datetime (naive ones are UTC)."""
    if value is None:
        return None
    return parse_instant(value if isinstance(value, datetime) else str(value))


_DATE_COLUMNS = ("produced_at", "expires_at", "licence_valid_until")


def decode_batch(row: dict) -> dict:
    """A batch, product or producer row with its dates and ingredients decoded (in place)."""
    for name in _DATE_COLUMNS:
        if name in row:
            row[name] = as_date(row[name])
    if "ingredients" in row:
        row["ingredients"] = as_json(row["ingredients"], [])
    return row

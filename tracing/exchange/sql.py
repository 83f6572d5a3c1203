"""Bulk row writes for the importer: one prepared INSERT (or upsert) run with executemany.

Tortoise's ``bulk_create`` builds a model object per row, which costs more than the rest of
an import; these writers take plain dicts keyed by model attribute names and convert only
what the drivers need (JSON to text). Dates and times go to the drivers as Python objects
(Tortoise registers the SQLite adapters; asyncpg takes them natively).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import JSONField
from tortoise.models import Model

from core.db import dialect_marks, is_postgres, param_marks

KEEP_ON_UPDATE = {"chain_head", "chain_length", "created_at", "recorded_at"}


class ConcurrentChange(Exception):
    """A row changed between reading its version and replacing it (another import)."""


class _Missing:
    pass


@lru_cache(maxsize=None)
def _plan(model: type[Model], dialect: str, upsert: bool):
    """(sql, [(attr, column, is_json, default, auto_now)]) for one table and dialect."""
    meta = model._meta
    columns = []
    for name, column in meta.fields_db_projection.items():
        field = meta.fields_map[name]
        if getattr(field, "generated", False):
            continue
        default = field.default if field.default is not None else (
            None if field.null else _Missing)
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        columns.append((name, column, isinstance(field, JSONField), default, auto))
    names = ", ".join(c[1] for c in columns)
    marks = ", ".join(dialect_marks(dialect, len(columns)))
    sql = f"INSERT INTO {meta.db_table} ({names}) VALUES ({marks})"
    if upsert:
        pk = meta.db_pk_column
        updates = ", ".join(f"{c[1]} = EXCLUDED.{c[1]}" for c in columns
                            if c[1] != pk and c[1] not in KEEP_ON_UPDATE)
        sql += f" ON CONFLICT ({pk}) DO UPDATE SET {updates}"
        if "version_hash" in meta.fields_map:  # replace only the version that was read
            same = "IS NOT DISTINCT FROM" if dialect == "postgres" else "IS"
            sql += f" WHERE {meta.db_table}.version_hash {same} EXCLUDED.version_prev"
    return sql, columns


def _dump(value: Any) -> str:
    return orjson.dumps(value).decode()


async def write_rows(model: type[Model], rows: list[dict], conn: BaseDBAsyncClient, *,
                     upsert: bool, rename: tuple[tuple[str, str], ...] = ()) -> None:
    """Insert (or upsert by primary key) ``rows``, dicts keyed by model attribute names
    (or by the keys ``rename`` maps to them: ``((key, attribute), ...)``)."""
    if not rows:
        return
    dialect = conn.capabilities.dialect
    sql, columns = _plan(model, dialect, upsert)
    build = _builder(model, dialect, upsert, rename)
    now: Any = datetime.now(timezone.utc)
    if dialect != "postgres":  # adapted once here, not once a row by the driver
        adapt = sqlite3.adapters.get((datetime, sqlite3.PrepareProtocol))
        now = adapt(now) if adapt is not None else now
    try:
        values = [build(row, now) for row in rows]
    except KeyError:
        for row in rows:  # name the missing required attribute
            for name, _, _, default, auto in columns:
                if default is _Missing and not auto and _source(name, rename) not in row:
                    raise ValueError(f"{model.__name__}.{name} is required") from None
        raise
    if dialect == "postgres":
        await _copy(model, [c[1] for c in columns], values, conn, upsert=upsert)
    else:
        await conn.execute_many(sql, values)


def _source(name: str, rename: tuple[tuple[str, str], ...]) -> str:
    return next((key for key, attr in rename if attr == name), name)


@lru_cache(maxsize=None)
def _builder(model: type[Model], dialect: str, upsert: bool,
             rename: tuple[tuple[str, str], ...]) -> Callable[[dict, datetime], list]:
    """A generated ``build(row, now) -> [column values]`` for one table (one expression per
    column instead of a loop over columns for every row); a missing required attribute
    raises KeyError."""
    _, columns = _plan(model, dialect, upsert)
    env: dict[str, Any] = {"_dump": _dump, "_Missing": _Missing}
    parts = []
    for i, (name, _, is_json, default, auto) in enumerate(columns):
        key = _source(name, rename)
        if auto:
            expr = f"row.get({key!r}, now)"
        elif default is _Missing:
            expr = f"row[{key!r}]"
        elif callable(default):
            env[f"_d{i}"] = default
            expr = f"(row[{key!r}] if {key!r} in row else _d{i}())"
        else:
            env[f"_d{i}"] = default
            expr = f"row.get({key!r}, _d{i})"
        if is_json:
            expr = f"(None if (_v := {expr}) is None else _dump(_v))"
        parts.append(expr)
    source = "def build(row, now):\n    return [" + ", ".join(parts) + "]\n"
    exec(compile(source, f"<row builder {model._meta.db_table}>", "exec"), env)
    return env["build"]


async def _copy(model: type[Model], columns: list[str], values: list[list], conn, *,
                upsert: bool) -> None:
    """PostgreSQL: binary COPY (an order of magnitude less server work than row-by-row
    executemany); an upsert copies into a temporary table and merges from there."""
    table = model._meta.db_table
    async with conn.acquire_connection() as raw:
        if not upsert:
            await raw.copy_records_to_table(table, records=values, columns=columns)
            return
        staging = f"_gz_stage_{table}"
        await raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
                          f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        await raw.copy_records_to_table(staging, records=values, columns=columns)
        status = await raw.execute(_merge_sql(model, staging))
        await raw.execute(f"DELETE FROM {staging}")
    if int(status.rsplit(" ", 1)[-1]) < len(values):  # "INSERT 0 <rows written>"
        raise ConcurrentChange(f"{table}: a row changed while this import wrote it")


def _merge_sql(model: type[Model], staging: str) -> str:
    """The upsert of ``_plan`` reading its rows from ``staging``."""
    sql, columns = _plan(model, "postgres", True)
    names = ", ".join(c[1] for c in columns)
    insert, _, rest = sql.partition(" VALUES (")
    return f"{insert} SELECT {names} FROM {staging}{rest[rest.index(') ON CONFLICT') + 1:]}"


async def stored_keys(table: str, column: str, keys: list[str], conn: BaseDBAsyncClient
                      ) -> list[str]:
    """Which of ``keys`` are stored in ``table.column``: one plain query (a Tortoise
    ``filter(__in=...)`` builds a query object per key)."""
    if not keys:
        return []
    if is_postgres(conn):
        # A join, not "= ANY($1)": asyncpg's prepared statement gets a generic plan, which on
        # a table still small enough for a scan compares every row with every key (a chunk's
        # 2,000 keys against 10,000 rows took 100 ms); the join hashes or probes instead.
        _, rows = await conn.execute_query(
            f"SELECT t.{column} FROM unnest($1::text[]) AS k(key) "
            f"JOIN {table} t ON t.{column} = k.key", [keys])
        return [row[0] for row in rows]
    found: list[str] = []
    for start in range(0, len(keys), _SQLITE_VARIABLES):
        part = keys[start:start + _SQLITE_VARIABLES]
        marks = ", ".join(param_marks(conn, len(part)))
        _, rows = await conn.execute_query(
            f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", part)
        found.extend(row[0] for row in rows)
    return found


_SQLITE_VARIABLES = 30000  # SQLite's limit is 32,766 variables a statement (since 3.32)

"""Shared fixtures: real services when reachable, and a hard failure when
``REQUIRE_SERVICES=1`` and one is missing (CI)."""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

# Many apps are built in one process: Sanic's touch-up rewrites its classes once per app.
os.environ.setdefault("GONGZHI_SANIC_TOUCHUP", "false")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
TEST_REDIS_URL = os.environ.get("GONGZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEST_PG_URL = os.environ.get("GONGZHI_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def need(url: str, what: str) -> None:
    """Skip when the service is down, or fail when the run requires services."""
    if reachable(url):
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} at {url} is required (REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{what} not reachable at {url}")


@pytest.fixture
async def redis_store():
    """A RedisStore under a fresh key prefix, flushed afterwards."""
    need(TEST_REDIS_URL, "Redis")
    from core.kv import RedisStore

    store = RedisStore(TEST_REDIS_URL, prefix=f"gztest:{uuid.uuid4().hex[:8]}:")
    yield store
    await store.flush_prefix()
    await store.close()


@pytest.fixture(params=["memory", "redis", "failover"])
def kv_store(request):
    """Every KeyValueStore implementation in turn (failover: Redis behind FailoverStore)."""
    if request.param == "memory":
        from core.kv import MemoryStore

        return MemoryStore()
    redis = request.getfixturevalue("redis_store")
    if request.param == "redis":
        return redis
    from core.failover import FailoverStore

    return FailoverStore(redis)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own (``tests.private_redis``), killed afterwards."""
    from tests.private_redis import PrivateRedis

    if not PrivateRedis.available():
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is required (REQUIRE_SERVICES=1) but not installed")
        pytest.skip("redis-server is not installed")
    directory = tmp_path / "private-redis"
    directory.mkdir()
    server = PrivateRedis(directory, _free_port()).start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def standin_url():
    """The stand-in WeChat API server (``miniapp-mock/wechat_server``) in a subprocess, one per
    test module, for the test mini-program (``tests.wechat_standin``); yields its base URL."""
    from tests.wechat_standin import APPID, SECRET, load_standin

    with load_standin().running_standin(APPID, SECRET) as url:
        yield url


# ---------------------------------------------------------------- database and app

DB_URL = os.environ.get("GONGZHI_DB_URL", "")
USE_POSTGRES = DB_URL.startswith(("postgres://", "postgresql://"))
APP_REDIS_URL = os.environ.get("GONGZHI_REDIS_URL", "")


def _pg_admin_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/" + database).geturl()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A freshly migrated database for the whole run: PostgreSQL when GONGZHI_DB_URL names one
    (a new database beside it, dropped afterwards), else a SQLite file."""
    import asyncio

    from core.settings import Settings
    from gongzhi.schema import migrate

    if not USE_POSTGRES:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        asyncio.run(migrate(Settings(db_url=url)))
        yield url
        return
    need(DB_URL, "PostgreSQL")
    import asyncpg

    name = f"gztest_{uuid.uuid4().hex[:10]}"
    admin = DB_URL.replace("postgres://", "postgresql://", 1)

    async def create():
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    async def drop():
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(create())
    url = _pg_admin_url(DB_URL, name)
    asyncio.run(migrate(Settings(db_url=url)))
    yield url
    asyncio.run(drop())


@pytest.fixture
def settings(database_url, tmp_path):
    """Settings for one test: the session database, a private data dir, a known token."""
    from core.settings import Settings

    return Settings(db_url=database_url, data_dir=tmp_path, exchange_token="test-exchange-token",
                    redis_url=APP_REDIS_URL or None, public_base_url="http://testserver")


async def _empty_tables() -> None:
    from tortoise import Tortoise, connections

    conn = connections.get("default")
    tables = [m._meta.db_table for app in Tortoise.apps.values() for m in app.values()]
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:  # SQLite: DELETE fires the append-only triggers, so lift them for the clean-up
        append_only = [importlib.import_module(f"gongzhi.migrations.{name}") for name in
                       ("0002_event_append_only", "0009_record_history")]
        for migration in append_only:
            await migration.remove(conn)
        await conn.execute_script("PRAGMA foreign_keys=OFF;" + "".join(
            f"DELETE FROM {t};" for t in tables) + "PRAGMA foreign_keys=ON;")
        for migration in append_only:
            await migration.install(conn)


@pytest.fixture
async def db(settings):
    """Tortoise connected to the session database, every table empty."""
    from core import db as database
    from gongzhi.schema import models

    await database.init_db(settings, models=models())
    await _empty_tables()
    yield settings
    await database.close_db()


@pytest.fixture
async def app_store():
    """The app's key-value store: Redis (behind its failover) when GONGZHI_REDIS_URL is set
    (CI), else memory."""
    if not APP_REDIS_URL:
        from core.kv import MemoryStore

        yield MemoryStore()
        return
    need(APP_REDIS_URL, "Redis")
    from core.failover import FailoverStore
    from core.kv import RedisStore

    redis = RedisStore(APP_REDIS_URL, prefix=f"gzapp:{uuid.uuid4().hex[:8]}:")
    yield FailoverStore(redis)  # as make_store builds it
    await redis.flush_prefix()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def running_app(settings, store, **parts):
    """The real app on a free loopback port (real HTTP); yields ``(base_url, app)``.
    ``parts`` go to ``create_app`` (e.g. ``clock=``)."""
    from api.app import create_app

    app = create_app(settings, store=store, background=False,
                     name=f"gz_{uuid.uuid4().hex[:12]}", **parts)
    port = _free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                  access_log=False)
    await srv.startup()
    await srv.before_start()
    await srv.after_start()
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        await srv.before_stop()
        srv.close()
        await srv.wait_closed()
        await srv.after_stop()


@pytest.fixture
async def server(settings, app_store):
    """The app on a loopback port, tables emptied first. Yields ``(base_url, app)``."""
    async with running_app(settings, app_store) as (base, app):
        await _empty_tables()
        yield base, app


@pytest.fixture
async def http(server):
    """An httpx client bound to the running app."""
    import httpx

    base, _ = server
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        yield client


@pytest.fixture
async def demo(http):
    """The demo data (10 enterprises) imported through the exchange over HTTP; its keys."""
    import io

    from tracing.demo.generator import DEMO_KEYS, write_demo

    out = io.StringIO()
    write_demo(out, enterprises=10)
    answer = await http.post("/api/v1/exchange", content=out.getvalue().encode(), headers={
        "Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"})
    assert answer.status_code == 200 and answer.json()["rejected"] == []
    return DEMO_KEYS

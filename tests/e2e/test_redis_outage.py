"""Redis stops under a running app (a redis-server the test started itself): scans answer from
the database, logins answer 503, the log gets one line per outage; when Redis comes back with
its old data, no view an import made stale meanwhile is served."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import httpx
import orjson
import pytest
import redis.asyncio as aioredis

from core.failover import FailoverStore
from core.kv import RedisStore
from tests import factories as F
from tests.conftest import _empty_tables, running_app
from tests.wechat_standin import APPID, SECRET

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
CODE = "LZ0000000001"  # batch B1
PREFIX = "gzout:"


@pytest.fixture
def redis_server(private_redis):
    return private_redis


@pytest.fixture
async def app(settings, standin_url, redis_server):
    """The app on a Redis of its own (probing it every 0.05-0.2 s while it is down)."""
    settings = settings.with_(wechat_api_url=standin_url, wechat_appid=APPID,
                              wechat_secret=SECRET)
    store = FailoverStore(RedisStore(redis_server.url, prefix=PREFIX), min_backoff=0.05,
                          max_backoff=0.2)
    async with running_app(settings, store) as (base, app):
        await _empty_tables()
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield client, app


async def post_records(http, records) -> dict:
    answer = await http.post("/api/v1/exchange", content=F.ndjson(records), headers=NDJSON)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == [], answer.json()["rejected"][:3]
    return answer.json()


def world_without_recalls() -> list[dict]:
    return [r for r in F.world() if r["type"] not in ("recall", "notice")]


async def scan(http, code=CODE, **headers):
    return await http.get("/api/v1/scan", params={"code": code}, headers=headers)


async def back_on_redis(http) -> dict:
    """Poll the health report until the cache is served from Redis again."""
    for _ in range(200):
        report = (await http.get("/api/v1/health")).json()
        if "warning" not in report["cache"]:
            return report
        await asyncio.sleep(0.05)
    raise AssertionError("the app never went back to Redis")


def records_of(caplog, level=logging.WARNING) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= level and r.name.startswith("gongzhi")]


async def test_scans_answer_from_the_database_and_the_log_has_one_line(app, redis_server,
                                                                        caplog):
    http, _ = app
    await post_records(http, world_without_recalls())
    assert (await scan(http)).status_code == 200
    caplog.clear()
    redis_server.kill()
    answers = await asyncio.gather(*(scan(http) for _ in range(30)))
    answers += [await scan(http) for _ in range(30)]
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["batch"]["batch_id"] for a in answers} == {"B1"}
    assert not records_of(caplog, logging.ERROR)
    lines = records_of(caplog)
    assert len(lines) == 1 and "does not answer" in lines[0].getMessage()
    health = await http.get("/api/v1/health")
    assert health.status_code == 200
    report = health.json()
    assert report["status"] == "warning" and report["cache"]["ok"]
    assert report["cache"]["serving_from"] == "memory"
    assert "Redis 无法连接" in report["cache"]["warning"]
    redis_server.start()
    report = await back_on_redis(http)
    assert report["status"] == "ok"
    assert (await scan(http)).status_code == 200
    lines = records_of(caplog)
    assert len(lines) == 2 and "answers again" in lines[1].getMessage()


async def test_sessions_while_redis_is_down(app, redis_server):
    http, _ = app
    await post_records(http, world_without_recalls())
    login = await http.post("/api/v1/auth/wechat", json={"code": f"u-{uuid.uuid4().hex}"})
    assert login.status_code == 201
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    assert (await scan(http, **auth)).json()["scans"]["you_before"] == 0
    redis_server.kill()
    # A scan with a token that cannot be checked is answered, as an anonymous one.
    anonymous = await scan(http, **auth)
    assert anonymous.status_code == 200 and anonymous.json()["scans"]["you_before"] is None
    # The session endpoints say so, in Chinese, with a stable code.
    answers = [await http.get("/api/v1/auth/session", headers=auth),
               await http.delete("/api/v1/auth/session", headers=auth),
               await http.post("/api/v1/auth/wechat", json={"code": f"u-{uuid.uuid4().hex}"})]
    for answer in answers:
        assert answer.status_code == 503, answer.text
        error = answer.json()["error"]
        assert error["code"] == "sessions_unavailable" and "登录服务暂时不可用" in error["message"]
        assert answer.headers["Retry-After"] == "5"
    assert (await http.get("/api/v1/auth/session")).status_code == 401  # no token: as before
    redis_server.start()  # empty: the sessions are gone with it
    await back_on_redis(http)
    gone = await http.get("/api/v1/auth/session", headers=auth)
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "session_invalid"


async def test_a_recall_imported_while_redis_was_down_shows_when_it_returns(app, redis_server):
    http, _ = app
    await post_records(http, world_without_recalls())
    assert (await scan(http)).json()["status"] != "recalled"  # and now cached in Redis
    redis_server.snapshot()  # Redis's disk copy holds the cached view of the code
    redis_server.kill()
    assert (await scan(http)).json()["status"] != "recalled"  # from memory / the database
    await post_records(http, [F.recall("R-DOWN-1", batch_ids=["B1"])])
    during = (await scan(http)).json()
    assert during["status"] == "recalled" and during["alerts"][0]["recall_id"] == "R-DOWN-1"
    redis_server.start()  # with its old data: the stale view is really there
    raw = aioredis.from_url(redis_server.url)
    try:
        stale = await raw.get(f"{PREFIX}view:c:{CODE}")
        assert stale is not None and b"R-DOWN-1" not in stale
        report = await back_on_redis(http)
        assert report["status"] == "ok"
        after = (await scan(http)).json()
        assert after["status"] == "recalled" and after["alerts"][0]["recall_id"] == "R-DOWN-1"
        assert await raw.get(f"{PREFIX}view:c:{CODE}") is not None  # cached again, in Redis
    finally:
        await raw.aclose()

"""POST /api/v1/exchange over real HTTP: token, media type, size limit, mixed good and bad."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from tortoise import Tortoise

from tests import factories as F
from tests.conftest import running_app
from tracing.model.models import Enterprise, Event

URL = "/api/v1/exchange"
TOKEN = "test-exchange-token"
NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {TOKEN}"}
LIMIT = 8192


async def snapshot() -> dict[str, list[dict]]:
    out = {}
    for model in Tortoise.apps["gongzhi"].values():
        out[model._meta.db_table] = await model.all().order_by(model._meta.pk_attr).values()
    return out


async def seed(client) -> dict[str, list[dict]]:
    answer = await client.post(URL, content=F.ndjson(F.world()), headers=NDJSON)
    assert answer.json() == {"accepted": 21, "rejected": [], "warnings": []}
    return await snapshot()


@contextlib.asynccontextmanager
async def app_client(settings, app_store):
    """The real app with ``settings`` on a loopback port, and a client for it."""
    async with running_app(settings, app_store) as (base, _):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield client


@pytest.fixture
async def small(server, settings, app_store):
    """A second app on the same (emptied) database whose body limit is ``LIMIT`` bytes."""
    async with app_client(settings.with_(max_body_bytes=LIMIT), app_store) as client:
        yield client


async def chunked(body: bytes, size: int = 1000):
    for start in range(0, len(body), size):
        yield body[start:start + size]


# ------------------------------------------------------------------ answers


async def test_the_answer_lists_accepted_and_rejected(http):
    body = F.ndjson([F.enterprise(1), F.enterprise(2, uscc=F.uscc(2)[:17] + "0"),
                     b"{not json", F.product(), F.product("P2", enterprise_n=9)])
    answer = await http.post(URL, content=body, headers=NDJSON)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    data = answer.json()
    assert set(data) == {"accepted", "rejected", "warnings"} and data["accepted"] == 2
    assert [set(r) for r in data["rejected"]] == [{"line", "field", "code", "message"}] * 3
    assert [(r["line"], r["field"], r["code"]) for r in data["rejected"]] == [
        (2, "uscc", "uscc_checksum"), (3, None, "malformed_json"),
        (5, "enterprise_uscc", "unknown_reference")]
    assert all(r["message"] for r in data["rejected"])
    assert await Enterprise.all().count() == 1


async def test_a_bad_line_in_the_middle_does_not_block_the_good_ones(http):
    records = F.world()
    records[10:10] = [b"\xff\xfe not utf-8", F.event("EX", occurred_at="2026-09-02")]
    answer = await http.post(URL, content=F.ndjson(records), headers=NDJSON)
    data = answer.json()
    assert data["accepted"] == 21
    assert [(r["line"], r["field"], r["code"]) for r in data["rejected"]] == [
        (11, None, "not_utf8"), (12, "occurred_at", "datetime_needs_offset")]
    assert await Event.all().count() == F.WORLD_COUNTS["event"]


async def test_reposting_is_idempotent(http):
    before = await seed(http)
    answer = await http.post(URL, content=F.ndjson(F.world()), headers=NDJSON)
    assert answer.json() == {"accepted": 21, "rejected": [], "warnings": []}
    after = await snapshot()
    assert after["event"] == before["event"]
    assert {t: len(r) for t, r in after.items() if t != "change_outbox"} == \
        {t: len(r) for t, r in before.items() if t != "change_outbox"}


async def test_media_type_with_parameters_is_accepted(http):
    headers = {**NDJSON, "Content-Type": "application/x-ndjson; charset=utf-8"}
    answer = await http.post(URL, content=F.ndjson([F.enterprise(1)]), headers=headers)
    assert answer.json() == {"accepted": 1, "rejected": [], "warnings": []}


# ------------------------------------------------------------------ refusals


def error_of(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()["error"]


@pytest.mark.parametrize("authorization,code", [
    (None, "token_missing"),
    ("", "token_missing"),
    ("Bearer", "token_missing"),
    ("Basic dGVzdDp0ZXN0", "token_missing"),
    (f"Token {TOKEN}", "token_missing"),
    ("Bearer wrong-token", "token_invalid"),
    (f"Bearer {TOKEN}x", "token_invalid"),
    (f"Bearer {TOKEN[:-1]}", "token_invalid"),
])
async def test_a_wrong_or_missing_token_is_401_and_stores_nothing(http, authorization, code):
    before = await seed(http)
    headers = {"Content-Type": "application/x-ndjson"}
    if authorization is not None:
        headers["Authorization"] = authorization
    body = F.ndjson([F.enterprise(1, name="改"), F.enterprise(7)])
    error = error_of(await http.post(URL, content=body, headers=headers), 401)
    assert (error["code"], error["field"]) == (code, "Authorization")
    assert await snapshot() == before


async def test_the_token_scheme_is_case_insensitive(http):
    headers = {**NDJSON, "Authorization": f"bearer {TOKEN}"}
    answer = await http.post(URL, content=F.ndjson([F.enterprise(1)]), headers=headers)
    assert answer.json()["accepted"] == 1


@pytest.mark.parametrize("ctype", [None, "application/json", "text/plain",
                                   "application/x-ndjsonx", "multipart/form-data"])
async def test_another_media_type_is_415_and_stores_nothing(http, ctype):
    before = await seed(http)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if ctype:
        headers["Content-Type"] = ctype
    error = error_of(await http.post(URL, content=F.ndjson([F.enterprise(7)]),
                                     headers=headers), 415)
    assert (error["code"], error["field"]) == ("unsupported_media_type", "Content-Type")
    assert await snapshot() == before


async def test_a_disabled_exchange_refuses_every_token(server, settings, app_store):
    async with app_client(settings.with_(exchange_token=None), app_store) as client:
        error = error_of(await client.post(URL, content=F.ndjson([F.enterprise(1)]),
                                           headers=NDJSON), 401)
        assert await Enterprise.all().count() == 0
    assert error["code"] == "exchange_disabled"


# ------------------------------------------------------------------ size limit


def big_body() -> bytes:
    """Valid records only, a little over LIMIT bytes: any stored one would show."""
    records = [F.enterprise(n) for n in range(10, 60)]
    body = F.ndjson(records)
    assert len(body) > LIMIT
    return body


async def test_content_length_over_the_limit_is_413_and_stores_nothing(small):
    before = await seed(small)
    answer = await small.post(URL, content=big_body(), headers=NDJSON)
    error = error_of(answer, 413)
    assert error["code"] == "payload_too_large"
    assert await snapshot() == before


async def test_a_chunked_body_over_the_limit_is_413_and_stores_nothing(small):
    before = await seed(small)
    body = big_body()
    # The first chunks are complete, valid records: a streaming import would store them.
    answer = await small.post(URL, content=chunked(body), headers=NDJSON)
    error = error_of(answer, 413)
    assert error["code"] == "payload_too_large"
    assert await snapshot() == before


async def test_a_chunked_body_under_the_limit_imports(small):
    body = F.ndjson(F.world()[:5])
    assert len(body) < LIMIT
    answer = await small.post(URL, content=chunked(body, 97), headers=NDJSON)
    assert "content-length" not in answer.request.headers
    assert answer.request.headers["transfer-encoding"] == "chunked"
    assert answer.json() == {"accepted": 5, "rejected": [], "warnings": []}


async def test_a_large_chunked_body_imports_under_the_default_limit(http):
    records = F.world() + [F.enterprise(n) for n in range(100, 1100)]
    answer = await http.post(URL, content=chunked(F.ndjson(records), 4096), headers=NDJSON)
    assert answer.json() == {"accepted": 21 + 1000, "rejected": [], "warnings": []}
    assert await Enterprise.all().count() == 1002


async def test_a_line_split_across_chunks_is_whole(small):
    body = F.ndjson([F.enterprise(1), F.enterprise(2)])
    answer = await small.post(URL, content=chunked(body, 7), headers=NDJSON)
    assert answer.json() == {"accepted": 2, "rejected": [], "warnings": []}


# ------------------------------------------------------------------ line handling


async def test_an_empty_body_accepts_nothing(http):
    answer = await http.post(URL, content=b"", headers=NDJSON)
    assert answer.json() == {"accepted": 0, "rejected": [], "warnings": []}


async def test_crlf_lines_and_a_missing_final_newline(http):
    body = F.ndjson([F.enterprise(1), F.enterprise(2)]).replace(b"\n", b"\r\n").rstrip()
    answer = await http.post(URL, content=body, headers=NDJSON)
    assert answer.json() == {"accepted": 2, "rejected": [], "warnings": []}


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
async def test_an_over_long_line_is_rejected_alone(http, streamed):
    from tracing.exchange.importer import MAX_LINE_BYTES

    huge = F.ndjson([F.enterprise(2, x_blob="x" * (MAX_LINE_BYTES + 10))])
    body = F.ndjson([F.enterprise(1)]) + huge + F.ndjson([F.enterprise(3)])
    answer = await http.post(URL, content=chunked(body, 65536) if streamed else body,
                             headers=NDJSON)
    data = answer.json()
    assert data["accepted"] == 2
    assert [(r["line"], r["code"]) for r in data["rejected"]] == [(2, "line_too_long")]
    assert not await Enterprise.filter(uscc=F.uscc(2)).exists()


async def test_a_chunked_413_closes_the_connection(small):
    body = F.ndjson([F.enterprise(n, x_pad="x" * 2000) for n in range(10, 138)])  # ~256 KiB
    refused = await small.post(URL, content=chunked(body, 4096), headers=NDJSON)
    assert refused.status_code == 413
    assert refused.headers.get("connection") == "close"

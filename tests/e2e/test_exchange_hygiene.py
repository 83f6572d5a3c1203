"""The exchange endpoint's smaller holes, over real HTTP on the suite's database (SQLite, or
PostgreSQL: both must answer the same): tokens that are not ASCII, control characters in any
string of a record, database refusals that must not leak the driver's words, gzip bodies."""

from __future__ import annotations

import gzip
import logging
import zlib

import pytest
from tortoise import connections

from tests import factories as F
from tests.e2e.test_exchange_http import (LIMIT, NDJSON, TOKEN, URL, app_client, chunked,
                                          error_of, seed, snapshot)
from tracing.model.models import Enterprise, Event

GZIP = {**NDJSON, "Content-Encoding": "gzip"}


@pytest.fixture
async def small(server, settings, app_store):
    async with app_client(settings.with_(max_body_bytes=LIMIT), app_store) as client:
        yield client


# ------------------------------------------------------------------ tokens


@pytest.mark.parametrize("raw", [b"Bearer \xff\xfe", b"Bearer t\xf6k", "Bearer 令牌".encode(),
                                 b"Bearer " + TOKEN.encode() + b"\xe9"])
async def test_a_token_that_is_not_ascii_is_401_token_invalid(http, raw):
    before = await seed(http)
    answer = await http.post(URL, content=F.ndjson([F.enterprise(7)]), headers=[
        (b"Authorization", raw), (b"Content-Type", b"application/x-ndjson")])
    error = error_of(answer, 401)
    assert (error["code"], error["field"]) == ("token_invalid", "Authorization")
    assert await snapshot() == before


# ------------------------------------------------------------------ control characters


@pytest.mark.parametrize("record,field", [
    (F.enterprise(7, note="a\u0000b"), "note"),
    (F.enterprise(7, note="\u0001"), "note"),
    (F.enterprise(7, note={"deep": ["ok", "bad\u001f"]}), "note.deep[1]"),
    (F.enterprise(7, note={"k\u0000": 1}), "note.k\\x00"),
    (F.enterprise(7, **{"n\u0000": "x"}), "n\\x00"),
    (F.event("E9", detail={"remark": "x\u0000"}), "detail.remark"),  # the fast path
    (F.event("E9", detail={"counterparty": {"name": "超市", "memo": "\u0000"}}),
     "detail.counterparty.memo"),
    (F.event("E9", place_uscc=None, place={"name": "冷库", "floor": "\u0000"}), "place.floor"),
])
async def test_a_control_character_anywhere_is_refused_naming_its_field(http, record, field):
    before = await seed(http)
    answer = await http.post(URL, content=F.ndjson([record]), headers=NDJSON)
    assert answer.status_code == 200
    assert answer.json() == {"accepted": 0, "rejected": [
        {"line": 1, "field": field, "code": "control_characters",
         "message": answer.json()["rejected"][0]["message"]}], "warnings": []}
    assert "控制字符" in answer.json()["rejected"][0]["message"]
    assert await snapshot() == before


async def test_tab_newline_and_return_in_free_text_are_kept(http):
    await seed(http)
    note = "第一行\r\n第二行\t制表\\u0000 is text, not NUL"
    answer = await http.post(URL, content=F.ndjson([F.enterprise(7, note=note)]),
                             headers=NDJSON)
    assert answer.json() == {"accepted": 1, "rejected": [], "warnings": []}
    assert (await Enterprise.get(uscc=F.uscc(7))).extra == {"note": note}


# ------------------------------------------------------------------ storage errors


async def test_a_database_refusal_is_reported_without_the_drivers_words(http, caplog):
    await seed(http)
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    secret = "secret_column_detail"
    if postgres:
        await conn.execute_script(
            "CREATE OR REPLACE FUNCTION gz_test_refuse() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.actor = 'REFUSE' THEN RAISE EXCEPTION '{secret}'; END IF; RETURN NEW; "
            "END $$ LANGUAGE plpgsql; CREATE TRIGGER gz_test_refuse BEFORE INSERT ON event "
            "FOR EACH ROW EXECUTE FUNCTION gz_test_refuse();")
    else:
        await conn.execute_script(
            "CREATE TRIGGER gz_test_refuse BEFORE INSERT ON event WHEN NEW.actor = 'REFUSE' "
            f"BEGIN SELECT RAISE(ABORT, '{secret}'); END;")
    caplog.set_level(logging.WARNING, "gongzhi.exchange")
    try:
        answer = await http.post(URL, content=F.ndjson([F.event("E8", actor="REFUSE")]),
                                 headers=NDJSON)
    finally:
        await conn.execute_script("DROP TRIGGER IF EXISTS gz_test_refuse"
                                  + (" ON event; DROP FUNCTION gz_test_refuse();" if postgres
                                     else ";"))
    [rejected] = answer.json()["rejected"]
    assert (rejected["line"], rejected["code"]) == (1, "storage_error")
    assert secret not in answer.text and "Error" not in rejected["message"]
    assert "数据库未能保存这条记录" in rejected["message"]
    assert any(secret in r.getMessage() for r in caplog.records)  # the operator sees it
    assert not await Event.filter(event_id="E8").exists()


# ------------------------------------------------------------------ gzip


async def test_a_gzip_body_imports_as_the_plain_one(http):
    answer = await http.post(URL, content=gzip.compress(F.ndjson(F.world())), headers=GZIP)
    assert answer.json() == {"accepted": 21, "rejected": [], "warnings": []}
    assert await Event.all().count() == F.WORLD_COUNTS["event"]


async def test_gzip_members_one_after_another_and_chunked(http):
    body = F.ndjson(F.world())
    packed = gzip.compress(body[:1000]) + gzip.compress(body[1000:])
    answer = await http.post(URL, content=chunked(packed, 333),
                             headers={**NDJSON, "Content-Encoding": "x-gzip"})
    assert answer.json() == {"accepted": 21, "rejected": [], "warnings": []}


async def test_identity_is_plain(http):
    headers = {**NDJSON, "Content-Encoding": "identity"}
    answer = await http.post(URL, content=F.ndjson([F.enterprise(7)]), headers=headers)
    assert answer.json() == {"accepted": 1, "rejected": [], "warnings": []}


def bomb() -> bytes:
    """Valid records first (a streaming import would store them), then 4 MiB of blank
    lines: about a kilobyte per megabyte compressed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [packer.compress(F.ndjson([F.enterprise(n) for n in range(10, 20)]))]
    block = b"\n" * (1 << 20)
    out += [packer.compress(block) for _ in range(4)]
    return b"".join(out) + packer.flush()


async def test_a_gzip_bomb_is_413_and_stores_nothing(small):
    before = await seed(small)
    body = bomb()
    assert len(body) < LIMIT  # small on the wire: only its decompressed size is refused
    error = error_of(await small.post(URL, content=body, headers=GZIP), 413)
    assert (error["code"], error["field"]) == ("payload_too_large", "body")
    assert "解压后" in error["message"]
    assert await snapshot() == before


async def test_gzip_over_the_limit_on_the_wire_is_413(small):
    before = await seed(small)
    noise = bytes(range(256)) * (LIMIT // 128)  # does not compress
    error = error_of(await small.post(URL, content=gzip.compress(noise, 0), headers=GZIP), 413)
    assert error["code"] == "payload_too_large"
    assert await snapshot() == before


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "not gzip"])
async def test_a_broken_gzip_body_is_400_and_stores_nothing(http, damage):
    before = await seed(http)
    packed = gzip.compress(F.ndjson([F.enterprise(n) for n in range(10, 40)]))
    body = {"truncated": packed[:len(packed) // 2],
            "corrupt": packed[:40] + bytes(b ^ 0xFF for b in packed[40:80]) + packed[80:],
            "not gzip": F.ndjson([F.enterprise(7)])}[damage]
    error = error_of(await http.post(URL, content=body, headers=GZIP), 400)
    assert (error["code"], error["field"]) == ("invalid_gzip", "body")
    assert await snapshot() == before


@pytest.mark.parametrize("encoding", ["br", "deflate", "compress", "gzip, br", "zstd"])
async def test_another_content_encoding_is_415_and_stores_nothing(http, encoding):
    before = await seed(http)
    headers = {**NDJSON, "Content-Encoding": encoding}
    answer = await http.post(URL, content=F.ndjson([F.enterprise(7)]), headers=headers)
    error = error_of(answer, 415)
    assert (error["code"], error["field"]) == ("unsupported_encoding", "Content-Encoding")
    assert await snapshot() == before

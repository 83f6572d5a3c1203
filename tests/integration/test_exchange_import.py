"""ExchangeImporter against the real database: upserts, deferral, rejections, the event chain.

Most tests run with the default chunk size and with chunks of 3 records, so chunk
boundaries and deferral across chunks are exercised too.
"""

from __future__ import annotations

import asyncio
import io
from datetime import date

import pytest
from tortoise import Tortoise, connections

from tests import factories as F
from tracing.model.chain import GENESIS, row_hash, verify_chains
from tracing.exchange.importer import MAX_LINE_BYTES, ExchangeImporter
from tracing.exchange.lines import file_lines
from tracing.exchange.writers import MODELS
from core.outbox import ChangeOutbox
from tracing.model.models import (Batch, CodeAlias, Enterprise, Event, EventInput,
                            Product, Recall, RecallBatch)

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(params=[1000, 3], ids=["chunk1000", "chunk3"])
def chunk_size(request):
    return request.param


async def run(data, chunk_size: int = 1000):
    """Import records (dicts/lines) or raw NDJSON bytes; return the result."""
    body = data if isinstance(data, bytes) else F.ndjson(data)
    return await ExchangeImporter(chunk_size=chunk_size).run(body.splitlines(keepends=True))


async def counts() -> dict[str, int]:
    return {rtype: await model.all().count() for rtype, model in MODELS.items()}


async def snapshot() -> dict[str, list[dict]]:
    """Every row of every table, in key order."""
    out = {}
    for model in Tortoise.apps["gongzhi"].values():
        pk = model._meta.pk_attr
        out[model._meta.db_table] = await model.all().order_by(pk).values()
    return out


def codes(result) -> list[tuple[int, str | None, str]]:
    return [(r.line, r.field, r.code) for r in result.rejected]


# ------------------------------------------------------------------ a mixed file


async def test_mixed_file_imports_every_type(chunk_size):
    result = await run(F.world(), chunk_size)
    assert result.rejected == [] and result.accepted == sum(F.WORLD_COUNTS.values())
    assert await counts() == F.WORLD_COUNTS
    assert await EventInput.filter(event_id="E4", input_batch_id="B1").count() == 1
    assert await RecallBatch.filter(recall_id="ZH-2026-0001", batch_id="B1").count() == 1
    assert (await Recall.get(recall_id="ZH-2026-0002")).product_id == "P2"
    assert (await CodeAlias.get(alias="JJJ-110105-0001")).code_id == "LZ0000000001"
    assert (await Product.get(product_id="P1")).gtin14 == "0" + F.gtin(1)
    assert await ChangeOutbox.filter(kind="batch", key="B1").exists()
    assert (await verify_chains()).ok


async def test_reimporting_the_same_file_is_idempotent(chunk_size):
    first = await run(F.world(), chunk_size)
    events = await Event.all().order_by("id").values("event_id", "seq", "hash", "prev_hash")
    heads = await Batch.all().order_by("batch_id").values("batch_id", "chain_head",
                                                          "chain_length")
    second = await run(F.world(), chunk_size)
    assert second.as_dict() == first.as_dict() == {"accepted": 21, "rejected": [], "warnings": []}
    assert await counts() == F.WORLD_COUNTS
    assert await RecallBatch.all().count() == 1 and await EventInput.all().count() == 1
    assert await Event.all().order_by("id").values("event_id", "seq", "hash",
                                                   "prev_hash") == events
    assert await Batch.all().order_by("batch_id").values("batch_id", "chain_head",
                                                         "chain_length") == heads
    assert (await verify_chains()).ok


async def test_an_upsert_changes_a_stored_enterprise():
    await run(F.world())
    result = await run([F.enterprise(1, name="柳州新名食品有限公司", risk_grade="A",
                                     status="suspended")])
    assert result.as_dict() == {"accepted": 1, "rejected": [], "warnings": []}
    stored = await Enterprise.get(uscc=F.uscc(1))
    assert (stored.name, stored.risk_grade, stored.status) == ("柳州新名食品有限公司", "A",
                                                                "suspended")
    assert await Enterprise.all().count() == 2
    assert await Product.filter(enterprise_id=F.uscc(1)).count() == 1  # links intact


async def test_resending_a_batch_keeps_its_event_chain():
    await run(F.world())
    head = await Batch.get(batch_id="B1").values_list("chain_head", "chain_length")
    assert (await run([F.batch("B1", quantity=4000)])).rejected == []
    stored = await Batch.get(batch_id="B1")
    assert stored.quantity == 4000
    assert (stored.chain_head, stored.chain_length) == head
    assert (await verify_chains()).ok


async def test_the_last_of_two_records_with_one_key_wins(chunk_size):
    records = [F.enterprise(1, name="甲"), F.enterprise(2), F.enterprise(1, name="乙")]
    assert (await run(records, chunk_size)).as_dict() == {"accepted": 3, "rejected": [],
                                                          "warnings": []}
    assert (await Enterprise.get(uscc=F.uscc(1))).name == "乙"


# ------------------------------------------------------------------ forward references


@pytest.mark.parametrize("size", [1, 2, 3, 1000])
async def test_forward_references_in_one_file_resolve(size):
    """The whole world backwards: product before enterprise, event before batch, etc."""
    result = await run(list(reversed(F.world())), size)
    assert result.as_dict() == {"accepted": 21, "rejected": [], "warnings": []}
    assert await counts() == F.WORLD_COUNTS
    assert (await verify_chains()).ok


async def test_a_correction_before_the_event_it_corrects(chunk_size):
    records = [F.enterprise(1), F.product(), F.event("E2", corrects="E1", quantity=4900),
               F.event("E1"), F.batch()]
    assert (await run(records, chunk_size)).rejected == []
    rows = await Event.filter(batch_id="B1").order_by("seq").values("event_id", "corrects")
    assert rows == [{"event_id": "E1", "corrects": None}, {"event_id": "E2", "corrects": "E1"}]


@pytest.mark.parametrize("record,field", [
    (F.product("P9", enterprise_n=9), "enterprise_uscc"),
    (F.batch("B9", product_id="P9"), "product_id"),
    (F.code("LZ0000000009", batch_id="B9"), "batch_id"),
    (F.code_alias("X-9", code="LZ0000000009"), "code"),
    (F.event("E9", batch_id="B9"), "batch_id"),
    (F.event("E9", place_uscc=F.uscc(9)), "place_uscc"),
    (F.event("E9", inputs=["B2", "B9"]), "inputs"),
    (F.event("E9", corrects="E99"), "corrects"),
    (F.sampling("S9", enterprise_n=9), "enterprise_uscc"),
    (F.enforcement("C9", enterprise_n=9), "enterprise_uscc"),
    (F.recall("R9", batch_ids=["B1", "B9"]), "batch_ids"),
    (F.recall("R9", batch_ids=None, product_id="P9"), "product_id"),
])
async def test_unknown_reference_names_the_field(record, field, chunk_size):
    await run(F.world())
    before = await snapshot()
    result = await run([F.enterprise(3), record, F.enterprise(4)], chunk_size)
    assert codes(result) == [(2, field, "unknown_reference")]
    assert result.accepted == 2
    after = await snapshot()
    assert {t: rows for t, rows in after.items() if t not in ("enterprise", "change_outbox")} \
        == {t: rows for t, rows in before.items() if t not in ("enterprise", "change_outbox")}


async def test_records_depending_on_a_rejected_record_are_rejected_too(chunk_size):
    records = [F.product("P9", enterprise_n=9), F.batch("B9", product_id="P9"),
               F.event("E9", batch_id="B9"), F.enterprise(1)]
    result = await run(records, chunk_size)
    assert sorted(codes(result)) == [(1, "enterprise_uscc", "unknown_reference"),
                                     (2, "product_id", "unknown_reference"),
                                     (3, "batch_id", "unknown_reference")]
    assert result.accepted == 1 and await counts() == {**{k: 0 for k in MODELS},
                                                       "enterprise": 1}


# ------------------------------------------------------------------ bad lines


async def test_line_level_errors_and_blank_lines(chunk_size):
    body = b"\n".join([
        F.ndjson([F.enterprise(1)]).rstrip(),
        b"",                                   # 2 blank: skipped, still counted
        b"   \r",                              # 3 blank with spaces and CR
        b'{"type": "enterprise", "uscc": ',    # 4 malformed JSON
        '{"type": "notice", "title": "\u516c'.encode() + b"\xff\xfe" + b'"}',  # 5 not UTF-8
        b"[1, 2, 3]",                          # 6 not an object
        b'{"type": "enterprise"} trailing',    # 7 malformed JSON
        F.ndjson([F.enterprise(2)]).rstrip(),  # 8 good
    ]) + b"\n"
    result = await run(body, chunk_size)
    assert codes(result) == [(4, None, "malformed_json"), (5, None, "not_utf8"),
                             (6, None, "not_an_object"), (7, None, "malformed_json")]
    assert result.accepted == 2 and await Enterprise.all().count() == 2


async def test_a_line_over_the_limit_is_rejected(chunk_size):
    huge = F.ndjson([F.enterprise(2, x_blob="粉" * (MAX_LINE_BYTES // 3 + 10))]).rstrip()
    assert len(huge) > MAX_LINE_BYTES
    body = F.ndjson([F.enterprise(1)]) + huge + b"\n" + F.ndjson([F.enterprise(3)])
    for lines in (body.splitlines(keepends=True), file_lines(io.BytesIO(body))):
        result = await ExchangeImporter(chunk_size=chunk_size).run(lines)
        assert codes(result) == [(2, None, "line_too_long")]
        assert result.accepted == 2
    assert await Enterprise.filter(uscc=F.uscc(2)).count() == 0


async def test_a_bad_record_in_the_middle_does_not_block_the_good_ones(chunk_size):
    records = F.world()
    records.insert(7, F.batch("BX", produced_at="2026-02-30"))
    records.insert(12, F.event("EX", kind="teleport"))
    result = await run(records, chunk_size)
    assert codes(result) == [(8, "produced_at", "bad_date"), (13, "kind", "invalid_value")]
    assert result.accepted == 21 and await counts() == F.WORLD_COUNTS


async def test_rejections_are_capped_but_counted():
    body = b"{\n" * 30
    result = await ExchangeImporter(max_rejections=5).run(body.splitlines(keepends=True))
    assert len(result.rejected) == 5 and result.rejected_total == 30
    assert result.as_dict()["rejected_total"] == 30


# ------------------------------------------------------------------ nothing stored changes


BAD_RECORDS = [
    b'{"type": "enterprise", "uscc": ',                       # malformed_json
    b'{"type": "enterprise", "name": "\xe6\x9f"}',            # not_utf8
    b"[]",                                                    # not_an_object
    F.ndjson([{"type": "factory"}]).rstrip(),                 # unknown_type
    F.enterprise(1, name=None),                               # required
    F.enterprise(1, name=["粉"]),                             # wrong_type
    F.enterprise(1, name=" "),                                # empty
    F.enterprise(1, name="粉" * 201),                         # too_long
    F.enterprise(1, name="柳州\x07"),                         # control_characters
    F.enterprise(1, uscc=F.uscc(1)[:17] + "0", name="改"),    # uscc_checksum
    F.enterprise(1, name="改", licence_no="SC99345020400017"),  # licence_category
    F.enterprise(1, name="改", lat=51.5, lng=-0.1),            # coordinate_out_of_range
    F.enterprise(1, name="改", division_code="990000"),       # division_unknown
    F.enterprise(1, name="改", lat=24.3, lng=None),           # required (lng)
    F.product("P1", name="改", gtin="6900000000015"),          # gtin_checksum
    F.product("P1", name="改", standard="标准"),               # bad_standard
    F.product("P1", name="改", enterprise_n=9),               # unknown_reference
    F.batch("B1", lot="改", produced_at="2026-13-01"),        # bad_date
    F.batch("B1", lot="改", expires_at="2020-01-01"),         # out_of_range
    F.batch("B1", lot="改", product_id="P9"),                 # unknown_reference
    F.code("LZ0000000001", batch_id="B9"),                    # unknown_reference
    F.code("LZ0000000001", level="pallet"),                   # invalid_value
    F.code_alias(code="LZ0000000009", issuer="改"),            # unknown_reference
    F.event("E1", occurred_at="2026-09-02T08:00:00"),         # datetime_needs_offset
    F.event("E9", kind="inspection", detail={}),              # required detail.inspection
    F.event("E9", corrects="E9"),                             # invalid_value
    F.event("E9", inputs=["B1"]),                             # invalid_value (own input)
    F.event("E9", place_uscc=None),                           # required place
    F.event("E9", batch_id="B9"),                             # unknown_reference
    F.event("E9", corrects="E99"),                            # unknown_reference
    F.event("E9", place_uscc=F.uscc(9)),                      # unknown_reference
    F.sampling("S1", result="maybe"),                         # invalid_value
    F.enforcement(decided_at="昨天"),                          # bad_date
    F.recall(batch_ids=None),                                 # required
    F.recall(batch_ids=["B9"]),                               # unknown_reference
    F.notice(published_at="tomorrow"),                        # bad_datetime
    F.enterprise(1, name="改", public_phone="call me"),       # bad_phone
    F.product("P\u200b1"),                                    # bad_key (zero-width space)
    F.code("L#", batch_id="B1"),                              # bad_code
]


async def test_a_file_of_only_bad_records_changes_nothing(chunk_size):
    assert (await run(F.world())).rejected == []
    before = await snapshot()
    result = await run(BAD_RECORDS, chunk_size)
    assert result.accepted == 0
    assert sorted(r.line for r in result.rejected) == list(range(1, len(BAD_RECORDS) + 1))
    assert {r.code for r in result.rejected} >= {
        "malformed_json", "not_utf8", "not_an_object", "unknown_type", "required",
        "wrong_type", "empty", "too_long", "control_characters", "uscc_checksum",
        "licence_category", "coordinate_out_of_range", "division_unknown", "gtin_checksum",
        "bad_standard", "unknown_reference", "bad_date", "out_of_range", "invalid_value",
        "datetime_needs_offset", "bad_datetime", "bad_phone", "bad_key", "bad_code"}
    assert await snapshot() == before


async def test_events_are_immutable_and_corrections_stay_in_their_batch(chunk_size):
    assert (await run(F.world())).rejected == []
    before = await snapshot()
    result = await run([
        F.event("E1", quantity=1),                                 # other content
        F.event("E1", occurred_at="2026-09-02T09:00:00+08:00"),    # other content
        F.event("E2", kind="inspection", x_note="后补"),           # extra differs too
        F.event("E9", batch_id="B2", corrects="E1"),               # E1 is batch B1's
    ], chunk_size)
    assert codes(result) == [(1, "event_id", "event_immutable"),
                             (2, "event_id", "event_immutable"),
                             (3, "event_id", "event_immutable"),
                             (4, "corrects", "corrects_other_batch")]
    assert result.accepted == 0
    assert await snapshot() == before


async def test_resending_an_event_unchanged_is_accepted_without_a_new_row():
    await run(F.world())
    before = await snapshot()
    result = await run([F.event("E1"), F.event("E5", batch_id="B3", kind="storage_in",
                                                place={"name": "冷库", "division_code": F.DIVISION,
                                                       "lat": 24.3, "lng": 109.4},
                                                place_uscc=None, detail={"temperatures": [
                                                    {"at": "2026-09-02T10:00:00+08:00",
                                                     "celsius": -18}]})])
    assert result.as_dict() == {"accepted": 2, "rejected": [], "warnings": []}
    assert await snapshot() == before


async def test_a_refused_write_is_isolated_and_leaves_nothing_half_written(chunk_size):
    """The database refuses one event (a test trigger): only that line fails, with no link
    row and no chain step of its own; the chunk's other records are stored."""
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    if postgres:
        await conn.execute_script(
            "CREATE OR REPLACE FUNCTION gz_test_boom() RETURNS trigger AS $$ BEGIN "
            "IF NEW.actor = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql; CREATE TRIGGER gz_test_boom BEFORE INSERT ON event "
            "FOR EACH ROW EXECUTE FUNCTION gz_test_boom();")
    else:
        await conn.execute_script(
            "CREATE TRIGGER gz_test_boom BEFORE INSERT ON event WHEN NEW.actor = 'BOOM' "
            "BEGIN SELECT RAISE(ABORT, 'boom'); END;")
    try:
        base = [r for r in F.world() if r["type"] != "event"]
        result = await run(base + [F.event("E1"), F.event("E2", batch_id="B2", actor="BOOM",
                                                          inputs=["B1"]),
                                   F.event("E3", batch_id="B2")], chunk_size)
    finally:
        await conn.execute_script("DROP TRIGGER IF EXISTS gz_test_boom"
                                  + (" ON event; DROP FUNCTION gz_test_boom();" if postgres
                                     else ";"))
    assert codes(result) == [(len(base) + 2, None, "storage_error")]
    assert await Event.all().order_by("id").values_list("event_id", flat=True) == ["E1", "E3"]
    assert await EventInput.all().count() == 0
    assert (await Batch.get(batch_id="B2")).chain_length == 1
    assert await Enterprise.all().count() == 2
    assert (await verify_chains()).ok


# ------------------------------------------------------------------ stored values


async def test_unknown_fields_are_stored_in_extra():
    await run([F.enterprise(1, x_source="鱼峰区", x_tags=["a", 1]), F.product(x_n=3.5),
               F.batch(x_flag=True), F.event(x_device={"id": "T-1"})])
    assert (await Enterprise.get(uscc=F.uscc(1))).extra == {"x_source": "鱼峰区",
                                                            "x_tags": ["a", 1]}
    assert (await Product.get(product_id="P1")).extra == {"x_n": 3.5}
    assert (await Batch.get(batch_id="B1")).extra == {"x_flag": True}
    assert (await Event.get(event_id="E1")).extra == {"x_device": {"id": "T-1"}}


async def test_expires_at_is_derived_from_shelf_life(chunk_size):
    await run([F.enterprise(1), F.product("P1", shelf_life_days=180),
               F.product("P2", shelf_life_days=None),
               F.batch("B1", produced_at="2026-09-02"),
               F.batch("B2", produced_at="2026-09-02", expires_at="2026-10-01"),
               F.batch("B3", product_id="P2")], chunk_size)
    got = dict(await Batch.all().values_list("batch_id", "expires_at"))
    assert got == {"B1": date(2027, 3, 1), "B2": date(2026, 10, 1), "B3": None}


async def test_expires_at_is_derived_when_the_product_comes_later(chunk_size):
    await run([F.batch("B1", produced_at="2026-09-02"), F.enterprise(1),
               F.product("P1", shelf_life_days=10)], chunk_size)
    assert (await Batch.get(batch_id="B1")).expires_at == date(2026, 9, 12)


# ------------------------------------------------------------------ the chain


async def test_events_form_a_hash_chain_per_batch(chunk_size):
    records = [F.enterprise(1), F.product(), F.batch("B1"), F.batch("B2")]
    records += [F.event(f"E{i}", batch_id="B1" if i % 3 else "B2",
                        occurred_at=f"2026-09-0{i}T08:00:00+08:00") for i in range(1, 8)]
    records.append(F.event("E8", batch_id="B1", corrects="E2", quantity=4800))
    assert (await run(records, chunk_size)).rejected == []
    for batch_id in ("B1", "B2"):
        rows = await Event.filter(batch_id=batch_id).order_by("seq").values()
        assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
        prev = GENESIS
        for row in rows:
            assert row["prev_hash"] == prev
            assert row["hash"] == row_hash(prev, row)
            prev = row["hash"]
        stored = await Batch.get(batch_id=batch_id)
        assert (stored.chain_head, stored.chain_length) == (prev, len(rows))
    original, correction = await Event.filter(event_id__in=["E2", "E8"]).order_by("seq")
    assert (original.quantity, original.corrects) == (5000, None)
    assert (correction.quantity, correction.corrects, correction.seq) == (4800, "E2", 6)
    assert (await verify_chains()).ok


async def test_a_batch_without_events_has_an_empty_chain():
    await run([F.enterprise(1), F.product(), F.batch()])
    stored = await Batch.get(batch_id="B1")
    assert (stored.chain_head, stored.chain_length) == (None, 0)
    assert (await verify_chains()).ok


async def test_the_later_line_wins_even_when_the_earlier_one_was_deferred(chunk_size):
    records = [F.batch("B1", lot="OLD", product_id="P2"),   # P2 comes at the end: deferred
               F.enterprise(1), F.product("P1"),
               F.batch("B1", lot="NEW", product_id="P1"),   # resolves at once
               F.product("P2")]
    assert (await run(records, chunk_size)).rejected == []
    stored = await Batch.get(batch_id="B1")
    assert (stored.lot, stored.product_id) == ("NEW", "P1")


@pytest.mark.parametrize("size", [1, 5])
async def test_concurrent_imports_into_one_batch_accept_every_event(size):
    await run([F.enterprise(1), F.product(), F.batch()])
    senders = [[F.event(f"{who}{i}") for i in range(30)] for who in "ABC"]
    results = await asyncio.gather(*(run(events, size) for events in senders))
    assert [codes(r) for r in results] == [[], [], []]
    rows = await Event.filter(batch_id="B1").order_by("seq").values_list("seq", flat=True)
    assert rows == list(range(1, 91))
    assert (await verify_chains()).ok


async def test_concurrent_imports_never_fork_a_chain():
    """Whatever is accepted, the chain stays one line: no two events share a seq."""
    await run([F.enterprise(1), F.product(), F.batch()])
    senders = [[F.event(f"{who}{i}") for i in range(30)] for who in "ABC"]
    results = await asyncio.gather(*(run(events, 5) for events in senders))
    accepted = sum(r.accepted for r in results)
    assert {r.code for res in results for r in res.rejected} <= {"storage_error"}
    seqs = await Event.filter(batch_id="B1").order_by("seq").values_list("seq", flat=True)
    assert seqs == list(range(1, accepted + 1))
    assert (await verify_chains()).ok


async def test_a_byte_order_mark_opening_the_file_is_ignored(db):
    result = await run(b"\xef\xbb\xbf" + F.ndjson([F.enterprise(1)]))
    assert (result.accepted, codes(result)) == (1, [])


async def test_a_byte_order_mark_inside_the_file_is_malformed(db):
    body = F.ndjson([F.enterprise(1)]) + b"\xef\xbb\xbf" + F.ndjson([F.enterprise(2)])
    assert codes(await run(body)) == [(2, None, "malformed_json")]

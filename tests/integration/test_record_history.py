"""Record histories against the real database: a re-sent record keeps its earlier version in
the append-only, hash-chained ``record_version``; a changed official outcome needs a reason;
``verify_histories`` (and ``gongzhi verify``) name a record changed behind the back.
"""

from __future__ import annotations

import importlib
from datetime import datetime, timezone

import pytest
from tortoise import Tortoise, connections

from tests import factories as F
from tracing.exchange.importer import ExchangeImporter
from tracing.exchange.sql import ConcurrentChange, write_rows
from tracing.model.chain import GENESIS
from tracing.model.models import (Enterprise, Recall, RecallBatch, RecordVersion, Sampling)
from tracing.model.versions import verify_histories, version_hash
from core.outbox import ChangeOutbox

pytestmark = pytest.mark.usefixtures("db")
NOW = datetime(2026, 10, 20, 4, 0, tzinfo=timezone.utc)


async def run(records, *, now: datetime = NOW):
    importer = ExchangeImporter(clock=lambda: now)
    return await importer.run(F.ndjson(records).splitlines(keepends=True))


def codes(result) -> list[tuple[int, str | None, str]]:
    return [(r.line, r.field, r.code) for r in result.rejected]


async def snapshot() -> dict[str, list[dict]]:
    out = {}
    for model in Tortoise.apps["gongzhi"].values():
        pk = model._meta.pk_attr
        out[model._meta.db_table] = await model.all().order_by(pk).values()
    return out


async def world() -> None:
    result = await run(F.world())
    assert result.rejected == [] and result.warnings == []
    await ChangeOutbox.all().delete()


# ------------------------------------------------------------------ versions


async def test_a_first_import_is_version_one_of_every_record():
    await world()
    row = await Sampling.get(sample_id="S2").values("version", "version_prev", "version_hash")
    assert row["version"] == 1 and row["version_prev"] == GENESIS
    assert await RecordVersion.all().count() == 0
    report = await verify_histories()
    assert report.first_break is None and report.versions == 0
    assert report.records == sum(F.WORLD_COUNTS.values()) - F.WORLD_COUNTS["event"]


async def test_an_update_keeps_the_earlier_version():
    await world()
    before = await Enterprise.get(uscc=F.uscc(1)).values("version_hash", "updated_at")
    result = await run([F.enterprise(1, status="suspended", licence_no="SC10345020400025")])
    assert result.rejected == []  # status and licence change in the normal course: no reason
    stored = await Enterprise.get(uscc=F.uscc(1))
    assert (stored.status, stored.version, stored.version_prev) == (
        "suspended", 2, before["version_hash"])
    earlier = await RecordVersion.get(rtype="enterprise", key=F.uscc(1))
    assert (earlier.version, earlier.content["status"], earlier.hash) == (
        1, "active", before["version_hash"])
    assert earlier.content["licence_no"] == "SC10345020400017"
    assert earlier.recorded_at == before["updated_at"]
    assert (await verify_histories()).first_break is None


@pytest.mark.parametrize("rtype,key,changed,field,old", [
    ("enterprise", F.uscc(1), F.enterprise(1, address="柳州市柳南区新址"), "address",
     "广西柳州市柳南区航岭路1号"),
    ("product", "P1", F.product("P1", spec="400g/袋"), "spec", "330g/袋"),
    ("batch", "B1", F.batch("B1", quantity=4800), "quantity", 5000),
    ("code", "LZ0000000001", F.code("LZ0000000001", issuer="柳州市追溯中心"), "issuer",
     "柳州市市场监管局"),
    ("sampling", "S1", F.sampling("S1", report_no="CJ-0009"), "report_no", "CJ-0001"),
    ("enforcement", "LSJ-2026-001", F.enforcement(authority="柳州市柳南区市场监督管理局"),
     "authority", "柳州市市场监督管理局"),
    ("recall", "ZH-2026-0001", F.recall(status="completed"), "status", "ongoing"),
    ("notice", "N1", F.notice(title="关于螺蛳粉追溯的公告（修订）"), "title",
     "关于螺蛳粉追溯的公告"),
])
async def test_every_record_type_keeps_its_earlier_version(rtype, key, changed, field, old):
    await world()
    result = await run([changed])
    assert result.rejected == [] and result.accepted == 1
    [earlier] = await RecordVersion.filter(rtype=rtype, key=key)
    assert (earlier.version, earlier.content[field]) == (1, old)
    report = await verify_histories()
    assert report.first_break is None and report.versions == 1


async def test_resending_a_record_as_it_stands_makes_no_version_and_touches_nothing():
    await world()
    before = await snapshot()
    result = await run([F.sampling("S2", enterprise_n=2, result="fail",
                                   failed_items=["亚硝酸盐"], correction_reason="重发")])
    assert result.rejected == [] and result.accepted == 1
    assert await snapshot() == before  # no version, no outbox row, no new updated_at


async def test_a_downgrade_without_reason_is_refused_and_nothing_changes():
    await world()
    before = await snapshot()
    result = await run([
        F.sampling("S2", enterprise_n=2, result="pass"),                       # fail -> pass
        F.sampling("S2", enterprise_n=2, result="fail", failed_items=["铅"]),  # other items
        F.recall(level=3),                                                     # level
        F.recall(batch_ids=["B1", "B3"]),                                      # scope
        F.recall("ZH-2026-0002", batch_ids=None, product_id="P1", level=3),  # scope
        F.recall(status="withdrawn"),                                          # withdrawn
        F.enforcement(penalty="警告"),                                          # penalty
        F.enforcement(violation="无"),                                          # violation
    ])
    assert sorted(codes(result)) == [(n, "correction_reason", "correction_reason_required")
                                     for n in range(1, 9)]
    assert result.accepted == 0
    assert await snapshot() == before  # nothing changed in any table (outbox included)


async def test_a_correction_with_a_reason_is_stored_and_summarised():
    await world()
    result = await run([F.sampling("S2", enterprise_n=2, result="pass",
                                   correction_reason="复检合格，原检验报告数据录入错误")])
    assert result.rejected == []
    stored = await Sampling.get(sample_id="S2")
    assert (stored.result, stored.failed_items, stored.version) == ("pass", [], 2)
    assert stored.correction == {
        "fields": ["result", "failed_items"], "from": {"result": "fail",
                                                       "failed_items": ["亚硝酸盐"]},
        "to": {"result": "pass", "failed_items": []},
        "reason": "复检合格，原检验报告数据录入错误", "at": NOW.isoformat()}
    earlier = await RecordVersion.get(rtype="sampling", key="S2")
    assert (earlier.content["result"], earlier.content["correction_reason"]) == ("fail", None)
    assert await ChangeOutbox.filter(kind="enterprise", key=F.uscc(2)).exists()
    # a later change that corrects nothing keeps the summary
    assert (await run([F.sampling("S2", enterprise_n=2, result="pass",
                                  report_no="CJ-0002")])).rejected == []
    again = await Sampling.get(sample_id="S2")
    assert again.version == 3 and again.correction == stored.correction
    assert (await verify_histories()).first_break is None


async def test_a_recall_ends_without_a_reason_and_is_withdrawn_only_with_one():
    await world()
    assert (await run([F.recall(status="completed")])).rejected == []
    recall = await Recall.get(recall_id="ZH-2026-0001")
    assert (recall.status, recall.version, recall.correction) == ("completed", 2, None)
    refused = await run([F.recall(status="withdrawn")])
    assert codes(refused) == [(1, "correction_reason", "correction_reason_required")]
    withdrawn = await run([F.recall(status="withdrawn", correction_reason="误发：批号录入错误")])
    assert withdrawn.rejected == []
    recall = await Recall.get(recall_id="ZH-2026-0001")
    assert recall.status == "withdrawn" and recall.version == 3
    assert recall.correction["fields"] == ["status"]
    assert recall.correction["from"] == {"status": "completed"}
    assert [v.content["status"] for v in await RecordVersion.filter(
        rtype="recall", key="ZH-2026-0001").order_by("version")] == ["ongoing", "completed"]


async def test_a_recall_scope_correction_moves_its_links_and_touches_both_batches():
    await world()
    result = await run([F.recall(batch_ids=["B3"], correction_reason="批次号填错")])
    assert result.rejected == []
    assert await RecallBatch.filter(recall_id="ZH-2026-0001").values_list(
        "batch_id", flat=True) == ["B3"]
    touched = set(await ChangeOutbox.filter(kind="batch").values_list("key", flat=True))
    assert {"B1", "B3"} <= touched  # the view of B1 must drop its recall too


# ------------------------------------------------------------------ the import's answer


async def test_a_future_dated_official_record_is_refused():
    await world()
    before = await snapshot()
    result = await run([
        F.sampling("S9", sampled_at="2026-10-22"),                       # two days ahead
        F.enforcement("LSJ-2026-009", decided_at="2027-01-01"),
        F.recall("ZH-2026-0009", started_at="2026-10-30"),
        F.notice("N9", published_at="2026-10-21T12:30:00+08:00"),        # 32.5 h ahead
    ])
    assert codes(result) == [(1, "sampled_at", "future_date"), (2, "decided_at", "future_date"),
                             (3, "started_at", "future_date"),
                             (4, "published_at", "future_date")]
    assert await snapshot() == before
    tomorrow = await run([F.sampling("S9", sampled_at="2026-10-21"),
                          F.notice("N9", published_at="2026-10-21T11:00:00+08:00")])
    assert tomorrow.rejected == [] and tomorrow.accepted == 2


async def test_real_case_numbers_and_filings_are_accepted_and_a_misfit_licence_is_said():
    await world()
    caterer = F.enterprise(3, kind="caterer", licence_no="SC10345020400033")
    shop = F.enterprise(4, kind="retailer", licence_no="YB14502040000010")
    result = await run([
        caterer, shop,
        F.enforcement("柳市监处罚〔2026〕88号", enterprise_n=3),
        F.batch("柳州螺蛳粉／第 1 批", lot="L1"),
    ])
    assert result.rejected == [] and result.accepted == 4
    assert [w.as_dict() for w in result.warnings] == [{
        "line": 1, "field": "licence_no", "code": "licence_kind_mismatch",
        "message": result.warnings[0].message}]
    assert "餐饮服务" in result.warnings[0].message and "SC" in result.warnings[0].message
    assert (await Enterprise.get(uscc=F.uscc(4))).licence_no == "YB14502040000010"
    assert await connections.get("default").execute_query_dict(
        "SELECT case_no FROM enforcement WHERE enterprise_uscc = "
        + ("$1" if connections.get("default").capabilities.dialect == "postgres" else "?"),
        [F.uscc(3)]) == [{"case_no": "柳市监处罚〔2026〕88号"}]
    long_key = "柳市监处罚" * 25 + "〔1〕"  # 128 characters: the longest key
    assert (await run([F.enforcement(long_key, enterprise_n=3)])).rejected == []


# ------------------------------------------------------------------ tampering


async def tamper(sql: str) -> None:
    await connections.get("default").execute_script(sql)


async def test_a_row_changed_behind_the_back_is_named():
    await world()
    await tamper("UPDATE sampling SET result = 'pass' WHERE sample_id = 'S2'")
    broken = (await verify_histories()).first_break
    assert (broken.rtype, broken.key, broken.version) == ("sampling", "S2", None)
    assert "content does not match" in broken.reason


async def test_earlier_versions_cannot_be_changed_or_removed():
    await world()
    await run([F.enterprise(1, status="suspended")])
    for sql in ("UPDATE record_version SET content = '{}'", "DELETE FROM record_version"):
        with pytest.raises(Exception):
            await tamper(sql)
    assert await RecordVersion.all().count() == 1


async def test_a_removed_record_leaves_its_history_behind_and_is_named():
    await world()
    await run([F.notice("N1", title="关于螺蛳粉追溯的公告（修订）")])
    await tamper("DELETE FROM notice WHERE notice_id = 'N1'")
    broken = (await verify_histories()).first_break
    assert (broken.rtype, broken.key) == ("notice", "N1") and "gone" in broken.reason


async def test_a_row_replaced_with_a_forged_version_is_named():
    await world()
    await run([F.enterprise(1, status="suspended")])
    await tamper("UPDATE enterprise SET status = 'active', version = 1, version_prev = "
                 f"'{GENESIS}' WHERE uscc = '{F.uscc(1)}'")
    broken = (await verify_histories()).first_break
    assert (broken.rtype, broken.version) == ("enterprise", None)
    assert "version 1, 1 earlier" in broken.reason


async def test_an_upsert_replaces_only_the_version_it_read():
    """Two imports racing on one record: the later write must not drop the earlier's version
    (PostgreSQL counts the rows written; SQLite serialises writers on the file)."""
    await world()
    stored = await Sampling.get(sample_id="S1").values()
    stale = {**stored, "enterprise_uscc": stored["enterprise_id"], "result": "fail",
             "version": 2, "version_prev": "f" * 64, "version_hash": "e" * 64}
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        with pytest.raises(ConcurrentChange):
            await write_rows(Sampling, [stale], conn, upsert=True,
                             rename=(("enterprise_uscc", "enterprise_id"),))
    else:
        await write_rows(Sampling, [stale], conn, upsert=True,
                         rename=(("enterprise_uscc", "enterprise_id"),))
    assert (await Sampling.get(sample_id="S1")).result == "pass"


async def test_the_migration_makes_existing_rows_version_one_with_the_live_hash():
    await world()
    hashes = {(r["uscc"]): r["version_hash"] for r in await Enterprise.all().values(
        "uscc", "version_hash")}
    recall_hash = (await Recall.get(recall_id="ZH-2026-0001")).version_hash
    tables = ("enterprise", "product", "batch", "trace_code", "code_alias", "sampling",
              "enforcement", "recall", "notice")
    for table in tables:
        await tamper(f"UPDATE {table} SET version = NULL, version_prev = NULL, "
                     "version_hash = NULL")
    migration = importlib.import_module("gongzhi.migrations.0009_record_history")
    done = await migration.backfill(connections.get("default"))
    assert done == sum(F.WORLD_COUNTS.values()) - F.WORLD_COUNTS["event"]
    assert {r["uscc"]: r["version_hash"] for r in await Enterprise.all().values(
        "uscc", "version_hash")} == hashes
    assert (await Recall.get(recall_id="ZH-2026-0001")).version_hash == recall_hash
    assert (await verify_histories()).first_break is None
    notice = await connections.get("default").execute_query_dict(
        "SELECT version_hash FROM notice")
    assert notice[0]["version_hash"] == version_hash(
        GENESIS, "notice", {**F.notice(), "published_at": datetime(
            2026, 10, 6, 1, 0, tzinfo=timezone.utc)})


async def test_gongzhi_verify_walks_record_histories_and_names_a_forged_version(settings, tmp_path):
    from tests.integration.test_chain_verify import run_cli

    await world()
    await run([F.enterprise(1, status="suspended")])
    ok = run_cli("verify", db_url=settings.db_url, data_dir=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert " records, 1 earlier versions" in ok.stdout and "every chain verifies" in ok.stdout
    await tamper("UPDATE sampling SET result = 'pass' WHERE sample_id = 'S2'")
    bad = run_cli("verify", db_url=settings.db_url, data_dir=tmp_path)
    assert bad.returncode == 1, bad.stderr
    assert "BROKEN: sampling S2: current row: content does not match" in bad.stdout

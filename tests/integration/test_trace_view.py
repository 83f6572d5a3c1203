"""Trace views read from the real database (SQLite, or PostgreSQL in CI): every code form,
fallbacks, 404/410, the query budget, and cache invalidation across processes."""

from __future__ import annotations

import io
from datetime import date

import orjson
import pytest
from tortoise import connections

from core.errors import Gone, NotFound
from core.kv import MemoryStore
from tracing.view import rules
from tracing.codes.parse import parse_scan
from tracing.demo.generator import DEMO_KEYS, write_demo
from tracing.exchange.importer import ExchangeImporter
from tracing.demo.sample_chain import chain_records
from tracing.view.build import build_view
from tracing.view.cache import InvalidationBus, ViewCache
from tracing.view.queries import fetch_view_rows
from tracing.view.resolve import resolve
from tracing.view.sql import sqlite_reader

TODAY = date(2026, 11, 1)


async def import_records(records) -> None:
    lines = [orjson.dumps(r) for r in records]
    result = await ExchangeImporter().run(lines)
    assert result.rejected_total == 0, result.rejected[:3]


@pytest.fixture
async def demo(db):
    out = io.StringIO()
    write_demo(out, enterprises=10)
    result = await ExchangeImporter().run(line.encode() for line in out.getvalue().splitlines())
    assert result.rejected_total == 0
    return DEMO_KEYS


async def view_of(text: str, depth: int = 3):
    rows = await fetch_view_rows(await resolve(parse_scan(text)), depth=depth)
    return build_view(rows, today=TODAY, limits=rules.Limits())


def gtin_of_demo() -> str:
    return DEMO_KEYS["gs1_digital_link"].split("/01/")[1].split("/")[0]


class CountQueries:
    """Count every statement sent on the default connection (and, on SQLite, on the trace
    view's own read connection, as SQLite traces them)."""

    def __init__(self, monkeypatch):
        self.count = 0
        conn = connections.get("default")
        reader = sqlite_reader(conn)
        if reader is not None:
            reader.set_trace_callback(self._traced)
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
            original = getattr(conn, name)

            async def counted(*args, _original=original, **kwargs):
                self.count += 1
                return await _original(*args, **kwargs)

            monkeypatch.setattr(conn, name, counted)

    def _traced(self, statement: str) -> None:
        self.count += 1


class TestCodeForms:
    async def test_plain_code(self, demo):
        view = await view_of(demo["ok_code"])
        assert view.level == "batch" and view.body["code"] == demo["ok_code"]
        assert view.status == "ok"
        assert view.body["batch"]["lot"] == "L260902A"
        assert len(view.body["inputs"]) >= 3
        assert all(i["producer"]["uscc"] for i in view.body["inputs"])

    async def test_trace_url_and_lower_case(self, demo):
        view = await view_of(f"https://gz.example.cn/t/{demo['ok_code'].lower()}")
        assert view.subject == demo["ok_code"]

    async def test_digital_link_serial(self, demo):
        view = await view_of(demo["gs1_digital_link"])
        assert view.level == "item" and view.subject == demo["item_code"]

    async def test_digital_link_unknown_serial_falls_back_to_lot(self, demo):
        view = await view_of(demo["gs1_digital_link"].replace("/21/000001", "/21/777"))
        assert view.level == "batch"
        assert view.body["resolved"]["fallback"]["from"] == "serial"
        assert view.body["resolved"]["fallback"]["to"] == "lot"

    async def test_digital_link_unknown_lot_falls_back_to_product(self, demo):
        view = await view_of(f"https://id.gs1.org/01/{gtin_of_demo()}/10/NOSUCHLOT")
        assert view.level == "product"
        assert view.body["resolved"]["fallback"]["to"] == "product"
        assert view.body["recent_batches"]

    async def test_element_string_with_fnc1(self, demo):
        view = await view_of(f"]C101{gtin_of_demo()}10L260902A\x1d21000001")
        assert view.subject == demo["item_code"]
        lot = await view_of(f"(01){gtin_of_demo()}(17)270301(10)L260902A")
        assert lot.level == "batch" and lot.body["batch"]["lot"] == "L260902A"

    async def test_ean13_is_product_level(self, demo):
        view = await view_of(gtin_of_demo()[1:])
        assert view.level == "product" and view.body["batch"] is None
        # Some batches of the product are recalled: said, but not as this pack's recall.
        assert "recall_of_some_batches" in {a["kind"] for a in view.alerts}
        assert view.status == "warning"

    async def test_alias_from_another_region(self, demo):
        view = await view_of(demo["alias"])
        assert view.subject == demo["ok_code"]
        assert view.body["resolved"]["alias"]["issuer"] == "京津冀冷链"
        assert f"code:{demo['alias']}" in view.tags

    async def test_withdrawn_is_gone(self, demo):
        with pytest.raises(Gone) as exc:
            await view_of(demo["withdrawn_code"])
        assert exc.value.code == "code_withdrawn"

    @pytest.mark.parametrize("text", ["LZ999999999999", "https://id.gs1.org/01/06901234567892"])
    async def test_unknown_is_not_found(self, demo, text):
        with pytest.raises(NotFound) as exc:
            await view_of(text)
        assert exc.value.code == "code_not_found" and "12315" in exc.value.message


class TestContent:
    async def test_recalled_batch_shows_recall_first(self, demo):
        view = await view_of(demo["recalled_code"])
        assert view.status == "recalled"
        assert view.alerts[0]["kind"] == "recall"
        assert view.alerts[0]["recall_id"] == demo["recall_id"]
        assert "failed_sampling" in {a["kind"] for a in view.alerts}

    async def test_exactly_one_excursion_in_the_demo(self, db):
        out = io.StringIO()
        write_demo(out, enterprises=10)
        await ExchangeImporter().run(line.encode() for line in out.getvalue().splitlines())
        codes = [c async for c in _all_codes()]
        found = []
        for code in codes:
            view = await view_of(code, depth=0)
            found += [a for a in view.alerts if a["kind"] == "temperature_excursion"]
        assert len(found) == 1
        assert found[0]["celsius"] > 8

    async def test_corrections_and_masking(self, demo):
        view = await view_of(demo["ok_code"])
        fixed = [e for e in view.body["events"] if e.get("corrected")]
        assert len(fixed) == 1 and fixed[0]["history"][0]["quantity"] * 10 == fixed[0]["quantity"]
        text = orjson.dumps(view.body).decode()
        assert "legal_representative" not in text
        assert all(e["actor"] is None or e["actor"].endswith("*") for e in view.body["events"])

    async def test_tags_cover_everything_shown(self, demo):
        view = await view_of(demo["ok_code"])
        for node in view.body["inputs"]:
            assert f"batch:{node['batch']['batch_id']}" in view.tags
            assert f"enterprise:{node['producer']['uscc']}" in view.tags
        assert f"enterprise:{view.body['enterprise']['uscc']}" in view.tags

    async def test_depth_zero_has_no_inputs(self, demo):
        assert (await view_of(demo["ok_code"], depth=0)).body["inputs"] == []


async def _all_codes():
    from tracing.model.models import TraceCode

    for code in await TraceCode.filter(level="batch", status="active").values_list(
            "code", flat=True):
        yield code


class TestQueryBudget:
    async def test_chain_of_20_events_and_5_inputs_takes_at_most_6_queries(self, db, monkeypatch):
        await import_records(chain_records(prefix="QB", events=20, inputs=5))
        counter = CountQueries(monkeypatch)
        view = await view_of("QB0000")
        assert len(view.body["events"]) == 20 and len(view.body["inputs"]) == 5
        assert counter.count <= 6, counter.count
        assert view.queries == counter.count


class TestInvalidationBus:
    async def test_another_process_drops_what_one_invalidated(self, tmp_path):
        path = tmp_path / "bus.sqlite3"
        mine, theirs = MemoryStore(), MemoryStore()
        a = ViewCache(mine, ttl=60, bus=InvalidationBus(path))
        b = ViewCache(theirs, ttl=60, bus=InvalidationBus(path))
        for cache in (a, b):
            assert await cache.put("c:X", b"v", tags={"batch:B1"}, version=await cache.version())
            assert await cache.put("c:Y", b"w", tags={"batch:B2"}, version=await cache.version())
        await a.invalidate({"batch:B1"})
        assert await mine.get("view:c:X") is None
        assert await theirs.get("view:c:X") == b"v"  # not yet looked
        await b.sync()
        assert await theirs.get("view:c:X") is None and await theirs.get("view:c:Y") == b"w"
        await a.sync()  # its own publication is not news
        assert await mine.get("view:c:Y") == b"w"
        a.close(), b.close()

    async def test_a_view_built_across_an_invalidation_is_not_stored(self):
        cache = ViewCache(MemoryStore(), ttl=60)
        version = await cache.version()
        await cache.invalidate({"batch:B1"})
        assert not await cache.put("c:X", b"stale", tags={"batch:B1"}, version=version)

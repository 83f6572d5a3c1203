"""The embedded rebuild prepares one batch while the last one is written
(:mod:`search.embedded_bulk`): small batches and small statements must write the same index as
one batch; repeated keys keep the last version (and a point left without documents goes); a failure while a write is in flight leaves the
live index as it was and no new file behind; full-text merging is back on afterwards."""

from __future__ import annotations

import dataclasses
import random

import pytest

from search import embedded, embedded_bulk, embedded_write
from search.base import SearchDoc, SearchQuery
from search.embedded import EmbeddedSearchBackend
from search.embedded_sql import FTS_AUTOMERGE, FTS_TABLES

CHARS = "螺蛳粉柳州小店王记鹿寨米"
TABLES = ("docs", "ids", "names", "others", "places", "name_fts", "name_grams", "other_fts",
          "other_grams", "geo")


def random_docs(n: int = 300, seed: int = 3) -> list[SearchDoc]:
    rng = random.Random(seed)
    return [SearchDoc(rng.choice(("enterprise", "product")), f"K{i:04d}",
                      "".join(rng.choice(CHARS) for _ in range(rng.randint(2, 9))),
                      subtitle=rng.choice(("柳州市城中区", "螺蛳粉一条街", "")),
                      identifiers=(f"69{i:011d}",) if i % 3 else (),
                      keywords=tuple(rng.sample(("米粉", "小吃", "王记"), rng.randint(0, 2))),
                      division_code="450202", lat=round(24.3 + rng.random() / 10, 4),
                      lng=round(109.4 + rng.random() / 10, 4))
            for i in range(n)]


def dump(backend: EmbeddedSearchBackend) -> dict[str, list]:
    conn = backend._connection()
    return {t: conn.execute(f"SELECT rowid, * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}


def live_files(path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


async def test_small_batches_and_statements_write_the_index_one_batch_writes(tmp_path,
                                                                            monkeypatch):
    docs = random_docs()
    whole = EmbeddedSearchBackend(tmp_path / "a" / "search.sqlite3")
    assert await whole.rebuild(docs) == len(docs)
    monkeypatch.setattr(embedded, "BATCH", 7)  # 43 batches, each written beside the next
    monkeypatch.setattr(embedded_write, "PARAMS", 20)  # a handful of rows per statement
    pieces = EmbeddedSearchBackend(tmp_path / "b" / "search.sqlite3")
    assert await pieces.rebuild(docs) == len(docs)
    expected, got = dump(whole), dump(pieces)
    assert len(got["docs"]) == len(docs) and len(got["ids"]) == 200 + len(docs)
    for table in TABLES:
        assert got[table] == expected[table], table
    for q in ("螺蛳", "lsf", "柳州 米粉", "69000000000010"):
        assert [h.key for h in (await pieces.search(SearchQuery(q=q, size=50))).hits] == \
            [h.key for h in (await whole.search(SearchQuery(q=q, size=50))).hits], q
    await whole.close()
    await pieces.close()


async def test_a_key_repeated_within_and_across_batches_keeps_its_last_version(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(embedded, "BATCH", 4)
    docs = random_docs(12)
    first = dataclasses.replace(docs[1], title="旧名字小店", lat=30.5, lng=110.5)  # its own point
    within = dataclasses.replace(docs[9], title="鹿寨米粉王")  # docs[9] in the same batch
    docs = [docs[0], first, *docs[2:], docs[1]]  # docs[1] again, batches later
    docs[8:8] = [within]
    backend = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
    await backend.rebuild(docs)
    assert await backend.count() == 12
    assert [h.key for h in (await backend.search(SearchQuery(q="旧名字"))).hits] == []
    conn = backend._connection()  # the point only the replaced version stood at is gone
    assert conn.execute("SELECT count(*) FROM places WHERE lat = 30.5").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM geo WHERE lat = 30.5").fetchone() == (0,)
    assert (await backend.search(SearchQuery(near=(30.5, 110.5), radius_km=5))).hits == []
    found = (await backend.search(SearchQuery(q=docs[-1].title, size=50))).hits
    assert "K0001" in [h.key for h in found]
    assert [h.key for h in (await backend.search(SearchQuery(q="鹿寨米粉王"))).hits] == []
    assert "K0009" in [h.key for h in (await backend.search(
        SearchQuery(q=random_docs(12)[9].title, size=50))).hits]
    await backend.close()


async def test_merging_is_on_again_after_a_rebuild(tmp_path):
    backend = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
    await backend.rebuild(random_docs(50))
    conn = backend._connection()
    for table in FTS_TABLES:
        assert conn.execute(f"SELECT v FROM {table}_config WHERE k = 'automerge'"
                            ).fetchone() == (FTS_AUTOMERGE,), table
    await backend.close()


@pytest.mark.parametrize("where", ["documents", "write"])
async def test_a_failing_rebuild_leaves_the_live_index_and_no_file(tmp_path, monkeypatch, where):
    backend = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
    live = random_docs(40, seed=8)
    await backend.rebuild(live)
    before, files = dump(backend), live_files(backend.path)
    monkeypatch.setattr(embedded, "BATCH", 10)
    writes = []
    real = embedded_bulk.execute

    def failing_write(conn, statements):
        writes.append(len(statements))
        if len(writes) == 3:
            raise RuntimeError("disk full")
        real(conn, statements)

    async def failing_docs():
        for i, doc in enumerate(random_docs(100)):
            if i == 45:
                raise RuntimeError("database went away")
            yield doc

    if where == "write":
        monkeypatch.setattr(embedded_bulk, "execute", failing_write)
    with pytest.raises(RuntimeError, match="disk full" if where == "write" else "went away"):
        await backend.rebuild(failing_docs() if where == "documents" else random_docs(100))
    assert dump(backend) == before
    assert live_files(backend.path) == files
    assert await backend.count() == 40
    await backend.close()

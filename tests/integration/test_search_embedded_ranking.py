"""The embedded backend cuts each candidate stream at offset + size: pages must equal the
slices of the uncut ranking, totals are exact up to the cap and flagged above it."""

from __future__ import annotations

import random

import pytest

from search import embedded_query, embedded_ranking
from search.base import STATUSES, SearchDoc, SearchQuery
from search.embedded import EmbeddedSearchBackend
from search.embedded_ranking import rank
from search.match import plan_query

CHARS = "螺蛳粉柳州小店王记"
QUERIES = ["螺", "螺蛳", "螺蛳粉", "柳州 小店", "粉 王", "lsf", "ls", "luosi", "粉店", "王",
           "柳州螺蛳粉店", "W", "zhou", "螺丝", "柳粉", "王记 lsf", "柳州粉店", "xiaodian", "nsf"]


def random_docs(n: int = 400, seed: int = 5) -> list[SearchDoc]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        title = "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 8)))
        docs.append(SearchDoc(
            rng.choice(("enterprise", "product")), f"K{i:04d}", title,
            subtitle=rng.choice(("柳州市城中区", "螺蛳粉一条街", "")),
            keywords=tuple(rng.sample(("米粉", "小吃", "王记"), rng.randint(0, 2))),
            division_code=rng.choice(("450202", "450203", "430103")),
            lat=24.3 + rng.random() / 10, lng=109.4 + rng.random() / 10,
            status=rng.choice(STATUSES)))
    return docs


@pytest.fixture(scope="module")
def index_path(tmp_path_factory):
    """Built once for the module; every test opens its own backend on it (reads only)."""
    import asyncio

    path = tmp_path_factory.mktemp("rank") / "search.sqlite3"

    async def build():
        b = EmbeddedSearchBackend(path)
        await b.rebuild(random_docs())
        await b.close()

    asyncio.run(build())
    return path


@pytest.fixture
async def backend(index_path):
    b = EmbeddedSearchBackend(index_path)
    yield b
    await b.close()


def uncut(conn, query: SearchQuery) -> list[str]:
    """Every match in rank order: one page as large as the data (no stream is cut)."""
    whole = SearchQuery(q=query.q, kind=query.kind, division=query.division, near=query.near,
                        radius_km=query.radius_km, size=10**6)
    plan = plan_query(whole.q) if whole.text else None
    return [row[1] for row in rank(conn, whole, plan, True).rows]


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("kind, division", [("all", None), ("product", None), ("all", "4502")])
async def test_pages_are_slices_of_the_uncut_ranking(backend, q, kind, division):
    await backend.count()
    full = uncut(backend._connection(), SearchQuery(q=q, kind=kind, division=division))
    for size, page in ((1, 1), (3, 1), (3, 2), (10, 1), (10, 3), (7, 5), (50, 1), (50, 9)):
        result = await backend.search(SearchQuery(q=q, kind=kind, division=division, size=size,
                                                  page=page))
        assert [h.key for h in result.hits] == full[(page - 1) * size:page * size], (size, page)
        assert result.total == len(full) and not result.total_is_lower_bound


async def test_nearby_pages_and_distances(backend):
    query = SearchQuery(near=(24.35, 109.45), radius_km=3, size=10)
    full = uncut(backend._connection(), query)
    hits = []
    for page in range(1, 30):
        result = await backend.search(SearchQuery(near=(24.35, 109.45), radius_km=3, size=10,
                                                  page=page))
        hits += result.hits
        assert result.total == len(full)
    assert [h.key for h in hits] == full
    assert [h.distance_km for h in hits] == sorted(h.distance_km for h in hits)
    assert all(h.distance_km <= 3 for h in hits)


async def test_totals_past_the_cap_are_a_flagged_lower_bound(backend, monkeypatch):
    monkeypatch.setattr(embedded_query, "TOTAL_CAP", 25)
    monkeypatch.setattr(embedded_ranking, "TOTAL_CAP", 25)
    broad = await backend.search(SearchQuery(q="螺", size=5))
    assert (broad.total, broad.total_is_lower_bound) == (25, True)
    assert broad.as_dict()["total_is_lower_bound"] is True
    narrow = await backend.search(SearchQuery(q="柳州螺蛳粉店", size=1))
    assert not narrow.total_is_lower_bound
    near = await backend.search(SearchQuery(near=(24.35, 109.45), radius_km=50, size=5))
    assert (near.total, near.total_is_lower_bound) == (25, True)


async def test_several_terms_all_in_the_name_rank_before_terms_in_the_address(tmp_path):
    b = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
    await b.index([
        SearchDoc("enterprise", "K1", "中山粉店", "柳州市城中区三中路", division_code="450202"),
        SearchDoc("enterprise", "K2", "城中中山粉店", "柳州市柳南区航岭路", division_code="450204"),
    ])
    found = await b.search(SearchQuery(q="城中 中山"))
    assert [h.key for h in found.hits] == ["K2", "K1"]  # K1: 城中 only in its address
    await b.close()


async def test_names_shared_by_documents_are_counted_and_dropped_with_the_last(tmp_path):
    b = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
    shops = [SearchDoc("enterprise", f"S{i}", "谭记螺蛳粉", f"柳州市城中区{i}号") for i in range(3)]
    await b.index([*shops, SearchDoc("product", "P1", "谭记螺蛳粉", "谭记 280g")])
    assert (await b.search(SearchQuery(q="谭记螺蛳粉"))).total == 4
    assert (await b.search(SearchQuery(q="谭记螺蛳粉", kind="enterprise"))).total == 3
    await b.remove("enterprise", ["S0", "S1"])
    found = await b.search(SearchQuery(q="谭记", kind="enterprise"))
    assert [h.key for h in found.hits] == ["S2"] and found.total == 1
    await b.remove("enterprise", ["S2"])
    await b.remove("product", ["P1"])
    conn = b._connection()
    assert conn.execute("SELECT count(*) FROM names").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM others").fetchone()[0] == 0
    assert (await b.search(SearchQuery(q="tjlsf"))).total == 0  # no sound left behind
    await b.index([shops[0]])
    assert [h.key for h in (await b.search(SearchQuery(q="tjlsf"))).hits] == ["S0"]
    await b.close()


async def test_a_page_shows_several_names_before_more_of_one(tmp_path):
    b = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
    docs = [SearchDoc("enterprise", f"A{i:02d}", "谭记螺蛳粉") for i in range(6)]
    docs += [SearchDoc("enterprise", f"B{i:02d}", "唐记螺蛳粉") for i in range(6)]
    await b.rebuild(docs)
    titles = [h.title for h in (await b.search(SearchQuery(q="螺蛳粉", size=4))).hits]
    assert sorted(titles[:2]) == ["唐记螺蛳粉", "谭记螺蛳粉"] and len(set(titles)) == 2
    await b.close()

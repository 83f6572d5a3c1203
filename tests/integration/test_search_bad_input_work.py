"""Awkward queries of issue 14 never scan the whole embedded index: the SQLite work they cost
(virtual-machine steps, counted by a progress handler: deterministic, not a timing) stays
bounded when the index grows fourfold. Too much text is a clear 400 before any reading."""

from __future__ import annotations

import random

import pytest

from core.errors import InvalidInput
from search.base import SearchDoc, SearchQuery
from search.embedded import EmbeddedSearchBackend

WORDS = ("螺蛳粉", "柳州", "江滨", "食品", "米粉", "冷链", "商店", "城中", "鱼峰", "贸易", "老友",
         "酸笋", "柳北", "粮油")
AWKWARD = ["！？。，、", "l", "江滨lsf", "螺😀蛳粉", "🍜柳🍜州🍜", "ＬＺ", "柳州" + "👍" * 40,
           "冷 链 商 店", "liuzhou"]
STEP = 100  # progress handler granularity (VM instructions)


def docs(n: int, seed: int = 3) -> list[SearchDoc]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        name = "".join(rng.sample(WORDS, rng.randint(2, 4))) + f"{i % 97}号"
        out.append(SearchDoc("enterprise", f"K{i:06d}", name, "柳州市" + rng.choice(WORDS),
                             division_code="450202", lat=24.3 + rng.random() / 10,
                             lng=109.4 + rng.random() / 10))
    return out


@pytest.fixture(scope="module")
def sizes(tmp_path_factory):
    import asyncio

    paths = {}

    async def build(n):
        path = tmp_path_factory.mktemp(f"work{n}") / "search.sqlite3"
        backend = EmbeddedSearchBackend(path)
        await backend.rebuild(docs(n))
        await backend.close()
        return path

    for n in (5000, 20000):
        paths[n] = asyncio.run(build(n))
    return paths


async def steps(path, q: str) -> tuple[int, int]:
    """(VM steps / STEP, hits) of one search of ``q``."""
    backend = EmbeddedSearchBackend(path)
    try:
        await backend.count()  # opens the connection
        counted = [0]

        def tick():
            counted[0] += 1
            return 0

        backend._connection().set_progress_handler(tick, STEP)
        result = await backend.search(SearchQuery(q=q))
        return counted[0], len(result.hits)
    finally:
        await backend.close()


@pytest.mark.parametrize("q", AWKWARD)
async def test_awkward_queries_cost_no_more_on_a_bigger_index(sizes, q):
    small, small_hits = await steps(sizes[5000], q)
    big, big_hits = await steps(sizes[20000], q)
    assert big_hits >= small_hits  # it did search
    # four times the documents: a scan costs four times the steps (see the control below)
    assert big <= 2 * small + 50, (q, small, big)


async def test_control_a_scan_would_fail_that_bound(sizes):
    counts = []
    for n in (5000, 20000):
        backend = EmbeddedSearchBackend(sizes[n])
        await backend.count()
        counted = [0]
        conn = backend._connection()
        conn.set_progress_handler(lambda: counted.__setitem__(0, counted[0] + 1), STEP)
        conn.execute("SELECT count(*) FROM docs WHERE title LIKE '%螺蛳粉%'").fetchone()
        counts.append(counted[0])
        await backend.close()
    assert counts[1] > 2 * counts[0] + 50


async def test_only_punctuation_reads_nothing(sizes):
    assert await steps(sizes[20000], "！？。，、") == (0, 0)


@pytest.mark.parametrize("q, code", [
    (" ".join(["螺"] * 64), "search_query_too_long"),
    (" ".join("柳州城中区螺蛳粉店米"), "search_too_many_terms"),
    ("廣西壯族自治區柳州市城中區農副產品貿易市場" * 25, "search_query_too_long"),
    ("  \u3000 ", "search_query_empty"),
])
async def test_too_much_or_no_text_is_refused_before_reading(sizes, q, code):
    backend = EmbeddedSearchBackend(sizes[20000])
    try:
        await backend.count()
        counted = [0]
        backend._connection().set_progress_handler(lambda: counted.__setitem__(0, 1), STEP)
        with pytest.raises(InvalidInput) as caught:
            await backend.search(SearchQuery(q=q))
        assert caught.value.code == code and counted == [0]
    finally:
        await backend.close()

"""``gongzhi up`` ends with a searchable demo; ``gongzhi reindex`` rebuilds it from the database."""

from __future__ import annotations

import asyncio

from gongzhi.cli import main
from search.base import SearchQuery
from search.embedded import EmbeddedSearchBackend
from search.pinyin import readings


def test_up_leaves_a_searchable_demo_and_reindex_rebuilds_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GONGZHI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GONGZHI_DB_URL", f"sqlite://{tmp_path / 'gongzhi.sqlite3'}")
    monkeypatch.delenv("GONGZHI_SEARCH_BACKEND", raising=False)
    assert main(["up", "--no-serve", "--enterprises", "10"]) == 0
    out = capsys.readouterr().out
    assert "demo data loaded" in out and "search index:" in out

    async def check() -> tuple[int, list[str]]:
        search = EmbeddedSearchBackend(tmp_path / "search.sqlite3")
        try:
            initials = readings("柳州螺蛳粉")[0][1]
            hits = (await search.search(SearchQuery(q=initials, size=50))).hits
            return await search.count(), [h.title for h in hits]
        finally:
            await search.close()

    count, titles = asyncio.run(check())
    assert count > 10 and any("螺蛳粉" in t for t in titles)
    (tmp_path / "search.sqlite3").unlink()  # the index lost: up and reindex bring it back
    assert main(["up", "--no-serve"]) == 0
    assert asyncio.run(check())[0] == count
    assert main(["reindex", "--quiet"]) == 0
    assert f"search index rebuilt: {count} documents" in capsys.readouterr().out
    assert asyncio.run(check())[0] == count

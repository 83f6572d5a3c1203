"""The regulator's trace export over real HTTP: the matching batches, their inputs and what
was made from them, one row per event; the CSV and the XLSX (read back with openpyxl) hold the
same rows; a long range comes in pages; staff only; bad queries are 400."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest

from profiles.export_formats import COLUMNS, SHEET
from tests import factories as F

STAFF = {"Authorization": "Bearer test-exchange-token"}
NDJSON = {"Content-Type": "application/x-ndjson", **STAFF}
DAYS = ["2025-12-31", "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]


def records() -> list[dict]:
    """P1 batches K0..K5 made from raw batch R1 (P9 of enterprise 2); K2 used in M1 (P2)."""
    out = [F.enterprise(1), F.enterprise(2, kind="processor", licence_no="SC10345020400025"),
           F.product("P1"), F.product("P9", enterprise_n=2, name="酸笋"),
           F.product("P2", enterprise_n=2, name="螺蛳粉礼盒"),
           F.batch("R1", product_id="P9", produced_at="2025-12-01"),
           F.event("ER1", batch_id="R1", place_uscc=F.uscc(2),
                   occurred_at="2025-12-01T08:00:00+08:00")]
    for n, day in enumerate(DAYS):
        out += [F.batch(f"K{n}", produced_at=day),
                F.event(f"EK{n}a", batch_id=f"K{n}", inputs=["R1"],
                        occurred_at=f"{day}T08:00:00+08:00"),
                F.event(f"EK{n}b", batch_id=f"K{n}", kind="shipping",
                        occurred_at=f"{day}T18:00:00+08:00",
                        detail={"counterparty": {"name": "柳州某超市", "uscc": F.uscc(3)},
                                "certificates": [{"kind": "quarantine", "number": f"JY-{n}"}]})]
    out += [F.batch("M1", product_id="P2", produced_at="2026-01-10"),
            F.event("EM1", batch_id="M1", place_uscc=F.uscc(2), inputs=["K2"],
                    occurred_at="2026-01-10T08:00:00+08:00")]
    return out


@pytest.fixture
async def data(http):
    answer = await http.post("/api/v1/exchange", content=F.ndjson(records()), headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text


def read_csv(body: bytes) -> list[dict]:
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [title for _, title in COLUMNS]
    names = [name for name, _ in COLUMNS]
    return [dict(zip(names, r)) for r in rows[1:]]


async def test_csv_and_xlsx_hold_the_events_of_the_batches_and_their_links(http, data):
    params = {"product_id": "P1", "from": "2026-01-01", "to": "2026-01-03"}
    answer = await http.get("/api/v1/exports/trace", params=params, headers=STAFF)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert "link" not in answer.headers
    rows = read_csv(answer.content)
    assert [(r["depth"], r["event_id"]) for r in rows] == [
        ("0", "EK1a"), ("0", "EK1b"), ("0", "EK2a"), ("0", "EK2b"), ("0", "EK3a"),
        ("0", "EK3b"), ("-1", "ER1"), ("1", "EM1")]
    shipped = rows[1]
    assert (shipped["lot"], shipped["counterparty_uscc"], shipped["documents"]) == (
        "LK1", F.uscc(3), "检疫证明 JY-1")
    assert shipped["occurred_at"] == "2026-01-01 18:00:00"  # Asia/Shanghai
    assert rows[0]["inputs"] == "R1" and rows[0]["relation"] == "查询批次"
    assert rows[6]["relation"] == "原料（上游第1层）" and rows[6]["producer_uscc"] == F.uscc(2)
    assert rows[7]["relation"] == "下游（第1层）" and rows[7]["product_name"] == "螺蛳粉礼盒"
    assert len(rows[0]["hash"]) == 64

    book_answer = await http.get("/api/v1/exports/trace", params={**params, "format": "xlsx"},
                                 headers=STAFF)
    assert book_answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(book_answer.content), read_only=True)
    sheet = book[SHEET]
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == [title for _, title in COLUMNS]
    assert [(r[0], r[2]) for r in table[1:]] == [(int(r["depth"]), r["event_id"]) for r in rows]
    when = table[2][[n for n, _ in COLUMNS].index("occurred_at")]
    assert isinstance(when, datetime) and when == datetime(2026, 1, 1, 18, 0)
    accept = await http.get("/api/v1/exports/trace", params=params, headers={
        **STAFF, "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert accept.content[:2] == b"PK"


async def test_by_lot(http, data):
    rows = read_csv((await http.get("/api/v1/exports/trace", params={"lot": "LK4"},
                                    headers=STAFF)).content)
    assert [r["event_id"] for r in rows] == ["EK4a", "EK4b", "ER1"]


async def test_a_ten_year_range_comes_in_pages(http, server, data):
    server[1].ctx.settings = server[1].ctx.settings.with_(export_page_batches=4)
    params = {"product_id": "P1", "from": "2016-01-01", "to": "2026-12-31"}
    seen, pages = [], 0
    while True:
        answer = await http.get("/api/v1/exports/trace", params=params, headers=STAFF)
        assert answer.status_code == 200
        pages += 1
        rows = read_csv(answer.content)
        seen += [r["batch_id"] for r in rows if r["depth"] == "0"]
        assert int(answer.headers["x-matched-batches"]) <= 4
        if "x-next-cursor" not in answer.headers:
            break
        assert answer.headers["link"].endswith('rel="next"')
        params = {**params, "cursor": answer.headers["x-next-cursor"]}
    assert pages == 2
    assert list(dict.fromkeys(seen)) == [f"K{n}" for n in range(6)]


async def test_nothing_matching_is_a_header_only_file(http, data):
    rows = read_csv((await http.get("/api/v1/exports/trace", params={
        "product_id": "P1", "from": "2020-01-01", "to": "2020-12-31"}, headers=STAFF)).content)
    assert rows == []


@pytest.mark.parametrize("params,code", [
    ({"product_id": "P1"}, "export_query_missing"),
    ({"from": "2026-01-01", "to": "2026-01-02"}, "export_query_missing"),
    ({"product_id": "P1", "from": "2026-01-05", "to": "2026-01-01"}, "invalid_range"),
    ({"product_id": "P1", "from": "2026-13-01", "to": "2026-12-31"}, "invalid_date"),
    ({"lot": "LK1", "format": "pdf"}, "invalid_format"),
    ({"lot": "LK1", "cursor": "@@"}, "invalid_cursor"),
    ({"lot": "L" * 200}, "invalid_key"),
])
async def test_bad_queries(http, params, code):
    answer = await http.get("/api/v1/exports/trace", params=params, headers=STAFF)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


async def test_staff_only(http):
    assert (await http.get("/api/v1/exports/trace", params={"lot": "LK1"})).status_code == 401
    wrong = await http.get("/api/v1/exports/trace", params={"lot": "LK1"},
                           headers={"Authorization": "Bearer someone-else"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "staff_token_invalid"

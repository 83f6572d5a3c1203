"""No public answer repeats a phone number, resident ID number or vehicle plate that a record's
free text carried: scan, enterprise profile, product page, notices, forward tracing and search
all read the same scrubbed text (tracing/view/privacy.py). Natural persons named as actors and
counterparties are masked everywhere they are shown."""

from __future__ import annotations

import orjson

from tests import factories as F

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
MOBILE, ID_NO, PLATE = "13907721234", "11010519491231002X", "桂BD12345"
LEAK = f"联系{MOBILE}，身份证{ID_NO}，车辆{PLATE}"
SECRETS = (MOBILE, ID_NO, "D12345", "王小明")


def records() -> list[dict]:
    return [
        F.enterprise(1), F.enterprise(2, name="柳州鱼峰超市有限公司", kind="retailer",
                                      licence_no="JY14502040000028"),
        F.product("P1", storage=f"阴凉干燥处，{LEAK}"),
        F.batch("B1"), F.code("LZ0000000001", batch_id="B1"),
        F.event("E1", actor="王小明", place={"name": f"一号车间（{MOBILE}）"},
                detail={"reason": LEAK}),
        F.event("E2", kind="sale", occurred_at="2026-09-05T10:00:00+08:00", actor="王小明",
                detail={"counterparty": {"name": "王小明"}, "reason": LEAK}),
        F.event("E3", kind="sale", occurred_at="2026-09-06T10:00:00+08:00",
                detail={"counterparty": {"uscc": F.uscc(2), "name": "柳州鱼峰超市有限公司"}}),
        F.sampling("S1", sampled_at="2026-09-20", result="fail",
                   failed_items=[f"菌落总数（{LEAK}）"]),
        F.enforcement("LSJ-2026-001", violation=f"标签不符合标准，{LEAK}",
                      penalty=f"警告，{LEAK}"),
        F.recall("ZH-2026-0001", reason=f"酸笋亚硝酸盐超标，{LEAK}", started_at="2026-10-05"),
        F.notice("N1", kind="recall", title=f"召回公告（{MOBILE}）", body=LEAK,
                 related=["ZH-2026-0001"]),
    ]


async def test_no_public_answer_repeats_personal_data_from_free_text(http):
    body = b"".join(orjson.dumps(r) + b"\n" for r in records())
    answer = await http.post("/api/v1/exchange", content=body, headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text
    paths = ["/api/v1/scan?code=LZ0000000001", f"/api/v1/enterprises/{F.uscc(1)}",
             "/api/v1/products/P1", "/api/v1/notices", "/api/v1/notices/N1",
             "/api/v1/batches/B1/downstream", "/api/v1/search?q=螺蛳粉"]
    for path in paths:
        got = await http.get(path)
        assert got.status_code == 200, (path, got.text)
        for secret in SECRETS:
            assert secret not in got.text, (path, secret)
    scan = (await http.get(paths[0])).json()
    shown = {e["event_id"]: e for e in scan["events"]}
    assert shown["E1"]["actor"] == "王**" and "138" not in shown["E1"]["place"]["name"]
    assert shown["E2"]["detail"]["counterparty"] == {"name": "王**"}
    assert shown["E3"]["detail"]["counterparty"]["name"] == "柳州鱼峰超市有限公司"
    assert "139****1234" in scan["alerts"][0]["message"]  # the recall, scrubbed not dropped

"""Public facts that cannot be bent, over real HTTP: records sent through the exchange, the
scan read back (cache invalidation included). Recalls stay on a recalled batch after the
procedure ends and are lifted only by a withdrawal with a reason; corrections are said as
such; the cold chain goes by storage class; an expired input and a shared cold store with a
failed batch are flagged. Dates are relative to today: the server runs on the real clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import orjson
import pytest

from core.clock import SHANGHAI
from tests import factories as F
from tracing.demo.generator import DEMO_KEYS, write_demo

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
TODAY = datetime.now(SHANGHAI).date()
STORE = F.uscc(7)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def moment(offset: int, hour: int = 8) -> str:
    return datetime.combine(TODAY + timedelta(days=offset), time(hour), SHANGHAI).isoformat()


async def send(http, records) -> dict:
    body = b"".join(orjson.dumps(r) + b"\n" for r in records)
    answer = await http.post("/api/v1/exchange", content=body, headers=NDJSON)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def scan(http, code: str = "LZ0000000001") -> dict:
    answer = await http.get("/api/v1/scan", params={"code": code})
    assert answer.status_code == 200, answer.text
    return answer.json()


def kinds(view: dict) -> list[str]:
    return [a["kind"] for a in view["alerts"]]


def base(**product) -> list[dict]:
    """Producer, a product made 30 days ago (180 days' shelf life) and its coded batch B1."""
    return [F.enterprise(1), F.product("P1", **product), F.batch("B1", produced_at=day(-30)),
            F.code("LZ0000000001", batch_id="B1")]


def a_recall(**more) -> dict:
    return F.recall(started_at=day(-10), **more)


async def test_a_completed_recall_keeps_the_batch_recalled(http):
    assert (await send(http, [*base(), a_recall()]))["rejected"] == []
    assert (await scan(http))["status"] == "recalled"
    assert (await send(http, [a_recall(status="completed")]))["rejected"] == []
    view = await scan(http)
    assert view["status"] == "recalled" and kinds(view)[0] == "recall"
    message = view["alerts"][0]["message"]
    assert message.startswith("该批次已被二级召回") and "召回程序已结束" in message


async def test_a_product_recall_speaks_of_the_whole_product(http):
    await send(http, [*base(), a_recall(batch_ids=None, product_id="P1")])
    view = await scan(http)
    assert view["status"] == "recalled"
    assert view["alerts"][0]["message"].startswith("该产品（全部批次）正在二级召回")


async def test_only_a_withdrawal_with_a_reason_lifts_a_recall_and_it_shows(http):
    await send(http, [*base(), a_recall(status="completed")])
    refused = await send(http, [a_recall(status="withdrawn")])
    assert [r["code"] for r in refused["rejected"]] == ["correction_reason_required"]
    assert (await scan(http))["status"] == "recalled"
    lifted = await send(http, [a_recall(status="withdrawn", correction_reason="误发：批号录入错误")])
    assert lifted["rejected"] == []
    view = await scan(http)
    assert view["status"] == "ok" and kinds(view) == ["recall_withdrawn"]
    message = view["alerts"][0]["message"]
    assert message.startswith("已更正：二级召回") and "更正原因：误发：批号录入错误" in message


async def test_a_corrected_sampling_is_said_to_be_corrected(http):
    failed = F.sampling("S1", lot="LB1", product_name="原味螺蛳粉", sampled_at=day(-5),
                        result="fail", failed_items=["菌落总数"])
    await send(http, [*base(), failed])
    assert "failed_sampling" in kinds(await scan(http))
    downgrade = await send(http, [{**failed, "result": "pass", "failed_items": []}])
    assert [r["code"] for r in downgrade["rejected"]] == ["correction_reason_required"]
    assert "failed_sampling" in kinds(await scan(http))
    await send(http, [{**failed, "result": "pass", "failed_items": [],
                       "correction_reason": "复检合格：原报告数据录入错误"}])
    view = await scan(http)
    assert view["status"] == "ok" and kinds(view) == ["sampling_corrected"]
    [shown] = view["inspections"]["sampling"]
    assert shown["result"] == "pass"
    assert shown["correction"] == ("已更正：原结果为不合格（菌落总数），更正原因：复检合格：原报告"
                                   f"数据录入错误，更正于{TODAY.isoformat()}")


@pytest.mark.parametrize("storage_class", ["ambient", None])
async def test_refrigerate_after_opening_raises_no_excursion(http, storage_class):
    warm = {"temperatures": [{"at": moment(-20, 9), "celsius": 26.5}]}
    await send(http, [*base(storage="常温保存，开封后冷藏", storage_class=storage_class),
                      F.event("E1", kind="shipping", occurred_at=moment(-20), detail=warm)])
    view = await scan(http)
    assert view["status"] == "ok" and view["alerts"] == []
    assert view["product"]["storage_class"] == storage_class


async def test_a_frozen_product_is_held_to_minus_18(http):
    cold = {"temperatures": [{"at": moment(-20, 9), "celsius": -16.0}]}
    await send(http, [*base(storage="冷冻", storage_class="frozen"),
                      F.event("E1", kind="shipping", occurred_at=moment(-20), detail=cold)])
    [alert] = (await scan(http))["alerts"]
    assert alert["kind"] == "temperature_excursion" and alert["limit"] == -18


async def test_an_input_used_after_its_expiry_is_flagged_with_both_dates(http):
    noodles = [F.product("P2", name="鲜湿米粉", shelf_life_days=3, storage="0-10℃冷藏"),
               F.batch("B2", product_id="P2", lot="MF1", produced_at=day(-40))]
    await send(http, [*base(), *noodles,
                      F.event("E1", kind="production", occurred_at=moment(-30), inputs=["B2"])])
    view = await scan(http)
    [alert] = view["alerts"]
    assert (alert["kind"], alert["severity"], view["status"]) == ("input_expired", "high",
                                                                 "warning")
    assert f"已于{day(-37)}过期" in alert["message"] and f"在{day(-30)}投入生产" in alert["message"]


async def test_the_demo_shows_its_expired_input(http):
    import io

    out = io.StringIO()
    write_demo(out, enterprises=10, now=datetime.combine(TODAY, time(12), SHANGHAI))
    assert (await send(http, [orjson.loads(line) for line in out.getvalue().splitlines()]))[
        "rejected"] == []
    assert "input_expired" in kinds(await scan(http, DEMO_KEYS["expired_input_code"]))
    assert (await scan(http, DEMO_KEYS["ok_code"]))["status"] == "ok"


def failed_check(batch_id: str, on: int) -> list[dict]:
    """The batch's failed inspection on day ``on`` at 10:00."""
    return [F.event(f"I{batch_id[1:]}", batch_id=batch_id, kind="inspection",
                    occurred_at=moment(on, 10),
                    detail={"inspection": {"item": "核酸", "result": "fail"}})]


def stored(batch_id: str, code: str, days: tuple[int, int], *, failed: bool) -> list[dict]:
    """A batch of chilled snail meat kept in the cold store STORE between two days."""
    n = batch_id[1:]
    records = [F.batch(batch_id, product_id="P5", lot=f"L{batch_id}", produced_at=day(-12)),
               F.code(code, batch_id=batch_id),
               F.event(f"S{n}", batch_id=batch_id, kind="storage_in", place_uscc=STORE,
                       occurred_at=moment(days[0])),
               F.event(f"T{n}", batch_id=batch_id, kind="storage_out", place_uscc=STORE,
                       occurred_at=moment(days[1]))]
    return records + (failed_check(batch_id, days[1]) if failed else [])


async def test_a_batch_that_shared_a_cold_store_with_a_failed_one_is_warned(http):
    snails = F.product("P5", name="冷鲜螺蛳肉", shelf_life_days=30, storage="0-4℃冷藏",
                       storage_class="chilled")
    store = F.enterprise(7, name="柳州鸿顺冷链物流有限公司", kind="cold_storage",
                         licence_no="JY14502040000011")
    await send(http, [F.enterprise(1), store, snails,
                      *stored("B5", "LZ0000000005", (-10, -8), failed=False),
                      *stored("B6", "LZ0000000006", (-9, -7), failed=True),
                      *stored("B7", "LZ0000000007", (-6, -5), failed=False)])
    view = await scan(http, "LZ0000000005")
    [alert] = view["alerts"]
    assert (alert["kind"], alert["shared"], alert["batch_id"]) == ("related_risk", "store", "B6")
    assert "柳州鸿顺冷链物流有限公司" in alert["message"] and "LB6" in alert["message"]
    assert view["status"] == "warning"
    assert (await scan(http, "LZ0000000007"))["alerts"] == []  # there after B6 left


def carried(batch_id: str, code: str, days: tuple[int, int], *, failed: bool) -> list[dict]:
    """A batch of chilled snail meat shipped in truck 桂BD2K823 and received a day later."""
    n = batch_id[1:]
    truck = {"vehicle": {"plate": "桂BD2K823", "kind": "冷藏车"}}
    records = [F.batch(batch_id, product_id="P5", lot=f"L{batch_id}", produced_at=day(-12)),
               F.code(code, batch_id=batch_id),
               F.event(f"S{n}", batch_id=batch_id, kind="shipping", occurred_at=moment(days[0]),
                       detail=truck),
               F.event(f"R{n}", batch_id=batch_id, kind="receiving", place_uscc=STORE,
                       occurred_at=moment(days[1]))]
    return records + (failed_check(batch_id, days[1]) if failed else [])


async def test_a_batch_carried_in_the_same_vehicle_as_a_failed_one_is_warned_masked(http):
    snails = F.product("P5", name="冷鲜螺蛳肉", shelf_life_days=30, storage="0-4℃冷藏",
                       storage_class="chilled")
    store = F.enterprise(7, name="柳州鸿顺冷链物流有限公司", kind="cold_storage",
                         licence_no="JY14502040000011")
    await send(http, [F.enterprise(1), store, snails,
                      *carried("B5", "LZ0000000005", (-10, -9), failed=False),
                      *carried("B6", "LZ0000000006", (-10, -9), failed=True),
                      *carried("B7", "LZ0000000007", (-5, -4), failed=False)])
    answer = await http.get("/api/v1/scan", params={"code": "LZ0000000005"})
    view = answer.json()
    [alert] = view["alerts"]
    assert (alert["kind"], alert["shared"], alert["batch_id"]) == ("related_risk", "vehicle",
                                                                   "B6")
    assert alert["plate"] == "桂B·***23" and "同一车辆（桂B·***23）" in alert["message"]
    assert "D2K8" not in answer.text  # the plate is masked in the events as well
    assert (await scan(http, "LZ0000000007"))["alerts"] == []  # the truck's later trip


async def test_a_misfit_licence_is_a_warning_beside_rejected_in_the_answer(http):
    caterer = F.enterprise(3, name="柳州螺蛳粉餐馆", kind="caterer", licence_no="SC10345020400033")
    shop = F.enterprise(4, name="柳州预包装食品店", kind="retailer", licence_no="YB14502040000010")
    answer = await send(http, [F.enterprise(1), caterer, shop, F.product("P1"),
                               F.enforcement("柳市监处罚〔2026〕88号", enterprise_n=3,
                                             decided_at=day(-3))])
    assert answer["accepted"] == 5 and answer["rejected"] == []
    [warning] = answer["warnings"]
    assert (warning["line"], warning["field"], warning["code"]) == (2, "licence_no",
                                                                    "licence_kind_mismatch")
    assert "餐饮服务" in warning["message"]
    profile = (await http.get(f"/api/v1/enterprises/{F.uscc(3)}")).json()
    assert "柳市监处罚〔2026〕88号" in str(profile)

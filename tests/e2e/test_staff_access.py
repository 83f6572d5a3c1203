"""Staff sessions act for the regulator over real HTTP: the trace export and correction
requests accept a supervisor's session, a handler's within its district (403 outside it) and
the regulator platform's exchange token; a consumer's or an enterprise user's WeChat session
is 403, an expired staff session, an unknown token or none at all 401."""

from __future__ import annotations

import asyncio

import pytest

from accounts.staff import add_staff, login_staff
from tests import factories as F
from tests.e2e.test_enterprise_account import bound, login, settings  # noqa: F401
from tests.e2e.test_trace_export import read_csv

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
EXCHANGE = {"Authorization": "Bearer test-exchange-token"}
PASSWORD = "correct horse battery"
OTHER = "450202"  # 柳州市城中区: another district than the factories' 450204
U3 = F.uscc(3, division=OTHER)


@pytest.fixture
async def world(http):
    """F.world() in 450204, and enterprise 3 in 450202 whose batch B9 shares B1's lot."""
    records = F.world() + [
        F.enterprise(3, uscc=U3, division_code=OTHER, licence_no="SC10345020200013"),
        F.product("P3", enterprise_uscc=U3, name="鸭脚螺蛳粉"),
        F.batch("B9", product_id="P3", lot="LB1"),
        F.event("E9", batch_id="B9", kind="production", place_uscc=U3)]
    answer = await http.post("/api/v1/exchange", content=F.ndjson(records), headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text


@pytest.fixture
async def staff(http) -> dict[str, dict]:
    """Bearer headers of a handler of 450204, a handler of 450202 and a supervisor."""
    accounts = {"liunan.handler": ("handler", F.DIVISION), "chengzhong.handler": ("handler", OTHER),
                "city.super": ("supervisor", None)}
    headers = {}
    for username, (role, division) in accounts.items():
        await add_staff(username=username, name="工作人员", role=role, division=division,
                        password=PASSWORD)
        answer = await http.post("/api/v1/auth/staff",
                                 json={"username": username, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        headers[username] = {"Authorization": "Bearer " + answer.json()["token"]}
    return headers


def batches_of(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return sorted({r["batch_id"] for r in read_csv(answer.content) if r["depth"] == "0"})


async def test_export_for_supervisor_handler_and_exchange_token(http, world, staff):
    lot = {"lot": "LB1"}
    assert batches_of(await http.get("/api/v1/exports/trace", params=lot,
                                     headers=staff["city.super"])) == ["B1", "B9"]
    assert batches_of(await http.get("/api/v1/exports/trace", params=lot,
                                     headers=EXCHANGE)) == ["B1", "B9"]
    # a handler gets its district's producers' batches only
    assert batches_of(await http.get("/api/v1/exports/trace", params=lot,
                                     headers=staff["liunan.handler"])) == ["B1"]
    assert batches_of(await http.get("/api/v1/exports/trace", params=lot,
                                     headers=staff["chengzhong.handler"])) == ["B9"]
    own = {"product_id": "P3", "from": "2026-01-01", "to": "2026-12-31"}
    assert batches_of(await http.get("/api/v1/exports/trace", params=own,
                                     headers=staff["chengzhong.handler"])) == ["B9"]
    foreign = await http.get("/api/v1/exports/trace", params=own,
                             headers=staff["liunan.handler"])
    assert foreign.status_code == 403
    error = foreign.json()["error"]
    assert (error["code"], error["field"]) == ("outside_jurisdiction", "Authorization")
    assert "P3" in error["message"] and F.DIVISION in error["message"]


async def test_correction_decisions_by_district(http, settings, world, staff):
    owner = await bound(http, settings, "owner-staff")
    asked = await http.post("/api/v1/me/enterprise/corrections", headers=owner, json={
        "target": {"type": "product", "key": "P1"}, "field": "spec",
        "proposed": "350g/袋", "reason": "规格已于十月调整"})
    assert asked.status_code == 201, asked.text
    number = asked.json()["id"]
    listed = {name: [r["id"] for r in (await http.get("/api/v1/corrections",
                                                      headers=headers)).json()["items"]]
              for name, headers in staff.items()}
    assert listed == {"liunan.handler": [number], "chengzhong.handler": [],
                      "city.super": [number]}
    decision = {"decision": "rejected", "note": "请附规格变更的备案材料"}
    outside = await http.post(f"/api/v1/corrections/{number}/decision", json=decision,
                              headers=staff["chengzhong.handler"])
    assert outside.status_code == 403
    assert outside.json()["error"]["code"] == "outside_jurisdiction"
    decided = await http.post(f"/api/v1/corrections/{number}/decision", json=decision,
                              headers=staff["liunan.handler"])
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["decided_by"]) == (
        "rejected", "liunan.handler")
    again = await http.post(f"/api/v1/corrections/{number}/decision", json=decision,
                            headers=staff["city.super"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "correction_decided"


async def test_supervisor_decides_anywhere(http, settings, world, staff):
    owner = await bound(http, settings, "owner-super")
    asked = await http.post("/api/v1/me/enterprise/corrections", headers=owner, json={
        "target": {"type": "enterprise", "key": F.uscc(1)}, "field": "public_phone",
        "proposed": "0772-3801235", "reason": "对外电话已更换"})
    decided = await http.post(f"/api/v1/corrections/{asked.json()['id']}/decision",
                              headers=staff["city.super"],
                              json={"decision": "accepted", "note": "已核实"})
    assert decided.status_code == 200 and decided.json()["decided_by"] == "city.super"


@pytest.mark.parametrize("path", ["/api/v1/exports/trace?lot=LB1", "/api/v1/corrections"])
async def test_wechat_sessions_are_not_staff(http, settings, world, path):
    consumer = await login(http, "consumer")
    answer = await http.get(path, headers=consumer)
    assert answer.status_code == 403
    assert (answer.json()["error"]["code"], answer.json()["error"]["field"]) == (
        "staff_only", "Authorization")
    owner = await bound(http, settings, "owner-not-staff")
    assert (await http.get(path, headers=owner)).json()["error"]["code"] == "staff_only"


@pytest.mark.parametrize("path", ["/api/v1/exports/trace?lot=LB1", "/api/v1/corrections"])
async def test_missing_unknown_and_expired_tokens_are_401(http, server, world, path):
    none = await http.get(path)
    assert (none.status_code, none.json()["error"]["code"]) == (401, "token_missing")
    unknown = await http.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (
        401, "staff_token_invalid")
    await add_staff(username="brief.super", name="临时", role="supervisor", division=None,
                    password=PASSWORD)
    token, _ = await login_staff(username="brief.super", password=PASSWORD, ttl=1)
    fresh = await http.get(path, headers={"Authorization": f"Bearer {token}"})
    assert fresh.status_code == 200
    await asyncio.sleep(1.2)  # the session's lifetime passes
    expired = await http.get(path, headers={"Authorization": f"Bearer {token}"})
    assert (expired.status_code, expired.json()["error"]["code"]) == (
        401, "staff_token_invalid")

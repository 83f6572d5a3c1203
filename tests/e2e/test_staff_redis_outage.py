"""Staff logins through a Redis outage (a redis-server the test starts and kills itself):
handlers' sessions live in the database, so a token issued before the outage keeps working,
a new login works while Redis is down, and both outlive its return (an emptied Redis)."""

from __future__ import annotations

import asyncio

from accounts.staff import StaffLogin, add_staff
from tests.e2e.test_redis_outage import app, back_on_redis, redis_server  # noqa: F401

PASSWORD = "correct horse battery"


async def login(http) -> dict:
    answer = await http.post("/api/v1/auth/staff",
                             json={"username": "w.handler", "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    assert answer.json()["staff"]["division"] == "450204"
    return {"Authorization": "Bearer " + answer.json()["token"]}


async def queue(http, auth: dict):
    return await http.get("/api/v1/triage/complaints", headers=auth)


async def test_staff_keep_working_while_redis_is_down(app, redis_server):
    http, _ = app
    await add_staff(username="w.handler", name="王承办", role="handler", division="450204",
                    password=PASSWORD)
    before = await login(http)
    assert (await queue(http, before)).status_code == 200
    redis_server.kill()
    answers = await asyncio.gather(*(queue(http, before) for _ in range(10)))
    assert {a.status_code for a in answers} == {200}, answers[0].text
    during = await login(http)  # a login while Redis is down is a real, shared one
    assert (await queue(http, during)).status_code == 200
    assert await StaffLogin.all().count() == 2
    wrong = await http.post("/api/v1/auth/staff",
                            json={"username": "w.handler", "password": "not the password"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_failed"
    assert "用户名或密码错误" in wrong.json()["error"]["message"]
    nobody = await queue(http, {"Authorization": "Bearer " + "x" * 43})
    assert nobody.status_code == 401
    assert nobody.json()["error"]["code"] == "staff_login_required"
    redis_server.start()  # empty: nothing of the staff sessions was in it
    await back_on_redis(http)
    for auth in (before, during):
        assert (await queue(http, auth)).status_code == 200
    out = await http.delete("/api/v1/auth/staff", headers=during)
    assert out.status_code == 204
    gone = await queue(http, during)
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "staff_login_required"
    again = await http.delete("/api/v1/auth/staff", headers=during)
    assert again.status_code == 401 and "登录" in again.json()["error"]["message"]
    assert (await queue(http, before)).status_code == 200

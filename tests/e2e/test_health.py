"""The service answers health and its OpenAPI document over real HTTP."""


async def test_health_reports_every_part(http, settings):
    answer = await http.get("/api/v1/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["db"]["ok"] and body["cache"]["ok"] and body["search"]["ok"]
    assert body["db"]["backend"] == ("postgres" if settings.is_postgres else "sqlite")
    assert body["cache"]["backend"] == ("redis" if settings.redis_url else "memory")


async def test_openapi_lists_the_exchange(http):
    spec = (await http.get("/docs/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert "post" in spec["paths"]["/api/v1/exchange"]


async def test_unknown_path_answers_the_error_body(http):
    answer = await http.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"

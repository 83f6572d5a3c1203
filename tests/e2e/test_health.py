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


async def test_several_workers_without_redis_are_said_to_count_per_process(settings):
    """With GONGZHI_WORKERS above 1 and no Redis, each worker keeps its own scan limit, viewer
    marks and sessions: health warns about it, and so does the start-up banner."""
    import httpx

    from core.kv import MemoryStore
    from tests.conftest import running_app

    several = settings.with_(workers=3, redis_url=None)
    async with running_app(several, MemoryStore()) as (base, _):
        async with httpx.AsyncClient(base_url=base) as client:
            answer = await client.get("/api/v1/health")
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "warning"
    assert "3个工作进程未共享 Redis" in body["cache"]["warning"]
    assert "上限的3倍" in body["cache"]["warning"]
    assert "GONGZHI_REDIS_URL" in body["cache"]["warning"]


def test_the_start_up_banner_says_so_too(settings, capsys):
    from gongzhi.cli import _print_urls

    _print_urls(settings.with_(workers=2, redis_url=None))
    assert "注意：2个工作进程未共享 Redis" in capsys.readouterr().out
    _print_urls(settings.with_(workers=2, redis_url="redis://127.0.0.1:6379/0"))
    _print_urls(settings.with_(workers=1, redis_url=None))
    assert "注意" not in capsys.readouterr().out

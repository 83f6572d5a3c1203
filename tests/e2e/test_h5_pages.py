"""The H5 pages over HTTP (no browser): one shell for every page with the settings it needs,
its own Content-Security-Policy, its scripts and styles, and nothing else from the disk."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from api.blueprints import h5
from tests.conftest import running_app

STATIC = Path(h5.ROOT) / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


async def test_every_page_is_the_shell_with_its_policy(http):
    for page in sorted(h5.PAGES):
        answer = await http.get(f"/h5/{page}", params={"code": "LZ040000000002"})
        assert answer.status_code == 200, page
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert answer.headers.get_list("content-security-policy") == [CSP]
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert '<script type="module" src="/h5/static/js/main.js">' in answer.text
        assert "<script>" not in answer.text  # no inline script: the policy forbids it
    body = (await http.get("/h5/trace")).text
    assert 'data-appid="wx0000000000000000"' in body
    assert 'data-recall-template="TPL_RECALL_NOTICE"' in body
    assert 'data-login-url=""' in body  # no stand-in configured: the page makes its code


async def test_home_goes_to_the_scan_page_and_an_unknown_page_is_a_404_page(http):
    home = await http.get("/h5")
    assert (home.status_code, home.headers["location"]) == (302, "/h5/scan")
    assert (await http.get("/h5/")).headers["location"] == "/h5/scan"
    unknown = await http.get("/h5/nothing-here")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")  # the shell says so in Chinese


async def test_a_stand_in_gives_login_codes_and_the_policy_lets_the_page_ask_it(settings,
                                                                                app_store):
    stand_in = settings.with_(wechat_api_url="http://127.0.0.1:8801/",
                              wechat_appid='wx"<script>')
    async with running_app(stand_in, app_store) as (base, _):
        async with httpx.AsyncClient(base_url=base) as http:
            answer = await http.get("/h5/me")
    assert 'data-login-url="http://127.0.0.1:8801/mock/wx.login"' in answer.text
    assert "connect-src 'self' http://127.0.0.1:8801;" in answer.headers["content-security-policy"]
    assert 'data-appid="wx&quot;&lt;script&gt;"' in answer.text  # escaped into the attribute
    real = h5.login_url(settings.with_(wechat_api_url="https://api.weixin.qq.com"))
    assert real == ""  # WeChat itself hands out no codes to a web page


async def test_static_files_with_their_types_and_nothing_outside(http):
    script = await http.get("/h5/static/js/main.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert (await http.get("/h5/static/app.css")).headers["content-type"].startswith("text/css")
    for path in ("/h5/static/js/nope.js", "/h5/static/../index.html",
                 "/h5/static/%2e%2e/%2e%2e/%2e%2e/api/app.py", "/h5/static/js",
                 "/h5/static/..%2F..%2F..%2Fpyproject.toml"):
        answer = await http.get(path)
        assert answer.status_code == 404, path
        assert "import" not in answer.text and "[project]" not in answer.text


def test_every_page_has_its_script_and_every_script_import_exists():
    for page in h5.PAGES:
        assert (STATIC / "js" / "pages" / f"{page}.js").is_file(), page
    main = (STATIC / "js" / "main.js").read_text(encoding="utf-8")
    titles = main.split("const PAGES = {")[1].split("};")[0]
    assert set(re.findall(r'"?([a-z][a-z-]*)"?: "', titles)) == h5.PAGES
    for script in STATIC.rglob("*.js"):
        for target in re.findall(r'from "(\.[^"]+)"', script.read_text(encoding="utf-8")):
            assert (script.parent / target).resolve().is_file(), (script, target)

"""The H5 pages in a real browser: ``gongzhi up`` (the README's command: demo data, then
serving) as a subprocess with its own database, the WeChat stand-in beside it, and one
headless Chromium (Debian's, never a downloaded one) per module; each test gets a fresh
phone-sized context (375×812). Screenshots go to ``test-artifacts/h5/``.

A missing Chromium or CJK font skips these tests, or fails them under REQUIRE_SERVICES=1."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.complaint_helpers import APPID, SECRET, load_standin
from tests.conftest import APP_REDIS_URL, DB_URL, REQUIRE_SERVICES, USE_POSTGRES, _free_port, \
    _pg_admin_url, need

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[3] / "test-artifacts" / "h5"
GONGZHI = [sys.executable, "-c", "import sys; from gongzhi.cli import main; sys.exit(main())"]
PHONE = {"width": 375, "height": 812}
UPLOAD_MAX_BYTES = 1024 * 1024  # a 1 MiB photo limit, so a real 413 needs no huge file


def _need_system(ok: bool, what: str) -> None:
    if ok:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but missing")
    pytest.skip(f"{what} missing")


@dataclass
class Site:
    base: str
    env: dict
    standin: str
    output: str

    def gongzhi(self, *args: str, stdin: str | None = None) -> str:
        """Run a ``gongzhi`` command against the served database; its standard output."""
        done = subprocess.run([*GONGZHI, *args], env=self.env, input=stdin, text=True,
                              capture_output=True, timeout=120, cwd=self.env["GONGZHI_DATA_DIR"])
        assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
        return done.stdout


def _database(tmp: Path):
    """(url, drop): a SQLite file, or a fresh PostgreSQL database beside GONGZHI_DB_URL."""
    if not USE_POSTGRES:
        return f"sqlite://{tmp / 'h5.sqlite3'}", lambda: None
    need(DB_URL, "PostgreSQL")
    import asyncpg

    name = f"gzh5_{uuid.uuid4().hex[:10]}"
    admin = DB_URL.replace("postgres://", "postgresql://", 1)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(sql)
        await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    return _pg_admin_url(DB_URL, name), lambda: asyncio.run(
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _wait(base: str, process: subprocess.Popen, err: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gongzhi up exited: {err.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gongzhi up did not start serving")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """``gongzhi up`` on a free port with the demo data and the WeChat stand-in."""
    tmp = tmp_path_factory.mktemp("h5site")
    url, drop = _database(tmp)
    port = _free_port()
    with load_standin().running_standin(APPID, SECRET) as standin:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
        env.update(GONGZHI_DATA_DIR=str(tmp), GONGZHI_DB_URL=url, GONGZHI_PORT=str(port),
                   GONGZHI_WECHAT_API_URL=standin, GONGZHI_WECHAT_APPID=APPID,
                   GONGZHI_WECHAT_SECRET=SECRET, GONGZHI_SANIC_TOUCHUP="false",
                   GONGZHI_SCAN_RATE_LIMIT="100000", GONGZHI_COMPLAINT_RATE_LIMIT="1000",
                   GONGZHI_AUTH_RATE_LIMIT="100000",  # every phone context logs in
                   GONGZHI_UPLOAD_MAX_BYTES=str(UPLOAD_MAX_BYTES))
        if APP_REDIS_URL:
            env["GONGZHI_REDIS_URL"] = APP_REDIS_URL
        out, err = tmp / "up.out", tmp / "up.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen([*GONGZHI, "up", "--enterprises", "8"], env=env,
                                       cwd=tmp, stdout=stdout, stderr=stderr, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base, process, err)
            yield Site(base, env, standin, out.read_text())
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            drop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API keeps an event loop running in
    this thread while it is open, which later tests' ``asyncio.run`` cannot share."""
    _need_system(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    _need_system(bool(shutil.which("fc-list")) and "Noto Sans CJK" in os.popen("fc-list").read(),
                 "fonts-noto-cjk (apt-get install fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


class Phone:
    """Opens browser contexts the size of a phone and keeps what each page wrote to its
    console and threw (a page error fails the test)."""

    def __init__(self, browser, site: Site):
        self.browser, self.site, self.contexts, self.errors = browser, site, [], []

    def context(self, **options):
        options.setdefault("viewport", PHONE)
        context = self.browser.new_context(base_url=self.site.base, locale="zh-CN",
                                           timezone_id="Asia/Shanghai", **options)
        context.set_default_timeout(15000)
        self.contexts.append(context)
        return context

    def page(self, **options):
        page = self.context(**options).new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def phone(site, browser):  # (the site first: it may create a database with asyncio.run)
    opened = Phone(browser, site)
    yield opened
    opened.close()
    assert not opened.errors, opened.errors


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact; its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def main_text(page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("main"))

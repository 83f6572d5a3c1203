"""Kiosk test helpers: system packages the kiosk needs (a missing one skips its tests, or
fails them under REQUIRE_SERVICES=1, as services do), the stand-in server, a kiosk service."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REQUIRE = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")


def need_system(ok: bool, what: str) -> None:
    """Skip when a system package is missing; fail instead when REQUIRE_SERVICES=1."""
    if ok:
        return
    if REQUIRE:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but missing")
    pytest.skip(f"{what} missing")


def zbar_ok() -> bool:
    try:
        from pyzbar import pyzbar  # noqa: F401  (loads libzbar0)
        return True
    except (ImportError, OSError):
        return False


@pytest.fixture
def need_zbar():
    need_system(zbar_ok(), "libzbar0 (apt-get install libzbar0)")


@pytest.fixture
def need_chromium():
    need_system(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    need_system(bool(shutil.which("fc-list")) and "Noto Sans CJK" in os.popen(
        "fc-list").read(), "fonts-noto-cjk (apt-get install fonts-noto-cjk)")


@pytest.fixture
def need_espeak():
    need_system(bool(shutil.which("espeak-ng")), "espeak-ng (apt-get install espeak-ng)")


@pytest.fixture
def standin():
    from standin import StandIn

    with StandIn() as server:
        yield server


@pytest.fixture
def store(tmp_path):
    from kiosk.store import OfflineStore

    s = OfflineStore(tmp_path / "kiosk.sqlite3")
    yield s
    s.close()


def make_service(url: str, store, *, scan_timeout: float = 2.0, speaker=None):
    from kiosk.client import ServerClient
    from kiosk.display.server import DisplayHub
    from kiosk.service import KioskService
    from kiosk.speech import Speaker

    client = ServerClient(url, kiosk_id="market-01", key="k3y-secret")
    hub = DisplayHub(idle_seconds=30)
    return KioskService(client=client, store=store, hub=hub,
                        speaker=speaker or Speaker(enabled=False), phone_base=url,
                        complaint_url=url + "/complaint?code={code}",
                        scan_timeout=scan_timeout)

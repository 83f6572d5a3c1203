"""``gongzhi kiosk add`` and ``gongzhi kiosk list`` as processes against a private SQLite data
dir: the device key shown once and stored only as its hash, an id registered twice refused
unless ``--replace``, bad input named by field with nothing stored, and the list."""

from __future__ import annotations

import hashlib
import re
import sqlite3

import pytest

from tests.e2e.test_cli import gongzhi

GOOD = ["--market", "柳州市城中区农贸市场", "--division", "450202", "--lat", "24.31",
        "--lng", "109.41"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("kiosk-cli")


def rows(data_dir):
    with sqlite3.connect(data_dir / "gongzhi.sqlite3") as conn:
        return conn.execute("SELECT id, key_hash, market, division_code, lat, lng FROM kiosk "
                            "ORDER BY id").fetchall()


def test_add_shows_the_key_once_and_stores_its_hash(data_dir):
    added = gongzhi("kiosk", "add", *GOOD, "--id", "K-LZ-01", data_dir=data_dir)
    assert added.returncode == 0, added.stderr
    key = re.search(r"设备密钥（只显示这一次，请配置到终端上）：(\S+)", added.stdout).group(1)
    assert len(key) >= 32 and "--kiosk-id K-LZ-01" in added.stdout
    (row,) = rows(data_dir)
    assert row == ("K-LZ-01", hashlib.sha256(key.encode()).hexdigest(), "柳州市城中区农贸市场",
                   "450202", 24.31, 109.41)
    assert key.encode() not in (data_dir / "gongzhi.sqlite3").read_bytes()
    twice = gongzhi("kiosk", "add", *GOOD, "--id", "K-LZ-01", data_dir=data_dir)
    assert twice.returncode == 2 and "kiosk_id" in twice.stderr and "--replace" in twice.stderr
    assert rows(data_dir) == [row]
    renewed = gongzhi("kiosk", "add", *GOOD, "--id", "K-LZ-01", "--replace", data_dir=data_dir)
    assert renewed.returncode == 0 and rows(data_dir)[0][1] != row[1]
    generated = gongzhi("kiosk", "add", *GOOD, data_dir=data_dir)
    assert generated.returncode == 0 and re.search(r"终端 kiosk-[0-9a-f]{6} 已登记",
                                                   generated.stdout)


@pytest.mark.parametrize("change, field", [
    ({"--market": None}, "market"), ({"--market": "  "}, "market"),
    ({"--division": "999999"}, "division_code"), ({"--division": "450000"}, "division_code"),
    ({"--division": None}, "division_code"),
    ({"--lat": "48.85", "--lng": "2.35"}, "lat"),  # Paris
    ({"--lat": "-33.9", "--lng": "151.2"}, "lat"),  # Sydney
    ({"--lat": "91", "--lng": "109.41"}, "lat"), ({"--lat": "abc"}, "lat"),
    ({"--lng": None}, "lng"), ({"--id": "市场 1"}, "kiosk_id")])
def test_add_refuses_bad_input_by_field(tmp_path, monkeypatch, capsys, change, field):
    """In-process (the command's own main), a private data dir."""
    from gongzhi.cli import main

    monkeypatch.setenv("GONGZHI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GONGZHI_DB_URL", f"sqlite://{tmp_path / 'gongzhi.sqlite3'}")
    monkeypatch.delenv("GONGZHI_REDIS_URL", raising=False)
    args = dict(zip(GOOD[::2], GOOD[1::2])) | change
    argv = [part for name, value in args.items() if value is not None for part in (name, value)]
    assert main(["kiosk", "add", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gongzhi kiosk: {field}: "), err
    assert re.search(r"[\u4e00-\u9fff]", err)  # said in Chinese
    assert not (tmp_path / "gongzhi.sqlite3").exists()  # refused before touching the database


def test_list_names_each_kiosk_silent_ones_flagged(data_dir):
    listed = gongzhi("kiosk", "list", data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == len(rows(data_dir)) == 2
    assert any(line.startswith("【失联】K-LZ-01\t柳州市城中区农贸市场\t450202\t从未上报\t今日扫码0次")
               for line in lines)
    (data_dir / "none").mkdir()
    empty = gongzhi("kiosk", "list", data_dir=data_dir / "none")
    assert empty.returncode == 0 and "还没有登记的终端" in empty.stdout

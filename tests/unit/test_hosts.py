"""The platform's own hosts, and the warning for a code that names another."""

from __future__ import annotations

import pytest

from tracing.codes.hosts import (
    is_official, normal_host, official_hosts, unofficial_host_alert,
)
from tracing.codes.parse import parse_scan

OFFICIAL = official_hosts(public_base_url="https://trace.lz.gov.cn",
                          trace_hosts=("sy.liuzhou.gov.cn", "127.0.0.1:8000", " ", "Old.LZ.cn"))


def test_official_hosts_come_from_the_base_url_and_the_setting():
    assert OFFICIAL == {"trace.lz.gov.cn", "sy.liuzhou.gov.cn", "127.0.0.1:8000", "old.lz.cn"}
    assert official_hosts(public_base_url="http://127.0.0.1:8000", trace_hosts=()) == {
        "127.0.0.1:8000"}


@pytest.mark.parametrize("host, official", [
    ("trace.lz.gov.cn", True), ("trace.lz.gov.cn:443", True), ("trace.lz.gov.cn:80", True),
    ("trace.lz.gov.cn:8443", False), ("sy.liuzhou.gov.cn", True), ("old.lz.cn", True),
    ("127.0.0.1:8000", True), ("127.0.0.1", False), ("127.0.0.1:9000", False),
    ("trace.lz.gov.cn.evil.example", False), ("trace-lz.gov.cn", False),
    ("xn--trac-y4d.lz.gov.cn", False), ("evil.example", False),
])
def test_is_official(host, official):
    assert is_official(host, OFFICIAL) is official


def test_the_serving_host_is_official():
    assert is_official("gongzhi.internal:8080", OFFICIAL, "gongzhi.internal:8080")
    assert not is_official("gongzhi.internal:8080", OFFICIAL, "gongzhi.internal")
    assert is_official("gongzhi.internal", OFFICIAL, "gongzhi.internal")
    assert not is_official("evil.example", OFFICIAL, "gongzhi.internal")


@pytest.mark.parametrize("hostname, port, host", [
    ("Trace.LZ.gov.cn", None, "trace.lz.gov.cn"), ("溯源.中国", 443, "xn--b9wnc.xn--fiqs8s:443"),
    ("::1", 8000, "[::1]:8000"), ("<b>x</b>", None, None), ("a b", None, None),
    ("-x.cn", None, None), ("x" * 64 + ".cn", None, None), ("", None, None),
])
def test_normal_host(hostname, port, host):
    assert normal_host(hostname, port) == host


def test_the_warning_names_the_host_and_says_what_to_do():
    trace = unofficial_host_alert("trace-lz.gov.cn", "trace_url")
    assert (trace["kind"], trace["severity"], trace["host"]) == (
        "unofficial_host", "high", "trace-lz.gov.cn")
    assert "trace-lz.gov.cn" in trace["message"] and "不是本平台的官方地址" in trace["message"]
    link = unofficial_host_alert("brand.example", parse_scan(
        "https://brand.example/01/06901234567892").form)
    assert link["severity"] == "medium" and "GS1数字链接" in link["message"]

"""The platform's own hosts, and the warning for a code that points elsewhere. Pure, no I/O.

A trace URL (``/t/<code>``) or a GS1 Digital Link names a host: a phone camera scanning the QR
code opens that host. A code pointing at a host that is not the platform's (a look-alike
domain) still shows the genuine trace, since the code itself is on record, with a warning
(kind ``unofficial_host``) naming the host.

Official hosts (:func:`official_hosts`): the host serving the request, the host of
``GONGZHI_PUBLIC_BASE_URL``, and every host of ``GONGZHI_TRACE_HOSTS``. An entry without a port
matches the default ports (80, 443); ``host:port`` matches that port only. Hosts compare in
their ASCII (IDNA) form, lower case.

GS1 Digital Link URIs are a GS1 standard form on any host, and they are resolved by GTIN, lot
and serial whatever host they name. A foreign-host Digital Link warns too, because the phone
camera goes to that host and what it shows there is not the regulator's statement: severity
``medium`` (brand owners run their own resolvers legitimately), while the platform's own
``/t/`` form on a foreign host is ``high`` (a look-alike copy of the platform is the likely
cause). Either makes the status ``warning``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from core.i18n import T

DEFAULT_PORTS = (None, 80, 443)
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def normal_host(hostname: str, port: int | None) -> str | None:
    """``hostname[:port]`` in ASCII lower case, or None when the hostname is no DNS name or IP
    address (so no text but a host name is ever quoted in a warning)."""
    try:
        ascii_name = hostname.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        return None
    if ":" in ascii_name:  # an IPv6 literal
        try:
            ipaddress.IPv6Address(ascii_name)
        except ValueError:
            return None
        ascii_name = f"[{ascii_name}]"
    elif not ascii_name or len(ascii_name) > 253 or not all(
            _LABEL_RE.match(label) for label in ascii_name.split(".")):
        return None
    return ascii_name if port is None else f"{ascii_name}:{port}"


def _split(entry: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit("//" + entry.strip().lower())
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not name:
        return None
    host = normal_host(name, None)
    return (host, port) if host else None


def official_hosts(*, public_base_url: str, trace_hosts: Iterable[str]) -> frozenset[str]:
    """The configured official host entries (``host`` or ``host:port``), normalised."""
    entries = set()
    for entry in (urlsplit(public_base_url).netloc, *trace_hosts):
        split = _split(entry) if entry else None
        if split:
            entries.add(split[0] if split[1] is None else f"{split[0]}:{split[1]}")
    return frozenset(entries)


@lru_cache(maxsize=4096)
def is_official(host: str, official: frozenset[str], serving: str | None = None) -> bool:
    """Whether a code's ``host`` (as :func:`normal_host` gives it) is one of ``official`` or
    the ``serving`` host (the request's ``Host``)."""
    split = _split(host)
    if split is None:
        return False
    name, port = split
    entries = official | official_hosts(public_base_url="", trace_hosts=[serving or ""])
    if f"{name}:{port}" in entries or (name in entries and port in DEFAULT_PORTS):
        return True
    return port is None and bool({f"{name}:80", f"{name}:443"} & entries)


def unofficial_host_alert(host: str, form: str) -> dict:
    """The warning shown when a scanned URL names a host that is not the platform's."""
    if form == "digital_link":
        return {"kind": "unofficial_host", "severity": "medium", "host": host, "form": form,
                "message": (T("此码是GS1数字链接，指向的网址 {host} 不是本平台的官方地址。以下追溯信息由本平台按商品条码、批号查询得出；用手机相机直接打开该"
                              "网址看到的内容不由本平台提供，请勿在其中填写个人信息或付款。", host=host))}
    return {"kind": "unofficial_host", "severity": "high", "host": host, "form": form,
            "message": (T("此码指向的网址 {host} 不是本平台的官方地址，可能是仿冒的网站。以下追溯信息由本平台按码查询得出。请勿在该网址填写个人信息或付款；如有疑问"
                          "，可拨打12315咨询。", host=host))}

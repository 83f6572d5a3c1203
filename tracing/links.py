"""Which links a scanned code has: the GS1-Conformant resolver's part that needs no I/O.

A printed code is a URL (``/t/<code>``, a GS1 Digital Link ``/01/<gtin>[/10/<lot>][/21/<serial>]``
or an enterprise's own ``/e/<credit code>``). This host resolves it as the GS1-Conformant
Resolver standard (1.2) describes: each code has typed links (GS1 Web Vocabulary link types),
one of them the default. :func:`code_links` and :func:`enterprise_links` list them,
:class:`Links` renders them as an RFC 9264 linkset (``application/linkset+json``, GS1's
profile: link types as full ``https://gs1.org/voc/`` URIs, each link with ``href``, ``title``,
``type`` and ``hreflang``, and ``defaultLink``) and as an RFC 8288 ``Link`` header;
:func:`wanted` reads the client's ``Accept``; :func:`resolver_description` is the file at
``/.well-known/gs1resolver``.

Links of a trace code: ``gs1:pip`` (the H5 trace page, the default), ``gs1:traceability``
(the scan API's JSON), ``gs1:support`` (the complaint form, filled in from the code) and,
while a recall concerns the code, ``gs1:recallStatus`` (the trace page at its recall alert).
Links of an enterprise: ``gs1:pip`` (its public profile page, the default),
``gs1:masterData`` (the profile JSON) and ``gs1:support`` (the complaint form).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from core.i18n import T

GS1_VOC = "https://gs1.org/voc/"
VOC_ALIASES = ("https://gs1.org/voc/", "http://gs1.org/voc/", "https://ref.gs1.org/voc/",
               "http://ref.gs1.org/voc/", "https://www.gs1.org/voc/", "gs1:")
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
LINKSET = "application/linkset+json"
HREFLANG = "zh-CN"
ALL_LINKS = frozenset({"linkset", "all"})  # "all" is GS1 1.0's name, deprecated but common
RECALL_KINDS = frozenset({"recall", "recall_of_some_batches", "recall_history"})
HTML, JSON = "text/html", "application/json"


@dataclass(frozen=True)
class Link:
    """One typed link: ``link_type`` a CURIE (``gs1:pip``)."""

    link_type: str
    href: str
    title: str
    type: str = HTML

    @property
    def rel(self) -> str:
        """The link type as the full URI a linkset and a ``Link`` header use."""
        return GS1_VOC + self.link_type.partition(":")[2]

    def as_dict(self) -> dict:
        return {"href": self.href, "title": self.title, "type": self.type,
                "hreflang": [HREFLANG]}


@dataclass(frozen=True)
class Links:
    """The links of one identified thing (``anchor``: its URI); the first is the default."""

    anchor: str
    items: tuple[Link, ...]
    description: str | None = None

    @property
    def default(self) -> Link:
        return self.items[0]

    def find(self, link_type: str) -> Link | None:
        """The link of a requested ``linkType`` (CURIE or full URI), or None."""
        name = link_type_name(link_type)
        if name == "gs1:defaultLink":
            return self.default
        return next((link for link in self.items if link.link_type == name), None)

    def types(self) -> list[str]:
        return [link.link_type for link in self.items]

    def linkset(self) -> dict:
        """The RFC 9264 linkset in GS1's profile."""
        entry: dict = {"anchor": self.anchor}
        if self.description:
            entry["itemDescription"] = self.description
        for link in self.items:
            entry.setdefault(link.rel, []).append(link.as_dict())
        entry[GS1_VOC + "defaultLink"] = [self.default.as_dict()]
        return {"linkset": [entry]}

    def header(self, linkset_href: str) -> str:
        """The ``Link`` header: every link, the default, and the linkset itself."""
        parts = [_header_link(link.href, link.rel, link.type, link.title)
                 for link in self.items]
        parts.append(_header_link(self.default.href, GS1_VOC + "defaultLink", self.default.type,
                                  self.default.title))
        parts.append(f'<{linkset_href}>; rel="linkset"; type="{LINKSET}"')
        return ", ".join(parts)


def _header_link(href: str, rel: str, media: str, title: str) -> str:
    """One RFC 8288 link; the Chinese title as ``title*`` (RFC 8187: UTF-8, percent-encoded)."""
    return (f'<{href}>; rel="{rel}"; type="{media}"; hreflang="{HREFLANG}"; '
            f"title*=UTF-8''{quote(title, safe='')}")


def link_type_name(raw: str) -> str:
    """A requested link type as a CURIE: ``gs1:pip``, ``https://gs1.org/voc/pip`` and
    ``https://ref.gs1.org/voc/pip`` all name ``gs1:pip``; other text is returned as given."""
    text = raw.strip()
    for prefix in VOC_ALIASES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return "gs1:" + text[len(prefix):]
    return text


def wants_linkset(link_type: str | None) -> bool:
    """Whether ``?linkType=`` asks for the whole linkset (``linkset``, or 1.0's ``all``)."""
    return link_type is not None and link_type.strip() in ALL_LINKS


def _query(base: str, params: dict[str, str], passed: tuple[tuple[str, str], ...]) -> str:
    return base + "?" + urlencode({**dict(passed), **params}, quote_via=quote)


def code_links(*, origin: str, anchor: str, scanned: str, alerts: list[dict],
               passed: tuple[tuple[str, str], ...] = (), description: str | None = None,
               wechat: bool = False) -> Links:
    """The links of a trace code or GS1 Digital Link. ``scanned``: the text the pages are given
    as ``code`` (the URL as scanned); ``passed``: the request's other query parameters, handed
    on to the targets; ``wechat``: opened in WeChat's browser (the pages get ``wechat=1``)."""
    flag = {"wechat": "1"} if wechat else {}
    page = _query(f"{origin}/h5/trace", {"code": scanned, **flag}, passed)
    items = [
        Link("gs1:pip", page, T("追溯信息页（产品来源、检验与流向）")),
        Link("gs1:traceability", _query(f"{origin}/api/v1/scan", {"code": scanned}, passed),
             T("追溯数据（JSON 接口）"), JSON),
        Link("gs1:support", _query(f"{origin}/h5/complaint", {"code": scanned, **flag}, passed),
             T("投诉举报（食品安全问题）")),
    ]
    if any(alert.get("kind") in RECALL_KINDS for alert in alerts):
        items.append(Link("gs1:recallStatus", page + "#recall", T("召回信息")))
    return Links(anchor, tuple(items), description)


def enterprise_links(*, origin: str, anchor: str, uscc: str,
                     passed: tuple[tuple[str, str], ...] = (), description: str | None = None,
                     wechat: bool = False) -> Links:
    """The links of an enterprise's own code (``/e/<credit code>``)."""
    flag = {"wechat": "1"} if wechat else {}
    return Links(anchor, (
        Link("gs1:pip", _query(f"{origin}/h5/enterprise", {"uscc": uscc, **flag}, passed),
             T("企业公示信息页（许可、抽检、处罚）")),
        Link("gs1:masterData", f"{origin}/api/v1/enterprises/{uscc}", T("企业公示数据（JSON 接口）"),
             JSON),
        Link("gs1:support", _query(f"{origin}/h5/complaint", {"uscc": uscc, **flag}, passed),
             T("投诉举报（食品安全问题）")),
    ), description)


def digital_link_path(gtin: str, lot: str | None = None, serial: str | None = None) -> str:
    """The canonical GS1 Digital Link path of a GTIN, lot and serial (the linkset's anchor)."""
    path = f"/01/{gtin}"
    if lot is not None:
        path += "/10/" + quote(lot, safe="")
    if serial is not None:
        path += "/21/" + quote(serial, safe="")
    return path


def _ranges(accept: str) -> list[tuple[str, float]]:
    out = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            out.append((media.lower(), q))
    return out


def _quality(ranges: list[tuple[str, float]], media: str) -> float | None:
    """The q of ``media`` when the client names it exactly, else None."""
    return next((q for m, q in ranges if m == media), None)


def wanted(accept: str | None) -> str:
    """What a client asks for: ``linkset`` or ``json`` when it names that media type and
    prefers it to HTML, else ``html`` (browsers, and ``*/*``: the redirect)."""
    ranges = _ranges(accept or "")
    html = _quality(ranges, HTML) or 0.0
    linkset = _quality(ranges, LINKSET) or 0.0
    json = _quality(ranges, JSON) or 0.0
    if linkset > 0 and linkset >= html and linkset >= json:
        return "linkset"
    if json > 0 and json > html:
        return "json"
    return "html"


def resolver_description(origin: str) -> dict:
    """The resolver description file (``/.well-known/gs1resolver``), GS1's schema 1.2.0."""
    return {
        "name": T("食品安全追溯平台 GS1 解析服务"),
        "resolverRoot": origin,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
    }

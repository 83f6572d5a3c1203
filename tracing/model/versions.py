"""Record histories: the content of a version, its hash, and the verifier.

Every record but an event is versioned (``tracing.model.models.Versioned``). Version ``n`` of
a record has ``hash = sha256(prev_hash + "\\n" + canonical(content))`` with ``prev_hash`` the
hash of version ``n - 1`` (``GENESIS`` for the first), the scheme of the event chains in
:mod:`tracing.model.chain`. The record's row holds its current version (``version``,
``version_prev``, ``version_hash``); each earlier version is a ``record_version`` row, which
the database refuses to update or delete. ``verify_histories`` walks every record and names
the first one whose history or current row does not match.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any, AsyncIterator

import orjson

from tracing.model.chain import GENESIS, normal_value

# The content of each record type: its exchange fields (column names), then
# correction_reason and extra. Derived columns (gtin14, chain heads, correction summaries)
# and bookkeeping (updated_at) are not content.
CONTENT: dict[str, tuple[str, ...]] = {
    "enterprise": ("uscc", "name", "kind", "licence_no", "licence_valid_until", "address",
                   "division_code", "lat", "lng", "legal_representative", "risk_grade",
                   "status", "public_phone"),
    "product": ("product_id", "enterprise_uscc", "name", "gtin", "brand", "spec", "category",
                "standard", "ingredients", "shelf_life_days", "storage", "storage_class",
                "process", "label_image"),
    "batch": ("batch_id", "product_id", "lot", "produced_at", "quantity", "unit", "expires_at"),
    "code": ("code", "batch_id", "level", "serial", "issuer", "status"),
    "code_alias": ("alias", "code", "issuer"),
    "sampling": ("sample_id", "enterprise_uscc", "product_name", "lot", "sampled_at", "result",
                 "failed_items", "authority", "report_no"),
    "enforcement": ("case_no", "enterprise_uscc", "decided_at", "violation", "penalty",
                    "authority"),
    "recall": ("recall_id", "level", "reason", "started_at", "product_id", "batch_ids",
               "status"),
    "notice": ("notice_id", "kind", "title", "body", "published_at", "related"),
}
CONTENT = {rtype: (*names, "correction_reason", "extra") for rtype, names in CONTENT.items()}
VERSIONED = tuple(CONTENT)
# What a stored row holds when the record did not say (the model's defaults).
DEFAULTS: dict[str, dict[str, Any]] = {
    "enterprise": {"status": "active", "extra": {}},
    "product": {"ingredients": [], "extra": {}},
    "code": {"level": "batch", "status": "active", "extra": {}},
    "sampling": {"failed_items": [], "extra": {}},
    "recall": {"batch_ids": [], "status": "ongoing", "extra": {}},
    "notice": {"related": [], "extra": {}},
}
# Content names whose Tortoise attribute differs (foreign keys read as ``<field>_id``).
ATTRIBUTES = {"enterprise_uscc": "enterprise_id"}
ALIAS_ATTRIBUTES = {"code": "code_id"}


def attribute(rtype: str, name: str) -> str:
    """The Tortoise attribute that holds content field ``name`` of ``rtype``."""
    if rtype == "code_alias":
        return ALIAS_ATTRIBUTES.get(name, name)
    return ATTRIBUTES.get(name, name)


def normalised(rtype: str, values: dict[str, Any]) -> dict[str, Any]:
    """The content of a record as JSON-ready plain values: every content field (defaults
    for the missing), integral floats as integers, dates ISO, instants in UTC. A fresh dict
    (its default lists are shared: not to be changed)."""
    get = values.get
    out = {}
    for name, default in _PLANS[rtype]:
        value = get(name)
        kind = type(value)
        if kind is str or kind is int:
            out[name] = value
        elif value is None or ((kind is list or kind is dict) and not value):
            out[name] = default
        elif kind is float:
            out[name] = int(value) if value.is_integer() else value
        elif kind is date:
            out[name] = value.isoformat()
        else:
            value = normal_value(value)
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


# (field, default) of each type's content, in order.
_PLANS = {rtype: tuple((name, DEFAULTS.get(rtype, {"extra": {}}).get(name)) for name in names)
          for rtype, names in CONTENT.items()}


def canonical(rtype: str, values: dict[str, Any]) -> bytes:
    """The canonical bytes of a record version (sorted keys, the type included)."""
    content = normalised(rtype, values)
    content["type"] = rtype
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def version_hash(prev_hash: str, rtype: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(rtype, values)).hexdigest()


def same_content(rtype: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two versions say the same, their correction reasons aside (a record sent
    again as it stands is no new version)."""
    a, b = normalised(rtype, old), normalised(rtype, new)
    a.pop("correction_reason"), b.pop("correction_reason")
    return a == b


@dataclass(frozen=True)
class HistoryBreak:
    rtype: str
    key: str
    version: int | None
    reason: str

    def __str__(self) -> str:
        where = f"version {self.version}" if self.version else "current row"
        return f"{self.rtype} {self.key}: {where}: {self.reason}"


def check_history(rtype: str, key: str, earlier: list[dict], current: dict | None
                  ) -> HistoryBreak | None:
    """The first break in one record's history (``earlier`` ordered by version, each with
    ``version, content, prev_hash, hash``; ``current`` the row with its content and
    ``version, version_prev, version_hash``, None when the row is gone), or None."""
    prev = GENESIS
    for expected, row in enumerate(earlier, start=1):
        if row["version"] != expected:
            return HistoryBreak(rtype, key, row["version"],
                                f"version gap: expected version {expected}")
        if row["prev_hash"] != prev:
            return HistoryBreak(rtype, key, row["version"],
                                "prev_hash does not match the previous version's hash")
        if version_hash(prev, rtype, row["content"]) != row["hash"]:
            return HistoryBreak(rtype, key, row["version"],
                                "content does not match the stored hash")
        prev = row["hash"]
    if current is None:
        return HistoryBreak(rtype, key, None, "the record's row is gone; its history remains")
    if current["version"] != len(earlier) + 1:
        return HistoryBreak(rtype, key, None, f"row says version {current['version']}, "
                            f"{len(earlier)} earlier versions found")
    if current["version_prev"] != prev:
        return HistoryBreak(rtype, key, None,
                            "version_prev does not match the last earlier version's hash")
    if version_hash(prev, rtype, current) != current["version_hash"]:
        return HistoryBreak(rtype, key, None, "content does not match the stored hash")
    return None


@dataclass
class HistoryReport:
    records: int = 0
    versions: int = 0
    first_break: HistoryBreak | None = None


async def verify_histories(page: int = 2000, progress=None) -> HistoryReport:
    """Walk every versioned record, type by type in key order; stop at the first break."""
    report = HistoryReport()
    for rtype in VERSIONED:
        async for key, earlier, current in _histories(rtype, page):
            report.records += current is not None
            report.versions += len(earlier)
            broken = check_history(rtype, key, earlier, current)
            if progress:
                progress(1)
            if broken:
                report.first_break = broken
                return report
    return report


async def _histories(rtype: str, page: int
                     ) -> AsyncIterator[tuple[str, list[dict], dict | None]]:
    from tracing.model.models import RECORD_MODELS, RecordVersion

    model = RECORD_MODELS[rtype]
    pk = model._meta.pk_attr
    attrs = {attribute(rtype, name): name for name in CONTENT[rtype]}
    last = ""
    while True:
        rows = await model.filter(**{f"{pk}__gt": last}).order_by(pk).limit(page).values(
            *attrs, "version", "version_prev", "version_hash")
        keys = [row[pk] for row in rows]
        earlier: dict[str, list[dict]] = {}
        versions = await RecordVersion.filter(rtype=rtype, key__in=keys).order_by(
            "key", "version").values("key", "version", "content", "prev_hash", "hash")
        for row in versions:
            earlier.setdefault(row["key"], []).append(row)
        for row in rows:
            current = {attrs.get(k, k): v for k, v in row.items()}
            yield row[pk], earlier.get(row[pk], []), current
        if len(rows) < page:
            break
        last = keys[-1]
    async for key, versions in _orphans(rtype, model):
        yield key, versions, None


async def _orphans(rtype: str, model) -> AsyncIterator[tuple[str, list[dict]]]:
    """Histories whose record's row is gone (a deleted record leaves its versions behind)."""
    from tortoise import connections

    from tracing.model.models import RecordVersion

    conn = connections.get("default")
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    _, rows = await conn.execute_query(
        f"SELECT DISTINCT v.key FROM record_version v WHERE v.rtype = {mark} AND NOT EXISTS "
        f"(SELECT 1 FROM {model._meta.db_table} r WHERE r.{model._meta.db_pk_column} = v.key)",
        [rtype])
    for (key,) in rows:
        versions = await RecordVersion.filter(rtype=rtype, key=key).order_by("version").values(
            "key", "version", "content", "prev_hash", "hash")
        yield key, versions

"""Versions of re-sent records, inside the import's transaction.

For the records of one type in a chunk: a new key becomes version 1; a key sent again with
the same content (its correction reason aside) is accepted and left alone; a key sent with
other content becomes the next version, and the version it replaces is returned as a
``record_version`` row to append. A change of an official outcome without a
``correction_reason`` is refused (``tracing.exchange.corrections``) and nothing of it is
written. The upsert then only replaces a row still holding the version read here (see
``tracing.exchange.sql``), so two imports racing on one record cannot lose a version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from tracing.exchange import corrections
from tracing.exchange.fields import RecordError
from tracing.exchange.records import Record
from tracing.exchange.sql import stored_keys
from tracing.model.chain import GENESIS
from tracing.model.models import RECORD_MODELS
from tracing.model.versions import CONTENT, attribute, normalised, same_content, version_hash

OFFICIAL = tuple(corrections.OUTCOMES)  # tables with a ``correction`` summary


@dataclass
class Versions:
    """What to write for one record type of a chunk."""

    write: list[tuple[int, Record]] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)  # record_version rows
    previous: dict[str, dict] = field(default_factory=dict)  # key -> replaced content
    rejected: list[tuple[int, RecordError]] = field(default_factory=list)


async def version_records(rtype: str, items: list[tuple[int, Record]],
                          conn: BaseDBAsyncClient, *, now: datetime) -> Versions:
    """Sort the chunk's records of ``rtype`` into new versions, unchanged and refused ones;
    set the version columns of those to write."""
    out = Versions()
    current = await _current(rtype, [r.key for _, r in items], conn)
    for line, record in items:
        old = current.get(record.key)
        if old is None:
            record.values.update(version=1, version_prev=GENESIS,
                                 version_hash=version_hash(GENESIS, rtype, record.values))
        elif same_content(rtype, old, record.values):
            continue
        else:
            try:
                out.history.append(_next_version(rtype, record, old, now))
            except RecordError as error:
                out.rejected.append((line, error))
                continue
            out.previous[record.key] = normalised(rtype, old)
        out.write.append((line, record))
    return out


def _next_version(rtype: str, record: Record, old: dict, now: datetime) -> dict:
    """Make ``record`` the version after ``old`` (its version columns, and the correction
    summary of an official record); return the ``record_version`` row of ``old``. Raise
    ``correction_reason_required`` for an official outcome changed without a reason."""
    values, before = record.values, normalised(rtype, old)
    new = normalised(rtype, values)
    changed = corrections.outcome_changes(rtype, before, new)
    corrections.require_reason(rtype, changed, new)
    number = old["version"] or 1
    prev = old["version_prev"] or GENESIS
    head = old["version_hash"] or version_hash(prev, rtype, old)
    values.update(version=number + 1, version_prev=head,
                  version_hash=version_hash(head, rtype, values))
    if rtype in OFFICIAL:
        values["correction"] = corrections.summary(changed, before, new, at=now) \
            if changed else old["correction"]
    return {"rtype": rtype, "key": record.key, "version": number, "content": before,
            "recorded_at": old["updated_at"], "prev_hash": prev, "hash": head}


async def _current(rtype: str, keys: list[str], conn: BaseDBAsyncClient) -> dict[str, dict]:
    """The stored rows among ``keys`` (content and version columns), by key. One plain query
    when none is stored (the usual case of an import)."""
    model = RECORD_MODELS[rtype]
    stored = await stored_keys(model._meta.db_table, model._meta.db_pk_column, keys, conn)
    if not stored:
        return {}
    attrs = {attribute(rtype, name): name for name in CONTENT[rtype]}
    extra = ("correction",) if rtype in OFFICIAL else ()
    rows = await model.filter(**{f"{model._meta.pk_attr}__in": stored}).using_db(conn).values(
        *attrs, "version", "version_prev", "version_hash", "updated_at", *extra)
    out = {}
    for row in rows:
        content = {attrs.get(k, k): v for k, v in row.items()}
        content.setdefault("correction", None)
        out[content[CONTENT[rtype][0]]] = content
    return out

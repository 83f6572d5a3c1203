"""Writing a new case: the case row, its first timeline entries, its photos and its content
check job, all or nothing.

On PostgreSQL it is one statement (data-modifying CTEs: atomic without BEGIN/COMMIT, one
round trip); on SQLite, where the database is in-process, a Tortoise transaction.
"""

from __future__ import annotations

from datetime import datetime

import orjson
from tortoise import connections
from tortoise.transactions import in_transaction

from complaints.models import Complaint, ComplaintEvent, ComplaintJob, Photo
from core.db import dialect_marks, is_postgres

EVENT_COLUMNS = ("at", "kind", "actor", "role", "before", "after", "reason", "public")
JSON_COLUMNS = ("triage", "place")


def first_events(*, now: datetime, kind_name: str, triage: dict, check: bool,
                 note: str | None, held: bool = False) -> list[dict]:
    """The timeline a case starts with: received, the triage's reasons (internal), and the
    move to pending (or, ``held`` by the service's own content check, to moderation) when no
    WeChat content check is due."""
    reasons = triage["category"]["reasons"] + triage["jurisdiction"]["reasons"] + \
        [d["reason"] for d in triage["duplicates"]]
    rows = [dict(at=now, kind="transition", actor="complainant", role="complainant",
                 before=None, after="submitted", reason=note or "已收到您的" + kind_name,
                 public=True),
            dict(at=now, kind="triage", actor="system", role="system", before=None,
                 after=None, reason="；".join(reasons), public=False)]
    if held:
        rows.append(dict(at=now, kind="transition", actor="system", role="system",
                         before="submitted", after="moderation", reason="内容待人工审核",
                         public=True))
        rows.append(dict(at=now, kind="triage", actor="system", role="system", before=None,
                         after=None, reason="；".join(triage["content_check"]["reasons"]),
                         public=False))
    elif not check:
        rows.append(dict(at=now, kind="transition", actor="system", role="system",
                         before="submitted", after="pending", reason="等待受理", public=True))
    return rows


async def insert_case(values: dict, events: list[dict], *, photos: list[str],
                      check: bool) -> Complaint:
    """Store the case (``values`` includes its ticket); raise IntegrityError on a clash."""
    conn = connections.get("default")
    if not is_postgres(conn):
        return await _tortoise(values, events, photos, check)
    row = {**_defaults(), **values, "updated_at": values["received_at"]}
    sql, params = _statement(row, events, photos, check)
    _, rows = await conn.execute_query(sql, params)
    return Complaint(id=rows[0]["id"], **values)


def _statement(values: dict, events: list[dict], photos: list[str],
               check: bool) -> tuple[str, list]:
    columns = list(values)
    params = [orjson.dumps(values[c]).decode() if c in JSON_COLUMNS and values[c] is not None
              else values[c] for c in columns]
    marks = dialect_marks("postgres", 200)
    taken = len(params)
    rows = []
    for event in events:
        rows.append("(" + ", ".join(f"{marks[taken + i]}{_cast(c)}"
                                    for i, c in enumerate(EVENT_COLUMNS)) + ")")
        params.extend(event[c] for c in EVENT_COLUMNS)
        taken += len(EVENT_COLUMNS)
    names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
    sql = (f"WITH c AS (INSERT INTO complaint ({', '.join(columns)}) VALUES "
           f"({', '.join(marks[:len(columns)])}) RETURNING id, ticket, received_at), "
           f"e AS (INSERT INTO complaint_event (complaint_id, {names}) "
           f"SELECT c.id, v.* FROM c, (VALUES {', '.join(rows)}) AS v({names}))")
    if photos:
        params.append(photos)
        sql += (f", p AS (UPDATE complaint_photo SET complaint_id = c.id FROM c "
                f"WHERE complaint_photo.id = ANY({marks[taken]}::varchar[]))")
    if check:
        sql += (", j AS (INSERT INTO complaint_job (kind, ticket, payload, attempts, next_at, "
                "created_at) SELECT 'check', c.ticket, '{}', 0, c.received_at, c.received_at "
                "FROM c)")
    return sql + " SELECT id FROM c", params


def _defaults() -> dict:
    """The model's Python-side defaults (the columns have none of their own)."""
    out = {}
    for name, field in Complaint._meta.fields_map.items():
        if field.default is not None and not field.pk:
            out[name] = field.default() if callable(field.default) else field.default
    return out


def _cast(column: str) -> str:
    """Types PostgreSQL cannot infer inside a VALUES list."""
    return {"at": "::timestamptz", "public": "::boolean"}.get(column, "::varchar")


async def _tortoise(values: dict, events: list[dict], photos: list[str],
                    check: bool) -> Complaint:
    async with in_transaction() as conn:
        case = await Complaint.create(using_db=conn, **values)
        await ComplaintEvent.bulk_create([ComplaintEvent(complaint_id=case.id, **e)
                                          for e in events], using_db=conn)
        if photos:
            await Photo.filter(id__in=photos).using_db(conn).update(complaint_id=case.id)
        if check:
            now = values["received_at"]
            await ComplaintJob.create(kind="check", ticket=case.ticket, next_at=now,
                                      created_at=now, using_db=conn)
        return case

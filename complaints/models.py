"""The complaints feature's tables: cases, their timeline, photos, the job outbox (content
checks and notifications) and the access audit of personal data."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.db import APP


class Complaint(Model):
    id = fields.BigIntField(primary_key=True)
    ticket = fields.CharField(20, unique=True)
    kind = fields.CharField(10)  # complaint | report
    status = fields.CharField(12)
    category = fields.CharField(20)
    claimed_category = fields.CharField(20, null=True)
    priority = fields.CharField(8)
    priority_rank = fields.SmallIntField()  # 0 urgent, 1 high, 2 normal (queue order)
    description = fields.TextField()
    target_type = fields.CharField(12)  # enterprise | trace_code | product | merchant
    target_key = fields.CharField(128, null=True)  # credit code, trace code or product id
    target_name = fields.CharField(200, null=True)
    target_address = fields.CharField(300, null=True)
    target_uscc = fields.CharField(18, null=True)  # the enterprise the target resolved to
    target_batch = fields.CharField(64, null=True)
    division = fields.CharField(6, null=True)  # jurisdiction (county-level office)
    place = fields.JSONField(null=True)  # {"address", "lat", "lng", "division_code"}
    occurred_on = fields.DateField(null=True)
    channel = fields.CharField(12)
    received_at = fields.DatetimeField()
    acceptance_due = fields.DateField()
    handling_due = fields.DateField(null=True)  # mediation or verification, once accepted
    provisional_due = fields.BooleanField(default=False)
    due_on = fields.DateField(null=True)  # the deadline running now (None: no clock runs)
    is_open = fields.BooleanField(default=True)  # not closed or merged: in the queue
    decision = fields.CharField(12, null=True)  # accepted | refused | transferred
    accepted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)  # accepted, refused or transferred
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    mode = fields.CharField(16, null=True)
    assigned_to = fields.CharField(32, null=True)
    triage = fields.JSONField(default=dict)  # every automatic decision and why
    duplicate_of = fields.CharField(20, null=True)
    source = fields.CharField(10, default="gongzhi")  # gongzhi | 12315
    external_no = fields.CharField(64, null=True, unique=True)
    transferred_to = fields.CharField(20, null=True)
    rating = fields.SmallIntField(null=True)
    rating_comment = fields.CharField(500, null=True)
    # personal data (erasable): never shown to the enterprise or the public
    name = fields.CharField(50, null=True)
    phone = fields.CharField(20, null=True)
    owner_hash = fields.CharField(64, null=True, db_index=True)  # the WeChat user's pseudonym
    openid = fields.CharField(64, null=True)  # for content checks and subscribe messages
    secret_hash = fields.CharField(64, null=True)  # follow-up secret of an anonymous filer
    erased_at = fields.DatetimeField(null=True)
    idempotency_key = fields.CharField(64, null=True, unique=True)
    request_hash = fields.CharField(64, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "complaint"
        # The queue reads an index in its order (urgent first, soonest due) and stops at a
        # page: open cases of a district, of all districts, or of one status.
        indexes = (("is_open", "division", "priority_rank", "due_on", "id"),
                   ("is_open", "priority_rank", "due_on", "id"),
                   ("division", "status", "priority_rank", "due_on"),
                   ("status", "priority_rank", "due_on"), ("target_key", "received_at"),
                   ("received_at",))


class ComplaintEvent(Model):
    """One line of a case's timeline: a move, a note, a triage decision."""

    id = fields.BigIntField(primary_key=True)
    complaint = fields.ForeignKeyField(f"{APP}.Complaint", related_name="events")
    at = fields.DatetimeField()
    kind = fields.CharField(12)  # transition | triage | note | assign | merge | rating | erasure
    actor = fields.CharField(64)
    role = fields.CharField(12)
    before = fields.CharField(12, null=True)
    after = fields.CharField(12, null=True)
    reason = fields.TextField(null=True)
    refusal_reason = fields.CharField(30, null=True)
    public = fields.BooleanField(default=True)

    class Meta:
        app = APP
        table = "complaint_event"


class Photo(Model):
    id = fields.CharField(24, primary_key=True)
    sha256 = fields.CharField(64)
    thumb_sha256 = fields.CharField(64)
    content_type = fields.CharField(20)
    width = fields.IntField()
    height = fields.IntField()
    size = fields.IntField()
    uploader = fields.CharField(80)
    complaint = fields.ForeignKeyField(f"{APP}.Complaint", related_name="photos", null=True)
    check_trace_id = fields.CharField(64, null=True, db_index=True)
    check_suggest = fields.CharField(10, null=True)  # pass | review | risky
    created_at = fields.DatetimeField()

    class Meta:
        app = APP
        table = "complaint_photo"


class ComplaintJob(Model):
    """Durable outbox of the case work done after a commit: ``check`` (WeChat content
    security), ``notify`` (a subscribe message). Claimed with a lease, retried with backoff."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(10)
    ticket = fields.CharField(20, db_index=True)
    payload = fields.JSONField(default=dict)
    attempts = fields.IntField(default=0)
    next_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(12, null=True)  # sent | refused | failed | done | skipped
    last_error = fields.CharField(300, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        app = APP
        table = "complaint_job"
        indexes = (("done_at", "next_at"),)


class AccessAudit(Model):
    """Who opened a complainant's personal data, when and why."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    staff = fields.CharField(32)
    ticket = fields.CharField(20, db_index=True)
    what = fields.CharField(20)  # contact
    reason = fields.CharField(200)

    class Meta:
        app = APP
        table = "complaint_access"

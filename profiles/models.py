"""The profiles feature's tables: enterprise accounts (binding codes, members), correction
requests, consumers' consent to recall warnings and their durable outbox, label images.

People appear only as the pseudonym of ``accounts.sessions.user_hash``; the openid a WeChat
message needs is kept with the consent that allows the message, and nowhere else.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.db import APP


class BindingCode(Model):
    """A one-time code the regulator issues to bind a WeChat user to an enterprise."""

    id = fields.BigIntField(primary_key=True)
    code_hash = fields.CharField(64, unique=True)  # SHA-256 of the normalised code
    uscc = fields.CharField(18, db_index=True)
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by = fields.CharField(64, null=True)  # the user's pseudonym

    class Meta:
        app = APP
        table = "enterprise_binding_code"


class EnterpriseMember(Model):
    """A WeChat user (pseudonym) who speaks for an enterprise."""

    id = fields.BigIntField(primary_key=True)
    user_hash = fields.CharField(64, db_index=True)
    uscc = fields.CharField(18, db_index=True)
    bound_at = fields.DatetimeField()

    class Meta:
        app = APP
        table = "enterprise_member"
        unique_together = (("user_hash", "uscc"),)


class CorrectionRequest(Model):
    """An enterprise asks the regulator to correct public data about it (never edits it)."""

    id = fields.BigIntField(primary_key=True)
    uscc = fields.CharField(18, db_index=True)
    target_type = fields.CharField(12)  # enterprise | product | sampling | enforcement | recall
    target_key = fields.CharField(128)
    field = fields.CharField(40)
    current = fields.TextField(null=True)  # the value shown when the request was made
    proposed = fields.TextField()
    reason = fields.TextField()
    status = fields.CharField(10, default="open")  # open | accepted | rejected
    requested_by = fields.CharField(64)  # the member's pseudonym
    requested_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharField(64, null=True)
    note = fields.TextField(null=True)

    class Meta:
        app = APP
        table = "correction_request"


class Subscription(Model):
    """A consumer's answer to ``wx.requestSubscribeMessage`` for one template.

    One-time templates allow one message per acceptance: ``grants`` counts the unused ones.
    """

    id = fields.BigIntField(primary_key=True)
    user_hash = fields.CharField(64)
    template_id = fields.CharField(64)
    status = fields.CharField(8)  # accept | reject | ban | filter
    grants = fields.IntField(default=0)
    openid = fields.CharField(64, null=True)  # to send to; dropped when consent is withdrawn
    updated_at = fields.DatetimeField()

    class Meta:
        app = APP
        table = "consumer_subscription"
        unique_together = (("user_hash", "template_id"),)


class RecallMessage(Model):
    """Durable outbox of recall warnings: one per recall and consumer, sent with a lease."""

    id = fields.BigIntField(primary_key=True)
    recall_id = fields.CharField(128)
    user_hash = fields.CharField(64)
    template_id = fields.CharField(64)
    payload = fields.JSONField(default=dict)  # {"data": {...}, "page": "..."}
    status = fields.CharField(8, default="pending")  # pending | sent | refused | skipped | failed
    attempts = fields.IntField(default=0)
    next_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    lease_owner = fields.CharField(32, null=True)
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(300, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        app = APP
        table = "recall_message"
        unique_together = (("recall_id", "user_hash"),)
        indexes = (("status", "next_at"),)


class MediaFile(Model):
    """An image received through the exchange, stored by the SHA-256 of its bytes."""

    sha256 = fields.CharField(64, primary_key=True)
    content_type = fields.CharField(20)
    width = fields.IntField()
    height = fields.IntField()
    size = fields.IntField()
    thumb_sha256 = fields.CharField(64)
    received_at = fields.DatetimeField()

    class Meta:
        app = APP
        table = "media_file"

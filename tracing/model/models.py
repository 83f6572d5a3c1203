"""The trace model (Tortoise ORM), one table per record type of docs/exchange.md.

Keys are the exchange keys, so an import upserts by primary key. Every table keeps the
fields it does not know in ``extra``. Events are append-only: there is no update path,
a correction is a new event with ``corrects``, and each row carries a hash over its content
and the previous row's hash for the same batch (see ``tracing.model.chain``).

Every other record is :class:`Versioned`: re-sending it with other content stores a new
version, and the one it replaces moves to :class:`RecordVersion`, an append-only table whose
rows are hash-chained per record the way events are per batch (``tracing.model.versions``).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.db import APP

KEY = 128  # the length of a record key (docs/exchange.md v1.1)


class Versioned(Model):
    """The current version of a record: its number, the hash of the version before it (or
    the genesis hash) and its own hash over its content; ``correction_reason`` is sent with
    a correction."""

    correction_reason = fields.TextField(null=True)
    version = fields.IntField(null=True)
    version_prev = fields.CharField(64, null=True)
    version_hash = fields.CharField(64, null=True)

    class Meta:
        abstract = True


class Enterprise(Versioned):
    uscc = fields.CharField(18, primary_key=True)
    name = fields.CharField(200, db_index=True)
    kind = fields.CharField(20)
    licence_no = fields.CharField(16, null=True, db_index=True)
    licence_valid_until = fields.DateField(null=True)
    address = fields.CharField(300)
    division_code = fields.CharField(6, db_index=True)
    lat = fields.FloatField(null=True)
    lng = fields.FloatField(null=True)
    legal_representative = fields.CharField(100, null=True)
    risk_grade = fields.CharField(1, null=True)
    status = fields.CharField(10, default="active")
    public_phone = fields.CharField(40, null=True)
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "enterprise"


class Product(Versioned):
    product_id = fields.CharField(KEY, primary_key=True)
    enterprise = fields.ForeignKeyField(
        f"{APP}.Enterprise", related_name="products", source_field="enterprise_uscc")
    name = fields.CharField(200, db_index=True)
    gtin = fields.CharField(14, null=True)
    gtin14 = fields.CharField(14, null=True, db_index=True)
    brand = fields.CharField(100, null=True)
    spec = fields.CharField(100, null=True)
    category = fields.CharField(100, null=True)
    standard = fields.CharField(100, null=True)
    ingredients = fields.JSONField(default=list)
    shelf_life_days = fields.IntField(null=True)
    storage = fields.CharField(200, null=True)
    storage_class = fields.CharField(10, null=True)  # ambient | chilled | frozen
    process = fields.TextField(null=True)
    label_image = fields.CharField(64, null=True)  # SHA-256 of the label photo
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "product"


class Batch(Versioned):
    batch_id = fields.CharField(KEY, primary_key=True)
    product = fields.ForeignKeyField(
        f"{APP}.Product", related_name="batches", source_field="product_id")
    lot = fields.CharField(64, db_index=True)
    produced_at = fields.DateField()
    quantity = fields.FloatField(null=True)
    unit = fields.CharField(20, null=True)
    expires_at = fields.DateField(null=True)
    # Head of the event chain: guards against the last event being removed unseen.
    chain_head = fields.CharField(64, null=True)
    chain_length = fields.IntField(default=0)
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "batch"


class TraceCode(Versioned):
    code = fields.CharField(64, primary_key=True)
    batch = fields.ForeignKeyField(f"{APP}.Batch", related_name="codes", source_field="batch_id")
    level = fields.CharField(10, default="batch")
    serial = fields.CharField(64, null=True)
    issuer = fields.CharField(100, null=True)
    status = fields.CharField(10, default="active")
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "trace_code"


class CodeAlias(Versioned):
    alias = fields.CharField(128, primary_key=True)
    code = fields.ForeignKeyField(
        f"{APP}.TraceCode", related_name="aliases", source_field="code")
    issuer = fields.CharField(100)
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "code_alias"


class Event(Model):
    id = fields.BigIntField(primary_key=True)
    event_id = fields.CharField(KEY, unique=True)
    batch = fields.ForeignKeyField(f"{APP}.Batch", related_name="events", source_field="batch_id")
    seq = fields.IntField()
    kind = fields.CharField(20)
    occurred_at = fields.DatetimeField()
    place_uscc = fields.CharField(18, null=True)
    place = fields.JSONField(null=True)
    actor = fields.CharField(100, null=True)
    quantity = fields.FloatField(null=True)
    unit = fields.CharField(20, null=True)
    inputs = fields.JSONField(default=list)
    detail = fields.JSONField(default=dict)
    corrects = fields.CharField(KEY, null=True, db_index=True)
    extra = fields.JSONField(default=dict)
    prev_hash = fields.CharField(64)
    hash = fields.CharField(64)
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = APP
        table = "event"
        unique_together = (("batch", "seq"),)


class EventInput(Model):
    """Batch-to-batch link: ``event`` consumed ``input_batch`` (forward and backward tracing)."""

    id = fields.BigIntField(primary_key=True)
    event = fields.ForeignKeyField(
        f"{APP}.Event", related_name="input_links", to_field="event_id", source_field="event_id")
    batch = fields.ForeignKeyField(
        f"{APP}.Batch", related_name="consumed_links", source_field="output_batch_id")
    input_batch = fields.ForeignKeyField(
        f"{APP}.Batch", related_name="used_in_links", source_field="input_batch_id")

    class Meta:
        app = APP
        table = "event_input"


class Sampling(Versioned):
    sample_id = fields.CharField(KEY, primary_key=True)
    enterprise = fields.ForeignKeyField(
        f"{APP}.Enterprise", related_name="samplings", source_field="enterprise_uscc")
    product_name = fields.CharField(200)
    lot = fields.CharField(64, null=True)
    sampled_at = fields.DateField()
    result = fields.CharField(4)
    failed_items = fields.JSONField(default=list)
    authority = fields.CharField(200)
    report_no = fields.CharField(64, null=True)
    correction = fields.JSONField(null=True)  # the latest correction (see versions.py)
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "sampling"


class Enforcement(Versioned):
    case_no = fields.CharField(KEY, primary_key=True)
    enterprise = fields.ForeignKeyField(
        f"{APP}.Enterprise", related_name="enforcements", source_field="enterprise_uscc")
    decided_at = fields.DateField()
    violation = fields.TextField()
    penalty = fields.TextField()
    authority = fields.CharField(200)
    correction = fields.JSONField(null=True)  # the latest correction (see versions.py)
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "enforcement"


class Recall(Versioned):
    recall_id = fields.CharField(KEY, primary_key=True)
    level = fields.SmallIntField()
    reason = fields.TextField()
    started_at = fields.DateField()
    product = fields.ForeignKeyField(
        f"{APP}.Product", related_name="recalls", null=True, source_field="product_id")
    batch_ids = fields.JSONField(default=list)
    status = fields.CharField(10, default="ongoing")
    correction = fields.JSONField(null=True)  # the latest correction (see versions.py)
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "recall"


class RecallBatch(Model):
    id = fields.BigIntField(primary_key=True)
    recall = fields.ForeignKeyField(f"{APP}.Recall", related_name="batch_links")
    batch = fields.ForeignKeyField(
        f"{APP}.Batch", related_name="recall_links", source_field="batch_id")

    class Meta:
        app = APP
        table = "recall_batch"
        unique_together = (("recall", "batch"),)


class Notice(Versioned):
    notice_id = fields.CharField(KEY, primary_key=True)
    kind = fields.CharField(20)
    title = fields.CharField(300)
    body = fields.TextField()
    published_at = fields.DatetimeField(db_index=True)
    related = fields.JSONField(default=list)
    extra = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = APP
        table = "notice"


class RecordVersion(Model):
    """An earlier version of a record (append-only: database triggers refuse UPDATE and
    DELETE). ``hash = sha256(prev_hash + "\\n" + canonical(content))``, chained per record
    from the genesis hash; the record's row carries the chain on (``version_prev``)."""

    id = fields.BigIntField(primary_key=True)
    rtype = fields.CharField(20)
    key = fields.CharField(KEY)
    version = fields.IntField()
    content = fields.JSONField()
    recorded_at = fields.DatetimeField(null=True)  # when this version was stored
    superseded_at = fields.DatetimeField(auto_now_add=True)
    prev_hash = fields.CharField(64)
    hash = fields.CharField(64)

    class Meta:
        app = APP
        table = "record_version"
        unique_together = (("rtype", "key", "version"),)


# The table of each record type (docs/exchange.md), in reference order.
RECORD_MODELS: dict[str, type[Model]] = {
    "enterprise": Enterprise, "product": Product, "batch": Batch, "code": TraceCode,
    "code_alias": CodeAlias, "event": Event, "sampling": Sampling, "enforcement": Enforcement,
    "recall": Recall, "notice": Notice}

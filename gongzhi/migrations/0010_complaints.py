from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# The complaints feature (complaints.models) and staff accounts (accounts.staff). Foreign key
# indexes as plain SQL on the real column names (see 0004).
INDEXES = {
    "idx_complaint_event_case": "complaint_event (complaint_id, at)",
    "idx_complaint_photo_case": "complaint_photo (complaint_id)",
    "idx_complaint_photo_stale": "complaint_photo (created_at)",
}


async def forward(apps, state_editor):
    for name, target in INDEXES.items():
        await state_editor.client.execute_script(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def backward(apps, state_editor):
    for name in INDEXES:
        await state_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [('gongzhi', '0009_record_history')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessAudit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('staff', fields.CharField(max_length=32)),
                ('ticket', fields.CharField(db_index=True, max_length=20)),
                ('what', fields.CharField(max_length=20)),
                ('reason', fields.CharField(max_length=200)),
            ],
            options={'table': 'complaint_access', 'app': 'gongzhi', 'pk_attr': 'id', 'table_description': "Who opened a complainant's personal data, when and why."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Complaint',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.CharField(unique=True, max_length=20)),
                ('kind', fields.CharField(max_length=10)),
                ('status', fields.CharField(max_length=12)),
                ('category', fields.CharField(max_length=20)),
                ('claimed_category', fields.CharField(null=True, max_length=20)),
                ('priority', fields.CharField(max_length=8)),
                ('priority_rank', fields.SmallIntField()),
                ('description', fields.TextField(unique=False)),
                ('target_type', fields.CharField(max_length=12)),
                ('target_key', fields.CharField(null=True, max_length=128)),
                ('target_name', fields.CharField(null=True, max_length=200)),
                ('target_address', fields.CharField(null=True, max_length=300)),
                ('target_uscc', fields.CharField(null=True, max_length=18)),
                ('target_batch', fields.CharField(null=True, max_length=64)),
                ('division', fields.CharField(null=True, max_length=6)),
                ('place', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('occurred_on', fields.DateField(null=True)),
                ('channel', fields.CharField(max_length=12)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('acceptance_due', fields.DateField()),
                ('handling_due', fields.DateField(null=True)),
                ('provisional_due', fields.BooleanField(default=False)),
                ('due_on', fields.DateField(null=True)),
                ('is_open', fields.BooleanField(default=True)),
                ('decision', fields.CharField(null=True, max_length=12)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('mode', fields.CharField(null=True, max_length=16)),
                ('assigned_to', fields.CharField(null=True, max_length=32)),
                ('triage', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('duplicate_of', fields.CharField(null=True, max_length=20)),
                ('source', fields.CharField(default='gongzhi', max_length=10)),
                ('external_no', fields.CharField(null=True, unique=True, max_length=64)),
                ('transferred_to', fields.CharField(null=True, max_length=20)),
                ('rating', fields.SmallIntField(null=True)),
                ('rating_comment', fields.CharField(null=True, max_length=500)),
                ('name', fields.CharField(null=True, max_length=50)),
                ('phone', fields.CharField(null=True, max_length=20)),
                ('owner_hash', fields.CharField(null=True, db_index=True, max_length=64)),
                ('openid', fields.CharField(null=True, max_length=64)),
                ('secret_hash', fields.CharField(null=True, max_length=64)),
                ('erased_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('idempotency_key', fields.CharField(null=True, unique=True, max_length=64)),
                ('request_hash', fields.CharField(null=True, max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'complaint', 'app': 'gongzhi', 'indexes': [Index(fields=['is_open', 'division', 'priority_rank', 'due_on', 'id']), Index(fields=['is_open', 'priority_rank', 'due_on', 'id']), Index(fields=['division', 'status', 'priority_rank', 'due_on']), Index(fields=['status', 'priority_rank', 'due_on']), Index(fields=['target_key', 'received_at']), Index(fields=['received_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComplaintEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('complaint', fields.ForeignKeyField('gongzhi.Complaint', source_field='complaint_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('kind', fields.CharField(max_length=12)),
                ('actor', fields.CharField(max_length=64)),
                ('role', fields.CharField(max_length=12)),
                ('before', fields.CharField(null=True, max_length=12)),
                ('after', fields.CharField(null=True, max_length=12)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('refusal_reason', fields.CharField(null=True, max_length=30)),
                ('public', fields.BooleanField(default=True)),
            ],
            options={'table': 'complaint_event', 'app': 'gongzhi', 'pk_attr': 'id', 'table_description': "One line of a case's timeline: a move, a note, a triage decision."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComplaintJob',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=10)),
                ('ticket', fields.CharField(db_index=True, max_length=20)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('attempts', fields.IntField(default=0)),
                ('next_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(null=True, max_length=12)),
                ('last_error', fields.CharField(null=True, max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'complaint_job', 'app': 'gongzhi', 'indexes': [Index(fields=['done_at', 'next_at'])], 'pk_attr': 'id', 'table_description': 'Durable outbox of the case work done after a commit: ``check`` (WeChat content'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Photo',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=24)),
                ('sha256', fields.CharField(max_length=64)),
                ('thumb_sha256', fields.CharField(max_length=64)),
                ('content_type', fields.CharField(max_length=20)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('size', fields.IntField()),
                ('uploader', fields.CharField(max_length=80)),
                ('complaint', fields.ForeignKeyField('gongzhi.Complaint', source_field='complaint_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('check_trace_id', fields.CharField(null=True, db_index=True, max_length=64)),
                ('check_suggest', fields.CharField(null=True, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'complaint_photo', 'app': 'gongzhi', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Staff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=50)),
                ('role', fields.CharField(max_length=12)),
                ('division', fields.CharField(null=True, max_length=6)),
                ('password_hash', fields.CharField(max_length=200)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff', 'app': 'gongzhi', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(forward, backward),
    ]

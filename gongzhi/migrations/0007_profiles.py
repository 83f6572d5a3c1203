from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# The profiles feature's tables (enterprise accounts, correction requests, recall warnings and
# their consent, label images) and indexes for its reads: an enterprise's products and
# sampling results, a product's batches by date (profiles, product pages, the trace export)
# and notices by kind. Plain SQL on the real column names (see 0004).
INDEXES = {
    "idx_product_enterprise": "product (enterprise_uscc)",
    "idx_batch_product_produced": "batch (product_id, produced_at)",
    "idx_sampling_producer_date": "sampling (enterprise_uscc, sampled_at)",
    "idx_notice_kind_published": "notice (kind, published_at)",
}


async def forward(apps, state_editor):
    for name, target in INDEXES.items():
        await state_editor.client.execute_script(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def backward(apps, state_editor):
    for name in INDEXES:
        await state_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [('gongzhi', '0006_scan_trust')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BindingCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('uscc', fields.CharField(db_index=True, max_length=18)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_by', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'enterprise_binding_code', 'app': 'gongzhi', 'pk_attr': 'id', 'table_description': 'A one-time code the regulator issues to bind a WeChat user to an enterprise.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CorrectionRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('uscc', fields.CharField(db_index=True, max_length=18)),
                ('target_type', fields.CharField(max_length=12)),
                ('target_key', fields.CharField(max_length=128)),
                ('field', fields.CharField(max_length=40)),
                ('current', fields.TextField(null=True, unique=False)),
                ('proposed', fields.TextField(unique=False)),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('requested_by', fields.CharField(max_length=64)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.CharField(null=True, max_length=64)),
                ('note', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'correction_request', 'app': 'gongzhi', 'pk_attr': 'id', 'table_description': 'An enterprise asks the regulator to correct public data about it (never edits it).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EnterpriseMember',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_hash', fields.CharField(db_index=True, max_length=64)),
                ('uscc', fields.CharField(db_index=True, max_length=18)),
                ('bound_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'enterprise_member', 'app': 'gongzhi', 'unique_together': (('user_hash', 'uscc'),), 'pk_attr': 'id', 'table_description': 'A WeChat user (pseudonym) who speaks for an enterprise.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MediaFile',
            fields=[
                ('sha256', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('content_type', fields.CharField(max_length=20)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('size', fields.IntField()),
                ('thumb_sha256', fields.CharField(max_length=64)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'media_file', 'app': 'gongzhi', 'pk_attr': 'sha256', 'table_description': 'An image received through the exchange, stored by the SHA-256 of its bytes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecallMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recall_id', fields.CharField(max_length=128)),
                ('user_hash', fields.CharField(max_length=64)),
                ('template_id', fields.CharField(max_length=64)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='pending', max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lease_owner', fields.CharField(null=True, max_length=32)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recall_message', 'app': 'gongzhi', 'unique_together': (('recall_id', 'user_hash'),), 'indexes': [Index(fields=['status', 'next_at'])], 'pk_attr': 'id', 'table_description': 'Durable outbox of recall warnings: one per recall and consumer, sent with a lease.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Subscription',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_hash', fields.CharField(max_length=64)),
                ('template_id', fields.CharField(max_length=64)),
                ('status', fields.CharField(max_length=8)),
                ('grants', fields.IntField(default=0)),
                ('openid', fields.CharField(null=True, max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consumer_subscription', 'app': 'gongzhi', 'unique_together': (('user_hash', 'template_id'),), 'pk_attr': 'id', 'table_description': "A consumer's answer to ``wx.requestSubscribeMessage`` for one template."},
            bases=['Model'],
        ),
        ops.RunPython(forward, backward),
    ]

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# The scan table of tracing.scans.models (consumer scan records, written in batches).


class Migration(migrations.Migration):
    dependencies = [('gongzhi', '0002_event_append_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Scan',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(max_length=128)),
                ('level', fields.CharField(max_length=10)),
                ('batch_id', fields.CharField(null=True, db_index=True, max_length=64)),
                ('scanned_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(max_length=10)),
                ('kiosk_id', fields.CharField(null=True, max_length=64)),
                ('city', fields.CharField(null=True, max_length=40)),
                ('lat', fields.FloatField(null=True)),
                ('lng', fields.FloatField(null=True)),
                ('user_hash', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'scan', 'app': 'gongzhi', 'indexes': [Index(fields=['code', 'scanned_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]

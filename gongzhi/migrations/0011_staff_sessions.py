from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Staff logins move from the key-value store (Redis) to the database, so that handlers go on
# working while Redis does not answer (accounts.staff.StaffLogin). Logins made before this
# migration were in Redis: staff log in once more.


class Migration(migrations.Migration):
    dependencies = [('gongzhi', '0010_complaints')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffLogin',
            fields=[
                ('token_hash', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('staff_id', fields.IntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_session', 'app': 'gongzhi', 'pk_attr': 'token_hash'},
            bases=['Model'],
        ),
    ]

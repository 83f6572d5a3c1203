from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# Kiosk fleet (tracing.scans.fleet): each registered kiosk's last heartbeat, and the kiosk's
# own id of a scan, recorded once per kiosk so a scan resent from its offline queue is not
# counted twice. The unique index as plain SQL (both databases treat NULLs as distinct, so
# scans without an id are never affected); the autodetector does not track it.
INDEX = ("CREATE UNIQUE INDEX IF NOT EXISTS uniq_scan_kiosk_scan_id "
         "ON scan (scan_id, kiosk_id)")  # scan_id first: the recorder looks ids up


async def forward(apps, state_editor):
    await state_editor.client.execute_script(INDEX)


async def backward(apps, state_editor):
    await state_editor.client.execute_script("DROP INDEX IF EXISTS uniq_scan_kiosk_scan_id")


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0011_staff_sessions")]

    operations = [
        ops.CreateModel(
            name="KioskHeartbeat",
            fields=[
                ("kiosk_id", fields.CharField(primary_key=True, unique=True, db_index=True,
                                              max_length=64)),
                ("received_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("camera", fields.CharField(max_length=10)),
                ("fps", fields.FloatField()),
                ("decode_rate", fields.FloatField(null=True)),
                ("queue", fields.IntField()),
                ("version", fields.CharField(max_length=32)),
            ],
            options={"table": "kiosk_heartbeat", "app": "gongzhi", "pk_attr": "kiosk_id"},
            bases=["Model"],
        ),
        ops.AddField(model_name="Scan", name="scan_id",
                     field=fields.CharField(null=True, max_length=64)),
        ops.RunPython(forward, backward),
    ]

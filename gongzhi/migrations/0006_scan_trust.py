from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# Scan trust (tracing.scans.client): each scan says how far it is trusted (source: person,
# kiosk, anonymous) and carries the city-level division the server derived (division). The
# city column held text the client wrote, shown to every later scanner: it is dropped. Earlier
# kiosk scans proved no key, so they stay anonymous; logged-in scans become ``person``.
# Registered kiosks get their table (tracing.scans.models.Kiosk).


async def mark_people(apps, state_editor):
    await state_editor.client.execute_script(
        "UPDATE scan SET source = 'person' WHERE user_hash IS NOT NULL")


async def unmark_people(apps, state_editor):
    """Nothing to undo: the column goes away with the backward AddField."""


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0005_scan_subject")]

    operations = [
        ops.CreateModel(
            name="Kiosk",
            fields=[
                ("id", fields.CharField(primary_key=True, unique=True, db_index=True,
                                        max_length=64)),
                ("key_hash", fields.CharField(max_length=64)),
                ("market", fields.CharField(max_length=200)),
                ("division_code", fields.CharField(max_length=6)),
                ("lat", fields.FloatField()),
                ("lng", fields.FloatField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "kiosk", "app": "gongzhi", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.AddField(model_name="Scan", name="division",
                     field=fields.CharField(null=True, max_length=6)),
        ops.AddField(model_name="Scan", name="source",
                     field=fields.CharField(default="anonymous", db_default="anonymous",
                                            max_length=10)),
        ops.RunPython(mark_people, unmark_people),
        ops.RemoveField(model_name="Scan", name="city"),
    ]

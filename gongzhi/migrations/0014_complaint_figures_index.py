from tortoise import migrations
from tortoise.migrations import operations as ops

# The complaint figures of an enterprise's profile (complaints.public_figures: counts by
# category and outcome over the last 12 months, the latest cases) read the cases resolved to
# one enterprise by the day they were received: an index in that order, so a profile never
# scans the whole complaint table. Plain SQL on the real column names (see 0004).
INDEXES = {
    "idx_complaint_target_uscc": "complaint (target_uscc, received_at)",
}


async def forward(apps, state_editor):
    for name, target in INDEXES.items():
        await state_editor.client.execute_script(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def backward(apps, state_editor):
    for name in INDEXES:
        await state_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0013_scan_counted")]

    operations = [ops.RunPython(forward, backward)]

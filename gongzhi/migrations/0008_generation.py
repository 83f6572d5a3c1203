from tortoise import migrations
from tortoise.migrations import operations as ops

# Named counters every process reads (core.db.read_generation): the view cache's generation
# is bumped by each import that changes data, so a Redis that missed an invalidation (down
# during the import, or restored from an older snapshot) is recognised and emptied when it
# answers again. Plain SQL: no model, nothing for the autodetector to track.
CREATE = ("CREATE TABLE IF NOT EXISTS generation "
          "(name VARCHAR(64) NOT NULL PRIMARY KEY, value BIGINT NOT NULL DEFAULT 0)")


async def forward(apps, state_editor):
    await state_editor.client.execute_script(CREATE)


async def backward(apps, state_editor):
    await state_editor.client.execute_script("DROP TABLE IF EXISTS generation")


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0007_profiles")]

    operations = [ops.RunPython(forward, backward)]

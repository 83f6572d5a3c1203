from tortoise import migrations
from tortoise.migrations import operations as ops

from tracing.model import append_only


async def forward(apps, state_editor):
    await append_only.install(state_editor.client)


async def backward(apps, state_editor):
    await append_only.remove(state_editor.client)


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]

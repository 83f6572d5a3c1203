from tortoise import migrations
from tortoise.migrations import operations as ops

# Database triggers that refuse UPDATE and DELETE on the event table: the application has no
# update or delete path for events, and the database refuses one too, so only someone who
# drops these can alter history (and `gongzhi verify` still sees it). The SQL is frozen here.

MESSAGE = "events are append-only: send a correction event instead"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS event_append_only_{op.lower()} BEFORE {op} ON event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for op in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS event_append_only_{op}" for op in ("update", "delete")]

POSTGRES_INSTALL = [
    "CREATE OR REPLACE FUNCTION gongzhi_event_append_only() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    *[f"CREATE TRIGGER event_append_only_{op.lower()} BEFORE {op} ON event "
      "FOR EACH ROW EXECUTE FUNCTION gongzhi_event_append_only()"
      for op in ("UPDATE", "DELETE")],
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS event_append_only_update ON event",
    "DROP TRIGGER IF EXISTS event_append_only_delete ON event",
    "DROP FUNCTION IF EXISTS gongzhi_event_append_only()",
]


def statements(dialect: str, *, install: bool) -> list[str]:
    if dialect == "postgres":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    return SQLITE_INSTALL if install else SQLITE_REMOVE


async def install(client) -> None:
    for sql in statements(client.capabilities.dialect, install=True):
        await client.execute_script(sql)


async def remove(client) -> None:
    for sql in statements(client.capabilities.dialect, install=False):
        await client.execute_script(sql)


async def forward(apps, state_editor):
    await install(state_editor.client)


async def backward(apps, state_editor):
    await remove(state_editor.client)


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]

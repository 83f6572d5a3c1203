from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# The public scan count counts viewers, not requests (tracing.scans.viewers): each scan row
# says whether it brought a new viewer (counted). Earlier rows are marked as far as they can
# be told apart: a logged-in person's first scan of a code, a kiosk's first scan of a code each
# day; anonymous scans kept no client, so one a code a day is marked (a lower bound: before,
# any client could inflate the figure by repeating requests).

DAY = {"sqlite": "date(substr(scanned_at, 1, 19), '+8 hours')",
       "postgres": "CAST(CAST(scanned_at AT TIME ZONE 'Asia/Shanghai' AS DATE) AS TEXT)"}
TRUE = {"sqlite": "1", "postgres": "TRUE"}


def mark_sql(dialect: str) -> str:
    day = DAY["postgres" if dialect == "postgres" else "sqlite"]
    viewer = (f"CASE WHEN source = 'person' THEN 'p:' || user_hash "
              f"WHEN source = 'kiosk' THEN 'k:' || kiosk_id || ':' || {day} "
              f"ELSE 'a:' || {day} END")
    true = TRUE["postgres" if dialect == "postgres" else "sqlite"]
    return (f"UPDATE scan SET counted = {true} WHERE id IN "
            f"(SELECT MIN(id) FROM scan GROUP BY subject, {viewer})")


async def mark_viewers(apps, state_editor):
    client = state_editor.client
    await client.execute_script(mark_sql(client.capabilities.dialect))


async def unmark_viewers(apps, state_editor):
    """Nothing to undo: the column goes away with the backward AddField."""


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0012_kiosk_fleet")]

    operations = [
        ops.AddField(model_name="Scan", name="counted",
                     field=fields.BooleanField(default=False, db_default=False)),
        ops.RunPython(mark_viewers, unmark_viewers),
    ]

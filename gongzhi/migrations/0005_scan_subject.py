from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# A scan row stores what the scanned code resolved to (a trace code, or GTIN + lot + serial):
# the column says so. Renaming a column keeps its index on both databases.


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0004_trace_view_indexes")]

    operations = [
        ops.RenameField(model_name="Scan", old_name="code", new_name="subject"),
        ops.AlterModelOptions(
            name="Scan",
            options={"table": "scan", "app": "gongzhi",
                     "indexes": [Index(fields=["subject", "scanned_at"])], "pk_attr": "id"},
        ),
    ]

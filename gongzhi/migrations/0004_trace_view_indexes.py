from tortoise import migrations
from tortoise.migrations import operations as ops

# Indexes for the trace view's queries and the view cache's invalidation lookups: neither
# database indexes foreign key columns on its own. Plain SQL on the real column names
# (Tortoise's Index(fields=...) writes a foreign key's field name, which is not its column).
INDEXES = {
    "idx_event_input_output": "event_input (output_batch_id, input_batch_id)",
    "idx_event_input_input": "event_input (input_batch_id)",
    "idx_recall_product": "recall (product_id)",
    "idx_recall_batch_batch": "recall_batch (batch_id)",
    "idx_sampling_producer_lot": "sampling (enterprise_uscc, lot)",
    "idx_enforcement_producer": "enforcement (enterprise_uscc, decided_at)",
    "idx_trace_code_batch": "trace_code (batch_id)",
    "idx_code_alias_code": "code_alias (code)",
}


async def forward(apps, state_editor):
    for name, target in INDEXES.items():
        await state_editor.client.execute_script(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def backward(apps, state_editor):
    for name in INDEXES:
        await state_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0003_scan")]

    operations = [ops.RunPython(forward, backward)]

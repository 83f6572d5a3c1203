import hashlib
from copy import deepcopy
from datetime import date, datetime, timezone

import orjson
from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

# Record histories (docs/exchange.md v1.1): every record but an event keeps its earlier
# versions in the append-only, hash-chained table record_version; its row carries the
# current version (version, version_prev, version_hash) and the reason sent with a
# correction. Official outcome tables get a `correction` summary. Products gain
# storage_class, process and label_image. Keys grow to 128 characters (VARCHAR(128) on
# PostgreSQL; SQLite does not enforce lengths, and rebuilding its tables would drop the
# event table's append-only triggers, so the key fields change in the migration state only).
# Two partial indexes serve the related-risk rule of the trace view (batches that shared a
# cold store or a vehicle). Existing rows are made version 1 with the hash the application
# computes; the canonical form is frozen below, not imported.

VERSIONED = ("Enterprise", "Product", "Batch", "TraceCode", "CodeAlias", "Sampling",
             "Enforcement", "Recall", "Notice")
OFFICIAL = ("Sampling", "Enforcement", "Recall")
WIDENED = (("Product", "product_id", True), ("Batch", "batch_id", True),
           ("Event", "event_id", False), ("Event", "corrects", False),
           ("Sampling", "sample_id", True), ("Enforcement", "case_no", True),
           ("Recall", "recall_id", True), ("Notice", "notice_id", True),
           ("Scan", "batch_id", False))
POSTGRES_WIDEN = [
    f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {c} TYPE VARCHAR(128)" for c in columns)
    for table, columns in (
        ("product", ("product_id",)), ("batch", ("batch_id", "product_id")),
        ("trace_code", ("batch_id",)), ("event", ("event_id", "batch_id", "corrects")),
        ("event_input", ("event_id", "output_batch_id", "input_batch_id")),
        ("sampling", ("sample_id",)), ("enforcement", ("case_no",)),
        ("recall", ("recall_id", "product_id")), ("recall_batch", ("recall_id", "batch_id")),
        ("notice", ("notice_id",)), ("scan", ("batch_id",)))
]

MESSAGE = "record versions are append-only: send the record again to make a new version"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS record_version_append_only_{op.lower()} BEFORE {op} "
    f"ON record_version BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for op in ("UPDATE", "DELETE")
]
SQLITE_UNTRIGGER = [f"DROP TRIGGER IF EXISTS record_version_append_only_{op}"
                    for op in ("update", "delete")]
POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION gongzhi_record_version_append_only() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    *[f"CREATE TRIGGER record_version_append_only_{op.lower()} BEFORE {op} ON record_version "
      "FOR EACH ROW EXECUTE FUNCTION gongzhi_record_version_append_only()"
      for op in ("UPDATE", "DELETE")],
]
POSTGRES_UNTRIGGER = [
    "DROP TRIGGER IF EXISTS record_version_append_only_update ON record_version",
    "DROP TRIGGER IF EXISTS record_version_append_only_delete ON record_version",
    "DROP FUNCTION IF EXISTS gongzhi_record_version_append_only()",
]
STORE_INDEX = ("CREATE INDEX IF NOT EXISTS idx_event_store ON event (place_uscc, occurred_at) "
               "WHERE kind IN ('storage_in', 'storage_out')")
VEHICLE = {"sqlite": "json_extract(detail, '$.vehicle.plate')",
           "postgres": "(detail -> 'vehicle' ->> 'plate')"}
INDEX_NAMES = ("idx_event_store", "idx_event_vehicle")


def vehicle_index(dialect: str) -> str:
    plate = VEHICLE["postgres" if dialect == "postgres" else "sqlite"]
    return (f"CREATE INDEX IF NOT EXISTS idx_event_vehicle ON event ({plate}, occurred_at) "
            f"WHERE {plate} IS NOT NULL")


def statements(dialect: str, *, install: bool) -> list[str]:
    """The append-only triggers of record_version (installed, or removed)."""
    if dialect == "postgres":
        return POSTGRES_TRIGGERS if install else POSTGRES_UNTRIGGER
    return SQLITE_TRIGGERS if install else SQLITE_UNTRIGGER


async def install(client) -> None:
    for sql in statements(client.capabilities.dialect, install=True):
        await client.execute_script(sql)


async def remove(client) -> None:
    for sql in statements(client.capabilities.dialect, install=False):
        await client.execute_script(sql)


# ------------------------------------------------------------- version 1 of existing rows
# table -> (key column, content columns, date columns, instant columns, JSON columns,
# defaults). The content and its canonical form are those of tracing.model.versions as of
# this migration.
GENESIS = "0" * 64
_TAIL = ("correction_reason", "extra")
CONTENT = {
    "enterprise": ("uscc", ("uscc", "name", "kind", "licence_no", "licence_valid_until",
                            "address", "division_code", "lat", "lng", "legal_representative",
                            "risk_grade", "status", "public_phone"),
                   ("licence_valid_until",), (), (), {"status": "active"}),
    "product": ("product_id", ("product_id", "enterprise_uscc", "name", "gtin", "brand", "spec",
                               "category", "standard", "ingredients", "shelf_life_days",
                               "storage", "storage_class", "process", "label_image"),
                (), (), ("ingredients",), {"ingredients": []}),
    "batch": ("batch_id", ("batch_id", "product_id", "lot", "produced_at", "quantity", "unit",
                           "expires_at"), ("produced_at", "expires_at"), (), (), {}),
    "code": ("code", ("code", "batch_id", "level", "serial", "issuer", "status"), (), (), (),
             {"level": "batch", "status": "active"}),
    "code_alias": ("alias", ("alias", "code", "issuer"), (), (), (), {}),
    "sampling": ("sample_id", ("sample_id", "enterprise_uscc", "product_name", "lot",
                               "sampled_at", "result", "failed_items", "authority",
                               "report_no"), ("sampled_at",), (), ("failed_items",),
                 {"failed_items": []}),
    "enforcement": ("case_no", ("case_no", "enterprise_uscc", "decided_at", "violation",
                                "penalty", "authority"), ("decided_at",), (), (), {}),
    "recall": ("recall_id", ("recall_id", "level", "reason", "started_at", "product_id",
                             "batch_ids", "status"), ("started_at",), (), ("batch_ids",),
               {"batch_ids": [], "status": "ongoing"}),
    "notice": ("notice_id", ("notice_id", "kind", "title", "body", "published_at", "related"),
               (), ("published_at",), ("related",), {"related": []}),
}
TABLES = {"code": "trace_code"}


def _plain(value):
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _instant(value) -> str:
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _day(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def content_hash(rtype: str, row: dict) -> str:
    """sha256(GENESIS + "\\n" + canonical content) of a stored row (version 1)."""
    _, names, days, instants, jsons, defaults = CONTENT[rtype]
    data = {"type": rtype}
    for name in (*names, *_TAIL):
        value = row.get(name)
        if isinstance(value, (str, bytes)) and (name in jsons or name == "extra"):
            value = loads(value)
        if value is None or value == [] or value == {}:
            value = {} if name == "extra" else defaults.get(name)
        elif name in days:
            value = _day(value)
        elif name in instants:
            value = _instant(value)
        data[name] = _plain(value)
    body = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(GENESIS.encode() + b"\n" + body).hexdigest()


async def backfill(client) -> int:
    """Make every row without a version its version 1; return how many."""
    postgres = client.capabilities.dialect == "postgres"
    done = 0
    for rtype, (key, names, *_rest) in CONTENT.items():
        table = TABLES.get(rtype, rtype)
        columns = ", ".join(dict.fromkeys((key, *names, *_TAIL)))
        rows = await client.execute_query_dict(
            f"SELECT {columns} FROM {table} WHERE version_hash IS NULL")
        if not rows:
            continue
        marks = ("$1", "$2") if postgres else ("?", "?")
        await client.execute_many(
            f"UPDATE {table} SET version = 1, version_prev = '{GENESIS}', "
            f"version_hash = {marks[0]} WHERE {key} = {marks[1]}",
            [[content_hash(rtype, row), row[key]] for row in rows])
        done += len(rows)
    return done


async def forward(apps, state_editor):
    client = state_editor.client
    dialect = client.capabilities.dialect
    for sql in (*(POSTGRES_WIDEN if dialect == "postgres" else ()), STORE_INDEX,
                vehicle_index(dialect)):
        await client.execute_script(sql)
    await install(client)
    await backfill(client)


async def backward(apps, state_editor):
    client = state_editor.client
    await remove(client)
    for name in INDEX_NAMES:
        await client.execute_script(f"DROP INDEX IF EXISTS {name}")


class AddFields(ops.TortoiseOperation):
    """Fields added to one model in one step: Tortoise rebuilds the app's models at every
    state change, so one step a field made this migration take seconds."""

    def __init__(self, model_name: str, fields: list[tuple[str, object]]) -> None:
        self.model_name = model_name
        self.fields = fields

    def describe(self) -> str:
        return f"Add fields {', '.join(n for n, _ in self.fields)} to {self.model_name}"

    def state_forward(self, app_label, state) -> None:
        model_state = self.get_model_state(state, app_label, self.model_name)
        for name, field in self.fields:
            model_state.fields[name] = deepcopy(field)
        state.reload_models({(app_label, self.model_name)})

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            model = new_state.apps.get_model(f"{app_label}.{self.model_name}")
            for name, _ in self.fields:
                await state_editor.add_field(model, name)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
            for name, _ in self.fields:
                await state_editor.remove_field(model, model._meta.fields_map[name])


class WidenKeysInState(ops.TortoiseOperation):
    """The key fields as the models now declare them (128 characters), in the migration
    state only; ``forward`` changes the database (PostgreSQL)."""

    def describe(self) -> str:
        return "Widen record keys to 128 characters"

    def state_forward(self, app_label, state) -> None:
        for model, name, primary in WIDENED:
            self.get_model_state(state, app_label, model).fields[name] = _widened(
                model, name, primary)
        state.reload_models({(app_label, model) for model, _, _ in WIDENED})


def _widened(model: str, name: str, primary: bool):
    if primary:
        return fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)
    if (model, name) == ("Event", "event_id"):
        return fields.CharField(unique=True, max_length=128)
    return fields.CharField(null=True, db_index=True, max_length=128)


def _versioned(model: str) -> AddFields:
    added = [("correction_reason", fields.TextField(null=True, unique=False)),
             ("version", fields.IntField(null=True)),
             ("version_prev", fields.CharField(null=True, max_length=64)),
             ("version_hash", fields.CharField(null=True, max_length=64))]
    if model in OFFICIAL:
        added.append(("correction", fields.JSONField(null=True, encoder=JSON_DUMPS,
                                                     decoder=loads)))
    if model == "Product":
        added += [("storage_class", fields.CharField(null=True, max_length=10)),
                  ("process", fields.TextField(null=True, unique=False)),
                  ("label_image", fields.CharField(null=True, max_length=64))]
    return AddFields(model, added)


class Migration(migrations.Migration):
    dependencies = [("gongzhi", "0008_generation")]

    operations = [
        ops.CreateModel(
            name="RecordVersion",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True,
                                          db_index=True)),
                ("rtype", fields.CharField(max_length=20)),
                ("key", fields.CharField(max_length=128)),
                ("version", fields.IntField()),
                ("content", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ("recorded_at", fields.DatetimeField(null=True, auto_now=False,
                                                     auto_now_add=False)),
                ("superseded_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("prev_hash", fields.CharField(max_length=64)),
                ("hash", fields.CharField(max_length=64)),
            ],
            options={"table": "record_version", "app": "gongzhi",
                     "unique_together": (("rtype", "key", "version"),), "pk_attr": "id",
                     "table_description": "An earlier version of a record (append-only: "
                                          "database triggers refuse UPDATE and"},
            bases=["Model"],
        ),
        *[_versioned(model) for model in VERSIONED],
        WidenKeysInState(),
        ops.RunPython(forward, backward),
    ]

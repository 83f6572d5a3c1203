"""Exchange records (EXCHANGE.md v1) validated into plain values. Pure, no I/O.

``validate_record(obj)`` returns a :class:`Record`: the type, its key, the values to store
(unknown fields gathered in ``extra``) and the references it makes to other records, which
the importer checks against the database and the rest of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracing.exchange import fields as f
from tracing.exchange.event_detail import check_detail, check_place
from tracing.exchange.fields import RecordError

ENTERPRISE_KINDS = ("producer", "processor", "distributor", "wholesaler", "retailer", "market",
                    "caterer", "cold_storage", "importer", "farm")
EVENT_KINDS = ("raw_material_intake", "production", "inspection", "storage_in", "storage_out",
               "shipping", "receiving", "sale", "import_clearance", "recall", "destruction")

# type -> key field, {field: (parser, required)}
SPECS: dict[str, tuple[str, dict[str, tuple[f.Parser, bool]]]] = {
    "enterprise": ("uscc", {
        "uscc": (f.uscc, True), "name": (f.text(200), True),
        "kind": (f.choice(*ENTERPRISE_KINDS), True), "licence_no": (f.licence, False),
        "licence_valid_until": (f.day, False), "address": (f.text(300), True),
        "division_code": (f.division, True), "lat": (f.latitude, False),
        "lng": (f.longitude, False), "legal_representative": (f.text(100), False),
        "risk_grade": (f.choice("A", "B", "C", "D"), False),
        "status": (f.choice("active", "suspended", "revoked", "closed"), False),
        "public_phone": (f.phone, False),
    }),
    "product": ("product_id", {
        "product_id": (f.key, True), "enterprise_uscc": (f.uscc, True),
        "name": (f.text(200), True), "gtin": (f.gtin, False), "brand": (f.text(100), False),
        "spec": (f.text(100), False), "category": (f.text(100), False),
        "standard": (f.standard, False), "ingredients": (f.string_list(100, 100), False),
        "shelf_life_days": (f.integer(1, 3650), False), "storage": (f.text(200), False),
    }),
    "batch": ("batch_id", {
        "batch_id": (f.key, True), "product_id": (f.key, True), "lot": (f.text(64), True),
        "produced_at": (f.day, True), "quantity": (f.number(0, 1e12), False),
        "unit": (f.text(20), False), "expires_at": (f.day, False),
    }),
    "code": ("code", {
        "code": (f.trace_code, True), "batch_id": (f.key, True),
        "level": (f.choice("batch", "case", "item"), False), "serial": (f.text(64), False),
        "issuer": (f.text(100), False), "status": (f.choice("active", "withdrawn"), False),
    }),
    "code_alias": ("alias", {
        "alias": (f.alias_code, True), "code": (f.trace_code, True),
        "issuer": (f.text(100), True),
    }),
    "event": ("event_id", {
        "event_id": (f.key, True), "batch_id": (f.key, True),
        "kind": (f.choice(*EVENT_KINDS), True), "occurred_at": (f.moment, True),
        "place_uscc": (f.uscc, False), "place": (f.obj, False), "actor": (f.text(100), False),
        "quantity": (f.number(0, 1e12), False), "unit": (f.text(20), False),
        "inputs": (f.key_list(200), False), "detail": (f.obj, False), "corrects": (f.key, False),
    }),
    "sampling": ("sample_id", {
        "sample_id": (f.key, True), "enterprise_uscc": (f.uscc, True),
        "product_name": (f.text(200), True), "lot": (f.text(64), False),
        "sampled_at": (f.day, True), "result": (f.choice("pass", "fail"), True),
        "failed_items": (f.string_list(50, 200), False), "authority": (f.text(200), True),
        "report_no": (f.text(64), False),
    }),
    "enforcement": ("case_no", {
        "case_no": (f.key, True), "enterprise_uscc": (f.uscc, True),
        "decided_at": (f.day, True), "violation": (f.text(2000), True),
        "penalty": (f.text(2000), True), "authority": (f.text(200), True),
    }),
    "recall": ("recall_id", {
        "recall_id": (f.key, True), "level": (f.choice(1, 2, 3), True),
        "reason": (f.text(2000), True), "started_at": (f.day, True),
        "batch_ids": (f.key_list(1000), False), "product_id": (f.key, False),
        "status": (f.choice("ongoing", "completed"), False),
    }),
    "notice": ("notice_id", {
        "notice_id": (f.key, True),
        "kind": (f.choice("recall", "sampling", "enforcement", "announcement"), True),
        "title": (f.text(300), True), "body": (f.text(20000), True),
        "published_at": (f.moment, True), "related": (f.string_list(100, 128), False),
    }),
}
TYPES = tuple(SPECS)
# Which field refers to which record type.
REFERENCES = {
    "enterprise_uscc": "enterprise", "place_uscc": "enterprise", "product_id": "product",
    "batch_id": "batch", "inputs": "batch", "batch_ids": "batch", "corrects": "event",
}


@dataclass
class Record:
    type: str
    key: str
    values: dict[str, Any]
    refs: list[tuple[str, str, str]] = field(default_factory=list)  # (type, key, field)


def validate_record(obj: Any) -> Record:
    """Validate one decoded JSON value; raise :class:`RecordError` naming the field."""
    if not isinstance(obj, dict):
        raise RecordError("a record must be a JSON object", field=None, code="not_an_object")
    rtype = obj.get("type")
    if rtype not in SPECS:
        raise RecordError(f"unknown record type {rtype!r}; expected one of {', '.join(TYPES)}",
                          field="type", code="unknown_type")
    key_field, spec = SPECS[rtype]
    values: dict[str, Any] = {}
    for name, (parse, required) in spec.items():
        raw = obj.get(name)
        if raw is None:
            if required:
                raise RecordError(f"{name} is required for a {rtype} record", field=name,
                                  code="required")
            continue
        values[name] = parse(raw, name)
    values["extra"] = {k: v for k, v in obj.items() if k not in spec and k != "type"}
    record = Record(rtype, values[key_field], values)
    _CHECKS.get(rtype, lambda r: None)(record)
    record.refs.extend(references(rtype, values))
    return record


def _ref_fields(rtype: str, spec: dict) -> tuple[tuple[str, str], ...]:
    """(field, target type) of the fields of ``rtype`` that refer to other records."""
    return tuple((name, target) for name, target in REFERENCES.items() if name in spec
                 and not (name == "product_id" and rtype == "product")
                 and not (name == "batch_id" and rtype == "batch"))


_REF_FIELDS = {rtype: _ref_fields(rtype, spec) for rtype, (_, spec) in SPECS.items()}


def references(rtype: str, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The (type, key, field) references of a validated record, in REFERENCES order."""
    refs = []
    for name, target in _REF_FIELDS[rtype]:
        value = values.get(name)
        if not value:
            continue
        if type(value) is list:
            refs.extend((target, item, name) for item in value)
        else:
            refs.append((target, value, name))
    if rtype == "code_alias":
        refs.append(("code", values["code"], "code"))
    return refs


def _check_enterprise(record: Record) -> None:
    v = record.values
    if ("lat" in v) != ("lng" in v):
        missing = "lng" if "lat" in v else "lat"
        raise RecordError("lat and lng come together", field=missing, code="required")


def _check_batch(record: Record) -> None:
    v = record.values
    if "expires_at" in v and v["expires_at"] < v["produced_at"]:
        raise RecordError("expires_at is before produced_at", field="expires_at",
                          code="out_of_range")


def _check_event(record: Record) -> None:
    v = record.values
    if "place_uscc" not in v and "place" not in v:
        raise RecordError("an event needs place_uscc or place", field="place_uscc",
                          code="required")
    if "place" in v:
        v["place"] = check_place(v["place"])
    v["detail"] = check_detail(v["kind"], v.get("detail", {}))
    if v.get("corrects") == v["event_id"]:
        raise RecordError("an event cannot correct itself", field="corrects",
                          code="invalid_value")
    if v["batch_id"] in v.get("inputs", ()):
        raise RecordError("a batch cannot be its own input", field="inputs",
                          code="invalid_value")


def _check_recall(record: Record) -> None:
    if not record.values.get("batch_ids") and "product_id" not in record.values:
        raise RecordError("a recall names batch_ids or product_id", field="batch_ids",
                          code="required")


_CHECKS = {"enterprise": _check_enterprise, "batch": _check_batch, "event": _check_event,
           "recall": _check_recall}

"""Exchange records (docs/exchange.md, v1.1) validated into plain values. Pure, no I/O.

``validate_record(obj)`` returns a :class:`Record`: the type, its key, the values to store
(unknown fields gathered in ``extra``), the references it makes to other records, which
the importer checks against the database and the rest of the file, and warnings (accepted,
but said: a licence that does not fit the enterprise's kind). ``check_dates(record, now)``
refuses official records dated more than a day ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.clock import SHANGHAI
from core.i18n import T
from tracing.exchange import fields
from tracing.exchange.event_detail import check_detail, check_place
from tracing.exchange.fields import RecordError

ENTERPRISE_KINDS = ("producer", "processor", "distributor", "wholesaler", "retailer", "market",
                    "caterer", "cold_storage", "importer", "farm")
STORAGE_CLASSES = ("ambient", "chilled", "frozen")
RECALL_STATUSES = ("ongoing", "completed", "withdrawn")
EVENT_KINDS = ("raw_material_intake", "production", "inspection", "storage_in", "storage_out",
               "shipping", "receiving", "sale", "import_clearance", "recall", "destruction")

# type -> key field, {field: (parser, required)}
SPECS: dict[str, tuple[str, dict[str, tuple[fields.Parser, bool]]]] = {
    "enterprise": ("uscc", {
        "uscc": (fields.uscc, True), "name": (fields.text(200), True),
        "kind": (fields.choice(*ENTERPRISE_KINDS), True), "licence_no": (fields.licence, False),
        "licence_valid_until": (fields.day, False), "address": (fields.text(300), True),
        "division_code": (fields.division, True), "lat": (fields.latitude, False),
        "lng": (fields.longitude, False), "legal_representative": (fields.text(100), False),
        "risk_grade": (fields.choice("A", "B", "C", "D"), False),
        "status": (fields.choice("active", "suspended", "revoked", "closed"), False),
        "public_phone": (fields.phone, False),
        "correction_reason": (fields.text(500), False),
    }),
    "product": ("product_id", {
        "product_id": (fields.key, True), "enterprise_uscc": (fields.uscc, True),
        "name": (fields.text(200), True), "gtin": (fields.gtin, False), "brand": (fields.text(100), False),
        "spec": (fields.text(100), False), "category": (fields.text(100), False),
        "standard": (fields.standard, False), "ingredients": (fields.string_list(100, 100), False),
        "shelf_life_days": (fields.integer(1, 3650), False), "storage": (fields.text(200), False),
        "storage_class": (fields.choice(*STORAGE_CLASSES), False),
        "process": (fields.text(2000), False), "label_image": (fields.sha256, False),
        "correction_reason": (fields.text(500), False),
    }),
    "batch": ("batch_id", {
        "batch_id": (fields.key, True), "product_id": (fields.key, True), "lot": (fields.text(64), True),
        "produced_at": (fields.day, True), "quantity": (fields.number(0, 1e12), False),
        "unit": (fields.text(20), False), "expires_at": (fields.day, False),
        "correction_reason": (fields.text(500), False),
    }),
    "code": ("code", {
        "code": (fields.trace_code, True), "batch_id": (fields.key, True),
        "level": (fields.choice("batch", "case", "item"), False), "serial": (fields.text(64), False),
        "issuer": (fields.text(100), False), "status": (fields.choice("active", "withdrawn"), False),
        "correction_reason": (fields.text(500), False),
    }),
    "code_alias": ("alias", {
        "alias": (fields.alias_code, True), "code": (fields.trace_code, True),
        "issuer": (fields.text(100), True), "correction_reason": (fields.text(500), False),
    }),
    "event": ("event_id", {
        "event_id": (fields.key, True), "batch_id": (fields.key, True),
        "kind": (fields.choice(*EVENT_KINDS), True), "occurred_at": (fields.moment, True),
        "place_uscc": (fields.uscc, False), "place": (fields.obj, False), "actor": (fields.text(100), False),
        "quantity": (fields.number(0, 1e12), False), "unit": (fields.text(20), False),
        "inputs": (fields.key_list(200), False), "detail": (fields.obj, False), "corrects": (fields.key, False),
    }),
    "sampling": ("sample_id", {
        "sample_id": (fields.key, True), "enterprise_uscc": (fields.uscc, True),
        "product_name": (fields.text(200), True), "lot": (fields.text(64), False),
        "sampled_at": (fields.day, True), "result": (fields.choice("pass", "fail"), True),
        "failed_items": (fields.string_list(50, 200), False), "authority": (fields.text(200), True),
        "report_no": (fields.text(64), False), "correction_reason": (fields.text(500), False),
    }),
    "enforcement": ("case_no", {
        "case_no": (fields.key, True), "enterprise_uscc": (fields.uscc, True),
        "decided_at": (fields.day, True), "violation": (fields.text(2000), True),
        "penalty": (fields.text(2000), True), "authority": (fields.text(200), True),
        "correction_reason": (fields.text(500), False),
    }),
    "recall": ("recall_id", {
        "recall_id": (fields.key, True), "level": (fields.choice(1, 2, 3), True),
        "reason": (fields.text(2000), True), "started_at": (fields.day, True),
        "batch_ids": (fields.key_list(1000), False), "product_id": (fields.key, False),
        "status": (fields.choice(*RECALL_STATUSES), False),
        "correction_reason": (fields.text(500), False),
    }),
    "notice": ("notice_id", {
        "notice_id": (fields.key, True),
        "kind": (fields.choice("recall", "sampling", "enforcement", "announcement"), True),
        "title": (fields.text(300), True), "body": (fields.text(20000), True),
        "published_at": (fields.moment, True), "related": (fields.string_list(100, 128), False),
        "correction_reason": (fields.text(500), False),
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
    warnings: tuple[RecordError, ...] = ()  # accepted, but said (rare: no list a record)


def validate_record(obj: Any) -> Record:
    """Validate one decoded JSON value; raise :class:`RecordError` naming the field."""
    if not isinstance(obj, dict):
        raise RecordError(T("每条记录必须是 JSON 对象"), field=None, code="not_an_object")
    rtype = obj.get("type")
    if rtype not in SPECS:
        raise RecordError(T("未知的记录类型 {rtype!r}，应为 {types} 之一", rtype=rtype, types=', '.join(TYPES)),
                          field="type", code="unknown_type")
    key_field, spec = SPECS[rtype]
    values: dict[str, Any] = {}
    for name, (parse, required) in spec.items():
        raw = obj.get(name)
        if raw is None:
            if required:
                raise RecordError(T("{rtype} 记录须提供 {name}", name=name, rtype=rtype), field=name,
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
        raise RecordError(T("lat 和 lng 须同时提供"), field=missing, code="required")
    licence = v.get("licence_no")
    if licence and v["kind"] not in LICENCE_FITS[licence[:2]]:
        record.warnings += (RecordError(
            T("企业类型为{kind_name}（{kind}），却持有{licence_name}（{prefix}）：记录已接收，"
              "请核对许可证编号或企业类型", kind_name=KIND_NAMES[v["kind"]], kind=v["kind"],
              licence_name=LICENCE_NAMES[licence[:2]], prefix=licence[:2]), field="licence_no",
            code="licence_kind_mismatch"),)


# Which enterprise kinds each licence prefix is issued to: a producer or processor holds a
# food production licence (SC); selling and catering take a food business licence (JY);
# the filing for selling prepackaged food only (YB) cannot cover catering or production.
LICENCE_FITS = {
    "SC": ("producer", "processor", "farm"),
    "JY": ("distributor", "wholesaler", "retailer", "market", "caterer", "cold_storage",
           "importer", "farm"),
    "YB": ("distributor", "wholesaler", "retailer", "market", "cold_storage", "importer"),
}
LICENCE_NAMES = {"SC": T("食品生产许可证"), "JY": T("食品经营许可证"), "YB": T("仅销售预包装食品备案")}
KIND_NAMES = {"producer": T("食品生产者"), "processor": T("食品加工者"), "distributor": T("经销商"),
              "wholesaler": T("批发商"), "retailer": T("零售商"), "market": T("集中交易市场"),
              "caterer": T("餐饮服务提供者"), "cold_storage": T("冷库"), "importer": T("进口商"),
              "farm": T("食用农产品生产者")}


def _check_batch(record: Record) -> None:
    v = record.values
    if "expires_at" in v and v["expires_at"] < v["produced_at"]:
        raise RecordError(T("expires_at（到期日）早于 produced_at（生产日期）"), field="expires_at",
                          code="out_of_range")


def _check_event(record: Record) -> None:
    v = record.values
    if "place_uscc" not in v and "place" not in v:
        raise RecordError(T("事件须提供 place_uscc 或 place"), field="place_uscc",
                          code="required")
    if "place" in v:
        v["place"] = check_place(v["place"])
    v["detail"] = check_detail(v["kind"], v.get("detail", {}))
    if v.get("corrects") == v["event_id"]:
        raise RecordError(T("事件不能更正自身"), field="corrects",
                          code="invalid_value")
    if v["batch_id"] in v.get("inputs", ()):
        raise RecordError(T("批次不能以自身为原料"), field="inputs",
                          code="invalid_value")


def _check_recall(record: Record) -> None:
    v = record.values
    if not v.get("batch_ids") and "product_id" not in v:
        raise RecordError(T("召回须指明 batch_ids 或 product_id"), field="batch_ids",
                          code="required")
    if v.get("status") == "withdrawn" and "correction_reason" not in v:
        raise RecordError(T("撤销召回（status withdrawn，误发）必须在 correction_reason 中说明原因"),
                          field="correction_reason", code="correction_reason_required")


# The date of each official record, and how far ahead of now it may lie (clocks differ).
OFFICIAL_DATES = {"sampling": "sampled_at", "enforcement": "decided_at", "recall": "started_at",
                  "notice": "published_at"}
FUTURE_TOLERANCE = timedelta(days=1)


def check_dates(record: Record, now: datetime) -> None:
    """Refuse an official record dated more than one day after ``now`` (``future_date``)."""
    name = OFFICIAL_DATES.get(record.type)
    value = record.values.get(name) if name else None
    if value is None:
        return
    if isinstance(value, datetime):
        late = value > now + FUTURE_TOLERANCE
    else:
        late = value > (now.astimezone(SHANGHAI) + FUTURE_TOLERANCE).date()
    if late:
        raise RecordError(T("{name} {date} 晚于当前时间一天以上：官方记录不能预先登记未来日期", name=name,
                            date=value.isoformat()), field=name, code="future_date")


_CHECKS = {"enterprise": _check_enterprise, "batch": _check_batch, "event": _check_event,
           "recall": _check_recall}

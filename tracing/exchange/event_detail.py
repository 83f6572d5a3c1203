"""Validation of an event's ``place`` and kind-specific ``detail`` (docs/exchange.md). Pure."""

from __future__ import annotations

from typing import Any

from core.i18n import T
from tracing.exchange import fields
from tracing.exchange.fields import RecordError

CERTIFICATE_KINDS = ("licence", "quarantine", "customs", "disinfection", "nucleic_acid",
                     "inspection_report", "origin", "other")


def _sub(spec: dict[str, tuple[fields.Parser, bool]], value: Any, where: str) -> dict:
    value = fields.obj(value, where)
    # Unknown keys are kept (first, as before); most objects have none.
    out = {} if value.keys() <= spec.keys() else {
        k: v for k, v in value.items() if k not in spec}
    get = value.get
    for name, (parse, required) in spec.items():
        raw = get(name)
        if raw is None:
            if required:
                path = f"{where}.{name}"
                raise RecordError(T("缺少 {path}", path=path), field=path, code="required")
            continue
        out[name] = parse(raw, f"{where}.{name}")
    return out


PLACE = {"name": (fields.text(200), True), "division_code": (fields.division, False),
         "lat": (fields.latitude, False), "lng": (fields.longitude, False)}
INSPECTION = {"item": (fields.text(200), True), "method": (fields.text(200), False),
              "result": (fields.choice("pass", "fail"), True), "report_no": (fields.text(64), False),
              "inspector": (fields.text(100), False)}
TEMPERATURE = {"at": (fields.moment, True), "celsius": (fields.number(-80, 100), True)}
CERTIFICATE = {"kind": (fields.choice(*CERTIFICATE_KINDS), True), "number": (fields.text(100), True),
               "issuer": (fields.text(200), False)}
COUNTERPARTY = {"name": (fields.text(200), True), "uscc": (fields.uscc, False)}
VEHICLE = {"plate": (fields.plate, True), "kind": (fields.text(50), False)}


def check_place(value: Any) -> dict:
    place = _sub(PLACE, value, "place")
    if ("lat" in place) != ("lng" in place):
        raise RecordError(T("place.lat 和 place.lng 须同时提供"), field="place.lat",
                          code="required")
    return place


def _items(spec: dict, value: Any, where: str, limit: int) -> list[dict]:
    if not isinstance(value, list):
        raise RecordError(T("{where} 必须是列表", where=where), field=where, code="wrong_type")
    if len(value) > limit:
        raise RecordError(T("{where} 超过 {limit} 项",
                            where=where, limit=limit), field=where, code="too_long")
    return [_sub(spec, item, f"{where}[{i}]") for i, item in enumerate(value)]


def check_detail(kind: str, value: Any) -> dict:
    """Validate the parts of ``detail`` docs/exchange.md defines; keep the rest as sent."""
    detail = dict(fields.obj(value, "detail"))
    if kind == "inspection" and "inspection" not in detail:
        raise RecordError(T("检验事件须有 detail.inspection"),
                          field="detail.inspection", code="required")
    if "inspection" in detail:
        detail["inspection"] = _sub(INSPECTION, detail["inspection"], "detail.inspection")
    if "temperatures" in detail:
        temps = _items(TEMPERATURE, detail["temperatures"], "detail.temperatures", 10000)
        detail["temperatures"] = [{**t, "at": t["at"].isoformat()} for t in temps]
    if "certificates" in detail:
        detail["certificates"] = _items(CERTIFICATE, detail["certificates"],
                                        "detail.certificates", 50)
    if "counterparty" in detail:
        detail["counterparty"] = _sub(COUNTERPARTY, detail["counterparty"], "detail.counterparty")
    if "vehicle" in detail:
        vehicle = detail["vehicle"]
        if isinstance(vehicle, str):  # a plate alone, as some v1 senders wrote it
            vehicle = {"plate": vehicle}
        detail["vehicle"] = _sub(VEHICLE, vehicle, "detail.vehicle")
    return detail

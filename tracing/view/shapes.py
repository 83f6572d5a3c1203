"""The public JSON shapes of a trace view's rows: which columns the view shows, under which
names, dates as ISO text, people and free text masked (pure; rows as
:mod:`tracing.view.queries` reads them)."""

from __future__ import annotations

from typing import Any

from core.clock import local_iso
from tracing.view import corrections, masking, rules
from tracing.view.resolve import Resolved


def product_json(row: dict) -> dict:
    """The scanned product; phone, ID and plate numbers in its free text masked."""
    text = masking.scrub_all({"name": row["p_name"], "brand": row.get("brand"),
                              "spec": row.get("spec"), "category": row.get("category"),
                              "standard": row.get("standard"),
                              "ingredients": row.get("ingredients"),
                              "storage": row.get("storage")})
    return {"product_id": row["product_id"], "name": text["name"], "gtin": row.get("gtin"),
            "brand": text["brand"], "spec": text["spec"], "category": text["category"],
            "standard": text["standard"], "ingredients": text["ingredients"],
            "shelf_life_days": row.get("shelf_life_days"), "storage": text["storage"],
            "storage_class": row.get("storage_class")}


def enterprise_json(row: dict, enforcements: list[dict]) -> dict:
    """The producer of the scanned product, with its latest enforcement decisions."""
    return {"uscc": row["uscc"], "name": row["e_name"], "kind": row.get("e_kind"),
            "status": row.get("e_status"), "licence_no": row.get("licence_no"),
            "licence_valid_until": rules.iso_date(row.get("licence_valid_until")),
            "address": masking.scrub(row.get("address")),
            "division_code": row.get("division_code"),
            "lat": row.get("lat"), "lng": row.get("lng"), "risk_grade": row.get("risk_grade"),
            "public_phone": row.get("public_phone"), "enforcements": enforcements}


def enforcement_json(row: dict) -> dict:
    """An enforcement decision, phone and ID-card numbers in its text masked; a corrected one
    says so ("已更正：原处罚决定为……")."""
    return {"case_no": row["case_no"], "decided_at": rules.iso_date(row["decided_at"]),
            "violation": masking.scrub(row["violation"]), "penalty": masking.scrub(row["penalty"]),
            "authority": row["authority"],
            "correction": corrections.correction_note(
                row.get("correction"), corrections.enforcement_before(row))}


def batch_json(row: dict) -> dict:
    return {"batch_id": row["batch_id"], "lot": row["lot"],
            "produced_at": rules.iso_date(row["produced_at"]),
            "expires_at": rules.iso_date(row.get("expires_at")),
            "quantity": row.get("quantity"), "unit": row.get("unit")}


def input_product_json(row: dict) -> dict:
    return {"product_id": row["product_id"], "name": row["p_name"], "brand": row.get("brand"),
            "category": row.get("category")}


def input_producer_json(row: dict) -> dict:
    return {"uscc": row["uscc"], "name": row["e_name"], "kind": row.get("e_kind"),
            "division_code": row.get("division_code"), "status": row.get("e_status")}


def licence_certificate(row: dict) -> dict:
    """The producer's licence, shown first among the certificates."""
    return {"kind": "licence", "number": row["licence_no"], "issuer": None,
            "valid_until": rules.iso_date(row.get("licence_valid_until")), "uscc": row["uscc"]}


def licence_facts(row: dict) -> dict:
    """What :func:`tracing.view.rules.licence_alerts` reads of a producer."""
    return {"uscc": row["uscc"], "name": row["e_name"], "status": row.get("e_status"),
            "licence_valid_until": row.get("licence_valid_until")}


def sampling_json(row: dict) -> dict:
    """A sampling result; a corrected one says so ("已更正：原结果为不合格……")."""
    return {"sample_id": row["sample_id"], "sampled_at": rules.iso_date(row["sampled_at"]),
            "result": row["result"], "failed_items": masking.scrub_all(row["failed_items"]),
            "authority": row["authority"], "report_no": row["report_no"],
            "correction": corrections.correction_note(row.get("correction"),
                                                      corrections.sampling_before(row))}


def inspection_json(event: dict) -> dict:
    """A factory inspection recorded on a shown event (the inspector masked)."""
    detail = masking.public_detail(event.get("detail"))
    return {"event_id": event["event_id"], "occurred_at": local_iso(event["occurred_at"]),
            **detail["inspection"]}


def resolved_json(resolved: Resolved) -> dict:
    """What the scan resolved to: subject, serial and issuer, alias, fallback."""
    out: dict[str, Any] = {"subject": resolved.subject}
    if resolved.code:
        out.update(serial=resolved.code.get("serial"), issuer=resolved.code.get("issuer"))
    if resolved.alias:
        out["alias"] = resolved.alias
    if resolved.fallback:
        out["fallback"] = resolved.fallback
    return out


def complaint_link(code: str | None, row: dict) -> dict:
    """Where to complain about what was scanned: the mini-program page and a pre-filled
    form for ``POST /api/v1/complaints`` (the target is the code, else the product)."""
    target = {"type": "trace_code", "code": code} if code else \
        {"type": "product", "product_id": row["product_id"]}
    page = f"pages/complaint/complaint?code={code}" if code else \
        f"pages/complaint/complaint?product={row['product_id']}"
    return {"page": page, "submit": "/api/v1/complaints",
            "prefill": {"kind": "complaint", "target": target, "channel": "miniapp"},
            "about": {"product": row.get("p_name"), "enterprise": row.get("e_name")}}

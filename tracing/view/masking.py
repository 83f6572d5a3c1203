"""An event's detail reduced to what the public may see: natural persons masked, free text
scrubbed, the vehicle's plate masked (the rules themselves are in :mod:`tracing.view.privacy`;
pure)."""

from __future__ import annotations

from tracing.view.privacy import mask_name, mask_person, scrub, scrub_all

__all__ = ["DETAIL_KEYS", "mask_name", "mask_person", "mask_plate", "public_detail", "scrub",
           "scrub_all"]

DETAIL_KEYS = ("inspection", "temperatures", "certificates", "counterparty", "reason",
               "recall_id", "vehicle")


def mask_plate(plate: str | None) -> str | None:
    """A vehicle plate (stored as read: 桂BD2K823) as the public may see it: province and
    letter, then the last two characters (桂B·***23)."""
    if not plate:
        return None
    if len(plate) <= 4:
        return plate[:1] + "***"
    return f"{plate[:2]}·***{plate[-2:]}"


def public_detail(detail: dict | None) -> dict:
    """The parts of an event's ``detail`` the public view shows: natural persons masked
    (inspector always, counterparty unless an enterprise), free text scrubbed."""
    detail = detail or {}
    out = {k: detail[k] for k in DETAIL_KEYS if k in detail}
    if isinstance(out.get("inspection"), dict):
        inspection = dict(out["inspection"])
        if inspection.get("inspector"):
            inspection["inspector"] = mask_name(str(inspection["inspector"]))
        out["inspection"] = inspection
    if "vehicle" in out:
        vehicle = out["vehicle"]
        vehicle = vehicle if isinstance(vehicle, dict) else {"plate": str(vehicle)}
        out["vehicle"] = {"plate": mask_plate(str(vehicle.get("plate") or "")),
                          "kind": vehicle.get("kind")}
    if isinstance(out.get("counterparty"), dict):
        party = {k: out["counterparty"][k] for k in ("name", "uscc") if k in out["counterparty"]}
        if isinstance(party.get("name"), str):
            party["name"] = mask_person(party["name"], uscc=party.get("uscc"))
        out["counterparty"] = party
    return {k: v if k == "temperatures" else scrub_all(v) for k, v in out.items()}

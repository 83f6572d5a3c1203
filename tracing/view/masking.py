"""Personal data in the public trace view: names masked, phone and ID-card numbers scrubbed,
an event's detail reduced to what the public may see (pure)."""

from __future__ import annotations

import re

DETAIL_KEYS = ("inspection", "temperatures", "certificates", "counterparty", "reason",
               "recall_id")
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
ID_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_name(name: str | None) -> str | None:
    """A person's name as the public may see it: first character, then one star per
    character (at most three): 谭军 → 谭*, Li Wei → L***."""
    if not name:
        return None
    name = name.strip()
    return name[:1] + "*" * min(3, max(1, len(name) - 1))


def scrub(text: str | None) -> str | None:
    """Free text with mobile numbers and ID-card numbers masked (138****5678)."""
    if not text:
        return text
    text = MOBILE_RE.sub(r"\1****\2", text)
    return ID_CARD_RE.sub(r"\1********\2", text)


def public_detail(detail: dict | None) -> dict:
    """The parts of an event's ``detail`` the public view shows, people masked."""
    detail = detail or {}
    out = {k: detail[k] for k in DETAIL_KEYS if k in detail}
    if isinstance(out.get("inspection"), dict):
        inspection = dict(out["inspection"])
        if inspection.get("inspector"):
            inspection["inspector"] = mask_name(str(inspection["inspector"]))
        out["inspection"] = inspection
    if isinstance(out.get("reason"), str):
        out["reason"] = scrub(out["reason"])
    if isinstance(out.get("counterparty"), dict):
        out["counterparty"] = {k: out["counterparty"][k] for k in ("name", "uscc")
                               if k in out["counterparty"]}
    return out

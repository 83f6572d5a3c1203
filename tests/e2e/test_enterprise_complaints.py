"""Complaint figures wired end to end over real HTTP: the complaints feature provides
``core.complaint_figures.ComplaintFigures`` at start, so a complaint filed against a demo
enterprise moves its public profile's counts at once (a cached profile is dropped when a case
is filed or moved), and the enterprise's own view lists the case with its status and the
statutory reason of a refusal, never who complained."""

from __future__ import annotations

import pytest

from accounts.staff import add_staff
from complaints.models import Complaint
from complaints.workflow import REFUSAL_REASONS
from core.complaint_figures import ComplaintFigures
from profiles.members import issue_binding_code
from tests.e2e.test_complaints_flow import (PASSWORD, clock, demo, http, login, server,  # noqa: F401
                                            settle, staff_login)
from tracing.demo.generator import DEMO_KEYS


async def test_a_complaint_moves_the_profile_and_shows_in_the_own_view(server, http, demo):
    assert type(server[1].ctx.services.get(ComplaintFigures)).__name__ == "CaseFigures"
    scan = (await http.get("/api/v1/scan", params={"code": DEMO_KEYS["recalled_code"]})).json()
    uscc, division = scan["enterprise"]["uscc"], scan["enterprise"]["division_code"]
    before = await http.get(f"/api/v1/enterprises/{uscc}")
    assert before.json()["complaints"]["total"] == 0  # and now cached
    assert (await http.get(f"/api/v1/enterprises/{uscc}")).content == before.content

    form = {**scan["complaint"]["prefill"], "category": "other",
            "description": "买回来的螺蛳粉汤包胀袋，打开有酸臭味，批次正在召回。",
            "contact": {"name": "李四", "phone": "139 0013 9000"},
            "occurred_on": "2026-09-29"}
    filed = await http.post("/api/v1/complaints", json=form)  # anonymous: a follow-up secret
    assert filed.status_code == 201, filed.text
    ticket, secret = filed.json()["ticket"], filed.json()["follow_secret"]
    after = (await http.get(f"/api/v1/enterprises/{uscc}")).json()["complaints"]
    assert (after["total"], after["by_outcome"]) == (1, {"pending": 1})
    assert after["by_category"] == {"other": 1}

    await add_staff(username="he.handler", name="何承办", role="handler", division=division,
                    password=PASSWORD)
    handler = await staff_login(http, "he.handler")
    refused = await http.post(f"/api/v1/triage/complaints/{ticket}/transitions",
                              headers=handler, json={"to": "refused",
                                                     "refusal_reason": "handled_elsewhere",
                                                     "reason": "消费者协会已受理此事"})
    assert refused.status_code == 200, refused.text
    moved = await http.get(f"/api/v1/enterprises/{uscc}")
    assert moved.json()["complaints"]["by_outcome"] == {"refused": 1}

    owner = await login(http, "shop-owner")
    code, _ = await issue_binding_code(uscc=uscc, now=server[1].ctx.services.clock(), days=7)
    assert (await http.post("/api/v1/me/enterprise/bind", json={"code": code},
                            headers=owner)).status_code == 201
    own = await http.get("/api/v1/me/enterprise", headers=owner)
    assert own.status_code == 200, own.text
    assert own.content.startswith(b'{"profile":' + moved.content + b',"private":')
    [case] = own.json()["private"]["complaints"]["items"]
    assert (case["received_on"], case["category"], case["status"], case["outcome"]) == (
        "2026-09-30", "other", "refused", "refused")
    assert case["reason_code"] == "handled_elsewhere"
    assert case["reason"] == REFUSAL_REASONS["handled_elsewhere"]
    assert case["decided_on"] is None or case["decided_on"] >= "2026-09-30"
    stored = await Complaint.get(ticket=ticket)
    for secret_text in ("李四", "13900139000", "139****9000", ticket, secret, stored.secret_hash,
                        "胀袋"):
        assert secret_text not in own.text and secret_text not in moved.text
    await settle(server)

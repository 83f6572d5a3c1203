"""Bad input to the complaints endpoints: each a clear 4xx with its stable code and the field
named in Chinese, and nothing stored half-way. Also anonymous reports (ticket + follow-up
secret), content held for moderation, and notifications that fail without blocking a move."""

from __future__ import annotations

import asyncio
import io

import pytest

from accounts.staff import Staff, add_staff
from complaints.models import Complaint, ComplaintEvent, ComplaintJob, Photo
from complaints.service import ComplaintService
from tests import complaint_helpers as H
from tests import factories as F
from tests.e2e.test_complaints_flow import (PASSWORD, clock, http, login, server,  # noqa: F401
                                            settle, staff_login)

NDJSON = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer test-exchange-token"}
USCC = F.uscc(1)
BAD_CHECK = USCC[:-1] + ("A" if USCC[-1] != "A" else "B")  # only the check character wrong


@pytest.fixture
async def world(http, clock):
    received = clock.now
    clock.set(2026, 10, 7, 12)  # the world's recall (10-05) and notice (10-06) are not future
    try:
        body = F.ndjson(F.world())
        answer = await http.post("/api/v1/exchange", content=body, headers=NDJSON)
    finally:
        clock.now = received
    assert answer.status_code == 200 and answer.json()["rejected"] == []


def complaint(**over) -> dict:
    form = {"kind": "complaint", "description": "买到的螺蛳粉里有一根头发，要求退款赔偿。",
            "target": {"type": "enterprise", "uscc": USCC},
            "contact": {"name": "李四", "phone": "13900139000"}, "channel": "h5"}
    form.update(over)
    return {k: v for k, v in form.items() if v is not None}


async def nothing_stored() -> None:
    assert await Complaint.all().count() == 0
    assert await ComplaintEvent.all().count() == 0
    assert await ComplaintJob.all().count() == 0


BAD = [
    ("no contact", complaint(contact=None), "real_name_required", "contact"),
    ("anonymous complaint", complaint(anonymous=True, contact=None), "contradictory_fields",
     "anonymous"),
    ("anonymous with contact", complaint(kind="report", anonymous=True), "contradictory_fields",
     "contact"),
    ("bad phone", complaint(contact={"name": "李四", "phone": "12345"}), "invalid_phone",
     "contact.phone"),
    ("no name", complaint(contact={"phone": "13900139000"}), "required", "contact.name"),
    ("10,000 characters", complaint(description="有" * 10000), "too_long", "description"),
    ("too short", complaint(description="不好"), "too_short", "description"),
    ("no kind", complaint(kind=None), "invalid_kind", "kind"),
    ("unknown field", complaint(mood="angry"), "unknown_field", "mood"),
    ("bad credit code", complaint(target={"type": "enterprise", "uscc": BAD_CHECK}),
     "uscc_checksum", "target.uscc"),
    ("unknown enterprise", complaint(target={"type": "enterprise", "uscc": F.uscc(77)}),
     "unknown_target", "target.uscc"),
    ("unknown code", complaint(target={"type": "trace_code", "code": "LZ9999999999"}),
     "unknown_target", "target.code"),
    ("two targets", complaint(target={"type": "enterprise", "uscc": USCC, "code": "LZ1"}),
     "contradictory_fields", "target.code"),
    ("merchant without address", complaint(target={"type": "merchant", "name": "路边摊"}),
     "required", "target.address"),
    ("lat without lng", complaint(place={"lat": 24.3}), "contradictory_fields", "place.lng"),
    ("outside China", complaint(place={"lat": 48.85, "lng": 2.35}), "invalid_location",
     "place.lng"),  # Paris: the latitude alone could be Heilongjiang's
    ("future date", complaint(occurred_on="2099-01-01"), "date_in_future", "occurred_on"),
    ("twelve photos", complaint(photos=[f"p{i}" for i in range(12)]), "too_many_photos",
     "photos"),
    ("unknown photo", complaint(photos=["nosuchphoto"]), "unknown_photo", "photos[0]"),
    ("bad channel", complaint(channel="fax"), "invalid_channel", "channel"),
]


@pytest.mark.parametrize("case, body, code, field", BAD, ids=[b[0] for b in BAD])
async def test_bad_submission_is_a_400_naming_the_field(http, world, case, body, code, field):
    answer = await http.post("/api/v1/complaints", json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    await nothing_stored()


async def test_not_json_and_replayed_key_with_another_body(http, world):
    answer = await http.post("/api/v1/complaints", content=b"{not json",
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_body"
    key = {"Idempotency-Key": "k-1"}
    assert (await http.post("/api/v1/complaints", json=complaint(), headers=key)).status_code == 201
    other = await http.post("/api/v1/complaints", json=complaint(description="另一件事情，蟑螂在面里。"),
                            headers=key)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert await Complaint.all().count() == 1


BAD_FILES = [
    ("renamed executable", ("photo.jpg", H.ELF, "image/jpeg"), 415, "not_an_image"),
    ("truncated JPEG", ("cut.jpg", H.photo_with_gps()[:3000], "image/jpeg"), 400,
     "photo_corrupt"),
    ("text file", ("notes.png", "这不是图片".encode() * 20, "image/png"), 415, "not_an_image"),
    ("empty", ("empty.jpg", b"", "image/jpeg"), 400, "photo_empty"),
]


@pytest.mark.parametrize("case, upload, status, code", BAD_FILES, ids=[b[0] for b in BAD_FILES])
async def test_bad_photo_is_refused_and_not_kept(http, case, upload, status, code, tmp_path):
    answer = await http.post("/api/v1/uploads", files={"file": upload})
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code and answer.json()["error"]["field"] == "file"
    assert await Photo.all().count() == 0


async def test_decompression_bomb_is_refused_before_decoding(http):
    answer = await http.post("/api/v1/uploads",
                             files={"file": ("big.png", H.huge_png(), "image/png")})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "photo_too_many_pixels"
    assert await Photo.all().count() == 0


async def test_photo_over_the_size_limit(server, http):
    settings = server[1].ctx.services.get(ComplaintService).ctx.settings
    big = b"\xff\xd8\xff" + b"\x00" * (settings.upload_max_bytes + 10)
    answer = await http.post("/api/v1/uploads", files={"file": ("big.jpg", big, "image/jpeg")})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "photo_too_large"


async def test_no_file_field(http):
    answer = await http.post("/api/v1/uploads", data={"other": "x"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "file_required"


async def test_photos_of_someone_else_cannot_be_attached(http, world):
    owner = await login(http, "carol")
    up = await http.post("/api/v1/uploads", headers=owner,
                         files={"file": ("a.webp", H.webp(), "image/webp")})
    assert up.status_code == 201
    theft = await http.post("/api/v1/complaints", json=complaint(photos=[up.json()["id"]]))
    assert theft.status_code == 400 and theft.json()["error"]["code"] == "unknown_photo"
    await nothing_stored()


async def test_anonymous_report_follows_with_its_secret(http, world):
    report = {"kind": "report", "description": "这家店无证经营，后厨有老鼠。",
              "target": {"type": "merchant", "name": "无名小吃店", "address": "柳州市柳南区某街3号"},
              "place": {"address": "柳州市柳南区某街3号", "division_code": "450204"},
              "anonymous": True}
    answer = await http.post("/api/v1/complaints", json=report,
                             headers={"Idempotency-Key": "anon-1"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "pending" and body["ticket"].startswith("JB")
    assert body["category"] == "no_licence"
    replay = await http.post("/api/v1/complaints", json=report,
                             headers={"Idempotency-Key": "anon-1"})
    assert replay.json()["follow_secret"] == body["follow_secret"]
    ticket, secret = body["ticket"], body["follow_secret"]
    assert (await http.get(f"/api/v1/complaints/{ticket}")).status_code == 401
    wrong = await http.get(f"/api/v1/complaints/{ticket}", headers={"X-Follow-Secret": "x" * 32})
    assert wrong.status_code == 404
    mine = await http.get(f"/api/v1/complaints/{ticket}", headers={"X-Follow-Secret": secret})
    assert mine.status_code == 200 and mine.json()["contact"] is None
    stored = await Complaint.get(ticket=ticket)
    assert stored.division == "450204" and stored.name is None
    assert stored.triage["content_check"]["value"] == "pass"  # the service's own word list


async def test_risky_text_and_image_are_held_for_moderation(server, http, world, standin_url):
    user = await login(http, "dave")
    risky = await http.post("/api/v1/complaints", headers=user, json=complaint(
        description="饭店里有人赌博，而且菜里有头发，要求赔偿。"))
    assert risky.status_code == 201
    image = H.photo_with_gps(size=(320, 240), orientation=1)
    up = (await http.post("/api/v1/uploads", headers=user,
                          files={"file": ("x.jpg", image, "image/jpeg")})).json()
    stored = await server[1].ctx.services.get(ComplaintService).ctx.storage.get(
        (await Photo.get(id=up["id"])).sha256)
    import hashlib
    H.load_standin().call(standin_url, "_standin/risky_media",
                          body={"sha256": hashlib.sha256(stored).hexdigest()})
    pictured = await http.post("/api/v1/complaints", headers=user, json=complaint(
        description="店里卖的酸笋有异物，附照片为证。", photos=[up["id"]]))
    assert pictured.status_code == 201
    await settle(server)
    for _ in range(100):  # the image verdict is pushed after the text check
        if (await Complaint.get(ticket=pictured.json()["ticket"])).status == "moderation":
            break
        await asyncio.sleep(0.05)
    held = await Complaint.get(ticket=risky.json()["ticket"])
    assert held.status == "moderation" and held.triage["content_check"]["value"] == "risky"
    assert (await Complaint.get(ticket=pictured.json()["ticket"])).status == "moderation"
    assert (await Photo.get(id=up["id"])).check_suggest == "risky"
    await add_staff(username="mod.handler", name="审核员", role="handler", division="450204",
                    password=PASSWORD)
    handler = await staff_login(http, "mod.handler")
    queue = await http.get("/api/v1/triage/complaints", params={"status": "moderation"},
                           headers=handler)
    assert {c["ticket"] for c in queue.json()["items"]} == {
        risky.json()["ticket"], pictured.json()["ticket"]}
    released = await http.post(f"/api/v1/triage/complaints/{held.ticket}/transitions",
                               headers=handler, json={"to": "pending", "reason": "人工审核通过"})
    assert released.status_code == 200


async def test_a_refused_or_failing_notification_never_blocks_a_move(server, http, world,
                                                                     standin_url):
    user = await login(http, "refuser")  # the stand-in refuses this user's messages (43101)
    filed = (await http.post("/api/v1/complaints", headers=user, json=complaint())).json()
    await settle(server)
    job = await ComplaintJob.filter(ticket=filed["ticket"], kind="notify").first()
    assert job.outcome == "refused" and job.done_at is not None
    await add_staff(username="n.handler", name="承办", role="handler", division="450204",
                    password=PASSWORD)
    handler = await staff_login(http, "n.handler")
    service = server[1].ctx.services.get(ComplaintService)
    service.ctx.settings = service.ctx.settings.with_(complaint_template_id="TPL_UNKNOWN")
    moved = await http.post(f"/api/v1/triage/complaints/{filed['ticket']}/transitions",
                            headers=handler, json={"to": "accepted", "mode": "mediation"})
    assert moved.status_code == 200  # committed although WeChat refuses the template
    await service.jobs.drain()
    pending = await ComplaintJob.filter(ticket=filed["ticket"], done_at=None).get()
    assert pending.attempts == 1 and "微信" in pending.last_error
    assert pending.next_at > service.ctx.now()  # retried later, with backoff


async def test_staff_login_and_roles(http, world):
    await add_staff(username="h.one", name="承办", role="handler", division="450204",
                    password=PASSWORD)
    wrong = await http.post("/api/v1/auth/staff", json={"username": "h.one", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_failed"
    nobody = await http.post("/api/v1/auth/staff", json={"username": "ghost", "password": "x" * 12})
    assert nobody.status_code == 401
    assert (await Staff.get(username="h.one")).password_hash.startswith("$argon2id$")
    assert (await http.get("/api/v1/triage/complaints")).status_code == 401
    handler = await staff_login(http, "h.one")
    filed = (await http.post("/api/v1/complaints", json=complaint())).json()
    reassign = await http.post(f"/api/v1/triage/complaints/{filed['ticket']}/assign",
                               headers=handler, json={"division": "450205"})
    assert reassign.status_code == 403 and reassign.json()["error"]["code"] == "reassign_forbidden"
    refused = await http.post(f"/api/v1/triage/complaints/{filed['ticket']}/transitions",
                              headers=handler, json={"to": "refused", "refusal_reason": "because"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "refusal_reason_required"
    nameless = await http.post(f"/api/v1/triage/complaints/{filed['ticket']}/contact",
                               headers=handler, json={})
    assert nameless.status_code == 400 and nameless.json()["error"]["field"] == "reason"


async def test_wechat_push_needs_wechats_signature(http):
    forged = await http.post("/api/v1/wechat/events", params={
        "signature": "0" * 40, "timestamp": "1", "nonce": "n"},
        json={"Event": "wxa_media_check", "trace_id": "t", "result": {"suggest": "pass"}})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "bad_signature"


async def test_a_browser_may_send_the_idempotency_key_and_follow_secret(http):
    answer = await http.options("/api/v1/complaints", headers={
        "Origin": "https://h5.example.cn", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "idempotency-key, x-follow-secret"})
    assert answer.status_code == 204
    allowed = answer.headers["access-control-allow-headers"]
    assert "Idempotency-Key" in allowed and "X-Follow-Secret" in allowed

"""The issue's bad-input list, over HTTP, one by one: each answer is a 4xx with its stable
code, the field, a Chinese message, and nothing stored half-way — the rows of every complaint
table and the photo files are counted before and after. (The form's own checks are
parametrised in ``test_complaints_input``; here the uploads and the moves.)"""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from accounts.staff import add_staff
from complaints.models import Complaint, ComplaintEvent, ComplaintJob, Photo
from complaints.service import ComplaintService
from tests import complaint_helpers as H
from tests.e2e.test_complaints_flow import (PASSWORD, clock, http, login, server,  # noqa: F401
                                            settle, staff_login)
from tests.e2e.test_complaints_input import complaint, world  # noqa: F401


async def snapshot(server) -> tuple:
    root = server[1].ctx.services.get(ComplaintService).ctx.storage.root
    files = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return (await Complaint.all().count(), await ComplaintEvent.all().count(),
            await ComplaintJob.all().count(), await Photo.all().count(),
            await Photo.exclude(complaint_id=None).count(), files)


def refused(answer, status: int, code: str, field: str) -> dict:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error["message"]
    return error


BAD_UPLOADS = [
    ("renamed executable", ("photo.jpg", H.ELF, "image/jpeg"), 415, "not_an_image", "JPEG"),
    ("executable named .heic", ("IMG_0001.HEIC", H.ELF, "image/heic"), 415, "not_an_image",
     "HEIC"),
    ("truncated JPEG", ("cut.jpg", H.photo_with_gps()[:3000], "image/jpeg"), 400,
     "photo_corrupt", "损坏"),
    ("truncated HEIC", ("cut.heic", H.heic_with_gps()[:2000], "image/heic"), 400,
     "photo_corrupt", "损坏"),
    ("20000x20000 PNG", ("bomb.png", H.huge_png(), "image/png"), 400,
     "photo_too_many_pixels", "像素"),
]


@pytest.mark.parametrize("case, upload, status, code, words", BAD_UPLOADS,
                         ids=[b[0] for b in BAD_UPLOADS])
async def test_a_bad_photo_is_refused_and_nothing_kept(server, http, case, upload, status,
                                                       code, words):
    before = await snapshot(server)
    error = refused(await http.post("/api/v1/uploads", files={"file": upload}), status, code,
                    "file")
    assert words in error["message"]
    assert await snapshot(server) == before


async def test_a_heic_from_an_iphone_is_accepted_without_its_gps(server, http):
    up = await http.post("/api/v1/uploads", files={"file": (
        "IMG_0002.HEIC", H.heic_with_gps(size=(800, 600), orientation=6), "image/heic")})
    assert up.status_code == 201, up.text
    assert (up.json()["width"], up.json()["height"], up.json()["content_type"]) == \
        (600, 800, "image/jpeg")
    photo = await Photo.get(id=up.json()["id"])
    stored = await server[1].ctx.services.get(ComplaintService).ctx.storage.get(photo.sha256)
    assert hashlib.sha256(stored).hexdigest() == photo.sha256
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and len(image.getexif()) == 0 and b"PhoneMaker" not in stored


async def test_twelve_real_photos_when_the_limit_is_nine(server, http, world):
    ids = []
    for i in range(12):
        up = await http.post("/api/v1/uploads", files={"file": (
            f"p{i}.png", H.png(size=(40 + i, 30)), "image/png")})
        assert up.status_code == 201, up.text
        ids.append(up.json()["id"])
    before = await snapshot(server)
    error = refused(await http.post("/api/v1/complaints", json=complaint(photos=ids)), 400,
                    "too_many_photos", "photos")
    assert "9" in error["message"]
    assert await snapshot(server) == before  # the twelve uploads stay, attached to nothing
    filed = await http.post("/api/v1/complaints", json=complaint(photos=ids[:9]))
    assert filed.status_code == 201
    assert await Photo.exclude(complaint_id=None).count() == 9


async def staff_and_case(server, http, user):
    await add_staff(username="b.handler", name="承办", role="handler", division="450204",
                    password=PASSWORD)
    filed = (await http.post("/api/v1/complaints", headers=user, json=complaint())).json()
    await settle(server)
    return await staff_login(http, "b.handler"), filed["ticket"]


async def test_a_move_the_role_may_not_make(server, http, world):
    user = await login(http, "grace")
    handler, ticket = await staff_and_case(server, http, user)
    before = await snapshot(server)
    mine = f"/api/v1/complaints/{ticket}/transitions"
    error = refused(await http.post(mine, headers=user, json={"to": "accepted",
                                                              "mode": "mediation"}),
                    403, "transition_forbidden", "status")
    assert "当前角色不能" in error["message"]
    assert await snapshot(server) == before
    returned = await http.post(f"/api/v1/triage/complaints/{ticket}/transitions",
                               headers=handler, json={"to": "returned", "reason": "请补充小票照片"})
    assert returned.status_code == 200
    before = await snapshot(server)
    refused(await http.post(f"/api/v1/triage/complaints/{ticket}/transitions", headers=handler,
                            json={"to": "pending", "reason": "我替他补了"}),
            403, "transition_forbidden", "status")  # only the complainant or a supervisor
    assert await snapshot(server) == before
    assert (await Complaint.get(ticket=ticket)).status == "returned"


async def test_nothing_leaves_a_closed_case(server, http, world):
    user = await login(http, "heidi")
    handler, ticket = await staff_and_case(server, http, user)
    moves = f"/api/v1/triage/complaints/{ticket}/transitions"
    for body in ({"to": "accepted", "mode": "mediation"},
                 {"to": "resolved", "reason": "商家已退款并赔偿"}):
        assert (await http.post(moves, headers=handler, json=body)).status_code == 200
    closed = await http.post(f"/api/v1/complaints/{ticket}/transitions", headers=user,
                             json={"to": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    await settle(server)
    before = await snapshot(server)
    for url, headers, body in (
            (moves, handler, {"to": "in_progress"}),
            (moves, handler, {"to": "pending", "reason": "重新打开"}),
            (f"/api/v1/complaints/{ticket}/transitions", user, {"to": "withdrawn"})):
        error = refused(await http.post(url, headers=headers, json=body), 409, "case_closed",
                        "status")
        assert "已关闭" in error["message"]
    assert await snapshot(server) == before
    assert (await Complaint.get(ticket=ticket)).status == "closed"

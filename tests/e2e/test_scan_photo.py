"""``POST /api/v1/scan/photo`` over HTTP: the codes in a photo, and bad input refused."""

from __future__ import annotations

import httpx

from tests.conftest import running_app
from tests.unit.test_photo_codes import URL, photo, qr


async def test_the_codes_of_a_photo(http):
    answer = await http.post("/api/v1/scan/photo", files={"file": ("pack.jpg", photo(qr(URL)),
                                                                   "image/jpeg")})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"codes": [{"text": URL, "format": "QRCode"}]}
    assert answer.headers["cache-control"] == "no-store"


async def test_bad_photos_are_refused_with_a_code(http):
    missing = await http.post("/api/v1/scan/photo", data={"x": "1"})
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "file_required")
    text = await http.post("/api/v1/scan/photo", files={"file": ("a.jpg", b"hello", "image/jpeg")})
    assert (text.status_code, text.json()["error"]["code"]) == (415, "not_an_image")
    two = await http.post("/api/v1/scan/photo", files=[("file", ("a.jpg", photo(), "image/jpeg")),
                                                       ("file", ("b.jpg", photo(), "image/jpeg"))])
    assert (two.status_code, two.json()["error"]["code"]) == (400, "one_file_only")


async def test_a_photo_over_the_limit_is_413(settings, app_store):
    async with running_app(settings.with_(upload_max_bytes=100_000), app_store) as (base, _):
        async with httpx.AsyncClient(base_url=base) as http:
            big = await http.post("/api/v1/scan/photo",
                                  files={"file": ("big.png", b"\x89PNG" + b"0" * 300_000,
                                                  "image/png")})
    assert (big.status_code, big.json()["error"]["code"]) == (413, "photo_too_large")
    assert big.json()["error"]["field"] == "file"

"""Printed codes, label images and product pages over real HTTP: mini-program codes from the
stand-in WeChat (decoded with zxing-cpp), cached, with a clear 502 naming WeChat's code when
it fails while the plain QR code is still served; label images checked with Pillow and stored
by their SHA-256; a product page with its process, label image and batches with alerts."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests import factories as F
from tests.wechat_standin import APPID, SECRET

TOKEN = {"Authorization": "Bearer test-exchange-token"}
NDJSON = {"Content-Type": "application/x-ndjson", **TOKEN}
U1 = F.uscc(1)
LONG_CODE = "LZ-" + "0123456789" * 4  # 43 characters: too long for a WeChat scene


@pytest.fixture
def settings(settings, standin_url):
    return settings.with_(wechat_api_url=standin_url, wechat_appid=APPID, wechat_secret=SECRET,
                          media_max_bytes=200_000, media_max_pixels=4_000_000)


def png(width=640, height=480, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def jpeg(width=800, height=600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, format="JPEG", quality=90)
    return out.getvalue()


def decoded(image: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
    assert found, "no code found in the image"
    return found[0].text


@pytest.fixture
async def world(http):
    label = jpeg()
    answer = await http.post("/api/v1/exchange/media", content=label,
                             headers={"Content-Type": "image/jpeg", **TOKEN})
    assert answer.status_code == 201, answer.text
    records = [F.product("P1", process="浸泡→蒸粉→切条→烘干→包装，汤料高温杀菌",
                         label_image=hashlib.sha256(label).hexdigest(), storage_class="ambient")
               if r.get("type") == "product" and r["product_id"] == "P1" else r
               for r in F.world()]
    records.append(F.code(LONG_CODE, batch_id="B3"))
    answer = await http.post("/api/v1/exchange", content=F.ndjson(records), headers=NDJSON)
    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text
    return label


async def test_mini_program_codes_carry_the_code_and_are_cached(http, world, standin_url):
    own = await http.get(f"/api/v1/enterprises/{U1}/wxacode")
    assert own.status_code == 200 and own.headers["content-type"] == "image/png"
    assert decoded(own.content) == U1  # the stand-in draws the scene
    batch = await http.get(f"/api/v1/enterprises/{U1}/wxacode", params={"batch": "B1"})
    assert decoded(batch.content) == "LZ0000000001"
    httpx.post(standin_url + "_standin/wxacode_errors", json={"errcodes": [45009]})
    again = await http.get(f"/api/v1/enterprises/{U1}/wxacode", params={"batch": "B1"})
    assert again.status_code == 200 and again.content == batch.content  # from the cache
    wider = await http.get(f"/api/v1/enterprises/{U1}/wxacode",
                           params={"batch": "B1", "width": "600"})
    assert wider.status_code == 502
    error = wider.json()["error"]
    assert (error["code"], error["wechat_errcode"]) == ("wechat_error", 45009)
    assert "45009" in error["message"] and "普通二维码" in error["message"]
    assert error["fallback"] == f"/api/v1/enterprises/{U1}/qrcode?batch=B1"
    fallback = await http.get(error["fallback"])
    assert fallback.status_code == 200 and decoded(fallback.content) == \
        "http://testserver/t/LZ0000000001"


async def test_wechat_errors_of_every_kind_are_502_with_their_code(http, world, standin_url):
    httpx.post(standin_url + "_standin/wxacode_errors", json={"errcodes": [-1, 40169]})
    for width in ("500", "501"):
        answer = await http.get(f"/api/v1/enterprises/{U1}/wxacode", params={"width": width})
        assert answer.status_code == 502
    first = await http.get(f"/api/v1/enterprises/{U1}/wxacode", params={"width": "502"})
    assert first.status_code == 200  # the queue of errors is spent
    qr = await http.get(f"/api/v1/enterprises/{U1}/qrcode")
    assert decoded(qr.content) == f"http://testserver/e/{U1}"


async def test_the_cached_fallback_qr_is_served_while_wechat_fails(http, settings, world,
                                                                   standin_url):
    fallback_path = f"/api/v1/enterprises/{U1}/qrcode"
    made = await http.get(fallback_path)
    assert made.status_code == 200
    cached = list((settings.data_dir / "printed").rglob("*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == made.content  # kept on disk
    httpx.post(standin_url + "_standin/wxacode_errors", json={"errcodes": [41030]})
    failed = await http.get(f"/api/v1/enterprises/{U1}/wxacode", params={"width": "700"})
    assert failed.status_code == 502
    error = failed.json()["error"]
    assert (error["code"], error["wechat_errcode"], error["fallback"]) == (
        "wechat_error", 41030, fallback_path)
    again = await http.get(error["fallback"])
    assert again.status_code == 200 and again.content == made.content
    assert decoded(again.content) == f"http://testserver/e/{U1}"


async def test_bad_code_requests(http, world):
    cases = [
        (f"/api/v1/enterprises/{U1}/wxacode", {"width": "5000"}, 400, "invalid_width"),
        (f"/api/v1/enterprises/{U1}/qrcode", {"scale": "0"}, 400, "invalid_scale"),
        (f"/api/v1/enterprises/{U1}/wxacode", {"batch": "B2"}, 404, "batch_not_found"),
        (f"/api/v1/enterprises/{U1}/wxacode", {"batch": "B3"}, 400, "scene_unsupported"),
        ("/api/v1/enterprises/91450204/wxacode", {}, 400, "uscc_malformed"),
        (f"/api/v1/enterprises/{F.uscc(9)}/qrcode", {}, 404, "enterprise_not_found"),
    ]
    for path, params, status, code in cases:
        answer = await http.get(path, params=params)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), path
    long = await http.get(f"/api/v1/enterprises/{U1}/qrcode", params={"batch": "B3"})
    assert decoded(long.content) == f"http://testserver/t/{LONG_CODE}"


async def test_label_images_are_checked_thumbnailed_and_content_addressed(http, world):
    label = world
    digest = hashlib.sha256(label).hexdigest()
    again = await http.post("/api/v1/exchange/media", content=label,
                            headers={"Content-Type": "image/jpeg", **TOKEN})
    assert again.status_code == 200 and again.json()["sha256"] == digest
    assert (again.json()["width"], again.json()["height"]) == (800, 600)
    stored = await http.get(f"/api/v1/media/{digest}")
    assert stored.content == label and stored.headers["content-type"] == "image/jpeg"
    thumb = await http.get(f"/api/v1/media/{digest}/thumb")
    small = Image.open(io.BytesIO(thumb.content))
    assert small.format == "JPEG" and small.size == (320, 240)
    transparent = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(transparent, format="PNG")
    ok = await http.post("/api/v1/exchange/media", content=transparent.getvalue(),
                         headers={"Content-Type": "image/png", **TOKEN})
    assert ok.status_code == 201


@pytest.mark.parametrize("body,content_type,status,code", [
    (png(), "image/jpeg", 415, "media_type_mismatch"),
    (b"not an image at all", "image/png", 400, "image_corrupt"),
    (jpeg()[:2000], "image/jpeg", 400, "image_corrupt"),
    (png(3000, 2000), "image/png", 400, "image_too_large"),
    (png(), "image/gif", 415, "unsupported_media_type"),
    (b"", "image/png", 400, "image_corrupt"),
])
async def test_bad_images_are_refused_and_nothing_is_stored(http, body, content_type, status,
                                                            code):
    answer = await http.post("/api/v1/exchange/media", content=body,
                             headers={"Content-Type": content_type, **TOKEN})
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    digest = hashlib.sha256(body).hexdigest()
    assert (await http.get(f"/api/v1/media/{digest}")).status_code == 404


async def test_image_upload_limits_and_token(http):
    noise = Image.effect_noise((400, 400), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 200_000
    big = await http.post("/api/v1/exchange/media", content=out.getvalue(),
                          headers={"Content-Type": "image/png", **TOKEN})
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
    anonymous = await http.post("/api/v1/exchange/media", content=png(),
                                headers={"Content-Type": "image/png"})
    assert anonymous.status_code == 401


async def test_the_product_page(http, world):
    answer = await http.get("/api/v1/products/P1")
    assert answer.status_code == 200
    page = answer.json()
    assert page["product"]["standard"] == "Q/LZ 0001S"
    assert page["product"]["ingredients"] == ["米粉", "螺蛳汤料", "酸笋"]
    assert page["product"]["storage_class"] == "ambient"
    assert page["process"].startswith("浸泡→蒸粉")
    assert page["label_image"]["sha256"] == hashlib.sha256(world).hexdigest()
    assert page["label_image"]["thumb_url"].endswith("/thumb")
    assert page["producer"]["uscc"] == U1 and page["producer"]["licence"]["state"] == "valid"
    by_id = {b["batch_id"]: b for b in page["batches"]}
    assert set(by_id) == {"B1", "B3"}
    assert by_id["B1"]["status"] == "recalled"
    assert by_id["B1"]["alerts"][0]["recall_id"] == "ZH-2026-0001"
    assert by_id["B3"]["alerts"] == []
    first = (await http.get("/api/v1/products/P1", params={"limit": "1"})).json()
    rest = (await http.get("/api/v1/products/P1", params={
        "limit": "1", "cursor": first["next_cursor"]})).json()
    assert [b["batch_id"] for b in first["batches"] + rest["batches"]] == \
        [b["batch_id"] for b in page["batches"]]
    assert rest["next_cursor"] is None
    assert (await http.get("/api/v1/products/NOPE")).json()["error"]["code"] == \
        "product_not_found"
    assert (await http.get("/api/v1/products/P1", params={"cursor": "x"})).json()["error"][
        "code"] == "invalid_cursor"
    other = (await http.get("/api/v1/products/P2")).json()
    assert other["label_image"] is None and other["process"] is None

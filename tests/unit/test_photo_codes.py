"""Codes read from a photo of a pack (tracing.codes.photo), with real images and zxing-cpp."""

from __future__ import annotations

import io

import pytest
import segno
from PIL import Image

from core.errors import InvalidInput, UnsupportedMediaType
from tracing.codes.photo import read_codes

URL = "https://trace.example.cn/t/LZ040000000002"


def qr(text: str, scale: int = 6) -> Image.Image:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def photo(*codes: Image.Image, size=(1200, 900), fmt="JPEG", angle: int = 0) -> bytes:
    """The codes on a grey table, as a phone photographs them."""
    canvas = Image.new("RGB", size, (150, 140, 130))
    x = 60
    for code in codes:
        canvas.paste(code.rotate(angle, expand=True, fillcolor=(150, 140, 130)), (x, 120))
        x += code.width + 120
    out = io.BytesIO()
    canvas.save(out, fmt, quality=85)
    return out.getvalue()


def test_a_qr_code_in_a_photo_is_read():
    assert [c.as_dict() for c in read_codes(photo(qr(URL)), max_pixels=10**8)] == [
        {"text": URL, "format": "QRCode"}]


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_other_formats_and_a_tilted_code(fmt):
    found = read_codes(photo(qr("LZ040000000001"), fmt=fmt, angle=90), max_pixels=10**8)
    assert [c.text for c in found] == ["LZ040000000001"]


def test_each_text_once_and_none_in_an_empty_photo():
    assert [c.text for c in read_codes(photo(qr(URL), qr(URL)), max_pixels=10**8)] == [URL]
    assert read_codes(photo(), max_pixels=10**8) == []


def test_what_is_not_a_photo_is_refused_naming_the_field():
    with pytest.raises(UnsupportedMediaType) as refused:
        read_codes(b"GIF89a not really", max_pixels=10**8)
    assert (refused.value.code, refused.value.field) == ("not_an_image", "file")
    with pytest.raises(InvalidInput) as broken:
        read_codes(photo(qr(URL))[:2000], max_pixels=10**8)
    assert broken.value.code == "photo_corrupt"
    with pytest.raises(InvalidInput) as huge:
        read_codes(photo(qr(URL)), max_pixels=1_000_000)
    assert huge.value.code == "photo_too_many_pixels" and "1 百万像素" in huge.value.message

"""Photo intake on real images made with Pillow: content decides (not the name), EXIF
orientation applied, every piece of metadata dropped, limits checked before decoding."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from complaints.photos import THUMB_SIDE, process_photo
from core.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from tests import complaint_helpers as H

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 50_000_000}


def test_orientation_applied_and_gps_stripped():
    source = H.photo_with_gps(size=(800, 600), orientation=6)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the phone's GPS
    done = process_photo(source, **LIMITS)
    image = Image.open(io.BytesIO(done.data))
    assert image.format == "JPEG" and image.size == (600, 800) == (done.width, done.height)
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert not image.getexif().get_ifd(0x8825)
    assert b"PhoneMaker" not in done.data and b"GPS" not in done.data
    assert max(Image.open(io.BytesIO(done.thumb)).size) == THUMB_SIDE
    assert done.sha256 != done.thumb_sha256 and len(done.sha256) == 64


@pytest.mark.parametrize("data, fmt", [(H.png(), "PNG"), (H.webp(), "WEBP"),
                                       (H.png(mode="P"), "PNG")])
def test_png_and_webp_become_plain_jpeg(data, fmt):
    done = process_photo(data, **LIMITS)
    assert done.source_format == fmt
    assert Image.open(io.BytesIO(done.data)).mode == "RGB"


def test_transparency_is_laid_on_white():
    done = process_photo(H.png(mode="RGBA"), **LIMITS)
    r, g, b = Image.open(io.BytesIO(done.data)).getpixel((5, 5))
    assert r > 100 and b > 100  # half-transparent green on white, not on black


def test_same_content_same_address():
    source = H.photo_with_gps(orientation=1)
    assert process_photo(source, **LIMITS).sha256 == process_photo(source, **LIMITS).sha256


def test_content_not_name_decides():
    with pytest.raises(UnsupportedMediaType) as err:
        process_photo(H.ELF, **LIMITS)
    assert err.value.code == "not_an_image" and err.value.field == "file"
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(UnsupportedMediaType):
        process_photo(gif.getvalue(), **LIMITS)


@pytest.mark.parametrize("cut", [200, 1000, 3000])
def test_truncated_jpeg_is_corrupt(cut):
    with pytest.raises(InvalidInput) as err:
        process_photo(H.photo_with_gps()[:cut], **LIMITS)
    assert err.value.code == "photo_corrupt"


def test_pixel_and_size_limits():
    with pytest.raises(InvalidInput) as err:
        process_photo(H.huge_png(), **LIMITS)
    assert err.value.code == "photo_too_many_pixels"
    with pytest.raises(InvalidInput):
        process_photo(H.png(size=(100, 100)), max_bytes=10**6, max_pixels=9999)
    with pytest.raises(PayloadTooLarge) as err:
        process_photo(H.png(), max_bytes=10, max_pixels=10**6)
    assert err.value.code == "photo_too_large"


def test_large_photo_is_scaled_to_the_stored_size():
    big = io.BytesIO()
    Image.new("RGB", (5000, 2500), (1, 2, 3)).save(big, "JPEG")
    done = process_photo(big.getvalue(), **LIMITS)
    assert (done.width, done.height) == (4096, 2048)


def test_heic_is_oriented_stripped_and_re_encoded():
    source = H.heic_with_gps(size=(800, 600), orientation=6)
    assert source[4:12] == b"ftypheic"  # a real HEIC container, encoded by libheif
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the phone's GPS
    assert b"PhoneMaker" in source
    done = process_photo(source, **LIMITS)
    assert done.source_format == "HEIF"
    image = Image.open(io.BytesIO(done.data))
    assert image.format == "JPEG" and image.size == (600, 800) == (done.width, done.height)
    assert len(image.getexif()) == 0 and "exif" not in image.info and "xmp" not in image.info
    assert b"PhoneMaker" not in done.data and b"GPS" not in done.data
    r, g, b = image.getpixel((300, 400))
    assert r > 150 and g < 80 and b < 80  # the red picture, decoded, not a blank frame
    assert max(Image.open(io.BytesIO(done.thumb)).size) == THUMB_SIDE


def test_a_renamed_file_is_not_a_heic_and_a_cut_heic_is_corrupt():
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + H.ELF  # a video's box
    for data in (H.ELF, mp4, "这不是照片".encode() * 30):
        with pytest.raises(UnsupportedMediaType) as err:
            process_photo(data, **LIMITS)
        assert (err.value.code, err.value.field) == ("not_an_image", "file")
        assert "HEIC" in err.value.message
    heic = H.heic_with_gps(size=(1200, 900), orientation=1)
    fake = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + H.ELF  # only the brand
    for data in (heic[: len(heic) // 2], heic[:-100], fake):
        with pytest.raises(InvalidInput) as err:
            process_photo(data, **LIMITS)
        assert (err.value.code, err.value.field) == ("photo_corrupt", "file")
    with pytest.raises(InvalidInput) as err:  # the pixel limit holds for HEIC too
        process_photo(heic, max_bytes=10**7, max_pixels=1_000_000)
    assert err.value.code == "photo_too_many_pixels"

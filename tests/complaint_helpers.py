"""Shared pieces of the complaints tests: real images made with Pillow, a settable clock,
the stand-in WeChat server."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image

from core.clock import SHANGHAI
from tests.wechat_standin import APPID, SECRET, load_standin  # noqa: F401 - H.APPID...

PUSH_TOKEN = "push-token-for-tests"


class Clock:
    """A clock the test moves: ``clock.set(2026, 10, 9, 10)`` (Asia/Shanghai)."""

    def __init__(self, *args: int):
        self.now = datetime(*args, tzinfo=SHANGHAI)

    def set(self, *args: int) -> None:
        self.now = datetime(*args, tzinfo=SHANGHAI)

    def __call__(self) -> datetime:
        return self.now


def photo_with_gps(size=(800, 600), orientation: int = 6, fmt: str = "JPEG") -> bytes:
    """A JPEG with EXIF orientation and a GPS position (Beijing), as a phone writes it."""
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(0, size[0], 7):
        image.putpixel((x, 10), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (39.0, 54.0, 15.0), "E", (116.0, 23.0, 30.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes(), quality=90)
    return out.getvalue()


def heic_with_gps(size=(800, 600), orientation: int = 6) -> bytes:
    """A real HEIC (encoded by libheif through pillow-heif) carrying EXIF orientation and a GPS
    position, as an iPhone writes it."""
    import pillow_heif  # noqa: F401 - complaints.photos registers the opener and saver

    import complaints.photos  # noqa: F401
    return photo_with_gps(size=size, orientation=orientation, fmt="HEIF")


def png(size=(64, 48), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def webp(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, "WEBP")
    return out.getvalue()


def huge_png(side: int = 20000) -> bytes:
    """A small file that claims 20000 x 20000 pixels (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("1", (side, side), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200

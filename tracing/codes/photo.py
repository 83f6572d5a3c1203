"""Codes read from a photo a phone took or chose (the H5 scan page outside WeChat, where no
``wx.scanCode`` exists): Pillow opens it (JPEG, PNG or WebP by content, EXIF orientation
applied, pixels checked before decoding), zxing-cpp reads every symbol. Pure: bytes in,
texts out; no I/O."""

from __future__ import annotations

import io
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import InvalidInput, UnsupportedMediaType
from core.i18n import T

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_SIDE = 2400  # a phone's 12 MP photo is read at this size: codes stay readable, time halves
TWO_D = ("QRCode", "MicroQRCode", "DataMatrix", "RMQRCode")


@dataclass(frozen=True)
class FoundCode:
    text: str  # the raw text (GS1 element strings keep GS, \x1d, as FNC1)
    format: str  # zxing-cpp's name: QRCode, DataMatrix, EAN13, Code128...

    def as_dict(self) -> dict:
        return {"text": self.text, "format": self.format}


def read_codes(data: bytes, *, max_pixels: int) -> list[FoundCode]:
    """Every code in the photo, 2-D symbols (trace codes, Digital Links) before retail
    barcodes, each text once; an empty list when there is none."""
    image = _open(data, max_pixels)
    image = ImageOps.exif_transpose(image).convert("L")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    found: dict[str, FoundCode] = {}
    for symbol in zxingcpp.read_barcodes(image):
        if symbol.valid and symbol.text and symbol.text not in found:
            found[symbol.text] = FoundCode(symbol.text, symbol.format.name)
    return sorted(found.values(), key=lambda code: code.format not in TWO_D)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
        width, height = image.size
        if width * height > max_pixels:
            raise InvalidInput(T("照片像素过多（上限 {n} 百万像素）", n=max_pixels // 1_000_000),
                               field="file", code="photo_too_many_pixels")
        image.load()
    except UnidentifiedImageError:
        raise UnsupportedMediaType(T("只接受 JPEG、PNG 或 WebP 格式的照片"), field="file",
                                   code="not_an_image") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(T("照片文件已损坏或不完整，无法读取"), field="file",
                           code="photo_corrupt") from None
    return image

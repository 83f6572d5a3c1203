"""Decoders behind one interface: :class:`Decoder` → :class:`ZxingDecoder` (zxing-cpp),
:class:`ZbarDecoder` (pyzbar). Each reads every code in a grayscale image and answers
:class:`Code` values with the raw text (GS1 element strings keep GS, ``\\x1d``, as FNC1) and
the symbol's box in the image's coordinates. Chaining them is :mod:`kiosk.chain`'s job."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

log = logging.getLogger("kiosk.decoders")

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Code:
    """One decoded symbol."""

    text: str
    format: str  # zxing-cpp's format name: QRCode, MicroQRCode, DataMatrix, EAN13, Code128...
    box: Box | None = None
    decoder: str = ""

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3] if self.box else 0

    @property
    def is_2d(self) -> bool:
        return self.format in ("QRCode", "MicroQRCode", "DataMatrix", "RMQRCode", "Aztec",
                               "PDF417")


def box_of(points) -> Box:
    xs = [int(p[0]) for p in points]
    ys = [int(p[1]) for p in points]
    return min(xs), min(ys), max(1, max(xs) - min(xs)), max(1, max(ys) - min(ys))


class Decoder(ABC):
    """Reads codes from frames. Implementations are named after their library."""

    name: str = "decoder"

    @abstractmethod
    def decode(self, gray: np.ndarray) -> list[Code]:
        """Every code found in ``gray`` (2-D uint8, C-contiguous), in no particular order;
        an empty list when there is none. Never raises on a readable image."""


class ZxingDecoder(Decoder):
    """zxing-cpp: QR, Micro QR, DataMatrix, GS1 DataBar, EAN/UPC, Code 128 (with GS1).

    ``fast=True`` is the cheap first pass of a chain (no 90° rotation, no inverted search);
    :meth:`scan` also answers where a symbol was found but could not be read.
    """

    name = "zxing"
    FORMATS = ("QRCode", "MicroQRCode", "DataMatrix", "EAN13", "EAN8", "UPCA", "UPCE",
               "Code128", "DataBar", "DataBarExpanded", "DataBarLimited")

    def __init__(self, *, fast: bool = False, binarizer: str = "LocalAverage",
                 formats: tuple[str, ...] = FORMATS):
        import zxingcpp

        self._z = zxingcpp
        flags = zxingcpp.BarcodeFormats([getattr(zxingcpp.BarcodeFormat, name)
                                         for name in formats
                                         if hasattr(zxingcpp.BarcodeFormat, name)])
        self._options = dict(formats=flags, try_rotate=not fast, try_invert=not fast,
                             try_downscale=True, text_mode=zxingcpp.TextMode.Plain,
                             binarizer=getattr(zxingcpp.Binarizer, binarizer))
        if fast or binarizer != "LocalAverage":
            self.name = f"zxing-{'fast' if fast else binarizer}"

    def decode(self, gray: np.ndarray) -> list[Code]:
        return self.scan(gray)[0]

    def scan(self, gray: np.ndarray, *, misses: bool = False) -> tuple[list[Code], list[Box]]:
        """Codes read, and (with ``misses``) boxes of symbols found but not read."""
        found = self._z.read_barcodes(gray, return_errors=misses, **self._options)
        codes, missed = [], []
        for barcode in found:
            pos = barcode.position
            box = box_of([(p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right,
                                               pos.bottom_left)])
            if barcode.valid and not barcode.error:
                codes.append(Code(barcode.text, _format_name(barcode.format), box, self.name))
            else:
                missed.append(box)
        return codes, missed


def _format_name(fmt) -> str:
    name = getattr(fmt, "name", None) or str(fmt).rsplit(".", 1)[-1]
    return {"DataBarOmni": "DataBar", "DataBarExp": "DataBarExpanded",
            "DataBarLtd": "DataBarLimited"}.get(name, name)


ZBAR_FORMATS = {"QRCODE": "QRCode", "EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA",
                "UPCE": "UPCE", "CODE128": "Code128", "DATABAR": "DataBar",
                "DATABAR_EXP": "DataBarExpanded", "I25": "ITF", "CODE39": "Code39",
                "CODE93": "Code93", "CODABAR": "Codabar", "PDF417": "PDF417", "ISBN13": "EAN13"}


def zbar_text(data: bytes) -> str:
    """zbar's bytes as text: UTF-8, else GB 18030 (Chinese labels), else Latin-1."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


class ZbarDecoder(Decoder):
    """zbar through pyzbar (needs the system library ``libzbar0``): QR, EAN/UPC, Code 128,
    DataBar. No DataMatrix, no inverted codes."""

    name = "zbar"

    def __init__(self):
        from pyzbar import pyzbar

        self._zbar = pyzbar
        self._symbols = [s for s in pyzbar.ZBarSymbol if s.name in ZBAR_FORMATS]

    def decode(self, gray: np.ndarray) -> list[Code]:
        h, w = gray.shape[:2]
        found = self._zbar.decode((gray.tobytes(), w, h), symbols=self._symbols)
        return [Code(zbar_text(d.data), ZBAR_FORMATS.get(d.type, d.type),
                     (d.rect.left, d.rect.top, d.rect.width, d.rect.height), self.name)
                for d in found]


def available() -> dict[str, str | None]:
    """Which decoders can load here: name → None, or the reason it cannot."""
    out: dict[str, str | None] = {}
    for name, cls in (("zxing", ZxingDecoder), ("zbar", ZbarDecoder)):
        try:
            cls()
            out[name] = None
        except (ImportError, OSError) as error:  # pyzbar raises ImportError without libzbar0
            out[name] = str(error)
    return out

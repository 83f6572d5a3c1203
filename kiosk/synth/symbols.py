"""Printable symbols for simulation, demos and decode tests: QR and Micro QR (segno), EAN-13,
GS1-128, GS1 DataBar and GS1 DataMatrix (zxing-cpp's writer, FNC1 as GS1 mode).

A :class:`Symbol` carries the text a decoder should read back (``expected``): for GS1 symbols
the raw element string with GS (``\\x1d``) separators, as zxing-cpp reads it in plain mode.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np

GS = "\x1d"
KINDS = ("qr", "qr_url", "qr_link", "qr_long", "micro_qr", "datamatrix_gs1", "ean13",
         "gs1_128", "databar")
# How often each kind is drawn for a degraded set: the held-out judge is QR photos.
WEIGHTS = {"qr": 4, "qr_url": 4, "qr_link": 2, "qr_long": 1, "micro_qr": 1,
           "datamatrix_gs1": 2, "ean13": 2, "gs1_128": 1, "databar": 1}


@dataclass(frozen=True)
class Symbol:
    kind: str
    format: str  # the zxing-cpp format name of the symbol
    expected: str  # the text a decoder reads back
    image: np.ndarray  # grayscale uint8, black on white, with its quiet zone


def ean13_check(digits12: str) -> str:
    """The EAN-13 check digit of twelve digits (GS1 mod 10)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return str((10 - total % 10) % 10)


def random_gtin13(rng: random.Random) -> str:
    body = "69" + "".join(rng.choice("0123456789") for _ in range(10))
    return body + ean13_check(body)


def random_trace_code(rng: random.Random) -> str:
    return rng.choice(("LZ", "NN", "GL", "BJ")) + "".join(rng.choice("0123456789")
                                                          for _ in range(12))


def random_lot(rng: random.Random) -> str:
    return "L" + "".join(rng.choice("0123456789ABCDEF") for _ in range(rng.randint(4, 8)))


def payload(kind: str, rng: random.Random) -> str:
    """Human-form content for ``kind`` (GS1 in bracketed form, as the writer wants it)."""
    gtin = random_gtin13(rng)
    if kind in ("qr", "micro_qr"):
        return random_trace_code(rng)
    if kind == "qr_url":
        return f"http://gz.example.cn/t/{random_trace_code(rng)}"
    if kind == "qr_link":
        return f"https://id.gs1.org/01/0{gtin}/10/{random_lot(rng)}/21/{rng.randint(1, 999999):06d}"
    if kind == "qr_long":
        return ("柳州螺蛳粉 追溯 " + random_trace_code(rng) + " ") * rng.randint(2, 5)
    if kind == "ean13":
        return gtin[:12]
    if kind == "databar":
        return f"(01)0{gtin}"
    if kind == "gs1_128":
        return f"(01)0{gtin}(10){random_lot(rng)}"
    return f"(01)0{gtin}(10){random_lot(rng)}(21){rng.randint(1, 999999):06d}"  # datamatrix


def element_string(bracketed: str) -> str:
    """``(01)…(10)…(21)…`` as the raw element string: GS after each variable-length field
    that is not last (fixed-length AIs here: 01)."""
    parts = [p.split(")", 1) for p in bracketed.split("(")[1:]]
    out = []
    for i, (ai, value) in enumerate(parts):
        out.append(ai + value)
        if ai not in ("01",) and i < len(parts) - 1:
            out.append(GS)
    return "".join(out)


def _segno(text: str, micro: bool, scale: int) -> np.ndarray:
    import segno

    code = segno.make(text, micro=micro, error="l" if micro else "m")
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=scale, border=2 if micro else 4)
    from PIL import Image

    buf.seek(0)
    return np.array(Image.open(buf).convert("L"))


def _zxing(text: str, fmt: str, gs1: bool, scale: int) -> np.ndarray:
    import zxingcpp

    options = {"gs1": True} if gs1 else {}
    barcode = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, fmt), **options)
    image = np.array(zxingcpp.write_barcode_to_image(barcode, scale=scale))
    pad = 4 * scale
    return np.pad(image, pad, constant_values=255)


def render(kind: str, text: str, *, scale: int = 4) -> Symbol:
    """The symbol of ``kind`` holding ``text`` (from :func:`payload`)."""
    if kind in ("qr", "qr_url", "qr_link", "qr_long"):
        return Symbol(kind, "QRCode", text, _segno(text, False, scale))
    if kind == "micro_qr":
        return Symbol(kind, "MicroQRCode", text, _segno(text, True, scale))
    if kind == "ean13":
        return Symbol(kind, "EAN13", text + ean13_check(text), _zxing(text, "EAN13", False, scale))
    if kind == "databar":
        return Symbol(kind, "DataBar", element_string(text),
                      _zxing(text[4:-1], "DataBarOmni", False, scale))
    if kind == "gs1_128":
        return Symbol(kind, "Code128", element_string(text), _zxing(text, "Code128", True, scale))
    if kind == "datamatrix_gs1":
        return Symbol(kind, "DataMatrix", element_string(text),
                      _zxing(text, "DataMatrix", True, scale))
    raise ValueError(f"unknown symbol kind {kind!r}")


def random_symbol(rng: random.Random, kind: str | None = None) -> Symbol:
    """A symbol of a weighted random kind (or of ``kind``) with random content."""
    if kind is None:
        kinds = list(WEIGHTS)
        kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
    return render(kind, payload(kind, rng))

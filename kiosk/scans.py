"""From decoded codes to scans, without I/O: which code of a frame counts (:func:`pick`) and
when a code is a new scan (:class:`Debouncer`: the same code held in view is one scan)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.decoders import Code

MAX_TEXT = 2048  # the server accepts scanned texts up to this many characters
RETAIL = ("EAN13", "EAN8", "UPCA", "UPCE")


@dataclass(frozen=True)
class Pick:
    code: Code | None
    reason: str  # one | largest | preferred | too_many | none
    count: int = 0  # distinct codes in the frame


def _rank(code: Code) -> int:
    """Lower is better: 2-D trace codes, then GS1 linear symbols, then retail barcodes (a
    pack often carries its product's EAN-13 beside the batch's trace code)."""
    if code.is_2d:
        return 0
    return 2 if code.format in RETAIL else 1


def pick(codes: list[Code], *, dominance: float = 2.0) -> Pick:
    """The code a shopper means. Several codes of the best kind: the largest one when it is at
    least ``dominance`` times the next (held closest), else ``too_many``."""
    distinct = list({c.text: c for c in codes}.values())
    if not distinct:
        return Pick(None, "none")
    best = min(_rank(c) for c in distinct)
    top = sorted((c for c in distinct if _rank(c) == best), key=lambda c: -c.area)
    if len(top) == 1:
        return Pick(top[0], "one" if len(distinct) == 1 else "preferred", len(distinct))
    if top[0].area and top[0].area >= dominance * top[1].area:
        return Pick(top[0], "largest", len(distinct))
    return Pick(None, "too_many", len(distinct))


class Debouncer:
    """A code is a new scan unless it was seen less than ``gap`` seconds ago: holding a pack
    in view (even with frames where it is not read) is one scan; taking it away for longer
    than ``gap`` and showing it again is another."""

    def __init__(self, gap: float = 2.0):
        self.gap = gap
        self._seen: dict[str, float] = {}

    def is_new(self, text: str, now: float) -> bool:
        """Note that ``text`` is in view at ``now``; True when that starts a new scan."""
        last = self._seen.get(text)
        self._seen[text] = now
        if len(self._seen) > 64:
            self._seen = {t: at for t, at in self._seen.items() if now - at <= self.gap}
        return last is None or now - last > self.gap

    def forget(self) -> None:
        self._seen.clear()


def usable(text: str) -> str | None:
    """Why a decoded text is not sent to the server (``too_long``, ``empty``), or None."""
    if not text.strip():
        return "empty"
    if len(text) > MAX_TEXT:
        return "too_long"
    return None

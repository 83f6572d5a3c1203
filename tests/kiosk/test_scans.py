"""Which code of a frame counts, and when a code is a new scan (pure)."""

from kiosk.decoders import Code
from kiosk.scans import MAX_TEXT, Debouncer, pick, usable


def qr(text, side=100):
    return Code(text, "QRCode", (0, 0, side, side))


def test_one_code_is_picked():
    chosen = pick([qr("LZ1"), qr("LZ1")])
    assert chosen.code.text == "LZ1" and chosen.reason == "one" and chosen.count == 1


def test_trace_code_preferred_over_the_retail_barcode_beside_it():
    ean = Code("6901234567892", "EAN13", (0, 0, 400, 200))
    chosen = pick([ean, qr("LZ040000000002", 80)])
    assert chosen.code.text == "LZ040000000002" and chosen.reason == "preferred"
    assert pick([ean]).code is ean


def test_many_codes_of_one_kind_need_one_much_closer():
    ten = [qr(f"LZ{i}", 100) for i in range(10)]
    assert pick(ten).code is None and pick(ten).reason == "too_many"
    assert pick(ten).count == 10
    held_close = pick(ten + [qr("LZNEAR", 300)])
    assert held_close.code.text == "LZNEAR" and held_close.reason == "largest"
    assert pick([]).reason == "none"


def test_a_code_held_in_view_is_one_scan():
    d = Debouncer(gap=2.0)
    assert d.is_new("LZ1", 0.0)
    # held for a minute, read most frames, missed for up to 1.5 s at times
    assert not any(d.is_new("LZ1", t / 10) for t in range(1, 600) if t % 20 < 15)
    assert d.is_new("LZ1", 62.5)  # taken away for 2.5 s and shown again: a new scan
    assert d.is_new("LZ2", 62.6) and not d.is_new("LZ1", 62.7)


def test_texts_not_worth_sending():
    assert usable("LZ040000000002") is None
    assert usable("x" * (MAX_TEXT + 952)) == "too_long"
    assert usable(" \t") == "empty"
    assert usable("x" * MAX_TEXT) is None

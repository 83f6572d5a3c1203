"""The fast validation path returns exactly what the slow path returns, or defers to it."""

import io
import json

import orjson
import pytest

from tracing.demo.generator import write_demo
from tracing.exchange.fast import fast_record
from tracing.exchange.fields import RecordError
from tracing.exchange.records import validate_record

EVENT = {"type": "event", "event_id": "E1", "batch_id": "B1", "kind": "shipping",
         "occurred_at": "2026-08-24T09:01:00+08:00", "place_uscc": "91450225MAXLRBYQ29",
         "actor": "徐秀英", "quantity": 1160, "unit": "袋", "inputs": ["B0", "B-2.x"],
         "detail": {"counterparty": {"name": "柳州佳丰食品批发部", "uscc": "914502258547631087"}}}
BATCH = {"type": "batch", "batch_id": "B1", "product_id": "P1", "lot": "L 1",
         "produced_at": "2026-08-01", "quantity": 2.5, "unit": "kg", "expires_at": "2026-09-01"}
CODE = {"type": "code", "code": "lz-000123", "batch_id": "B1", "level": "item", "serial": "7",
        "issuer": "柳州", "status": "active"}

VARIANTS = [None, True, 0, -1, 1.0, 1e13, "", " ", " x", "x ", "x\n", "\tx", "a\tb", "a\nb",
            "\x07", "\u3000x", "x\u00a0", "a b", "长" * 21, "长" * 101, "x" * 64, "x" * 65,
            "B/1:2.3-4_5", "-B", "B B", [], ["B2"], ["B1"], [" B2"], [None], {}, {"x": 1},
            "2026-08-24T09:01:00Z", "2026-08-24 09:01", "2026-02-30", "pass", "item",
            "withdrawn", "91450225MAXLRBYQ29", "91450225maxlrbyq29", "91450225MAXLRBYQ28",
            {"name": "x", "division_code": "450205", "lat": 24.3, "lng": 109.4},
            {"inspection": {"item": "x", "result": "pass"}}, {"inspection": {"item": "x"}},
            {"temperatures": [{"at": "2026-08-24T09:01:00+08:00", "celsius": 4}]}]


def _same(obj):
    text = json.dumps(obj, ensure_ascii=False)
    fast = fast_record(text)
    try:
        slow = validate_record(orjson.loads(text))
    except RecordError:
        assert fast is None, text
        return
    if fast is not None:
        assert (fast.type, fast.key, fast.values, fast.refs) == \
            (slow.type, slow.key, slow.values, slow.refs), text
        assert list(fast.values) == list(slow.values)


def test_every_demo_record_is_the_same_on_both_paths():
    out = io.StringIO()
    write_demo(out, enterprises=20)
    taken = 0
    for line in out.getvalue().splitlines():
        fast = fast_record(line)
        slow = validate_record(orjson.loads(line))
        if fast is not None:
            taken += 1
            assert (fast.type, fast.key, fast.values, fast.refs) == \
                (slow.type, slow.key, slow.values, slow.refs)
    assert taken > 1000


@pytest.mark.parametrize("base", [EVENT, BATCH, CODE], ids=lambda b: b["type"])
def test_a_changed_field_gives_the_slow_paths_answer_or_defers(base):
    assert fast_record(json.dumps(base, ensure_ascii=False)) is not None
    for name in [*base, "extra_field"]:
        if name == "type":
            continue
        for value in VARIANTS:
            _same({**base, name: value})
        changed = dict(base)
        changed.pop(name, None)
        _same(changed)


def test_unknown_fields_and_other_types_take_the_slow_path():
    assert fast_record(json.dumps({**EVENT, "note": "kept"})) is None
    assert fast_record('{"type": "notice"}') is None
    assert fast_record("[1]") is None
    assert fast_record('{"type": "event",') is None


def test_both_decoders_read_numbers_alike():
    import random
    import struct

    import msgspec

    rng = random.Random(7)
    for _ in range(5000):
        value = struct.unpack("d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        for text in (repr(value), f"{rng.uniform(-200, 200):.{rng.randint(1, 17)}f}"):
            if text in ("nan", "inf", "-inf"):
                continue
            assert msgspec.json.decode(text) == orjson.loads(text), text

"""Real decoders on generated images: every symbol kind the kiosk reads, the chain finding what
the cheap pass misses, and bad input (no code, ten codes, 3,000 characters of garbage)."""

import random

import cv2
import numpy as np
import pytest

from kiosk.chain import FIRST, LIVE_STEPS, ChainDecoder, Step
from kiosk.decoders import ZbarDecoder, ZxingDecoder
from kiosk.regions import code_regions
from kiosk.scans import pick, usable
from kiosk.synth.scenes import empty_frame, scene
from kiosk.synth.symbols import KINDS, ean13_check, element_string, payload, render


def gray(sample):
    return cv2.cvtColor(sample.image, cv2.COLOR_BGR2GRAY)


def clean(kind, seed=1, **kw):
    rng = random.Random(seed)
    symbol = render(kind, payload(kind, rng))
    return symbol, gray(scene(rng, [symbol], height=0.45, angle=8, tilt=0.02, **kw))


@pytest.mark.parametrize("kind", KINDS)
def test_zxing_reads_every_kind_with_raw_gs1_text(kind):
    symbol, frame = clean(kind)
    codes = ZxingDecoder().decode(frame)
    assert [(c.text, c.format) for c in codes] == [(symbol.expected, symbol.format)]
    if kind in ("gs1_128", "datamatrix_gs1"):
        assert codes[0].text.startswith("01") and "(" not in codes[0].text


@pytest.mark.parametrize("kind", ["qr", "qr_long", "ean13", "gs1_128", "databar"])
def test_zbar_reads_what_it_supports(kind, need_zbar):
    symbol, frame = clean(kind)
    assert symbol.expected in {c.text for c in ZbarDecoder().decode(frame)}


def test_zbar_text_falls_back_to_gb18030():
    from kiosk.decoders import zbar_text

    assert zbar_text("追溯".encode("gb18030")) == "追溯"
    assert zbar_text(b"\xff\xfe\xfd") == "ÿþý"


def test_element_strings_and_check_digits():
    assert element_string("(01)06901234567892(10)L1(21)7") == "010690123456789210L1\x1d217"
    assert ean13_check("690123456789") == "2"


def test_chain_reads_an_inverted_glared_code_the_cheap_pass_misses():
    rng = random.Random(0)
    symbol = render("qr_url", payload("qr_url", rng))
    frame = gray(scene(rng, [symbol], label_effects=["invert"], frame_effects=["glare"],
                       height=0.35))
    first = ChainDecoder(steps=(FIRST,), budget_ms=1e6).run(frame)
    assert first.codes == [] and first.candidate
    result = ChainDecoder(budget_ms=1e6).run(frame)
    assert [c.text for c in result.codes] == [symbol.expected]
    assert len(result.steps) > 1 and result.steps[0] == FIRST.label


def test_budget_cuts_the_chain_after_the_first_step():
    ticks = iter(range(0, 10_000, 50))  # a clock advancing 50 ms per reading
    chain = ChainDecoder(budget_ms=30, clock=lambda: next(ticks) / 1000)
    rng = random.Random(0)
    symbol = render("qr_url", payload("qr_url", rng))
    frame = gray(scene(rng, [symbol], label_effects=["invert"], frame_effects=["glare"],
                       height=0.35))
    result = chain.run(frame)
    assert result.steps == [FIRST.label] and result.codes == []


def test_frames_without_a_code_yield_nothing():
    chain = ChainDecoder(budget_ms=1e6)
    rng = random.Random(2)
    for _ in range(5):
        assert chain.decode(cv2.cvtColor(empty_frame(rng), cv2.COLOR_BGR2GRAY)) == []
    assert chain.decode(np.zeros((720, 1280), np.uint8)) == []
    assert chain.decode(np.full((720, 1280), 255, np.uint8)) == []
    assert code_regions(np.zeros((720, 1280), np.uint8)) == []
    assert chain.decode(np.zeros((1, 1), np.uint8)) == []


def test_ten_codes_at_once_are_all_read_and_none_is_picked():
    frame = np.full((1080, 1920), 235, np.uint8)
    texts = []
    for i in range(10):
        symbol = render("qr", f"LZ04000000{i:04d}", scale=4)
        h, w = symbol.image.shape
        y, x = 60 + (i // 5) * 480, 40 + (i % 5) * 370
        frame[y:y + h, x:x + w] = symbol.image
        texts.append(symbol.expected)
    codes = ChainDecoder(budget_ms=1e6).decode(frame)
    assert sorted(c.text for c in codes) == sorted(texts)
    chosen = pick(codes)
    assert chosen.code is None and chosen.reason == "too_many" and chosen.count == 10


def test_three_thousand_characters_of_garbage_decode_but_are_not_sent():
    rng = random.Random(5)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:"  # QR alphanumeric mode
    garbage = "".join(rng.choice(alphabet) for _ in range(3000))
    symbol = render("qr", garbage, scale=2)
    frame = np.full((symbol.image.shape[0] + 40, symbol.image.shape[1] + 40), 255, np.uint8)
    frame[20:-20, 20:-20] = symbol.image
    codes = ChainDecoder(steps=LIVE_STEPS, budget_ms=1e6).decode(frame)
    assert [c.text for c in codes] == [garbage]
    assert usable(codes[0].text) == "too_long"


def test_chain_without_zbar_skips_its_steps():
    chain = ChainDecoder({"zxing-fast": ZxingDecoder(fast=True), "zxing": ZxingDecoder()},
                         steps=(FIRST, Step("zbar"), Step("zxing", "invert")))
    assert [s.decoder for s in chain.steps] == ["zxing-fast", "zxing"]


def test_a_static_scene_gets_the_slow_steps_only_now_and_then():
    rng = random.Random(0)  # a stall with printed text: it looks like it may hold a code
    stall = cv2.cvtColor(empty_frame(rng), cv2.COLOR_BGR2GRAY)
    assert ChainDecoder(budget_ms=1e6).run(stall).candidate
    chain = ChainDecoder(budget_ms=1e6, static_level=4.0, retry_every=5)
    runs = [len(chain.run(stall).steps) > 1 for _ in range(10)]
    assert runs[0] and runs == [True, False, False, False, False] * 2
    symbol, frame = clean("qr_url", seed=3)
    assert [c.text for c in chain.decode(frame)] == [symbol.expected]  # a change: full chain
    assert all(len(ChainDecoder(budget_ms=1e6).run(stall).steps) > 1 for _ in range(3))

"""The generator the chain is tuned and benchmarked on: every degradation keeps the frame's
shape and type and changes it; sets repeat for a seed; the command writes images with truth."""

import json
import random

import numpy as np
import pytest

from kiosk.__main__ import main
from kiosk.synth import degrade
from kiosk.synth.scenes import FRAME, degraded_set


@pytest.mark.parametrize("name", sorted({**degrade.ON_LABEL, **degrade.ON_FRAME}))
def test_each_degradation_changes_the_image_and_keeps_its_shape(name):
    rng = random.Random(1)
    image = np.full((120, 160, 3), 200, np.uint8)
    image[30:90, 40:120] = 20
    out = {**degrade.ON_LABEL, **degrade.ON_FRAME}[name](image, rng)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert not np.array_equal(out, image)


def test_perspective_returns_its_matrix():
    out, matrix = degrade.perspective(np.zeros((50, 60), np.uint8), random.Random(2))
    assert out.shape == (50, 60) and matrix.shape == (3, 3)


def test_degraded_sets_repeat_for_a_seed():
    a, b = list(degraded_set(3, seed=5)), list(degraded_set(3, seed=5))
    assert [s.expected for s in a] == [s.expected for s in b]
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b))
    assert a[0].image.shape == (FRAME[1], FRAME[0], 3) and a[0].effects


def test_make_images_and_decode_in_process(tmp_path, capsys):
    assert main(["make-images", "--n", "4", "--seed", "3", "--out", str(tmp_path)]) == 0
    truth = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert len(truth) == 4 and all(t["expected"] for t in truth)
    capsys.readouterr()
    files = [str(tmp_path / t["file"]) for t in truth]
    assert main(["decode", "--live", *files]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["file"] for line in lines] == files
    assert main(["make-demo-video", "--codes", "LZ1", "--out", str(tmp_path / "d.avi"),
                 "--seconds", "0.2", "--gap", "0.1"]) == 0
    assert (tmp_path / "d.avi").stat().st_size > 1000

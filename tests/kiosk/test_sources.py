"""Frame sources: the camera's loss and reopen (a fake capture injected: no camera here), a
video file made by the demo generator, a folder of images."""

import time

import cv2
import numpy as np
import pytest
from standin import wait_until

from kiosk.sources import CameraFrameSource, FileFrameSource, ImageSequenceFrameSource, make_source
from kiosk.video import make_demo_video


class FakeCapture:
    """Frames until ``fail_after`` reads, then read() fails as an unplugged camera does."""

    def __init__(self, fail_after=None):
        self.fail_after, self.reads, self.released = fail_after, 0, False

    def isOpened(self):
        return True

    def read(self):
        self.reads += 1
        time.sleep(0.002)
        if self.fail_after is not None and self.reads > self.fail_after:
            return False, None
        return True, np.full((72, 128, 3), self.reads % 256, np.uint8)

    def release(self):
        self.released = True


class Opener:
    """First a camera that dies after 20 frames, then two failed opens, then a good one."""

    def __init__(self):
        self.calls, self.captures = 0, []

    def __call__(self, index, width, height, fps):
        self.calls += 1
        if self.calls in (2, 3):
            return None
        capture = FakeCapture(fail_after=20 if self.calls == 1 else None)
        self.captures.append(capture)
        return capture


def test_camera_loss_is_noticed_and_the_camera_reopened():
    opener = Opener()
    camera = CameraFrameSource(0, opener=opener, reopen_seconds=0.02, failures_to_lose=3)
    try:
        assert camera.read(timeout=2) is not None
        assert wait_until(lambda: camera.status == "lost" or opener.calls > 1, 5)
        assert wait_until(lambda: camera.reopens == 1 and camera.status == "ok", 5)
        assert opener.calls == 4 and opener.captures[0].released
        frame = camera.read(timeout=2)
        assert frame is not None and frame.index >= 20  # the first camera gave 0-19
    finally:
        camera.close()
    assert opener.captures[-1].released


def test_camera_hands_out_the_newest_frame_only():
    camera = CameraFrameSource(0, opener=lambda *a: FakeCapture())
    try:
        first = camera.read(timeout=2)
        time.sleep(0.1)  # ~50 frames captured meanwhile; only the newest is kept
        second = camera.read(timeout=2)
        assert second.index - first.index > 5
        assert camera.read(timeout=0.5).index > second.index
    finally:
        camera.close()


def test_camera_that_never_opens_stays_lost_without_raising():
    def broken(*args):
        raise RuntimeError("no /dev/video0")

    camera = CameraFrameSource(0, opener=broken, reopen_seconds=0.01)
    try:
        assert camera.read(timeout=0.1) is None and camera.status == "lost"
    finally:
        camera.close()


@pytest.fixture(scope="module")
def demo_video(tmp_path_factory):
    return make_demo_video(["LZ040000000002", "(01)06901234567892(10)L260902A"],
                           tmp_path_factory.mktemp("video") / "demo.mp4", seconds=1, gap=0.4,
                           fps=10)


def test_video_file_in_order_and_to_its_end(demo_video):
    source = FileFrameSource(demo_video)
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    assert [f.index for f in frames] == list(range(len(frames)))
    assert len(frames) == 4 + 2 * (10 + 4) and frames[0].image.shape == (720, 1280, 3)
    assert source.status == "ended"
    source.close()


def test_video_file_in_real_time_skips_what_was_not_read_in_time(demo_video):
    ticks = iter(np.arange(0, 100, 0.35))  # the reader is slow: 3.5 frames per read
    source = FileFrameSource(demo_video, realtime=True, clock=lambda: float(next(ticks)))
    indexes = [source.read().index for _ in range(4)]
    assert indexes[0] == 0 and all(b - a >= 3 for a, b in zip(indexes, indexes[1:]))


def test_video_file_loops(demo_video):
    source = make_source(str(demo_video), realtime=False, loop=True)
    assert sum(source.read() is not None for _ in range(70)) == 70
    assert source.status == "ok"


def test_bad_video_paths(tmp_path):
    with pytest.raises(FileNotFoundError):
        FileFrameSource(tmp_path / "missing.mp4")
    (tmp_path / "bad.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError):
        FileFrameSource(tmp_path / "bad.mp4")


def test_folder_of_images_held_and_unreadable_skipped(tmp_path):
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((10, 10, 3), i, np.uint8))
    (tmp_path / "1b.png").write_bytes(b"broken")
    (tmp_path / "notes.txt").write_text("ignored")
    source = ImageSequenceFrameSource(tmp_path, hold=2)
    names = []
    while (frame := source.read()) is not None:
        names.append(frame.name)
    assert names == ["0.png", "0.png", "1.png", "1.png", "2.png", "2.png"]
    assert source.status == "ended"
    with pytest.raises(FileNotFoundError):
        ImageSequenceFrameSource(tmp_path / "nope")
    assert ImageSequenceFrameSource([]).status == "ended"

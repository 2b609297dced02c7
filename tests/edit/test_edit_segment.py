"""render_segment with real FFmpeg: size, codec, frames, camera, mouth sprites, burned-in subtitles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from drawn_keyframe import BLINK_RGB, MOUTH_RGB, make_keyframe
from mangaline.model.timing import ShotTiming, SpokenLine, SubtitleEvent
from mangaline.render.motion_comic import plan_motion
from mangaline.edit import count_frames, probe, read_frame, render_segment
from mangaline.errors import RenderError
from mangaline.model import CameraMove

pytestmark = pytest.mark.slow

FPS = 24
# Line from frame 6: silent, two open bursts, silent again.
ENVELOPE = [0.0, 0.0, 0.9, 0.9, 0.9, 0.0, 0.0, 0.8, 0.8, 0.0, 0.0, 0.0]


def _patch(frame: np.ndarray, x: float, y: float, r: int = 4) -> np.ndarray:
    xi, yi = round(x), round(y)
    return frame[yi - r : yi + r, xi - r : xi + r].reshape(-1, 3).mean(axis=0)


def _centre(folder: Path, sprite) -> tuple[float, float]:
    with Image.open(folder / sprite.file) as image:
        return sprite.x + image.width / 2, sprite.y + image.height / 2


def _near(rgb: np.ndarray, target: tuple[int, int, int], tol: float = 40) -> bool:
    return bool(np.abs(rgb - np.array(target)).max() < tol)


@pytest.fixture(scope="module")
def push_in(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("push_in")
    layers = make_keyframe(tmp / "kf", 1080, 1920)
    timing = ShotTiming(frames=36, duration=36 / FPS)
    plan = plan_motion(layers, CameraMove.PUSH_IN, timing, [SpokenLine(character="maya", start=0.25, envelope=ENVELOPE)], seed=5)
    out = tmp / "sh010.mp4"
    events = [SubtitleEvent(start=0.5, end=1.0, text="Where were you last night?", speaker="MAYA")]
    render_segment(plan, tmp / "kf", events, out, language="en")
    return plan, layers, out


def test_segment_is_full_hd_vertical_h264_with_exact_frames(push_in):
    plan, _, out = push_in
    info = probe(out)
    assert (info.video_codec, info.width, info.height, info.fps) == ("h264", 1080, 1920, 24.0)
    assert info.audio_codec is None
    assert count_frames(out) == plan.frames == 36
    assert info.duration == pytest.approx(36 / FPS, abs=0.5 / FPS)
    assert not list(out.parent.glob(".*partial*")), "no temp file left behind"


def test_a_segment_keeps_its_first_and_last_frames_small_and_as_encoded(tmp_path, push_in):
    """The ends a cut is judged by are the segment's own first and last frames, a few levels off after H.264."""
    from mangaline.checks import Take
    from mangaline.checks.cuts import edge_frame
    from mangaline.edit.segment import ends_size

    plan, _, rendered = push_in
    out, ends = tmp_path / "sh010.mp4", tmp_path / "ends"
    ends.mkdir()
    render_segment(plan, rendered.parent / "kf", [], out, language="en", ends=ends)
    decoded = Take(out, "clip")
    for name, last in (("first.png", False), ("last.png", True)):
        with Image.open(ends / name) as image:
            kept = np.asarray(image.convert("RGB"), np.float64)
        assert (kept.shape[1], kept.shape[0]) == ends_size(1080, 1920) == (192, 342)
        assert np.abs(kept - edge_frame(decoded, last=last)).mean() < 2.0
    first, last = (np.asarray(Image.open(ends / n), np.float64) for n in ("first.png", "last.png"))
    assert np.abs(first - last).mean() > 2.0, "the push-in moves the picture between the two ends"
    assert sorted(p.name for p in ends.iterdir()) == ["first.png", "last.png"], "the raw last frame is not left behind"
    assert count_frames(out) == plan.frames


def test_push_in_moves_the_picture(push_in):
    _, _, out = push_in
    first, last = read_frame(out, 0).astype(int), read_frame(out, 35).astype(int)
    assert np.abs(first - last).mean() > 5


def test_mouth_sprite_shows_only_while_speaking(push_in):
    plan, layers, out = push_in
    maya = next(layer for layer in layers.layers if layer.character == "maya")
    spans = plan.mouths["maya"]
    speaking = spans[0].first
    silent = speaking - 1  # the frame just before: catches a sprite switched one frame early
    assert all(not (s.first <= silent <= s.last) for s in spans)
    mouth = maya.speaking_mouth
    mx, my = _centre(out.parent / "kf", mouth)
    p = plan.parallax_of(maya.name)
    on = _patch(read_frame(out, speaking), *plan.screen_point(speaking, mx, my, p))
    off = _patch(read_frame(out, silent), *plan.screen_point(silent, mx, my, p))
    assert _near(on, MOUTH_RGB), on
    assert not _near(off, MOUTH_RGB), off


@pytest.fixture(scope="module")
def subtitled(tmp_path_factory):
    """The same static shot rendered with no subtitle, with 你好, 好你, こんにちは and はちにんこ."""
    tmp = tmp_path_factory.mktemp("subs")
    layers = make_keyframe(tmp / "kf", 540, 960)
    plan = plan_motion(layers, CameraMove.STATIC, ShotTiming(frames=12, duration=0.5), [], seed=2)
    frames = {}
    for name, text, lang in [
        ("blank", None, "zh"), ("nihao", "你好", "zh"), ("haoni", "好你", "zh"),
        ("konnichiwa", "こんにちは", "ja"), ("reversed", "はちにんこ", "ja"),
    ]:  # fmt: skip
        out = tmp / f"{name}.mp4"
        events = [SubtitleEvent(start=0.0, end=0.5, text=text, speaker="KEN")] if text else []
        render_segment(plan, tmp / "kf", events, out, language=lang)
        frames[name] = read_frame(out, 6).astype(int)
    return frames


def _ink(frame: np.ndarray, blank: np.ndarray) -> np.ndarray:
    return np.abs(frame - blank).max(axis=2) > 60


@pytest.mark.parametrize("text,swapped", [("nihao", "haoni"), ("konnichiwa", "reversed")])
def test_cjk_subtitles_render_as_glyphs_inside_the_safe_area(subtitled, text, swapped):
    blank = subtitled["blank"]
    ink = _ink(subtitled[text], blank)
    assert ink.sum() > 200, "the subtitle must be visible"
    rows, cols = np.nonzero(ink)
    h, w = blank.shape[:2]
    assert rows.max() < h * (1 - 0.12) and rows.min() > h * 0.6, "bottom, above the 12% safe band"
    assert cols.min() > w * 0.08 and cols.max() < w * 0.92
    # Missing glyphs draw as identical boxes; real glyphs differ when the characters are swapped.
    other = _ink(subtitled[swapped], blank)
    assert (ink ^ other).sum() > 0.3 * ink.sum()


def test_missing_layer_image_names_the_shot(tmp_path):
    layers = make_keyframe(tmp_path / "kf", 270, 480)
    (tmp_path / "kf" / "ken.png").unlink()
    plan = plan_motion(layers, CameraMove.STATIC, ShotTiming(frames=4, duration=4 / FPS), [], seed=1)
    with pytest.raises(RenderError, match=r"ep01_sc01_sh010.*ken\.png"):
        render_segment(plan, tmp_path / "kf", [], tmp_path / "out.mp4", language="en")
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.parametrize(
    "move", [CameraMove.PAN_RIGHT, CameraMove.TILT_DOWN, CameraMove.DOLLY_LEFT, CameraMove.PULL_OUT]
)
def test_small_moves_render_exact_frames_and_move(tmp_path, move):
    layers = make_keyframe(tmp_path / "kf", 270, 480)
    plan = plan_motion(layers, move, ShotTiming(frames=20, duration=20 / FPS), [], seed=1)
    out = tmp_path / "seg.mp4"
    render_segment(plan, tmp_path / "kf", [], out, language="en")
    assert count_frames(out) == 20
    assert np.abs(read_frame(out, 0).astype(int) - read_frame(out, 19).astype(int)).mean() > 2


def test_blink_sprite_follows_the_plan(tmp_path):
    layers = make_keyframe(tmp_path / "kf", 270, 480)
    plan = plan_motion(layers, CameraMove.STATIC, ShotTiming(frames=96, duration=4.0), [], seed=3)
    ken = next(layer for layer in layers.layers if layer.character == "ken")
    blink = plan.blinks["ken"][0]
    out = tmp_path / "seg.mp4"
    render_segment(plan, tmp_path / "kf", [], out, language="en")
    p = plan.parallax_of(ken.name)
    x, y = _centre(tmp_path / "kf", ken.blink)
    on = _patch(read_frame(out, blink.first), *plan.screen_point(blink.first, x, y, p), r=2)
    off = _patch(read_frame(out, blink.first - 1), *plan.screen_point(blink.first - 1, x, y, p), r=2)
    after = _patch(read_frame(out, blink.last + 1), *plan.screen_point(blink.last + 1, x, y, p), r=2)
    assert not _near(after, BLINK_RGB)
    assert _near(on, BLINK_RGB) and not _near(off, BLINK_RGB)

"""Breathing and the arc move rendered by FFmpeg: the layer and its sprites rise together; an arc moves layers by depth."""

from __future__ import annotations

import numpy as np
import pytest

from drawn_keyframe import BLOB_RGB, MOUTH_RGB, make_keyframe
from mangaline.model.motion import Breath, FrameSpan
from mangaline.model.timing import ShotTiming
from mangaline.render.motion_comic import plan_motion
from mangaline.edit import count_frames, read_frame, render_segment
from mangaline.model import CameraMove

pytestmark = pytest.mark.slow

FPS = 24


def _mask(frame: np.ndarray, rgb: tuple[int, int, int], tol: int = 45) -> np.ndarray:
    return np.abs(frame.astype(int) - np.array(rgb)).max(axis=-1) < tol


def _top(frame: np.ndarray, rgb: tuple[int, int, int]) -> int:
    rows = np.nonzero(_mask(frame, rgb).any(axis=1))[0]
    assert len(rows), f"no {rgb} in the frame"
    return int(rows[0])


def _centre_x(frame: np.ndarray, rgb: tuple[int, int, int]) -> float:
    cols = np.nonzero(_mask(frame, rgb))[1]
    assert len(cols) > 20, f"no {rgb} in the frame"
    return float(cols.mean())


def test_a_breath_lifts_the_character_and_its_mouth_together(tmp_path):
    layers = make_keyframe(tmp_path / "kf", 270, 480)
    timing = ShotTiming(frames=30, duration=30 / FPS)
    plan = plan_motion(layers, CameraMove.PUSH_IN, timing, [], seed=2)
    # A camera at rest, and the mouth open across the top of the breath at frame 24.
    plan = plan.model_copy(update={"start": plan.start.model_copy(update={"zoom": 1.0}),
                                   "end": plan.end.model_copy(update={"zoom": 1.0}),
                                   "mouths": {"maya": [FrameSpan(first=20, last=29)]}})
    breathing = plan.model_copy(update={"breaths": {"maya": Breath(period=2.0, phase=0.0, rise=8.0)}})
    still = plan.model_copy(update={"breaths": {}})
    render_segment(breathing, tmp_path / "kf", [], tmp_path / "breathing.mp4", language="en")
    render_segment(still, tmp_path / "kf", [], tmp_path / "still.mp4", language="en")
    assert count_frames(tmp_path / "breathing.mp4") == 30
    a0, b0 = read_frame(tmp_path / "breathing.mp4", 0), read_frame(tmp_path / "still.mp4", 0)
    assert _top(a0, BLOB_RGB["maya"]) == _top(b0, BLOB_RGB["maya"]), "a breath starts from rest at phase 0"
    a, b = read_frame(tmp_path / "breathing.mp4", 24), read_frame(tmp_path / "still.mp4", 24)
    rise = _top(b, BLOB_RGB["maya"]) - _top(a, BLOB_RGB["maya"])
    assert 6 <= rise <= 10, f"maya rose {rise} px at the top of her breath"
    assert _top(b, MOUTH_RGB) - _top(a, MOUTH_RGB) == rise, "the mouth sprite must rise with the face"
    assert _top(a, BLOB_RGB["ken"]) == _top(b, BLOB_RGB["ken"]), "ken does not breathe in this plan"


@pytest.mark.parametrize("move", [CameraMove.ARC_LEFT, CameraMove.ARC_RIGHT])
def test_an_arc_moves_the_near_and_far_characters_in_opposite_directions(tmp_path, move):
    layers = make_keyframe(tmp_path / "kf", 270, 480)
    plan = plan_motion(layers, move, ShotTiming(frames=20, duration=20 / FPS), [], seed=1)
    out = tmp_path / "arc.mp4"
    render_segment(plan, tmp_path / "kf", [], out, language="en")
    assert count_frames(out) == 20
    first, last = read_frame(out, 0), read_frame(out, 19)
    moved = {cid: _centre_x(last, rgb) - _centre_x(first, rgb) for cid, rgb in BLOB_RGB.items()}
    # make_keyframe puts maya nearer (3 m) than ken (4 m): the orbit's subject sits between them.
    assert moved["maya"] * moved["ken"] < 0
    for cid, shift in moved.items():
        layer = next(layer for layer in layers.layers if layer.character == cid)
        p = plan.parallax_of(layer.name)
        x, y = layer.x + layer.width / 2, layer.y + layer.height / 2
        expected = plan.screen_point(19, x, y, p)[0] - plan.screen_point(0, x, y, p)[0]
        assert shift == pytest.approx(expected, abs=2.5), cid

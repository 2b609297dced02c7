"""Lip sync on real clips: the draft's speaking mouth sprite shown on the loud frames of a line, as the motion comic
animates it, passes; a frozen mouth, or one that flaps to another line's rhythm, fails.

The clips are real H.264 made by FFmpeg from the drawn shot and its mouth sprite, model-like (smaller, pushed in,
softened, grained, graded).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mangaline.checks import LineTruth, Take
from mangaline.checks.lipsync import LipSyncCheck
from mangaline.render.motion_comic import MOUTH_THRESHOLD
from tests.qc.test_checks_layout import FPS, Look, shared_shot, truth_of

SHOT = "ep01_sc01_sh020"  # Maya, medium shot
FRAMES = 60
LINE = (0.25, 1.5)  # seconds of the shot the line is spoken in


def envelope(seed: int) -> np.ndarray:
    """A line's loudness per frame: syllables of three to five frames with short gaps, as speech has."""
    rng = np.random.default_rng(seed)
    n = round((LINE[1] - LINE[0]) * FPS)
    level, t = np.zeros(n), 0
    while t < n - 3:
        length = int(rng.integers(3, 6))
        level[t:t + length] = rng.uniform(0.5, 1.0) * np.sin(np.linspace(0, np.pi, length + 2)[1:-1])[: n - t]
        t += length + int(rng.integers(1, 4))
    return level


def speaking(folder: Path, character: str, level: np.ndarray | None, start: float = LINE[0]) -> np.ndarray:
    """The shot's frames with the character's mouth sprite on where ``level``, from ``start`` seconds, is loud
    (None: a frozen mouth)."""
    layers = json.loads((folder / "layers.json").read_text())
    ox = (layers["canvas_width"] - layers["frame_width"]) // 2
    oy = (layers["canvas_height"] - layers["frame_height"]) // 2
    sprite = next(layer for layer in layers["layers"] if layer["character"] == character)["speaking_mouth"]
    closed = Image.open(folder / "keyframe.png").convert("RGB")
    opened = closed.copy()
    with Image.open(folder / sprite["file"]) as mouth:
        opened.paste(mouth, (sprite["x"] - ox, sprite["y"] - oy), mouth.convert("RGBA"))
    size = (closed.width // 2, closed.height // 2)
    shut, open_ = (np.asarray(img.resize(size, Image.Resampling.BOX)) for img in (closed, opened))
    first = round(start * FPS)
    frames = np.repeat(shut[None], FRAMES, axis=0)
    if level is not None:
        for i, loud in enumerate(level >= MOUTH_THRESHOLD * level.max()):
            if loud and first + i < FRAMES:
                frames[first + i] = open_
    return frames


def panned(frames: np.ndarray, px_per_frame: float = 1.0) -> np.ndarray:
    """The frames with the picture sliding across, ``px_per_frame`` further each frame: a pan, or a character running."""
    return np.stack([np.roll(frame, round(px_per_frame * i), axis=1) for i, frame in enumerate(frames)])


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("lipsync")
    folder = shared_shot(tmp_path_factory, SHOT)
    line = envelope(seed=3)
    look = Look(size=(480, 854), push=0.03)
    return {
        "folder": folder,
        "line": line,
        "talking": look.clip(speaking(folder, "maya", line), root / "talking.mp4"),
        "frozen": look.clip(speaking(folder, "maya", None), root / "frozen.mp4"),
        "late": look.clip(speaking(folder, "maya", line, start=LINE[1]), root / "late.mp4"),
        "talking_pan": look.clip(panned(speaking(folder, "maya", line)), root / "talking-pan.mp4"),
        "frozen_pan": look.clip(panned(speaking(folder, "maya", None)), root / "frozen-pan.mp4"),
    }


def truth_with(clips: dict, *lines: LineTruth):
    return truth_of(clips["folder"], fps=FPS, duration=FRAMES / FPS, lines=lines)


def maya_says(clips: dict) -> LineTruth:
    return LineTruth("maya", *LINE, envelope=tuple(float(v) for v in clips["line"]), text="It is by the window.")


def test_a_mouth_that_moves_with_the_line_passes(clips: dict) -> None:
    verdict = LipSyncCheck().judge(Take(clips["talking"]), truth_with(clips, maya_says(clips)))
    assert verdict.passed and verdict.score > 0.6, verdict.reason
    assert verdict.reason.startswith("Maya's mouth moves with their line ('It is by the window.') at a correlation of")


def test_a_frozen_mouth_while_the_line_is_spoken_fails(clips: dict) -> None:
    verdict = LipSyncCheck().judge(Take(clips["frozen"]), truth_with(clips, maya_says(clips)))
    assert not verdict.passed and verdict.score < 0.1
    assert verdict.reason.startswith("Maya's mouth does not move while they speak")


def test_a_mouth_that_speaks_the_line_after_the_voice_fails(clips: dict) -> None:
    verdict = LipSyncCheck().judge(Take(clips["late"]), truth_with(clips, maya_says(clips)))
    assert not verdict.passed and verdict.score < 0.1, verdict.reason
    assert verdict.reason.startswith("Maya's mouth does not move while they speak")


def test_a_frozen_mouth_in_a_panning_shot_fails_and_a_speaking_one_passes(clips: dict) -> None:
    # the face slides out of where the layout has it while the line is spoken: against a mouth at rest taken from
    # the quiet end of the clip, a frozen mouth changed as the line went on (this take passed at 0.34 when the mouth
    # was compared with its rest); frame to frame, the mouth changes no more than the cheeks beside it
    frozen = LipSyncCheck().judge(Take(clips["frozen_pan"]), truth_with(clips, maya_says(clips)))
    assert not frozen.passed and frozen.score < 0.1, frozen.reason
    assert frozen.reason.startswith("Maya's mouth does not move while they speak")
    talking = LipSyncCheck().judge(Take(clips["talking_pan"]), truth_with(clips, maya_says(clips)))
    assert talking.passed and talking.score > 0.6, talking.reason


def test_lip_sync_says_nothing_without_a_speaking_face(clips: dict) -> None:
    check = LipSyncCheck()
    assert check.judge(Take(clips["talking"]), truth_with(clips)) is None, "no lines"
    kenji = LineTruth("kenji", *LINE, envelope=tuple(float(v) for v in clips["line"]), text="The door was open.")
    assert check.judge(Take(clips["talking"]), truth_with(clips, kenji)) is None, "the speaker is off screen"
    assert "image" not in check.subjects
    assert check.judge(Take(clips["folder"] / "keyframe.png"), truth_with(clips, maya_says(clips))) is None

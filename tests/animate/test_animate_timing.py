"""time_shot: lines laid end to end with lead-in, gaps and tail; whole frames."""

import pytest

from mangaline.animate import time_shot
from mangaline.errors import StepError
from mangaline.model import DialogueLine, Shot, ShotKind, ShotSize


def _shot(duration: float, lines: int) -> Shot:
    dialogue = [DialogueLine(id=f"l{i}", speaker="MAYA", character="maya", text="hi") for i in range(lines)]
    return Shot(
        code="ep01_sc01_sh010", kind=ShotKind.SINGLE, size=ShotSize.MEDIUM, duration=duration, dialogue=dialogue
    )


def test_lines_follow_each_other_with_lead_in_and_gap():
    timing = time_shot(_shot(1.0, 2), {"l0": 1.5, "l1": 2.0}, 24)
    assert timing.line_starts == {"l0": pytest.approx(0.25), "l1": pytest.approx(0.25 + 1.5 + 0.2)}
    needed = 0.25 + 1.5 + 0.2 + 2.0 + 0.35
    assert timing.frames == 104  # ceil(4.3 * 24 = 103.2)
    assert timing.duration == pytest.approx(timing.frames / 24)
    assert timing.duration >= needed


def test_planned_duration_wins_when_longer_than_the_lines():
    timing = time_shot(_shot(5.0, 1), {"l0": 1.0}, 24)
    assert timing.frames == 120
    assert timing.duration == 5.0


def test_silent_shot_keeps_its_planned_length_on_whole_frames():
    timing = time_shot(_shot(2.01, 0), {}, 24)
    assert timing.frames == 48
    assert timing.line_starts == {}


def test_exact_fit_does_not_gain_a_frame_from_float_noise():
    # 0.25 + 0.4 + 0.35 = 1.0 s exactly: 24 frames, not 25.
    assert time_shot(_shot(0.5, 1), {"l0": 0.4}, 24).frames == 24


def test_unvoiced_line_is_a_step_error_naming_the_shot_and_line():
    with pytest.raises(StepError, match=r"ep01_sc01_sh010.*l1"):
        time_shot(_shot(1.0, 2), {"l0": 1.0}, 24)

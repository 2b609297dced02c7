"""The cut checks on clips real FFmpeg makes: a brightness jump the plates do not have, a continued action that does
not continue, and the cuts that must pass (a new scene, plates that differ as much as the takes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from mangaline.checks import Take, Truth, load_checks, run_cut_checks
from mangaline.checks.cuts import CutContinuityCheck, CutExposureCheck, edge_frame
from mangaline.errors import ConfigError
from mangaline.ffmpeg import run_ffmpeg

SIZE = (270, 480)


def room(path: Path, *, pillar_x: int = 80, light: int = 0) -> Path:
    """A drawn room: a wall, a floor, a pillar with ink outlines, as the draft draws a set."""
    lift = lambda rgb: tuple(min(255, c + light) for c in rgb)  # noqa: E731
    image = Image.new("RGB", SIZE, lift((150, 130, 110)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, SIZE[0], SIZE[1]), fill=lift((90, 70, 60)), outline=(0, 0, 0), width=3)
    draw.rectangle((pillar_x, 60, pillar_x + 40, 330), fill=lift((200, 190, 170)), outline=(0, 0, 0), width=3)
    image.save(path)
    return path


def clip(still: Path, out: Path, *, vf: str = "null", seconds: float = 1.5) -> Path:
    run_ffmpeg(["-y", "-loglevel", "error", "-loop", "1", "-framerate", "24", "-i", str(still), "-t", str(seconds),
                "-vf", vf, "-c:v", "libx264", "-preset", "ultrafast", "-g", "12", "-pix_fmt", "yuv420p", str(out)],
               out.name)
    return out


def truth(shot: str, plate: Path | None, scene: str = "sc01", continuous: bool = False) -> Truth:
    return Truth(shot=shot, width=SIZE[0], height=SIZE[1], scene=scene, plate=plate, continuous_with_next=continuous)


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("cuts")
    plain, lit, moved = room(tmp / "plain.png"), room(tmp / "lit.png", light=70), room(tmp / "moved.png", pillar_x=170)
    return {
        "plain plate": plain, "lit plate": lit, "moved plate": moved,
        "a": clip(plain, tmp / "a.mp4"),
        "b": clip(plain, tmp / "b.mp4", vf="eq=saturation=1.03"),  # the same room, re-graded a touch
        "bright": clip(plain, tmp / "bright.mp4", vf="eq=brightness=0.3"),
        "lit": clip(lit, tmp / "lit.mp4"),
        "moved": clip(moved, tmp / "moved.mp4"),
        # a pillar that slides across the shot: its last frame is not its first
        "sliding": clip(plain, tmp / "sliding.mp4", vf="crop=iw-100:ih:x='t*60':y=0,scale=270:480"),
    }


def judge(before: Path, after: Path, tb: Truth, ta: Truth) -> dict[str, tuple[bool, float, str]]:
    report = run_cut_checks(Take(before, "clip"), Take(after, "clip"), tb, ta, [CutExposureCheck(), CutContinuityCheck()])
    return {v.check: (v.passed, v.score, v.reason) for v in report.verdicts}


def test_the_ends_of_a_clip_are_its_first_and_last_frames(takes: dict[str, Path]) -> None:
    sliding = Take(takes["sliding"], "clip")
    first, last = edge_frame(sliding, last=False, width=135), edge_frame(sliding, last=True, width=135)
    frames = sliding.all_frames(width=135)
    assert first.shape == last.shape == frames[0].shape
    assert np.abs(first.astype(int) - frames[0]).mean() < 2 and np.abs(last.astype(int) - frames[-1]).mean() < 2
    assert np.abs(first.astype(int) - last).mean() > 5


def test_a_steady_cut_passes_and_a_brightness_jump_fails_naming_the_shots(takes: dict[str, Path]) -> None:
    steady = judge(takes["a"], takes["b"], truth("sh010", takes["plain plate"]), truth("sh020", takes["plain plate"]))
    assert steady["cut_exposure"][0], steady
    assert "cut_continuity" not in steady  # no action was promised to carry on
    jump = judge(takes["a"], takes["bright"], truth("sh010", takes["plain plate"]), truth("sh020", takes["plain plate"]))
    passed, score, reason = jump["cut_exposure"]
    assert not passed and score < 0.5 and "sh010 -> sh020" in reason and "brightness +" in reason


def test_a_jump_the_plates_have_too_is_the_layout_s_own_and_passes(takes: dict[str, Path]) -> None:
    verdicts = judge(takes["a"], takes["lit"], truth("sh010", takes["plain plate"]), truth("sh020", takes["lit plate"]))
    assert verdicts["cut_exposure"][0], verdicts
    # without plates to say so, the same jump fails
    bare = judge(takes["a"], takes["lit"], truth("sh010", None), truth("sh020", None))
    assert not bare["cut_exposure"][0]


def test_a_cut_to_another_scene_is_not_judged(takes: dict[str, Path]) -> None:
    assert "cut_exposure" not in judge(takes["a"], takes["bright"], truth("sh010", takes["plain plate"]),
                                       truth("sh020", takes["plain plate"], "sc02"))


def test_a_continued_action_must_start_where_the_last_shot_ended(takes: dict[str, Path]) -> None:
    carried = judge(takes["a"], takes["b"], truth("sh010", takes["plain plate"], continuous=True),
                    truth("sh020", takes["plain plate"]))
    assert carried["cut_continuity"][0], carried
    broken = judge(takes["a"], takes["moved"], truth("sh010", takes["plain plate"], continuous=True),
                   truth("sh020", takes["moved plate"]))
    assert not broken["cut_continuity"][0] and "does not carry on" in broken["cut_continuity"][2]


def test_thresholds_and_options_come_from_the_settings(takes: dict[str, Path]) -> None:
    strict = load_checks({"cut_exposure": {"threshold": 0.99, "max_luma": 5}}, subject="cut", only=["cut_exposure"])
    assert [c.name for c in strict] == ["cut_exposure"] and strict[0].threshold == 0.99 and strict[0].max_luma == 5.0
    with pytest.raises(ConfigError, match=r"\[qc.checks.cut_exposure\] max_luma"):
        CutExposureCheck({"max_luma": -1})
    with pytest.raises(ConfigError, match=r"\[qc.checks\] names check\(s\) not installed: cut_exposur"):
        load_checks({"cut_exposur": {"threshold": 0.5}})
    off = load_checks({"cut_exposure": {"enabled": False}}, subject="cut")
    assert [c.name for c in off] == ["cut_continuity"]


def test_a_cut_is_judged_by_the_ends_a_segment_keeps_where_it_kept_them(takes: dict[str, Path], tmp_path: Path) -> None:
    """Kept ends stand for the clip's own (no decoding): the same verdicts, and it is the kept frames that count."""
    tb, ta = truth("sh010", takes["plain plate"]), truth("sh020", takes["plain plate"])
    checks = [CutExposureCheck()]
    ends = {}
    for name in ("a", "bright"):
        ends[name] = (tmp_path / f"{name}-first.png", tmp_path / f"{name}-last.png")
        for path, last in zip(ends[name], (False, True)):
            Image.fromarray(edge_frame(Take(takes[name], "clip"), last=last)).save(path)

    def verdict(before: Take, after: Take) -> bool:
        return run_cut_checks(before, after, tb, ta, checks).verdicts[0].passed

    kept = lambda name: Take(takes[name], "clip", first=ends[name][0], last=ends[name][1])  # noqa: E731
    assert verdict(kept("a"), kept("a")) and not verdict(kept("a"), kept("bright"))
    # the kept frames are what is judged: a steady clip whose kept first frame is the bright one fails
    swapped = Take(takes["a"], "clip", first=ends["bright"][0])
    assert not verdict(Take(takes["a"], "clip"), swapped)
    assert verdict(Take(takes["a"], "clip"), Take(takes["bright"], "clip", first=ends["a"][0]))


"""The record the example's build is checked against (tests/drawn.py) forgives another CPU's rounding and
nothing a viewer would see: shown on real segments FFmpeg draws here (a quarter the size of a frame, to be quick)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mangaline.ffmpeg import ffmpeg_exe

from .drawn import differences, drawn

FRAMES = 24
PICTURE = "testsrc2=size=270x480:rate=24"


def _episode(root: Path, shots: dict[str, str]) -> Path:
    """A project folder holding one segment per shot (each drawn by ``filters`` on FFmpeg's test picture) and a mix."""
    folder = root / "renders" / "ep01" / "shots"
    folder.mkdir(parents=True)
    for code, filters in shots.items():
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", PICTURE, "-vf", f"{filters},format=yuv420p",
                        "-frames:v", str(FRAMES), "-c:v", "libx264", "-crf", "18", str(folder / f"{code}.mp4")], check=True)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=2",
                    "-f", "lavfi", "-i", f"{PICTURE}:duration=2", "-c:a", "aac", "-c:v", "libx264",
                    str(root / "renders" / "ep01.mp4")], check=True)
    return root


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return drawn(_episode(tmp_path_factory.mktemp("recorded"), {"sh010": "null", "sh020": "null"}))


def test_rounding_of_a_pixel_here_and_there_is_forgiven(recorded: dict, tmp_path: Path) -> None:
    # noise of two levels on every pixel, in every frame: more than another CPU's scalers round differently
    now = drawn(_episode(tmp_path, {"sh010": "noise=alls=2:allf=t", "sh020": "null"}))
    assert differences(recorded, now) == []


@pytest.mark.parametrize(("change", "said"), [
    ("crop=iw-5:ih:0:0,pad=iw+5:ih:5:0", "drawn differently (grey"),     # everything 2% of the width to the right
    ("hue=h=15", "drawn differently (colour"),                             # a costume a little off its colour
    ("eq=brightness=0.02", "mean luma moved"),                             # the grade two percent lighter
    ("trim=start_frame=1,setpts=PTS-STARTPTS", "drawn differently"),       # the camera a frame late
])
def test_a_change_a_viewer_would_see_is_named_with_its_shot(recorded: dict, tmp_path: Path, change: str, said: str) -> None:
    now = drawn(_episode(tmp_path, {"sh010": "null", "sh020": change}))
    found = differences(recorded, now)
    assert found and all(line.startswith("sh020:") for line in found), found
    assert any(said in line for line in found), found


def test_a_shot_a_frame_longer_or_missing_is_named(recorded: dict, tmp_path: Path) -> None:
    longer = drawn(_episode(tmp_path / "longer", {"sh010": "null", "sh020": "null"}))
    longer["shots"]["sh020"]["frames"] += 1
    assert differences(recorded, longer) == ["sh020: 25 frames, recorded 24"]
    missing = drawn(_episode(tmp_path / "missing", {"sh010": "null"}))
    assert differences(recorded, missing) == ["shots missing ['sh020'], shots added []"]

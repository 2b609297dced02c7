"""Technical QC of clips that real FFmpeg makes: good, black, frozen, wrong shape, too short, not a video."""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.ffmpeg import run_ffmpeg
from mangaline.model.qc import ClipSpec
from mangaline.technical_qc import check_clip, gather_facts

SPEC = ClipSpec(duration=2.0, width=360, height=640)


def clip(tmp: Path, name: str, source: str, seconds: float = 2.0) -> Path:
    out = tmp / f"{name}.mp4"
    run_ffmpeg(["-y", "-loglevel", "error", "-f", "lavfi", "-i", source, "-t", str(seconds), "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)], name)
    return out


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("clips")
    return {
        "good": clip(tmp, "good", "testsrc2=s=360x640:r=24"),
        "black": clip(tmp, "black", "color=c=black:s=360x640:r=24"),
        "half_black": clip(tmp, "half_black", "testsrc2=s=360x640:r=24,drawbox=c=black:t=fill:enable='gte(t,1)'"),
        "frozen": clip(tmp, "frozen", "testsrc2=s=360x640:r=24,trim=end_frame=1,tpad=stop_mode=clone:stop_duration=3"),
        "landscape": clip(tmp, "landscape", "testsrc2=s=640x360:r=24"),
        "short": clip(tmp, "short", "testsrc2=s=360x640:r=24", seconds=0.8),
        "tiny": clip(tmp, "tiny", "testsrc2=s=90x160:r=24"),
    }


def failed(report) -> set[str]:
    return {v.check for v in report.failures()}


def test_a_good_clip_passes_every_check(clips: dict[str, Path]) -> None:
    report = check_clip(clips["good"], SPEC)
    assert report.passed, report.summary()
    assert [v.check for v in report.verdicts] == ["streams", "resolution", "duration", "black", "frozen"]


@pytest.mark.parametrize(
    ("name", "check", "words"),
    [
        ("black", "black", "black"),
        ("half_black", "black", "is black (1.00-"),
        ("frozen", "frozen", "frozen"),
        ("landscape", "resolution", "640x360"),
        ("short", "duration", "short of the 2.00 s"),
        ("tiny", "resolution", "under 320 px"),
    ],
)
def test_a_bad_clip_fails_the_right_check_and_says_why(clips: dict[str, Path], name: str, check: str, words: str) -> None:
    report = check_clip(clips[name], SPEC)
    assert not report.passed and failed(report) == {check}
    assert words in report.summary()


def test_a_clip_a_little_short_or_long_passes_the_edit_fits_it(clips: dict[str, Path]) -> None:
    assert check_clip(clips["good"], ClipSpec(duration=2.4, width=360, height=640)).passed
    assert check_clip(clips["good"], ClipSpec(duration=1.6, width=360, height=640)).passed


def test_a_file_that_is_not_a_video_fails_streams_only(tmp_path: Path) -> None:
    junk = tmp_path / "clip.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500)
    report = check_clip(junk, SPEC)
    assert [(v.check, v.passed) for v in report.verdicts] == [("streams", False)]
    audio = tmp_path / "tone.m4a"
    run_ffmpeg(["-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", str(audio)], "tone")
    assert "no video stream" in check_clip(audio, SPEC).summary()


def test_facts_hold_the_black_stretch(clips: dict[str, Path]) -> None:
    facts = gather_facts(clips["half_black"])
    assert len(facts.black) == 1
    start, end = facts.black[0]
    assert start == pytest.approx(1.0, abs=0.1) and end == pytest.approx(2.0, abs=0.1)

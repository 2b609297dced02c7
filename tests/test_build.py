"""End to end: the bundled example becomes a finished episode, and rebuilds redo only what changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import opentimelineio as otio
import pysubs2
import pytest
from ruamel.yaml import YAML

from mangaline.ffmpeg import audio_levels, ffmpeg_exe, probe
from mangaline.project import ProjectFolder

from .conftest import EXAMPLES, mangaline
from .drawn import differences, drawn

pytestmark = pytest.mark.slow

DRAWN = Path(__file__).parent / "data" / "last-ferry-draft-drawn.json"
"""What the draft tier draws and voices for the bundled example (tests/drawn.py: frame counts, small pictures,
loudness), comparable across CPUs; re-record on purpose with `python -m tests.test_build DIR`
(DIR: a fresh build of examples/last-ferry.fountain)."""


def _ran(project: Path) -> Counter:
    """Steps that ran (not cached) in the project's latest run, counted by step name."""
    folder = ProjectFolder.open(project)
    try:
        last = folder.state.runs()[-1]
        return Counter(event.step for event in folder.state.events(last.id, event="ran"))
    finally:
        folder.close()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("demo") / "last-ferry"
    mangaline("new", project, "--from", EXAMPLES / "last-ferry.fountain")
    mangaline("build", project, "--no-progress")
    return project


def _script_lines(project: Path) -> list[dict]:
    script = json.loads(mangaline("breakdown", project, "--json").stdout)
    return [line for ep in script["episodes"] for sc in ep["scenes"] for shot in sc["shots"] for line in shot["dialogue"]]


def test_the_example_renders_a_vertical_h264_aac_episode_as_long_as_its_timeline(built: Path) -> None:
    mp4 = built / "renders" / "ep01.mp4"
    info = probe(mp4)
    assert (info.width, info.height) == (1080, 1920)
    assert info.video_codec == "h264"
    assert info.audio_codec == "aac"
    assert info.fps == pytest.approx(24, abs=0.01)
    timeline = otio.adapters.read_from_file(str(built / "exports" / "ep01.otio"))
    timeline_seconds = timeline.duration().to_seconds()
    assert abs(info.duration - timeline_seconds) <= 0.5
    assert 60 <= timeline_seconds <= 240, "the example is about two minutes"
    assert len(timeline.video_tracks()[0]) >= 20
    # every shot's media, resolved from the folder that holds the .otio, is the published segment
    for clip in timeline.video_tracks()[0].find_clips():
        assert (built / "exports" / clip.media_reference.target_url).resolve().is_file(), clip.media_reference.target_url


def frame_sums(project: Path) -> dict:
    """sha256 of the MD5 of every decoded frame: per shot segment, for the whole episode's video, and for its audio.
    Equal sums prove two builds made on one machine identical; across CPUs see tests/drawn.py."""

    def digest(path: Path, stream: str) -> tuple[str, int]:
        listing = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", f"0:{stream}", "-f", "framemd5", "-"],
                                 capture_output=True, check=True).stdout.decode()
        sums = [line.rsplit(",", 1)[1].strip() for line in listing.splitlines() if line and not line.startswith("#")]
        return hashlib.sha256("\n".join(sums).encode()).hexdigest(), len(sums)

    episode = project / "renders" / "ep01.mp4"
    video, frames = digest(episode, "v")
    return {"ffmpeg": ffmpeg_version(), "frames": frames, "video": video, "audio": digest(episode, "a")[0],
            "shots": {seg.stem: digest(seg, "v")[0] for seg in sorted((project / "renders" / "ep01" / "shots").glob("*.mp4"))}}


def ffmpeg_version() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_version()


def test_the_draft_tier_draws_and_voices_the_example_as_recorded(built: Path) -> None:
    recorded = json.loads(DRAWN.read_text(encoding="utf-8"))
    changed = differences(recorded, drawn(built))
    assert not changed, ("the example is drawn or voiced differently; if on purpose, re-record from a fresh build "
                         "(python -m tests.test_build DIR):\n" + "\n".join(changed))


def test_every_dialogue_line_is_in_the_subtitles_and_audible(built: Path) -> None:
    lines = _script_lines(built)
    assert len(lines) >= 20
    subs = pysubs2.load(str(built / "exports" / "ep01.srt"))
    texts = [" ".join(event.plaintext.split()) for event in subs]
    for line in lines:
        assert line["speaker"] and line["text"]
        assert any(" ".join(line["text"].split()) in text or text in line["text"] for text in texts), line["text"]
    mp4 = built / "renders" / "ep01.mp4"
    for event in subs:
        level = audio_levels(mp4, event.start / 1000, event.end / 1000)
        assert level > -40.0, f"silence while {event.plaintext!r} is on screen ({level:.1f} dB)"
    ass = (built / "exports" / "ep01.ass").read_text(encoding="utf-8")
    assert "Noto Sans CJK" in ass


def test_rebuilding_with_nothing_changed_runs_no_step(built: Path) -> None:
    before = hashlib.sha256((built / "renders" / "ep01.mp4").read_bytes()).hexdigest()
    mangaline("build", built, "--no-progress")
    assert sum(_ran(built).values()) == 0
    assert hashlib.sha256((built / "renders" / "ep01.mp4").read_bytes()).hexdigest() == before
    status = json.loads(mangaline("status", built, "--json").stdout)
    assert set(status["counts"]) == {"FRESH"}


def test_a_published_file_someone_changed_is_put_back_by_the_next_build(built: Path, tmp_path: Path) -> None:
    project = tmp_path / "touched"
    shutil.copytree(built, project, symlinks=True)
    shot = sorted((project / "renders" / "ep01" / "shots").glob("*.mp4"))[0]
    original = hashlib.sha256(shot.read_bytes()).hexdigest()
    srt = project / "exports" / "ep01.srt"
    srt_text = srt.read_text(encoding="utf-8")
    shot.write_bytes(b"not a video")
    srt.unlink()
    mangaline("build", project, "--no-progress")
    assert sum(_ran(project).values()) == 0
    assert hashlib.sha256(shot.read_bytes()).hexdigest() == original
    assert srt.read_text(encoding="utf-8") == srt_text


def test_editing_one_line_reruns_only_its_voice_its_shot_and_the_edit(built: Path, tmp_path: Path) -> None:
    project = tmp_path / "edited"
    shutil.copytree(built, project, symlinks=True)
    yaml = YAML()
    path = project / "script" / "ep01.yaml"
    doc = yaml.load(path)
    shot = next(s for sc in doc["scenes"] for s in sc["shots"] if s["dialogue"])
    shot["dialogue"][0]["text"] = "Hold the gangway. I have a ticket for the last crossing."
    yaml.dump(doc, path)

    status = json.loads(mangaline("status", project, "--json").stdout)
    stale = {(n["step"], n["entity"]) for n in status["nodes"] if n["state"] != "FRESH"}
    line_id = shot["dialogue"][0]["id"]
    assert ("voice.line", line_id) in stale

    shots_dir = project / "renders" / "ep01" / "shots"
    published = {seg.name: seg.stat().st_ino for seg in shots_dir.glob("*.mp4")}
    mangaline("build", project, "--no-progress")
    # only the edited shot's segment is copied to renders/ again (a copy is a new file)
    again = {seg.name for seg in shots_dir.glob("*.mp4") if seg.stat().st_ino != published[seg.name]}
    assert again == {f"{shot['code']}.mp4"}
    # QC judges the cuts into and out of the shot again, as its length changed
    shots = [s["code"] for sc in doc["scenes"] if shot in sc["shots"] for s in sc["shots"]]
    cuts = (shots.index(shot["code"]) > 0) + (shots.index(shot["code"]) < len(shots) - 1)
    assert _ran(project) == Counter({"voice.line": 1, "animate.clip": 1, "edit.segment": 1, "edit.mix": 1, "edit.episode": 1,
                                     "qc.cut": cuts})
    subs = pysubs2.load(str(project / "exports" / "ep01.srt"))
    assert any("last crossing" in event.plaintext for event in subs)


def test_a_build_killed_part_way_resumes_to_the_same_episode(small_script: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    mangaline("new", clean, "--from", small_script)
    mangaline("build", clean, "--no-progress")

    killed = tmp_path / "killed"
    mangaline("new", killed, "--from", small_script)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mangaline.cli", "build", str(killed), "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    folder = ProjectFolder.open(killed)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if len(folder.state.takes()) >= 6:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the build finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        done_before = {(t.step, t.entity) for t in folder.state.takes()}
        assert done_before and not (killed / "renders" / "ep01.mp4").exists()
    finally:
        folder.close()

    mangaline("build", killed, "--no-progress")
    folder = ProjectFolder.open(killed)
    try:
        ran = Counter((e.step, e.entity) for e in folder.state.events(event="ran"))
        assert max(ran.values()) == 1, [node for node, n in ran.items() if n > 1]
        last = folder.state.runs()[-1]
        rerun = {(e.step, e.entity) for e in folder.state.events(last.id, event="ran")}
        assert not (rerun & done_before)
    finally:
        folder.close()
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(killed / "renders" / "ep01.mp4") == digest(clean / "renders" / "ep01.mp4")
    assert (killed / "exports" / "ep01.srt").read_text() == (clean / "exports" / "ep01.srt").read_text()


def test_the_chinese_example_renders_with_chinese_voices_and_subtitles(tmp_path: Path) -> None:
    project = tmp_path / "tea-house"
    mangaline("new", project, "--from", EXAMPLES / "tea-house.zh.fountain")
    mangaline("build", project, "--no-progress")
    mp4 = project / "renders" / "ep01.mp4"
    info = probe(mp4)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (1080, 1920, "h264", "aac")
    lines = _script_lines(project)
    subs = pysubs2.load(str(project / "exports" / "ep01.srt"))
    assert len(subs) == len(lines)
    for line, event in zip(lines, subs):
        assert line["text"].replace(" ", "") in event.plaintext.replace("\n", "").replace(" ", "")
        assert audio_levels(mp4, event.start / 1000, event.end / 1000) > -40.0
    assert "Noto Sans CJK SC" in (project / "exports" / "ep01.ass").read_text(encoding="utf-8")


if __name__ == "__main__":
    # re-record the draft frames on purpose: python -m tests.test_build DIR (a fresh build of the example)
    DRAWN.parent.mkdir(exist_ok=True)
    DRAWN.write_text(json.dumps(drawn(Path(sys.argv[1])), indent=0) + "\n", encoding="utf-8")
    print(f"recorded {DRAWN}")

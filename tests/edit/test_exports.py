"""Editor exports read back by their own adapters give our cut; melt renders the Kdenlive project as our MP4 plays."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import opentimelineio as otio
import pytest

from mangaline.edit import Cut, DialogueClip, build_timeline, count_frames, ffmpeg_exe, read_frame, render_episode
from mangaline.edit import video_codec_args, write_otio
from mangaline.edit.exports import FORMATS, EpisodeMedia, parse_formats, write_exports
from mangaline.errors import MangalineError

from tests.conftest import copy_project, mangaline

pytestmark = pytest.mark.slow
FPS = 24
SHOTS = {"ep01_sc01_sh010": 24, "ep01_sc01_sh020": 36, "ep01_sc02_sh010": 30}
"""Three shots of 1 to 1.5 s; the two long names share their first eight characters, as an EDL reel would."""
ADAPTERS = {"otio": "otio_json", "fcp7": "fcp_xml", "fcpxml": "fcpx_xml", "edl": "cmx_3600", "kdenlive": "kdenlive"}
STEMS = ("dialogue", "music", "effects")
SUFFIXES = {"otio": "otio", "fcp7": "xml", "fcpxml": "fcpxml", "edl": "edl", "kdenlive": "kdenlive"}


def _segment(path: Path, frames: int, hue: int) -> Path:
    """A shot: FFmpeg's test pattern, turned to its own hue so that every cut shows, encoded as the edit encodes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size=270x480:rate={FPS}",
         "-vf", f"hue=h={hue}", "-frames:v", str(frames), *video_codec_args(FPS), str(path)],
        check=True,
    )  # fmt: skip
    return path


def _line(path: Path, seconds: float) -> Path:
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}",
                    "-ar", "24000", "-ac", "1", str(path)], check=True)  # fmt: skip
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny episode as a build publishes it: renders/ep01.mp4 rendered by the edit from its timeline,
    renders/ep01/shots/<shot>.mp4, exports/ep01.otio and the stems exports/ep01.<stem>.wav."""
    root = tmp_path_factory.mktemp("published")
    segments = {shot: _segment(root / "renders" / "ep01" / "shots" / f"{shot}.mp4", frames, 90 * n)
                for n, (shot, frames) in enumerate(SHOTS.items())}
    cuts = [Cut(shot=shot, frames=frames, segment=segments[shot]) for shot, frames in SHOTS.items()]
    line = DialogueClip(line="l1", start=0.5, duration=1.0, speaker="JUNE", audio=_line(root / "l1.wav", 1.0))
    timeline = build_timeline("Small Hours 1", FPS, cuts, [line], [])
    render_episode(timeline, root / "renders" / "ep01.mp4", stems_dir=root / "stems")
    write_otio(timeline, root / "exports" / "ep01.otio")
    for stem in STEMS:
        shutil.copyfile(root / "stems" / f"{stem}.wav", root / "exports" / f"ep01.{stem}.wav")
    return root


@pytest.fixture(scope="module")
def episode(published: Path) -> tuple[EpisodeMedia, Path, Path]:
    """The tiny episode's exports in every format under exports/ep01/."""
    media = EpisodeMedia(
        episode="ep01", timeline=otio.adapters.read_from_file(str(published / "exports" / "ep01.otio")),
        segments={shot: published / "renders" / "ep01" / "shots" / f"{shot}.mp4" for shot in SHOTS},
        audio={stem.capitalize(): published / "exports" / f"ep01.{stem}.wav" for stem in STEMS},
    )
    folder = published / "exports" / "ep01"
    formats = list(FORMATS) if _has_draft_library() else [f for f in FORMATS if f != "jianying"]
    write_exports(media, folder, formats)
    return media, folder, published / "renders" / "ep01.mp4"


def _has_draft_library() -> bool:
    try:
        import pyJianYingDraft  # noqa: F401
    except ImportError:
        return False
    return True


def _resolve(url: str, folder: Path) -> Path:
    """Where a media reference leads, read as an editor reads it: a file URL, or a path from the export's folder."""
    if url.startswith("file:"):
        return Path(unquote(urlparse(url).path)).resolve()
    return (folder / unquote(url)).resolve()


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_each_export_read_back_by_its_adapter_gives_our_cuts_durations_and_media(episode, name) -> None:
    media, folder, _mp4 = episode
    path = folder / f"ep01.{SUFFIXES[name]}"
    read = otio.adapters.read_from_file(str(path), adapter_name=ADAPTERS[name])
    [video] = [t for t in read.tracks if t.kind == otio.schema.TrackKind.Video]
    clips = video.find_clips()

    assert [c.name for c in clips] == list(SHOTS)
    assert [round(c.duration().rescaled_to(FPS).value) for c in clips] == list(SHOTS.values())
    starts = [round(video.range_of_child(c).start_time.rescaled_to(FPS).value) for c in clips]
    assert starts == [0, 24, 60]
    assert [_resolve(c.media_reference.target_url, folder) for c in clips] == [media.segments[s].resolve() for s in SHOTS]
    if name != "edl":  # a CMX 3600 EDL is the picture cut alone
        audio = [c for t in read.tracks if t.kind == otio.schema.TrackKind.Audio for c in t.find_clips()]
        assert [_resolve(c.media_reference.target_url, folder) for c in audio] == [p.resolve() for p in media.audio.values()]
        assert {round(c.duration().rescaled_to(FPS).value) for c in audio} == {sum(SHOTS.values())}


def test_relative_exports_open_wherever_the_project_is_moved(episode, tmp_path) -> None:
    media, folder, _mp4 = episode
    moved = tmp_path / "moved"
    copy_project(folder.parents[1], moved)
    for name in ("otio", "kdenlive", "edl"):
        read = otio.adapters.read_from_file(str(moved / "exports" / "ep01" / f"ep01.{SUFFIXES[name]}"), adapter_name=ADAPTERS[name])
        for clip in read.video_tracks()[0].find_clips():
            found = _resolve(clip.media_reference.target_url, moved / "exports" / "ep01")
            assert found == (moved / "renders" / "ep01" / "shots" / f"{clip.name}.mp4").resolve() and found.is_file()


def test_the_edl_gives_every_shot_a_reel_of_its_own_of_at_most_eight_characters(episode) -> None:
    _media, folder, _mp4 = episode
    events = re.findall(r"^\d{3}\s+(\S+)\s+V\s", (folder / "ep01.edl").read_text(), flags=re.MULTILINE)
    assert len(events) == len(SHOTS) and len(set(events)) == len(SHOTS)
    assert all(len(reel) <= 8 for reel in events)


def test_the_fcp_xmls_carry_our_frame_and_rate(episode) -> None:
    _media, folder, _mp4 = episode
    fcpxml = (folder / "ep01.fcpxml").read_text()
    assert re.search(r'<format id="r1" frameDuration="25/600s" width="270" height="480"', fcpxml)
    fcp7 = (folder / "ep01.xml").read_text()
    assert "<timebase>24</timebase>" in fcp7 and "<ntsc>FALSE</ntsc>" in fcp7
    assert re.search(r"<samplecharacteristics>.*<width>270</width>\s*<height>480</height>", fcp7, flags=re.DOTALL)


def test_the_jianying_draft_places_the_same_media_at_the_same_times(episode) -> None:
    pytest.importorskip("pyJianYingDraft", reason="the JianYing export is the optional extra mangaline[jianying]")
    media, folder, _mp4 = episode
    draft = folder / "jianying" / "ep01"
    content = json.loads((draft / "draft_content.json").read_text(encoding="utf-8"))
    meta = json.loads((draft / "draft_meta_info.json").read_text(encoding="utf-8"))

    assert content["canvas_config"]["width"] == 270 and content["canvas_config"]["height"] == 480 and content["fps"] == FPS
    videos = {m["id"]: m for m in content["materials"]["videos"]}
    [video] = [t for t in content["tracks"] if t["type"] == "video"]
    placed = [(videos[s["material_id"]]["material_name"], Path(videos[s["material_id"]]["path"]),
               s["target_timerange"]["start"], s["target_timerange"]["duration"]) for s in video["segments"]]
    frame_starts = np.cumsum([0, *SHOTS.values()])
    assert placed == [(shot, media.segments[shot].resolve(), round(frame_starts[i] * 1e6 / FPS), round(frames * 1e6 / FPS))
                      for i, (shot, frames) in enumerate(SHOTS.items())]
    assert [Path(a["path"]) for a in content["materials"]["audios"]] == [p.resolve() for p in media.audio.values()]
    assert content["duration"] == round(sum(SHOTS.values()) * 1e6 / FPS)
    assert meta["draft_name"] == "ep01" and meta["draft_fold_path"] == str(draft.resolve())


def test_melt_renders_the_kdenlive_project_as_our_mp4_plays_at_every_cut(episode, tmp_path) -> None:
    if shutil.which("melt") is None:
        pytest.skip("MLT's melt is not installed (Debian: apt-get install melt); it renders the Kdenlive export")
    _media, folder, mp4 = episode
    rendered = tmp_path / "melt.mp4"
    subprocess.run(["melt", "-quiet", str(folder / "ep01.kdenlive"), "-consumer", f"avformat:{rendered}",
                    "vcodec=libx264", "crf=12", "acodec=aac", "real_time=0"], check=True, capture_output=True, timeout=120)

    assert count_frames(rendered) == count_frames(mp4) == sum(SHOTS.values())
    cuts = np.cumsum(list(SHOTS.values()))[:-1]
    for cut in cuts:
        for index in (cut - 1, cut, cut + 1):
            ours, theirs = read_frame(mp4, index).astype(int), read_frame(rendered, index).astype(int)
            assert np.abs(ours - theirs).mean() < 4, f"frame {index} (cut at {cut}) differs"
        # the comparison can fail: the frames either side of a cut are of different shots
        assert np.abs(read_frame(rendered, cut).astype(int) - read_frame(mp4, cut - 1).astype(int)).mean() > 20


def test_an_unknown_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(MangalineError, match="unknown export format 'avid'") as raised:
        parse_formats("otio,avid")
    assert "fcp7" in str(raised.value) and "jianying" in str(raised.value)
    assert parse_formats(" EDL, otio,edl") == ["edl", "otio"]


def test_export_formats_from_the_command_line(small_script, published, tmp_path) -> None:
    """`mangaline export --formats` on a project whose episode is published (the tiny one, placed where a build
    places it, instead of a build: what export reads is only what a build published)."""
    project = tmp_path / "small"
    mangaline("new", project, "--from", small_script)
    early = mangaline("export", project, "--formats", "otio", check=False)
    assert early.returncode != 0 and "is built yet" in early.stderr and "mangaline build" in early.stderr

    shutil.copytree(published / "renders", project / "renders", dirs_exist_ok=True)
    for path in (published / "exports").glob("ep01.*"):
        shutil.copyfile(path, project / "exports" / path.name)
    unknown = mangaline("export", project, "--formats", "otio,premiere", check=False)
    assert unknown.returncode != 0 and "unknown export format 'premiere'" in unknown.stderr
    missing = mangaline("export", project, "--formats", "edl", "--episodes", "ep07", check=False)
    assert missing.returncode != 0 and "episode 'ep07' is not built yet" in missing.stderr

    done = mangaline("export", project, "--formats", "otio,fcp7,edl,kdenlive", "--episodes", "1")
    folder = project / "exports" / "ep01"
    assert sorted(Path(line).name for line in done.stdout.split()) == ["ep01.edl", "ep01.kdenlive", "ep01.otio", "ep01.xml"]
    for export in (folder / "ep01.kdenlive", folder / "ep01.otio"):
        timeline = otio.adapters.read_from_file(str(export))
        assert [c.name for c in timeline.video_tracks()[0].find_clips()] == list(SHOTS)
        assert [_resolve(c.media_reference.target_url, folder) for c in timeline.find_clips()] == [
            *((project / "renders" / "ep01" / "shots" / f"{shot}.mp4").resolve() for shot in SHOTS),
            *((project / "exports" / f"ep01.{stem}.wav").resolve() for stem in STEMS),
        ]


def test_a_missing_segment_is_named_before_anything_is_written(episode, tmp_path) -> None:
    media, _folder, _mp4 = episode
    gone = {**media.segments, "ep01_sc01_sh020": tmp_path / "gone.mp4"}
    with pytest.raises(MangalineError, match="shot ep01_sc01_sh020 has no published segment") as raised:
        write_exports(EpisodeMedia(episode="ep01", timeline=media.timeline, segments=gone, audio=media.audio),
                      tmp_path / "out", ["otio", "jianying"])
    assert "build the episode again" in str(raised.value) and not (tmp_path / "out").exists()

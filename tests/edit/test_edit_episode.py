"""Two segments and two lines become a timeline, and the timeline an episode; the edit's files read back."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pysubs2
import pytest

from drawn_keyframe import make_keyframe
from mangaline.model.timing import ShotTiming, SubtitleEvent
from mangaline.render.motion_comic import plan_motion
from mangaline.edit import (
    Cut,
    DialogueClip,
    audio_levels,
    build_timeline,
    count_frames,
    for_export,
    mix_dialogue,
    probe,
    render_episode,
    render_segment,
    write_ass,
    write_otio,
    write_srt,
)
from mangaline.errors import RenderError
from mangaline.model import CameraMove

pytestmark = pytest.mark.slow
FPS = 24


def _tone(path: Path, seconds: float, *, rate: int = 22050, amp: float = 0.3) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    pcm = (amp * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return path


@pytest.fixture(scope="module")
def edit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("episode")
    layers = make_keyframe(tmp / "kf", 270, 480)
    cuts = []
    for code, move, frames in [
        ("ep01_sc01_sh010", CameraMove.PAN_LEFT, 30),
        ("ep01_sc01_sh020", CameraMove.PUSH_IN, 43),
    ]:
        plan = plan_motion(layers, move, ShotTiming(frames=frames, duration=frames / FPS), [], seed=1)
        segment = tmp / f"{code}.mp4"
        render_segment(plan, tmp / "kf", [], segment, language="en")
        cuts.append(
            Cut(shot=code, segment=segment, frames=frames, scene="ep01_sc01", takes={"animate": f"take-{code}"})
        )
    voice = _tone(tmp / "l1.wav", 0.8)
    dialogue = [
        DialogueClip(line="l1", character="maya", audio=voice, start=0.25, duration=0.8, take_id="v1"),
        DialogueClip(line="l2", character="ken", audio=voice, start=1.5, duration=0.8, take_id="v2"),
    ]
    total = sum(c.frames for c in cuts) / FPS
    mix = tmp / "dialogue.wav"
    mix_dialogue([(d.audio, d.start) for d in dialogue], total, mix)
    out = tmp / "renders" / "ep01.mp4"
    events = [SubtitleEvent(start=0.25, end=1.05, text="Hello.", speaker="MAYA"),
              SubtitleEvent(start=1.5, end=2.3, text="こんにちは。", speaker="KEN")]
    timeline = build_timeline("ep01", FPS, cuts, dialogue, events)
    info = render_episode(timeline, out, stems_dir=tmp / "stems", check_frames=True).info
    return tmp, cuts, dialogue, events, mix, out, info


def test_dialogue_mix_places_lines_at_their_times(edit):
    _, _, _, _, mix, _, _ = edit
    info = probe(mix)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("pcm_s16le", 48000, 1)
    assert info.duration == pytest.approx(73 / FPS, abs=0.01)
    assert audio_levels(mix, 0.35, 0.95) > -20
    assert audio_levels(mix, 1.1, 1.4) < -80
    assert audio_levels(mix, 1.6, 2.2) > -20


def test_mix_soft_limits_overlapping_lines(tmp_path):
    loud = _tone(tmp_path / "loud.wav", 0.5, amp=0.9)
    out = tmp_path / "mix.wav"
    mix_dialogue([(loud, 0.0), (loud, 0.0)], 0.5, out)
    with wave.open(str(out)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(int)
    # 0.9 + 0.9 would clip hard at full scale; the limiter bends the peaks under -0.2 dBFS.
    assert 0.89 * 32767 < np.abs(pcm).max() <= 0.98 * 32767 + 1
    quiet = np.abs(pcm) < 0.5 * 32767
    assert quiet.any(), "quiet samples pass through"


def test_episode_is_h264_stereo_aac_and_exactly_the_sum_of_segments(edit):
    _, cuts, _, _, _, out, info = edit
    assert (info.video_codec, info.width, info.height) == ("h264", 270, 480)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 2)
    frames = sum(c.frames for c in cuts)
    assert count_frames(out) == frames
    assert info.duration == pytest.approx(frames / FPS, abs=1 / FPS)
    assert audio_levels(out, 0.35, 0.95) > -35 > audio_levels(out, 1.15, 1.4)


def test_one_segment_rerendered_rejoins_by_stream_copy(edit):
    tmp, cuts, dialogue, _, _, _, _ = edit
    out = tmp / "renders" / "ep01_v2.mp4"
    swapped = [Cut(shot=c.shot, segment=c.segment, frames=c.frames) for c in (cuts[1], cuts[0])]
    info = render_episode(build_timeline("v2", FPS, swapped, dialogue, []), out, stems_dir=tmp / "stems_v2").info
    assert count_frames(out) == sum(c.frames for c in cuts)
    assert info.video_codec == "h264"


def test_exports_read_back(edit):
    tmp, cuts, dialogue, events, _, _, _ = edit
    timeline = for_export(build_timeline("ep01", FPS, cuts, dialogue, events), {})
    write_otio(timeline, tmp / "exports" / "ep01.otio")
    write_srt(events, tmp / "exports" / "ep01.srt")
    write_ass(events, tmp / "exports" / "ep01.ass", width=270, height=480, language="ja")

    back = otio.adapters.read_from_file(str(tmp / "exports" / "ep01.otio"))
    video, audio = back.tracks
    assert [clip.name for clip in video] == [c.shot for c in cuts]
    assert [clip.source_range.duration.value for clip in video] == [30, 43]
    assert video[0].media_reference.target_url.endswith("ep01_sc01_sh010.mp4")
    assert video[0].metadata["mangaline"]["takes"] == {"animate": "take-ep01_sc01_sh010"}
    assert video[1].metadata["mangaline"]["scene"] == "ep01_sc01"
    assert back.duration().value == 73
    assert audio.name == "Dialogue"
    starts = {
        item.name: audio.range_of_child(item).start_time.value for item in audio if isinstance(item, otio.schema.Clip)
    }
    assert starts == {"l1": 6, "l2": 36}
    assert [s["text"] for s in back.metadata["mangaline"]["subtitles"]] == ["Hello.", "こんにちは。"]
    assert [e.plaintext for e in pysubs2.load(str(tmp / "exports" / "ep01.srt"))] == ["Hello.", "こんにちは。"]
    assert pysubs2.load(str(tmp / "exports" / "ep01.ass")).styles["Default"].fontname == "Noto Sans CJK JP"


def test_overlapping_lines_go_to_a_second_dialogue_track(edit, tmp_path):
    _, cuts, dialogue, _, _, _, _ = edit
    over = DialogueClip(line="l3", character="ken", audio=dialogue[0].audio, start=0.5, duration=0.5)
    timeline = build_timeline("ep01", FPS, cuts, [*dialogue, over], [])
    names = [track.name for track in timeline.audio_tracks()]
    assert names == ["Dialogue", "Dialogue 2"]
    assert [item.name for item in timeline.audio_tracks()[1] if isinstance(item, otio.schema.Clip)] == ["l3"]


def test_silent_dialogue_still_makes_an_episode(edit, tmp_path):
    _, cuts, _, _, _, _, _ = edit
    info = render_episode(build_timeline("ep", FPS, cuts[:1], [], []), tmp_path / "ep.mp4", stems_dir=tmp_path).info
    assert info.audio_codec == "aac" and info.duration == pytest.approx(30 / FPS, abs=1 / FPS)


def test_cut_placed_at_the_wrong_frame_is_refused(edit):
    _, cuts, _, _, _, _, _ = edit
    moved = Cut(shot="ep01_sc01_sh020", url="segments/sh020.mp4", frames=43, start_frame=12)
    with pytest.raises(RenderError, match="sh020.*frame 12"):
        build_timeline("ep01", FPS, [cuts[0], moved], [], [])
    fine = Cut(shot="ep01_sc01_sh020", url="segments/sh020.mp4", frames=43, start_frame=30)
    assert (
        build_timeline("ep01", FPS, [cuts[0], fine], [], []).video_tracks()[0][1].media_reference.target_url
        == "segments/sh020.mp4"
    )


def test_missing_segment_is_a_render_error(edit, tmp_path):
    _, cuts, _, _, _, _, _ = edit
    gone = Cut(shot="gone", segment=tmp_path / "nope.mp4", frames=10)
    with pytest.raises(RenderError, match="missing segment"):
        render_episode(build_timeline("ep", FPS, [cuts[0], gone], [], []), tmp_path / "ep.mp4", stems_dir=tmp_path)
    assert not (tmp_path / "ep.mp4").exists()


def test_soft_limit_leaves_normal_levels_alone():
    from mangaline.edit import soft_limit

    quiet = np.array([0.5, -0.3, 0.0, 0.89])
    assert np.array_equal(soft_limit(quiet), quiet)
    loud = soft_limit(np.array([1.5, -3.0]))
    assert np.all(np.abs(loud) < 0.98 + 1e-9) and loud[0] > 0.89 and loud[1] < -0.89

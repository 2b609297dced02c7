"""The edit department's steps: each shot rendered with its subtitles; the episode's sound mixed from its timeline
(edit.mix, beside the shots); then the episode's timeline rendered with that mix and its exports (edit.episode)."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine import Step, StepContext, StepOutput
from ..errors import RenderError
from ..model.motion import MotionPlan
from ..model.sound import SceneMusic, ShotEffects
from ..model.timing import ShotTiming, SubtitleEvent, VoicedLine
from .audio import EpisodeMix
from .episode import LOUDNESS_TARGET, render_episode, render_mix
from .segment import render_clip_segment, render_segment
from .subtitles import write_ass, write_srt
from .timeline import Cut, DialogueClip, SoundClip, build_timeline, for_export, write_otio

__all__ = ["EPISODE", "MIX", "SEGMENT", "segment_url"]


def segment_url(episode: str, shot: str) -> str:
    """Where a published shot segment lives, relative to the exports/ folder that holds the .otio."""
    return f"../renders/{episode}/shots/{shot}.mp4"


def segment(ctx: StepContext) -> StepOutput:
    clip = ctx.inputs["clip"]
    if "clip.mp4" in clip.components:
        return _model_clip_segment(ctx)
    keyframe = ctx.inputs["keyframe"]
    plan = MotionPlan.model_validate_json(clip.components["plan.json"].read_text())
    # the layers live in the object store under their hashes; give FFmpeg their file names
    layer_dir = ctx.workdir / "layers"
    layer_dir.mkdir()
    for name, path in keyframe.components.items():
        (layer_dir / name).symlink_to(path)
    timing = ShotTiming.model_validate(clip.data)
    out = ctx.workdir / "segment.mp4"
    render_segment(plan, layer_dir, timing.events, out, language=ctx.params["language"], ends=ctx.workdir)
    return StepOutput(components=_with_ends(out, ctx.workdir), data={"frames": plan.frames, "fps": plan.fps})


def _with_ends(out: Path, folder: Path) -> dict[str, Path]:
    """The segment and the small first and last frames written beside it, which qc.cut judges the cut by."""
    return {"segment.mp4": out, "first.png": folder / "first.png", "last.png": folder / "last.png"}


def _model_clip_segment(ctx: StepContext) -> StepOutput:
    """A shot whose clip came from a video model: the clip fitted to the frame and the shot's length."""
    clip = ctx.inputs["clip"]
    timing = ShotTiming.model_validate(clip.data)
    frame = ctx.params["frame"]
    fps = frame["fps"]
    out = ctx.workdir / "segment.mp4"
    render_clip_segment(
        clip.components["clip.mp4"], timing.events, out, frames=timing.frames, fps=fps, width=frame["width"],
        height=frame["height"], language=ctx.params["language"], shot=ctx.entity, ends=ctx.workdir,
    )
    return StepOutput(components=_with_ends(out, ctx.workdir), data={"frames": timing.frames, "fps": fps})


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


@dataclass
class _Edit:
    """The episode's timeline as one of the edit's steps builds it from its inputs, with what it was built from."""

    timeline: Any
    cuts: list[Cut]
    events: list[SubtitleEvent]
    sounds: list[SoundClip]
    frames: int


def _edit(ctx: StepContext, *, segments: bool) -> _Edit:
    """The episode's timeline: each shot's cut (its segment where ``segments``, else the place it will be published),
    its lines, each scene's music and each shot's effects, all on the clock the clips' timings give."""
    params = ctx.params
    fps = params["frame"]["fps"]
    episode_id = params["episode"]
    cuts: list[Cut] = []
    dialogue: list[DialogueClip] = []
    sounds: list[SoundClip] = []
    events: list[SubtitleEvent] = []
    scenes: dict[str, list[float]] = {}
    frame_cursor = 0
    for code in params["shots"]:
        timing = ShotTiming.model_validate(ctx.inputs[f"clip:{code}"].data)
        frames = timing.frames
        start = frame_cursor / fps
        scene = params["scenes"][code]
        if segments:
            seg = ctx.inputs[f"segment:{code}"]
            cuts.append(Cut(shot=code, scene=scene, segment=seg.components["segment.mp4"], start_frame=frame_cursor,
                            frames=frames, take_id=seg.take_id))
        else:
            cuts.append(Cut(shot=code, scene=scene, url=segment_url(episode_id, code), start_frame=frame_cursor,
                            frames=frames))
        for event in timing.events:
            voice = ctx.inputs[f"line:{event.line}"]
            placed = event.later(start)
            dialogue.append(DialogueClip(line=event.line, speaker=event.speaker, start=placed.start,
                                         duration=VoicedLine.model_validate(voice.data).duration,
                                         audio=voice.components["audio.wav"], take_id=voice.take_id))
            events.append(placed)
        span = scenes.setdefault(scene, [start, start])
        span[1] = (frame_cursor + frames) / fps
        effects = ctx.inputs.get(f"effects:{code}")
        if effects is not None:
            for cue in ShotEffects.model_validate(effects.data).cues:
                audio = effects.components[cue.file]
                length = frames / fps if cue.ambience else _seconds(audio)
                sounds.append(SoundClip(name=f"{code}:{cue.sound}", role="effects", sound=cue.sound, audio=audio,
                                        start=start if cue.ambience else start + cue.at * frames / fps, duration=length,
                                        loop=cue.ambience, pan=cue.pan, take_id=effects.take_id))
        frame_cursor += frames
    for scene, (begin, end) in scenes.items():
        music = ctx.inputs.get(f"music:{scene}")
        if music is not None:
            bed = SceneMusic.model_validate(music.data)
            sounds.append(SoundClip(name=f"{scene}:music", role="music", sound=bed.mood, audio=music.components[bed.file],
                                    start=begin, duration=end - begin, loop=True, take_id=music.take_id))
    timeline = build_timeline(params["title"], fps, cuts, dialogue, events, sounds)
    return _Edit(timeline=timeline, cuts=cuts, events=events, sounds=sounds, frames=frame_cursor)


def mix(ctx: StepContext) -> StepOutput:
    """The episode's sound: its timeline's audio tracks mixed to the loudness target and encoded (mix.m4a), and the
    stems. It needs no shot's pictures, so it runs beside the segments' encoding."""
    edit = _edit(ctx, segments=False)
    mixed = render_mix(edit.timeline, ctx.workdir, loudness=ctx.params.get("loudness", LOUDNESS_TARGET))
    return StepOutput(
        components={"mix.m4a": ctx.workdir / "mix.m4a", **{f"{stem}.wav": path for stem, path in mixed.stems.items()}},
        data={"loudness": round(mixed.loudness, 2), "true_peak": round(mixed.true_peak, 2), "frames": edit.frames},
    )


def episode(ctx: StepContext) -> StepOutput:
    """The episode's timeline (shots, dialogue, each scene's music, each shot's effects), then the episode rendered
    from it with its mix: the MP4, the stems, and the exports (.srt, .ass, and the .otio pointing at the published
    segments)."""
    params = ctx.params
    episode_id = params["episode"]
    edit = _edit(ctx, segments=True)
    made = ctx.inputs["mix"]
    if made.data.get("frames") != edit.frames:
        raise RenderError(f"edit.episode [{episode_id}]",
                          f"the mix is {made.data.get('frames')} frames long, the cuts {edit.frames}: build again")
    stems = {name: path for name, path in made.components.items() if name.endswith(".wav")}
    mixed = EpisodeMix(mix=made.components["mix.m4a"], stems={Path(name).stem: path for name, path in stems.items()},
                       loudness=made.data["loudness"], true_peak=made.data["true_peak"], encoded=made.components["mix.m4a"])
    work = ctx.workdir
    render_episode(edit.timeline, work / "episode.mp4", mix=mixed)
    events = edit.events
    write_srt(events, work / "episode.srt")
    write_ass(events, work / "episode.ass", width=params["frame"]["width"], height=params["frame"]["height"],
              language=params["frame"]["language"])
    write_otio(for_export(edit.timeline, {cut.shot: segment_url(episode_id, cut.shot) for cut in edit.cuts}),
               work / "episode.otio")
    fps = params["frame"]["fps"]
    return StepOutput(
        components={**{name: work / name for name in ("episode.mp4", "episode.srt", "episode.ass", "episode.otio")},
                    **stems},
        data={"frames": edit.frames, "duration": edit.frames / fps, "shots": len(edit.cuts), "lines": len(events),
              "loudness": made.data["loudness"], "true_peak": made.data["true_peak"],
              "effects": sorted({clip.sound for clip in edit.sounds if clip.role == "effects"})},
    )


SEGMENT = Step(name="edit.segment", version="4", fn=segment, kind="cpu")
# the longest step of an episode's end: it goes to a worker ahead of the segments queued before it
MIX = Step(name="edit.mix", version="2", fn=mix, kind="cpu", warm=("scipy.signal",), priority=1)
EPISODE = Step(name="edit.episode", version="8", fn=episode, kind="cpu")

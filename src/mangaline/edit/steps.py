"""The edit department's steps: each shot rendered with its subtitles, then the episode and its exports."""

from __future__ import annotations

from pathlib import Path

from ..engine import Step, StepContext, StepOutput
from ..model.motion import MotionPlan
from ..model.timing import ShotTiming, SubtitleEvent, VoicedLine
from .audio import mix_dialogue
from .episode import render_episode
from .segment import render_clip_segment, render_segment
from .subtitles import write_ass, write_srt
from .timeline import Cut, DialogueClip, build_timeline, write_otio

__all__ = ["EPISODE", "SEGMENT", "segment_url"]


def segment_url(episode: str, shot: str) -> str:
    """Where a published shot segment lives, relative to the exports/ folder that holds the .otio."""
    return f"../renders/{episode}/{shot}.mp4"


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
    render_segment(plan, layer_dir, timing.events, out, language=ctx.params["language"])
    return StepOutput(components={"segment.mp4": out}, data={"frames": plan.frames, "fps": plan.fps})


def _model_clip_segment(ctx: StepContext) -> StepOutput:
    """A shot whose clip came from a video model: the clip fitted to the frame and the shot's length."""
    clip = ctx.inputs["clip"]
    timing = ShotTiming.model_validate(clip.data)
    frame = ctx.params["frame"]
    fps = frame["fps"]
    out = ctx.workdir / "segment.mp4"
    render_clip_segment(
        clip.components["clip.mp4"], timing.events, out, frames=timing.frames, fps=fps, width=frame["width"],
        height=frame["height"], language=ctx.params["language"], shot=ctx.entity,
    )
    return StepOutput(components={"segment.mp4": out}, data={"frames": timing.frames, "fps": fps})


def episode(ctx: StepContext) -> StepOutput:
    params = ctx.params
    fps = params["frame"]["fps"]
    language = params["frame"]["language"]
    episode_id = params["episode"]
    segments: list[Path] = []
    cuts: list[Cut] = []
    placements: list[tuple[Path, float]] = []
    dialogue: list[DialogueClip] = []
    events: list[SubtitleEvent] = []
    frame_cursor = 0
    for code in params["shots"]:
        seg = ctx.inputs[f"segment:{code}"]
        timing = ShotTiming.model_validate(ctx.inputs[f"clip:{code}"].data)
        frames = timing.frames
        start = frame_cursor / fps
        segments.append(seg.components["segment.mp4"])
        cuts.append(
            Cut(
                shot=code,
                scene=params["scenes"][code],
                url=segment_url(episode_id, code),
                start_frame=frame_cursor,
                frames=frames,
                take_id=seg.take_id,
            )
        )
        for event in timing.events:
            voice = ctx.inputs[f"line:{event.line}"]
            placed = event.later(start)
            placements.append((voice.components["audio.wav"], placed.start))
            dialogue.append(DialogueClip(line=event.line, speaker=event.speaker, start=placed.start,
                                         duration=VoicedLine.model_validate(voice.data).duration, take_id=voice.take_id))
            events.append(placed)
        frame_cursor += frames
    duration = frame_cursor / fps
    work = ctx.workdir
    mix_dialogue(placements, duration, work / "dialogue.wav")
    frame_counts = [cut.frames for cut in cuts]
    render_episode(segments, work / "dialogue.wav", work / "episode.mp4", fps=fps, frame_counts=frame_counts)
    write_srt(events, work / "episode.srt")
    write_ass(events, work / "episode.ass", width=params["frame"]["width"], height=params["frame"]["height"], language=language)
    timeline = build_timeline(params["title"], fps, cuts, dialogue, events)
    write_otio(timeline, work / "episode.otio")
    return StepOutput(
        components={name: work / name for name in ("episode.mp4", "episode.srt", "episode.ass", "episode.otio", "dialogue.wav")},
        data={"frames": frame_cursor, "duration": duration, "shots": len(cuts), "lines": len(events)},
    )


SEGMENT = Step(name="edit.segment", version="3", fn=segment, kind="cpu")
EPISODE = Step(name="edit.episode", version="3", fn=episode, kind="cpu", warm=("scipy.signal",))  # the loudness filter

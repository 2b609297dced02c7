"""The edit department's steps: each shot rendered with its subtitles, then the episode's timeline, rendered with its exports."""

from __future__ import annotations

import wave
from pathlib import Path

from ..engine import Step, StepContext, StepOutput
from ..model.motion import MotionPlan
from ..model.sound import SceneMusic, ShotEffects
from ..model.timing import ShotTiming, SubtitleEvent, VoicedLine
from .episode import LOUDNESS_TARGET, render_episode
from .segment import render_clip_segment, render_segment
from .subtitles import write_ass, write_srt
from .timeline import Cut, DialogueClip, SoundClip, build_timeline, for_export, write_otio

__all__ = ["EPISODE", "SEGMENT", "segment_url"]


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


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def episode(ctx: StepContext) -> StepOutput:
    """The episode's timeline (shots, dialogue, each scene's music, each shot's effects), then the episode rendered
    from it: the MP4, the stems, and the exports (.srt, .ass, and the .otio pointing at the published segments)."""
    params = ctx.params
    fps = params["frame"]["fps"]
    language = params["frame"]["language"]
    episode_id = params["episode"]
    cuts: list[Cut] = []
    dialogue: list[DialogueClip] = []
    sounds: list[SoundClip] = []
    events: list[SubtitleEvent] = []
    scenes: dict[str, list[float]] = {}
    frame_cursor = 0
    for code in params["shots"]:
        seg = ctx.inputs[f"segment:{code}"]
        timing = ShotTiming.model_validate(ctx.inputs[f"clip:{code}"].data)
        frames = timing.frames
        start = frame_cursor / fps
        scene = params["scenes"][code]
        cuts.append(Cut(shot=code, scene=scene, segment=seg.components["segment.mp4"], start_frame=frame_cursor,
                        frames=frames, take_id=seg.take_id))
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
    duration = frame_cursor / fps
    work = ctx.workdir
    timeline = build_timeline(params["title"], fps, cuts, dialogue, events, sounds)
    rendered = render_episode(timeline, work / "episode.mp4", stems_dir=work / "stems",
                              loudness=params.get("loudness", LOUDNESS_TARGET))
    write_srt(events, work / "episode.srt")
    write_ass(events, work / "episode.ass", width=params["frame"]["width"], height=params["frame"]["height"], language=language)
    write_otio(for_export(timeline, {cut.shot: segment_url(episode_id, cut.shot) for cut in cuts}), work / "episode.otio")
    return StepOutput(
        components={**{name: work / name for name in ("episode.mp4", "episode.srt", "episode.ass", "episode.otio")},
                    **{f"{stem}.wav": path for stem, path in rendered.mix.stems.items()}},
        data={"frames": frame_cursor, "duration": duration, "shots": len(cuts), "lines": len(events),
              "loudness": round(rendered.mix.loudness, 2), "true_peak": round(rendered.mix.true_peak, 2),
              "effects": sorted({clip.sound for clip in sounds if clip.role == "effects"})},
    )


SEGMENT = Step(name="edit.segment", version="3", fn=segment, kind="cpu")
EPISODE = Step(name="edit.episode", version="7", fn=episode, kind="cpu", warm=("scipy.signal",))  # the loudness filter

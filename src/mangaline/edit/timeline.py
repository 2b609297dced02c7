"""The edit as an OpenTimelineIO timeline: one clip per shot, the dialogue, music and effects tracks, the subtitles.

The timeline is what the episode is rendered from (``media`` reads it back): the video track's clips
reference the shots' segments, each audio clip its WAV, with ``metadata["mangaline"]`` saying its role
(dialogue, music, effects), whether it loops and where it is panned. ``for_export`` points it at the
published files instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from mangaline.atomic import write_text_atomic
from mangaline.errors import RenderError
from mangaline.model.timing import SubtitleEvent

__all__ = ["AudioPlacement", "Cut", "DialogueClip", "SoundClip", "TimelineMedia", "build_timeline", "for_export", "media", "write_otio"]


@dataclass(frozen=True, kw_only=True)
class Cut:
    """One shot in the edit: its code, its length in frames and where its rendered segment is.

    ``url`` (for example a project-relative or object-store address) wins over ``segment``
    as the clip's media reference; a segment alone is referenced by its file URL.
    """

    shot: str
    frames: int
    segment: Path | None = None
    url: str | None = None
    scene: str | None = None
    start_frame: int | None = None
    """Where the cut should start in the episode; checked against the cuts before it."""
    take_id: str | None = None
    takes: dict[str, str] = field(default_factory=dict)
    """Which takes made the segment, by department: {"storyboard": take id, "animate": take id, ...}."""

    def target(self) -> str:
        if self.url:
            return self.url
        if self.segment is None:
            raise RenderError(f"timeline [{self.shot}]", "the cut has neither a segment file nor a url")
        return Path(self.segment).resolve().as_uri()


@dataclass(frozen=True, kw_only=True)
class DialogueClip:
    """One voiced line on the episode's clock: ``start`` and ``duration`` in seconds."""

    line: str
    start: float
    duration: float
    speaker: str = ""
    character: str | None = None
    audio: Path | None = None
    take_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class SoundClip:
    """A scene's music bed or one of a shot's effects on the episode's clock: ``start`` and ``duration`` in seconds.

    A looped clip (a bed, rain) plays its file over and over for ``duration``; any other plays once, to its end.
    """

    name: str
    role: Literal["music", "effects"]
    start: float
    duration: float
    audio: Path | None = None
    loop: bool = False
    pan: float = 0.0
    sound: str = ""
    take_id: str | None = None


@dataclass(frozen=True)
class AudioPlacement:
    """An audio clip as the renderer reads it from the timeline: which file, when, for how long, and how."""

    path: Path
    start: float
    duration: float
    role: str
    loop: bool = False
    pan: float = 0.0


@dataclass(frozen=True)
class TimelineMedia:
    """What the episode is rendered from: the segments in order with their frames, and the audio placed on the clock."""

    fps: int
    segments: list[Path]
    frames: list[int]
    audio: list[AudioPlacement]

    @property
    def duration(self) -> float:
        return sum(self.frames) / self.fps


def _range(start: float, duration: float, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate))


def _lanes(title: str, fps: int, clips: list[tuple[str, float, float, Path | None, dict[str, Any]]]) -> list[otio.schema.Track]:
    """Audio clips (name, start, duration, file, metadata) on tracks titled ``title``, ``title 2`` ...: a clip that
    overlaps the one before it goes to the next track that is free. There is always one track."""
    lanes: list[tuple[otio.schema.Track, list[int]]] = []
    for clip_name, start, duration, audio, metadata in sorted(clips, key=lambda c: c[1]):
        first = round(start * fps)
        length = max(1, round(duration * fps))
        lane = next((lane for lane in lanes if lane[1][0] <= first), None)
        if lane is None:
            suffix = f" {len(lanes) + 1}" if lanes else ""
            lane = (otio.schema.Track(name=f"{title}{suffix}", kind=otio.schema.TrackKind.Audio), [0])
            lanes.append(lane)
        track, cursor = lane
        if first > cursor[0]:
            track.append(otio.schema.Gap(source_range=_range(0, first - cursor[0], fps)))
        reference = (
            otio.schema.ExternalReference(target_url=Path(audio).resolve().as_uri(), available_range=_range(0, length, fps))
            if audio is not None
            else otio.schema.MissingReference()
        )
        item = otio.schema.Clip(name=clip_name, media_reference=reference, source_range=_range(0, length, fps))
        item.metadata["mangaline"] = metadata
        track.append(item)
        cursor[0] = first + length
    if not lanes:
        return [otio.schema.Track(name=title, kind=otio.schema.TrackKind.Audio)]
    return [track for track, _ in lanes]


def build_timeline(
    name: str, fps: int, cuts: list[Cut], dialogue: list[DialogueClip], events: list[SubtitleEvent],
    sounds: list[SoundClip] = (),  # type: ignore[assignment]
) -> otio.schema.Timeline:
    """Assemble the episode's timeline; dialogue, music and effects are placed on the frame grid, subtitles go to
    metadata."""
    timeline = otio.schema.Timeline(name=name)
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    video = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    position = 0
    for cut in cuts:
        if cut.frames <= 0:
            raise RenderError(f"timeline {name}", f"shot {cut.shot} has {cut.frames} frames")
        if cut.start_frame is not None and cut.start_frame != position:
            raise RenderError(
                f"timeline {name}",
                f"shot {cut.shot} should start at frame {cut.start_frame}, the cuts before it end at {position}",
            )
        clip = otio.schema.Clip(
            name=cut.shot,
            media_reference=otio.schema.ExternalReference(
                target_url=cut.target(), available_range=_range(0, cut.frames, fps)
            ),
            source_range=_range(0, cut.frames, fps),
        )
        clip.metadata["mangaline"] = {
            "shot": cut.shot,
            "scene": cut.scene,
            "take": cut.take_id,
            "takes": dict(cut.takes),
        }
        video.append(clip)
        position += cut.frames

    # Audio is placed on the frame grid too, so gaps and clips line up with the cuts in any
    # editor. Lines spoken over each other (dual dialogue) go to a second track, and so on.
    for clip in dialogue:
        if clip.start < 0 or clip.duration <= 0:
            raise RenderError(
                f"timeline {name}", f"line {clip.line} has start {clip.start} and duration {clip.duration}"
            )
    lanes = _lanes("Dialogue", fps, [
        (clip.line, clip.start, clip.duration, clip.audio,
         {"role": "dialogue", "line": clip.line, "speaker": clip.speaker, "character": clip.character, "take": clip.take_id})
        for clip in dialogue
    ])  # fmt: skip
    for role, title in (("music", "Music"), ("effects", "Effects")):
        placed = [c for c in sounds if c.role == role]
        for clip in placed:
            if clip.start < 0 or clip.duration <= 0:
                raise RenderError(f"timeline {name}", f"{role} {clip.name} has start {clip.start} and duration {clip.duration}")
        if placed:
            lanes += _lanes(title, fps, [
                (clip.name, clip.start, clip.duration, clip.audio,
                 {"role": role, "sound": clip.sound, "loop": clip.loop, "pan": clip.pan, "take": clip.take_id})
                for clip in placed
            ])  # fmt: skip

    timeline.tracks.append(video)
    for track in lanes:
        timeline.tracks.append(track)
    subtitles: list[dict[str, Any]] = [
        {"start": e.start, "end": e.end, "text": e.text, "speaker": e.speaker} for e in events
    ]
    timeline.metadata["mangaline"] = {"fps": fps, "subtitles": subtitles}
    return timeline


def _file(url: str, what: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise RenderError(what, f"the timeline references {url}, not a local file")
    return Path(unquote(parsed.path))


def media(timeline: otio.schema.Timeline, *, segments: bool = True) -> TimelineMedia:
    """Read what to render from ``timeline``: its video track's segments and every audio clip's placement.

    Without ``segments`` the video track is read for its clips' lengths alone (its files may not exist yet)."""
    what = f"timeline {timeline.name}"
    fps = int(timeline.metadata["mangaline"]["fps"])
    files, frames, audio = [], [], []
    for clip in timeline.video_tracks()[0].find_clips():
        if segments:
            files.append(_file(clip.media_reference.target_url, what))
        frames.append(int(clip.source_range.duration.to_frames(fps)))
    for track in timeline.audio_tracks():
        for clip in track.find_clips():
            reference = clip.media_reference
            if not isinstance(reference, otio.schema.ExternalReference):
                raise RenderError(what, f"audio clip {clip.name} on {track.name} has no file")
            placed = track.range_of_child(clip)
            info = clip.metadata.get("mangaline", {})
            audio.append(AudioPlacement(
                path=_file(reference.target_url, what), start=placed.start_time.to_seconds(),
                duration=placed.duration.to_seconds(), role=str(info.get("role", "dialogue")),
                loop=bool(info.get("loop", False)), pan=float(info.get("pan", 0.0)),
            ))  # fmt: skip
    return TimelineMedia(fps=fps, segments=files, frames=frames, audio=audio)


def for_export(timeline: otio.schema.Timeline, urls: dict[str, str]) -> otio.schema.Timeline:
    """A copy of ``timeline`` as editors get it: each shot's clip pointing at its published segment (``urls`` by
    shot code), audio clips at nothing (the build's files are not published; their takes are in the metadata)."""
    exported = timeline.deepcopy()
    for clip in exported.video_tracks()[0].find_clips():
        if clip.name in urls:
            clip.media_reference.target_url = urls[clip.name]
    for track in exported.audio_tracks():
        for clip in track.find_clips():
            clip.media_reference = otio.schema.MissingReference()
    return exported


def write_otio(timeline: otio.schema.Timeline, path: Path) -> None:
    """Write the timeline as .otio JSON, atomically."""
    path = Path(path)
    write_text_atomic(path, otio.adapters.write_to_string(timeline, "otio_json"))

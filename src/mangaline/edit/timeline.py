"""The edit as an OpenTimelineIO timeline: one clip per shot, the dialogue track, the subtitles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio

from mangaline.atomic import write_text_atomic
from mangaline.errors import RenderError
from mangaline.model.timing import SubtitleEvent

__all__ = ["Cut", "DialogueClip", "build_timeline", "write_otio"]


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


def _range(start: float, duration: float, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate))


def build_timeline(
    name: str, fps: int, cuts: list[Cut], dialogue: list[DialogueClip], events: list[SubtitleEvent]
) -> otio.schema.Timeline:
    """Assemble the episode's timeline; dialogue is placed on the frame grid, subtitles go to metadata."""
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
    lanes: list[tuple[otio.schema.Track, list[int]]] = []
    for clip in sorted(dialogue, key=lambda c: c.start):
        if clip.start < 0 or clip.duration <= 0:
            raise RenderError(
                f"timeline {name}", f"line {clip.line} has start {clip.start} and duration {clip.duration}"
            )
        first = round(clip.start * fps)
        length = max(1, round(clip.duration * fps))
        lane = next((lane for lane in lanes if lane[1][0] <= first), None)
        if lane is None:
            suffix = f" {len(lanes) + 1}" if lanes else ""
            lane = (otio.schema.Track(name=f"Dialogue{suffix}", kind=otio.schema.TrackKind.Audio), [0])
            lanes.append(lane)
        track, cursor = lane
        if first > cursor[0]:
            track.append(otio.schema.Gap(source_range=_range(0, first - cursor[0], fps)))
        reference = (
            otio.schema.ExternalReference(
                target_url=Path(clip.audio).resolve().as_uri(), available_range=_range(0, length, fps)
            )
            if clip.audio is not None
            else otio.schema.MissingReference()
        )
        item = otio.schema.Clip(name=clip.line, media_reference=reference, source_range=_range(0, length, fps))
        item.metadata["mangaline"] = {
            "line": clip.line, "speaker": clip.speaker, "character": clip.character, "take": clip.take_id,
        }  # fmt: skip
        track.append(item)
        cursor[0] = first + length
    if not lanes:
        lanes.append((otio.schema.Track(name="Dialogue", kind=otio.schema.TrackKind.Audio), [0]))

    timeline.tracks.append(video)
    for track, _ in lanes:
        timeline.tracks.append(track)
    subtitles: list[dict[str, Any]] = [
        {"start": e.start, "end": e.end, "text": e.text, "speaker": e.speaker} for e in events
    ]
    timeline.metadata["mangaline"] = {"fps": fps, "subtitles": subtitles}
    return timeline


def write_otio(timeline: otio.schema.Timeline, path: Path) -> None:
    """Write the timeline as .otio JSON, atomically."""
    path = Path(path)
    write_text_atomic(path, otio.adapters.write_to_string(timeline, "otio_json"))

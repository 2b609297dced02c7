"""What voice, animate and edit hand each other about time: a voiced line, a shot's timing and its subtitle events.

A voice.line take's data holds a ``VoicedLine`` and an animate clip take's data a ``ShotTiming``,
each written as ``model_dump(mode="json")`` beside the take's own record (its route, engine, QC),
which a reader of the hand-off passes over.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from .base import Record

__all__ = ["ShotTiming", "SpokenLine", "SubtitleEvent", "VoicedLine"]


class _TakeData(Record):
    """A hand-off read from a take's data, which holds the take's own record beside it."""

    model_config = ConfigDict(extra="ignore")


class VoicedLine(_TakeData):
    """A dialogue line as the voice department made it: how long it lasts and how loud it is, frame by frame."""

    duration: float = Field(description="seconds of the mastered line")
    envelope: list[float] = Field(description="loudness per frame of the project's fps, 0..1 of the line's peak")


class SubtitleEvent(Record):
    """One subtitle on screen from ``start`` to ``end`` seconds; ``speaker`` is kept for exports, not shown."""

    start: float
    end: float
    text: str
    speaker: str = ""
    line: str | None = Field(default=None, description="the dialogue line it shows")

    def later(self, seconds: float) -> SubtitleEvent:
        """The same event ``seconds`` later: a shot's event on the episode's clock."""
        return self.model_copy(update={"start": seconds + self.start, "end": seconds + self.end})


class ShotTiming(_TakeData):
    """A shot's length in whole frames, each line's start and each line's subtitle, in seconds from the shot start."""

    frames: int
    duration: float
    line_starts: dict[str, float] = Field(default_factory=dict)
    events: list[SubtitleEvent] = Field(default_factory=list)


class SpokenLine(Record):
    """A voiced line as the animator needs it: who, when (seconds in the shot), how loud per frame (0..1)."""

    character: str
    start: float
    envelope: list[float]

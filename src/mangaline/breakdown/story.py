"""The story as the prose readers see it: chapters of scenes of beats, before episodes and shots.

Both prose paths (the offline rules and the LLM) produce these; one function then
sizes episodes and hands each scene's beats to the shot planner, exactly as the
Fountain path does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import SourceSpan
from .planner import Beat

__all__ = ["Beat", "Chapter", "StoryScene"]


@dataclass
class StoryScene:
    """One continuous stretch of a chapter in one place: its beats in order."""

    place: str
    interior: bool = True
    time_of_day: str = "DAY"
    beats: list[Beat] = field(default_factory=list)
    source: SourceSpan | None = None


@dataclass
class Chapter:
    """A chapter as the text marks it (第一章, 第1話, Chapter One, 1.)."""

    title: str
    scenes: list[StoryScene] = field(default_factory=list)
    source: SourceSpan | None = None

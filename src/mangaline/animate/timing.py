"""Shot timing: how long a shot lasts once its dialogue is voiced, and when each line starts."""

from __future__ import annotations

import math

from mangaline.errors import StepError
from mangaline.model import Shot
from mangaline.model.timing import ShotTiming, SubtitleEvent

__all__ = ["LEAD_IN", "LINE_GAP", "TAIL", "time_shot"]

LEAD_IN = 0.25
"""Seconds of picture before the first line, so a cut never lands on a word."""
LINE_GAP = 0.2
"""Seconds between two lines of the same shot."""
TAIL = 0.35
"""Seconds of picture after the last line, so the reaction reads before the cut."""


def time_shot(shot: Shot, line_seconds: dict[str, float], fps: int) -> ShotTiming:
    """Lay the shot's lines one after another and stretch the shot to hold them; each line is subtitled while spoken.

    ``line_seconds`` maps a dialogue line id to the length of its voiced take.
    """
    if fps <= 0:
        raise StepError("time_shot", shot.code, f"fps must be positive, got {fps}")
    starts: dict[str, float] = {}
    cursor = LEAD_IN
    for index, line in enumerate(shot.dialogue):
        seconds = line_seconds.get(line.id)
        if seconds is None:
            raise StepError(
                "time_shot",
                shot.code,
                f"line {line.id} has no voiced length",
                hint="voice the line before timing the shot",
            )
        if seconds < 0:
            raise StepError("time_shot", shot.code, f"line {line.id} has a negative length {seconds}")
        if index:
            cursor += LINE_GAP
        starts[line.id] = round(cursor, 6)
        cursor += seconds
    needed = cursor + TAIL if shot.dialogue else 0.0
    # The small epsilon keeps float noise (e.g. 2.0000000001 s) from adding a whole frame.
    frames = max(round(shot.duration * fps), math.ceil(needed * fps - 1e-6), 1)
    events = [
        SubtitleEvent(start=round(starts[line.id], 4), end=round(starts[line.id] + line_seconds[line.id], 4), text=line.text,
                      speaker=line.speaker, line=line.id)
        for line in shot.dialogue
    ]
    return ShotTiming(frames=frames, duration=frames / fps, line_starts=starts, events=events)

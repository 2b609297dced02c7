"""The shot planner: cut a scene's beats into shots the way an editor covers a dialogue scene.

Coverage rules, in order:
- every scene opens on an establishing shot of the place with everyone present;
- each spoken line gets a single on its speaker (shot / reverse shot), medium for a
  speaker's first line, closer as the exchange goes on, a close-up for a sharp line;
- a line heard off screen (O.S., O.C., V.O.) plays over a shot of someone else;
- dual dialogue plays on a two-shot; a long exchange is re-established with a two-shot;
- a sharp line (a question or an exclamation) may earn a short reaction shot on the listener;
- action long enough to be seen gets its own shot on the people it names.
Durations come from the spoken length of the lines, or the reading time of the action.
Pacing limits come from the Project: no shot shorter than ``min_shot_seconds``, no shot
without dialogue longer than ``max_shot_seconds`` (a spoken line keeps the time its voice
needs), and a reaction shot is left out when it would push the scene over
``max_shots_per_minute``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import (
    Angle,
    CameraMove,
    Casting,
    DialogueLine,
    Project,
    Shot,
    ShotKind,
    ShotSize,
    SourceSpan,
)
from ..model.pacing import SHOT_SECONDS_MAX, is_cjk, spoken_seconds

__all__ = ["Beat", "plan_scene"]

REACTION_SECONDS = 1.5
ESTABLISHING_RANGE = (2.5, 5.0)
ACTION_RANGE = (2.0, 4.5)
LINE_PADDING = 0.8
MIN_LINE_SHOT = 1.5
TWO_SHOT_EVERY = 5  # singles in a row before the geography is shown again
REACTION_GAP = 4  # lines between two reaction shots at most
OWN_SHOT_ACTION = 40  # characters of action (20 for CJK) that earn a shot of their own
_SOFT = re.compile(r"whisper|quiet|soft|tear|cr(y|ies)|trembl|beat|低声|轻声|哭|小声|泣|小さく|囁", re.IGNORECASE)


@dataclass(frozen=True)
class Beat:
    """One moment of a scene: an action paragraph or a spoken line, with its source."""

    action: str | None = None
    line: DialogueLine | None = None
    source: SourceSpan | None = None


def _reading_seconds(text: str, language: str, bounds: tuple[float, float]) -> float:
    # action is read, not spoken: a little faster than dialogue, clamped to what a shot can hold
    seconds = spoken_seconds(text, language) * 0.6
    return round(min(bounds[1], max(bounds[0], seconds)), 3)


def _is_long_action(text: str, language: str) -> bool:
    size = sum(1 for ch in text if is_cjk(ch)) * 2 if language in ("zh", "ja") else len(text)
    return size >= OWN_SHOT_ACTION


def _mentions(text: str, known: dict[str, str]) -> list[str]:
    """Character ids named in an action text, in the order they appear."""
    found: list[tuple[int, str]] = []
    for name, cid in known.items():
        match = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, flags=re.IGNORECASE)
        if match:
            found.append((match.start(), cid))
    seen: list[str] = []
    for _, cid in sorted(found):
        if cid not in seen:
            seen.append(cid)
    return seen


def _is_sharp(line: DialogueLine) -> bool:
    text = line.text.rstrip(" \"'”」』")
    return text.endswith(("!", "?", "！", "？"))


class _Cutter:
    """Holds a scene's coverage state while its beats are cut into shots."""

    def __init__(self, scene_id: str, project: Project, known: dict[str, str]) -> None:
        self.scene_id = scene_id
        self.project = project
        self.known = known
        self.shots: list[Shot] = []
        self.present: list[str] = []
        self.lines_by: dict[str, int] = {}
        self.singles_in_row = 0
        self.since_reaction = REACTION_GAP
        self.pending_action: list[str] = []
        self.last_speaker: str | None = None

    @property
    def language(self) -> str:
        return self.project.language

    def add(self, **fields: object) -> Shot:
        action = " ".join(self.pending_action + ([str(fields.pop("action"))] if fields.get("action") else []))
        fields.pop("action", None)
        self.pending_action = []
        shot = Shot(code=f"{self.scene_id}_sh{10 * (len(self.shots) + 1):03d}", action=action, **fields)
        self.shots.append(shot)
        return shot

    def bounds(self, bounds: tuple[float, float]) -> tuple[float, float]:
        """A shot's duration range narrowed to the project's pacing limits."""
        low = max(bounds[0], self.project.min_shot_seconds)
        high = min(bounds[1], self.project.max_shot_seconds)
        return (low, max(low, high))

    def reading_seconds(self, text: str, bounds: tuple[float, float]) -> float:
        return _reading_seconds(text, self.language, self.bounds(bounds))

    def room_for_another(self, seconds: float) -> bool:
        """True when one more shot of ``seconds`` keeps the scene within the shots-per-minute cap."""
        elapsed = sum(shot.duration for shot in self.shots) + seconds
        return (len(self.shots) + 1) * 60.0 / elapsed <= self.project.max_shots_per_minute

    def line_seconds(self, lines: list[DialogueLine]) -> float:
        speaking = sum(
            spoken_seconds(
                line.text,
                line.language,
                words_per_minute=self.project.words_per_minute,
                chars_per_second=self.project.chars_per_second,
            )
            for line in lines
        )
        # a speech longer than any shot may be keeps the longest; the edit still stretches the shot to its voice
        return round(min(SHOT_SECONDS_MAX, max(MIN_LINE_SHOT, self.project.min_shot_seconds, speaking + LINE_PADDING)), 3)

    def other_than(self, character: str) -> str | None:
        if self.last_speaker and self.last_speaker != character and self.last_speaker in self.present:
            return self.last_speaker
        return next((c for c in self.present if c != character), None)

    def cast(self, *on_screen: str | None, heard: str | None = None) -> list[Casting]:
        casting = [Casting(character=c) for c in dict.fromkeys(c for c in on_screen if c)]
        if heard and heard not in {c.character for c in casting}:
            casting.append(Casting(character=heard, on_screen=False))
        return casting


def plan_scene(beats: list[Beat], *, scene_id: str, project: Project, known: dict[str, str], interior: bool = True) -> list[Shot]:
    """Cut one scene's beats into shots; ``known`` maps character names (as cues give them) to ids."""
    cut = _Cutter(scene_id, project, known)
    lines = [b.line for b in beats if b.line is not None]
    for number, line in enumerate(lines, start=1):
        line.id = f"{scene_id}_l{number:03d}"
        line.language = project.language
    # everyone seen in the scene: on-screen speakers, and characters the action names
    for beat in beats:
        if beat.line is not None and not beat.line.off_screen:
            cut.present.append(beat.line.character)
        elif beat.action:
            cut.present.extend(_mentions(beat.action, known))
    cut.present = list(dict.fromkeys(cut.present))

    leading: list[Beat] = []
    for beat in beats:
        if beat.line is not None:
            break
        leading.append(beat)
    opening = " ".join(b.action for b in leading if b.action)
    cut.add(
        kind=ShotKind.ESTABLISHING,
        size=ShotSize.WIDE if interior else ShotSize.EXTREME_WIDE,
        angle=Angle.EYE_LEVEL if interior else Angle.HIGH,
        move=CameraMove.PUSH_IN if interior else CameraMove.PAN_RIGHT,
        duration=cut.reading_seconds(opening, ESTABLISHING_RANGE),
        action=opening,
        casting=cut.cast(*cut.present),
        source=leading[0].source if leading else (beats[0].source if beats else None),
    )

    rest = beats[len(leading):]
    i = 0
    while i < len(rest):
        beat = rest[i]
        if beat.action is not None:
            _cover_action(cut, beat)
            i += 1
            continue
        line = beat.line
        assert line is not None
        if line.dual and i + 1 < len(rest) and rest[i + 1].line is not None and rest[i + 1].line.dual:
            partner = rest[i + 1].line
            _cover_dual(cut, line, partner, beat.source)
            i += 2
            continue
        _cover_line(cut, line, beat.source)
        upcoming = rest[i + 1].line if i + 1 < len(rest) else None
        if (
            _is_sharp(line)
            and cut.since_reaction >= REACTION_GAP
            and upcoming is not None
            and upcoming.character != line.character
            and not upcoming.off_screen
            and cut.room_for_another(max(REACTION_SECONDS, project.min_shot_seconds))
        ):
            listener = upcoming.character
            cut.add(
                kind=ShotKind.REACTION,
                size=ShotSize.CLOSE_UP,
                duration=max(REACTION_SECONDS, project.min_shot_seconds),
                subject=listener,
                facing=line.character,
                casting=cut.cast(listener),
                source=beat.source,
            )
            cut.since_reaction = 0
        i += 1
    if cut.pending_action:
        # action after the last line closes the scene on everyone present
        cut.add(
            kind=ShotKind.GROUP if len(cut.present) > 2 else ShotKind.TWO_SHOT if len(cut.present) == 2 else ShotKind.SINGLE,
            size=ShotSize.FULL,
            move=CameraMove.PULL_OUT,
            duration=cut.reading_seconds(" ".join(cut.pending_action), ACTION_RANGE),
            subject=cut.present[0] if cut.present else None,
            casting=cut.cast(*cut.present),
        )
    return cut.shots


def _cover_action(cut: _Cutter, beat: Beat) -> None:
    text = beat.action or ""
    if not _is_long_action(text, cut.language):
        cut.pending_action.append(text)  # short business rides on the next shot
        return
    named = _mentions(text, cut.known) or cut.present
    kind = ShotKind.SINGLE if len(named) == 1 else ShotKind.TWO_SHOT if len(named) == 2 else ShotKind.GROUP
    cut.add(
        kind=kind if named else ShotKind.INSERT,
        size=ShotSize.FULL if named else ShotSize.WIDE,
        # Two people in action: orbit them, so the set turns behind the pair; other coverage slides along.
        move=(CameraMove.ARC_RIGHT if len(named) == 2 else CameraMove.DOLLY_RIGHT) if len(cut.shots) % 2
        else (CameraMove.ARC_LEFT if len(named) == 2 else CameraMove.DOLLY_LEFT),
        duration=cut.reading_seconds(text, ACTION_RANGE),
        subject=named[0] if named else None,
        action=text,
        casting=cut.cast(*named),
        source=beat.source,
    )
    cut.singles_in_row = 0


def _cover_dual(cut: _Cutter, first: DialogueLine, second: DialogueLine, source: SourceSpan | None) -> None:
    cut.add(
        kind=ShotKind.TWO_SHOT,
        size=ShotSize.MEDIUM,
        duration=cut.line_seconds([first, second]),
        subject=first.character,
        facing=second.character,
        dialogue=[first, second],
        casting=cut.cast(first.character, second.character),
        source=source,
    )
    cut.singles_in_row = 0
    cut.since_reaction += 2
    cut.last_speaker = second.character


def _cover_line(cut: _Cutter, line: DialogueLine, source: SourceSpan | None) -> None:
    speaker = line.character
    duration = cut.line_seconds([line])
    cut.since_reaction += 1
    if line.off_screen:
        listener = cut.other_than(speaker)
        cut.add(
            kind=ShotKind.REACTION if listener else ShotKind.INSERT,
            size=ShotSize.MEDIUM_CLOSE if listener else ShotSize.WIDE,
            duration=duration,
            subject=listener,
            facing=speaker,
            dialogue=[line],
            casting=cut.cast(listener, heard=speaker),
            source=source,
        )
        return
    partner = cut.other_than(speaker)
    count = cut.lines_by.get(speaker, 0)
    cut.lines_by[speaker] = count + 1
    cut.singles_in_row += 1
    if partner and cut.singles_in_row > TWO_SHOT_EVERY:
        kind, size, casting = ShotKind.TWO_SHOT, ShotSize.MEDIUM, cut.cast(speaker, partner)
        cut.singles_in_row = 0
    elif count == 0 and partner:
        kind, size, casting = ShotKind.OVER_SHOULDER, ShotSize.MEDIUM, cut.cast(speaker, partner)
    else:
        sharp = _is_sharp(line) and len(line.text) < 60
        soft = bool(line.parenthetical and _SOFT.search(line.parenthetical))
        kind = ShotKind.SINGLE
        size = ShotSize.CLOSE_UP if (sharp or soft) else ShotSize.MEDIUM_CLOSE
        casting = cut.cast(speaker)
    emphatic = line.text.rstrip().endswith(("!", "！"))
    cut.add(
        kind=kind,
        size=size,
        angle=Angle.LOW if emphatic and kind is ShotKind.SINGLE else Angle.EYE_LEVEL,
        move=CameraMove.PUSH_IN if size is ShotSize.CLOSE_UP else CameraMove.STATIC,
        duration=duration,
        subject=speaker,
        facing=partner,
        dialogue=[line],
        casting=casting,
        source=source,
    )
    cut.last_speaker = speaker

"""The script: Episodes, Scenes, Shots and DialogueLines, each with its place in the source text."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from .base import SCHEMA_VERSION, Record, SafeId, SchemaVersion
from .pacing import SHOT_SECONDS_MAX, SHOT_SECONDS_MIN


class SourceSpan(Record):
    """Where an element came from: a file and 1-based lines (and character offsets for prose)."""

    file: str
    line: int
    end_line: int | None = None
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        if self.end_line and self.end_line != self.line:
            return f"{self.file}:{self.line}-{self.end_line}"
        return f"{self.file}:{self.line}"


class ShotSize(StrEnum):
    """How much of the subject the frame holds, widest first."""

    EXTREME_WIDE = "EWS"
    WIDE = "WS"
    FULL = "FS"
    MEDIUM = "MS"
    MEDIUM_CLOSE = "MCU"
    CLOSE_UP = "CU"
    EXTREME_CLOSE = "ECU"


class Angle(StrEnum):
    """The camera's vertical angle on the subject."""

    EYE_LEVEL = "eye_level"
    HIGH = "high"
    LOW = "low"
    OVERHEAD = "overhead"
    DUTCH = "dutch"


class CameraMove(StrEnum):
    """What the camera does during the shot."""

    STATIC = "static"
    PUSH_IN = "push_in"
    PULL_OUT = "pull_out"
    PAN_LEFT = "pan_left"
    PAN_RIGHT = "pan_right"
    TILT_UP = "tilt_up"
    TILT_DOWN = "tilt_down"
    DOLLY_LEFT = "dolly_left"
    DOLLY_RIGHT = "dolly_right"
    ARC_LEFT = "arc_left"  # the camera orbits the subject a few degrees to its left, turning to keep it framed
    ARC_RIGHT = "arc_right"


class ShotKind(StrEnum):
    """The shot's editorial job."""

    ESTABLISHING = "establishing"
    SINGLE = "single"
    OVER_SHOULDER = "over_shoulder"
    TWO_SHOT = "two_shot"
    GROUP = "group"
    REACTION = "reaction"
    INSERT = "insert"


class DialogueLine(Record):
    """One spoken line: who says it, what, how; drives the shot's timing."""

    id: SafeId
    speaker: str = Field(description="the character's name as the script gives it, e.g. MAYA")
    character: SafeId = Field(description="the character's id in the bible, e.g. maya")
    text: str
    parenthetical: str | None = None
    extension: str | None = Field(default=None, description="O.S., V.O., CONT'D ... as written")
    dual: bool = False
    language: str = "en"
    emotion: str | None = None
    source: SourceSpan | None = None

    @property
    def off_screen(self) -> bool:
        """True for a line heard over a shot of someone else (O.S., O.C., V.O.)."""
        ext = (self.extension or "").upper().replace(".", "").replace(" ", "")
        return any(tag in ext for tag in ("OS", "OC", "VO"))


class Casting(Record):
    """One asset in one shot: which character, in which outfit variant, on which mark."""

    character: SafeId
    variant: str = "default"
    slot: str | None = None
    on_screen: bool = True


class Shot(Record):
    """One shot: the unit every department works on."""

    code: SafeId = Field(description="e.g. ep01_sc03_sh020")
    kind: ShotKind
    size: ShotSize
    angle: Angle = Angle.EYE_LEVEL
    move: CameraMove = CameraMove.STATIC
    duration: float = Field(
        ge=SHOT_SECONDS_MIN, le=SHOT_SECONDS_MAX, description="planned seconds; the edit stretches it to fit the voices"
    )
    subject: SafeId | None = Field(default=None, description="the character the shot is on, if any")
    facing: SafeId | None = Field(default=None, description="the character the subject faces, for eyelines")
    action: str = ""
    dialogue: list[DialogueLine] = Field(default_factory=list)
    casting: list[Casting] = Field(default_factory=list)
    crosses_line: bool = Field(default=False, description="the camera deliberately crosses the 180-degree line")
    source: SourceSpan | None = None


class Scene(Record):
    """One scene: a place and a time, and the shots that tell it."""

    id: SafeId = Field(description="e.g. ep01_sc03")
    heading: str
    location: SafeId = Field(description="the location's id in the bible")
    interior: bool = True
    time_of_day: str = "DAY"
    transition_out: str | None = None
    synopsis: str | None = None
    shots: list[Shot] = Field(default_factory=list)
    source: SourceSpan | None = None


class Episode(Record):
    """One episode: the unit that is rendered to an MP4."""

    id: SafeId = Field(description="e.g. ep01")
    title: str
    scenes: list[Scene] = Field(default_factory=list)

    def shots(self) -> list[Shot]:
        return [shot for scene in self.scenes for shot in scene.shots]


class Script(Record):
    """The whole breakdown of one source text."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    title: str
    authors: list[str] = Field(default_factory=list)
    title_page: dict[str, str] = Field(default_factory=dict)
    language: str = "en"
    source: str = Field(description="the source file under story/")
    source_sha256: str | None = None
    episodes: list[Episode] = Field(default_factory=list)

    def scenes(self) -> list[Scene]:
        return [scene for episode in self.episodes for scene in episode.scenes]

    def shots(self) -> list[Shot]:
        return [shot for scene in self.scenes() for shot in scene.shots]

    def lines(self) -> list[DialogueLine]:
        return [line for shot in self.shots() for line in shot.dialogue]


_SIZE_WORDS = {
    "EWS": "extreme wide shot", "WS": "wide shot", "FS": "full shot", "MS": "medium shot",
    "MCU": "medium close-up", "CU": "close-up", "ECU": "extreme close-up",
}  # fmt: skip
_ANGLE_WORDS = {"eye_level": "eye level", "high": "high angle", "low": "low angle", "overhead": "overhead", "dutch": "dutch angle"}


def framing_words(shot: Shot) -> str:
    """A shot's size and angle in the words a prompt uses: "medium close-up, eye level"."""
    size, angle = ShotSize(shot.size).value, Angle(shot.angle).value
    return f"{_SIZE_WORDS.get(size, size)}, {_ANGLE_WORDS.get(angle, angle)}"

"""Turn a parsed Fountain screenplay into the Script: episodes, scenes, beats, then shots."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ScriptError
from ..model import DialogueLine, Episode, Project, Scene, Script, SourceSpan, slug_id
from .fountain import Element, ElementType, FountainDocument, plain
from .planner import Beat, plan_scene

__all__ = ["SceneHeading", "character_id", "location_id", "parse_heading", "script_from_fountain"]

_PREFIXES = [
    # (pattern, interior); the longest prefixes first so INT./EXT. is not read as INT.
    (r"(?:INT\.?/EXT\.?|EXT\.?/INT\.?|I/E\.?|E/I\.?)", True),
    (r"INT\.?", True),
    (r"(?:EXT\.?|EST\.?)", False),
    (r"(?:内景|內景|室内|屋内|室内)", True),
    (r"(?:外景|室外|屋外|野外)", False),
]
_PREFIX_RE = [(re.compile(rf"^\s*{p}(?=[\s.:：]|$)[\s.:：]*", re.IGNORECASE), interior) for p, interior in _PREFIXES]
_TIME_SPLIT = re.compile(r"\s+[-–—]+\s+|\s*[-–—]{2,}\s*|\s*[／/|]\s*(?=\S+$)")
_CONTINUITY = {"CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", "SAME TIME", "CONT", "CONT'D", "持续", "连续", "続き", "同時"}
_TIME_WORDS_CJK = {"夜": "NIGHT", "夜晚": "NIGHT", "晚上": "NIGHT", "日": "DAY", "白天": "DAY", "早晨": "MORNING",
                   "清晨": "MORNING", "黄昏": "DUSK", "傍晚": "DUSK", "朝": "MORNING", "昼": "DAY", "夕方": "DUSK", "深夜": "NIGHT"}


@dataclass(frozen=True)
class SceneHeading:
    """A scene heading read into its parts: INT./EXT., the place and the time of day."""

    interior: bool
    place: str
    time_of_day: str


def parse_heading(text: str) -> SceneHeading:
    """Split 'INT. KITCHEN - NIGHT' (or '.内景 茶馆 - 夜') into interior, place and time of day."""
    rest = plain(text).strip()
    interior = True
    for pattern, is_interior in _PREFIX_RE:
        match = pattern.match(rest)
        if match:
            interior, rest = is_interior, rest[match.end():]
            break
    parts = [p.strip() for p in _TIME_SPLIT.split(rest) if p.strip()]
    place = parts[0] if parts else rest.strip()
    time_of_day = "DAY"
    for part in parts[1:]:
        token = part.strip().upper()
        if token in _CONTINUITY:
            continue
        time_of_day = _TIME_WORDS_CJK.get(part.strip(), token)
    if len(parts) == 1:
        # a CJK heading often ends with the time after a space: '茶馆 夜'
        words = place.split()
        if len(words) > 1 and words[-1] in _TIME_WORDS_CJK:
            place, time_of_day = " ".join(words[:-1]), _TIME_WORDS_CJK[words[-1]]
    return SceneHeading(interior=interior, place=place.strip(" .") or "UNNAMED PLACE", time_of_day=time_of_day)


def location_id(place: str) -> str:
    """The bible id of a place: every heading naming the same place shares it, and it can name a file."""
    return slug_id(place, fallback="place")


def character_id(name: str) -> str:
    """The bible id of a character from the name its cues give; different names never share one."""
    return slug_id(name, fallback="character")


_OPENING = {"en": "OPENING", "zh": "开场", "ja": "オープニング"}
"""The heading (and place) of the scene that holds what comes before the first scene heading."""


@dataclass
class _SceneDraft:
    heading_text: str
    line: int
    heading: SceneHeading
    beats: list[Beat] = field(default_factory=list)
    transition_out: str | None = None
    synopsis: str | None = None


@dataclass
class _EpisodeDraft:
    title: str
    scenes: list[_SceneDraft] = field(default_factory=list)


def script_from_fountain(
    document: FountainDocument,
    *,
    source: str,
    source_sha256: str | None,
    project: Project,
    where: str | None = None,
    warnings: list[str] | None = None,
) -> Script:
    """Build the Script: top-level sections are episodes, scene headings open scenes, the planner cuts shots.

    What comes before an episode's first scene heading (a cold open: action, a voice over) is
    an implicit opening scene of its own, headed OPENING (开场, オープニング) and set in a place
    of that name; a lone "FADE IN:" there opens the first scene instead.
    ``source`` is the path recorded in every SourceSpan (the copy under story/);
    ``where`` is the path errors and warnings name (the file the user gave), ``source`` by default;
    ``warnings``, when given, receives what was read literally or set aside, one line each.
    """
    noticed: list[str] = [] if warnings is None else warnings
    first_title = plain(document.title_value("Title")).strip().splitlines()
    title = first_title[0].strip() if first_title else ""
    title = title or source.rsplit("/", 1)[-1].split(".", 1)[0].replace("-", " ").title()
    authors = [
        line.strip()
        for key in ("Author", "Authors")
        for line in plain(document.title_value(key)).splitlines()
        if line.strip()
    ]
    opening = _OPENING.get(project.language, _OPENING["en"])
    episodes = _group(document, source=source, where=where or source, title=title, opening=opening, warnings=noticed)
    known = {
        element.name.strip(): character_id(element.name)
        for element in document.elements
        if element.type is ElementType.CHARACTER and element.name
    }
    script_episodes = []
    for number, draft in enumerate(episodes, start=1):
        episode_id = f"ep{number:02d}"
        scenes = []
        for scene_number, scene_draft in enumerate(draft.scenes, start=1):
            scene_id = f"{episode_id}_sc{scene_number:02d}"
            shots = plan_scene(
                scene_draft.beats,
                scene_id=scene_id,
                project=project,
                known=known,
                interior=scene_draft.heading.interior,
            )
            scenes.append(
                Scene(
                    id=scene_id,
                    heading=scene_draft.heading_text,
                    location=location_id(scene_draft.heading.place),
                    interior=scene_draft.heading.interior,
                    time_of_day=scene_draft.heading.time_of_day,
                    transition_out=scene_draft.transition_out,
                    synopsis=scene_draft.synopsis,
                    shots=shots,
                    source=SourceSpan(file=source, line=scene_draft.line),
                )
            )
        script_episodes.append(Episode(id=episode_id, title=draft.title, scenes=scenes))
    return Script(
        title=title,
        authors=authors,
        title_page={k: plain(v) for k, v in document.title_page.items()},
        language=project.language,
        source=source,
        source_sha256=source_sha256,
        episodes=script_episodes,
    )


def _is_direction(element: Element) -> bool:
    """A bare screen direction such as "FADE IN:": one upper-case line ending in a colon, nothing to shoot."""
    text = plain(element.text).strip()
    return element.type is ElementType.ACTION and "\n" not in text and text.isupper() and text.endswith(":")


def _action_beat(element: Element, text: str, source: str) -> Beat:
    return Beat(action=text, source=SourceSpan(file=source, line=element.line, end_line=element.end_line))


def _group(
    document: FountainDocument, *, source: str, where: str, title: str, opening: str, warnings: list[str]
) -> list[_EpisodeDraft]:
    """Walk the elements once, gathering episodes, scenes and their beats."""
    episodes: list[_EpisodeDraft] = []
    scene: _SceneDraft | None = None
    directions: list[Element] = []  # "FADE IN:" before a heading opens the scene that follows it
    headings = 0

    def begin(draft: _SceneDraft) -> _SceneDraft:
        if not episodes:
            episodes.append(_EpisodeDraft(title=title))
        episodes[-1].scenes.append(draft)
        draft.beats.extend(_action_beat(early, plain(early.text).strip(), source) for early in directions)
        directions.clear()
        return draft

    def cold_open(element: Element) -> _SceneDraft:
        """The implicit scene for what comes before the first heading: a place of its own, not the next scene's."""
        line = directions[0].line if directions else element.line
        return begin(_SceneDraft(heading_text=opening, line=line, heading=SceneHeading(True, opening, "DAY")))

    elements = document.elements
    i = 0
    while i < len(elements):
        element = elements[i]
        kind = element.type
        if kind is ElementType.SECTION and element.depth == 1:
            episodes.append(_EpisodeDraft(title=plain(element.text).strip() or f"Episode {len(episodes) + 1}"))
            scene = None
        elif kind is ElementType.SCENE_HEADING:
            headings += 1
            scene = begin(_SceneDraft(heading_text=plain(element.text).strip(), line=element.line,
                                      heading=parse_heading(element.text)))
        elif kind is ElementType.CHARACTER:
            scene = scene or cold_open(element)
            i, beat = _speech(elements, i, source=source, where=where, number=len(_lines(scene)) + 1, warnings=warnings)
            scene.beats.append(beat)
            continue
        elif kind in (ElementType.ACTION, ElementType.CENTERED, ElementType.LYRICS, ElementType.DIALOGUE,
                      ElementType.PARENTHETICAL):
            text = plain(element.text).strip()
            if kind is ElementType.LYRICS and text:
                text = "♪ " + text
            if kind in (ElementType.DIALOGUE, ElementType.PARENTHETICAL) and text:
                # Final Draft can hold a speech without its cue; no one can be cast to say it.
                warnings.append(f"{where}:{element.line}: {'dialogue' if kind is ElementType.DIALOGUE else 'a parenthetical'} "
                                "with no character cue above it: read as action")
            if not text:
                pass
            elif scene is None and _is_direction(element):
                directions.append(element)
            else:
                scene = scene or cold_open(element)
                scene.beats.append(_action_beat(element, text, source))
        elif kind is ElementType.TRANSITION and scene is not None:
            scene.transition_out = plain(element.text).strip()
        elif kind is ElementType.SYNOPSIS and scene is not None and scene.synopsis is None:
            scene.synopsis = plain(element.text).strip()
        i += 1
    episodes = [e for e in episodes if e.scenes]
    if not episodes:
        raise ScriptError(
            where,
            "no action or dialogue found, so there is nothing to shoot",
            hint="write the screenplay under the title page: scene headings like 'INT. KITCHEN - DAY', action and dialogue",
        )
    if not headings:
        warnings.append(f"{where}: no scene headings, so the whole script plays as one {opening} scene "
                        "(start each scene with a heading like 'INT. KITCHEN - DAY')")
    return episodes


def _lines(scene: _SceneDraft) -> list[DialogueLine]:
    return [beat.line for beat in scene.beats if beat.line is not None]


def _speech(
    elements: list[Element], i: int, *, source: str, where: str, number: int, warnings: list[str]
) -> tuple[int, Beat]:
    """Read a character cue with its parentheticals, dialogue and sung lyrics into one DialogueLine.

    Lyrics under a cue are sung: their words join the line and "sung" its delivery. A cue with
    nothing to say under it (only parentheticals) is kept as action, with a warning.
    """
    cue = elements[i]
    i += 1
    texts: list[str] = []
    parentheticals: list[str] = []
    end_line = cue.end_line
    sung = False
    while i < len(elements) and elements[i].type in (ElementType.DIALOGUE, ElementType.PARENTHETICAL, ElementType.LYRICS):
        part = elements[i]
        if part.type is ElementType.LYRICS and part.line > end_line + 1:
            break  # a lyric after a blank line is a paragraph of its own, not this speech
        body = plain(part.text).strip()
        if part.type is ElementType.PARENTHETICAL:
            parentheticals.append(body.strip("()（） ").strip())
        elif body:
            texts.append(body)
            sung = sung or part.type is ElementType.LYRICS
        end_line = part.end_line
        i += 1
    name = (cue.name or cue.text).strip()
    span = SourceSpan(file=source, line=cue.line, end_line=end_line)
    if not texts:
        warnings.append(f"{where}:{cue.line}: the cue {name} has nothing to say under it: read as action "
                        "(put the line right under the name, or write the name in lower case if it is action)")
        words = " ".join([plain(cue.text).strip(), *(f"({p})" for p in parentheticals if p)])
        return i, Beat(action=words, source=span)
    if sung:
        parentheticals.append("sung")
    line = DialogueLine(
        id=f"l{number:03d}",  # the planner prefixes the scene id
        speaker=name,
        character=character_id(name),
        text=" ".join(" ".join(t.split()) for t in texts),
        parenthetical="; ".join(parentheticals) or None,
        extension=cue.extension,
        dual=cue.dual,
        source=span,
    )
    return i, Beat(line=line, source=span)

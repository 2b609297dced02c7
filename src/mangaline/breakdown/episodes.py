"""Episodes from a story: chapters' scenes planned into shots and packed into episodes of the target length."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from ..errors import ScriptError
from ..model import Episode, Project, Scene, Script, Shot
from .planner import Beat, plan_scene
from .screenplay import location_id
from .story import Chapter, StoryScene

__all__ = ["scene_heading", "script_from_story"]


def scene_heading(scene: StoryScene) -> str:
    """The heading a prose scene is given, in screenplay form: 'INT. KITCHEN - NIGHT'."""
    return f"{'INT.' if scene.interior else 'EXT.'} {scene.place} - {scene.time_of_day}"


def _seconds(shots: list[Shot]) -> float:
    return sum(shot.duration for shot in shots)


class _Packer:
    """Fills episodes with scene pieces until the next would run past the longest episode allowed."""

    def __init__(self, project: Project, known: Mapping[str, str]) -> None:
        self.project = project
        self.known = known
        self.episodes: list[Episode] = []
        self.scenes: list[Scene] = []
        self.seconds = 0.0
        self.title = ""
        self.titles_used: dict[str, int] = {}

    def plan(self, beats: list[Beat], scene: StoryScene, scene_id: str = "ep00_sc00") -> list[Shot]:
        return plan_scene(beats, scene_id=scene_id, project=self.project, known=dict(self.known), interior=scene.interior)

    def close(self) -> None:
        if not self.scenes:
            return
        number = len(self.episodes) + 1
        self.episodes.append(Episode(id=f"ep{number:02d}", title=self.title or f"Episode {number}", scenes=self.scenes))
        self.scenes, self.seconds = [], 0.0

    def next_scene_id(self) -> str:
        return f"ep{len(self.episodes) + 1:02d}_sc{len(self.scenes) + 1:02d}"

    def commit(self, beats: list[Beat], scene: StoryScene, chapter: Chapter, part: int, shots: list[Shot] | None = None) -> None:
        if not self.scenes:
            uses = self.titles_used.get(chapter.title, 0) + 1
            self.titles_used[chapter.title] = uses
            self.title = chapter.title if uses == 1 else f"{chapter.title} ({uses})"
        scene_id = self.next_scene_id()
        shots = shots if shots is not None else self.plan(beats, scene, scene_id)
        heading = scene_heading(scene) + (" (CONT'D)" if part > 1 else "")
        source = beats[0].source if part > 1 and beats and beats[0].source else scene.source
        self.scenes.append(
            Scene(
                id=scene_id,
                heading=heading,
                location=location_id(scene.place),
                interior=scene.interior,
                time_of_day=scene.time_of_day,
                synopsis=chapter.title or None,
                shots=shots,
                source=source,
            )
        )
        self.seconds += _seconds(shots)

    def fitting_prefix(self, beats: list[Beat], scene: StoryScene, room: float) -> int:
        """How many of the beats, from the first, fit in ``room`` seconds once planned.

        Doubling then bisection, so a long chapter costs a few plans of about an episode's beats,
        never a plan of the whole chapter per episode.
        """
        def fits(count: int) -> bool:
            return _seconds(self.plan(beats[:count], scene)) <= room

        total = len(beats)
        if not fits(1):
            return 0
        good, bad = 1, total + 1
        while good < total:
            probe = min(total, good * 2)
            if fits(probe):
                good = probe
            else:
                bad = probe
                break
        while bad - good > 1 and bad <= total:
            middle = (good + bad) // 2
            if fits(middle):
                good = middle
            else:
                bad = middle
        return good

    def add(self, scene: StoryScene, chapter: Chapter) -> None:
        shortest = self.project.episode_seconds_min
        pieces: deque[list[Beat]] = deque([scene.beats])
        part = 0
        while pieces:
            beats = pieces.popleft()
            # most scenes fit whole: plan them once, under the id they will keep
            whole = self.plan(beats, scene, self.next_scene_id())
            if _seconds(whole) <= self.project.episode_seconds_max - self.seconds:
                part += 1
                self.commit(beats, scene, chapter, part, whole)
                continue
            cut = self.fitting_prefix(beats, scene, self.project.episode_seconds_max - self.seconds)
            if cut < len(beats) and self.scenes and (self.seconds >= shortest or cut == 0):
                # the episode is long enough: the scene starts the next one whole, if it can
                self.close()
                pieces.appendleft(beats)
                continue
            # one beat longer than an episode still has to be shot somewhere
            cut = max(cut, 1)
            part += 1
            self.commit(beats[:cut], scene, chapter, part)
            if beats[cut:]:
                pieces.appendleft(beats[cut:])


def script_from_story(
    chapters: Iterable[Chapter],
    *,
    project: Project,
    source: str,
    source_sha256: str | None,
    title: str,
    known: Mapping[str, str],
    where: str | None = None,
) -> Script:
    """Plan every scene and pack episodes of ``episode_seconds_min``..``episode_seconds_max`` of screen time.

    ``chapters`` may be a generator: each chapter is planned as it arrives and then dropped.
    ``known`` maps every character name and alias to its id (a live mapping may grow as chapters come).
    Scenes are cut between beats only when one would not fit an episode; the cut-off part carries
    on as a scene in the same place, headed (CONT'D).
    """
    packer = _Packer(project, known)
    for chapter in chapters:
        for scene in chapter.scenes:
            if scene.beats:
                packer.add(scene, chapter)
    packer.close()
    if not packer.episodes:
        raise ScriptError(where or source, "no story text found to break down", hint="check that the file holds the story's prose")
    return Script(title=title, language=project.language, source=source, source_sha256=source_sha256, episodes=packer.episodes)

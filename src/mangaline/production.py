"""The production line: every department's steps wired into one build graph per project.

Every task is routed first (providers/work.py: sheets, keyframes, clips and voices planned together
within the budget); each node carries its route (model, provider, tier) in its params, and the build
lends every step the studio's address, through which it reaches the model its route names.

    design.character_sheet [character]   the character's reference take (turnaround and expressions)
    design.sheet_view      [character:panel]  each view and expression of the sheet as a take of its own
    layout.shot            [shot]        camera, blocking and what the shot sees (data only, cheap)
    voice.line             [line]        the spoken line, with its loudness envelope
    storyboard.keyframe    [shot]        the layered keyframe (and guide maps where a model or QC reads them), from the layout alone
    animate.clip           [shot]        the motion-comic plan: timing, camera, mouths, blinks (draft tier)
    animate.video          [shot]        standard/premium tier: a video model's clip, QC'd and retaken (animate/video.py)
    edit.segment           [shot]        the shot rendered by FFmpeg, subtitles burned in
    sound.music            [scene]       the scene's music bed: a library file matched to its mood, or one made offline
    sound.effect           [sound:word]  paid tiers: one effect bought from a model, shared by every shot that asks for it
    sound.effects          [shot]        the sounds its action calls for (CAPS sound words, ambience), panned to its subject
    edit.mix               [episode]     the timeline's audio mixed to the loudness target: AAC and stems (beside the segments)
    edit.episode           [episode]     the timeline, and the episode rendered from it with the mix: MP4, stems, SRT, ASS, OTIO

A node's params hold only what its output depends on, so an edit re-runs exactly the
steps it touches: a changed dialogue line re-runs its voice, its shot's clip and
segment, and the episode; the keyframe never sees the text. A keyframe's only input
is its shot's layout, whose data holds just what the shot sees, so an edited set
piece or character re-draws exactly the shots that show it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .animate.steps import CLIP
from .animate.lipsync import LIPSYNC
from .animate.reframe import REFRAME
from .animate.video import VIDEO
from .atomic import atomic_path, write_text_atomic
from .checks import enabled_checks
from .config import LlmSettings, QcSettings, Settings, SoundSettings
from .design import design_bible
from .design.plates import SET_PLATE
from .design.steps import CHARACTER_SHEET, SHEET_VIEW, sheet_panels
from .edit.delivery import DELIVERY
from .edit.steps import EPISODE, SEGMENT
from .edit.steps import MIX as EDIT_MIX
from .engine import (Engine, Executor, Freshness, Invocation, LocalExecutor, RunSummary, Step, StepContext, StepOutput,
                     cache_key, canonical_json, data_version)
from .errors import ConfigError, MangalineError, ProjectError
from .layout import ShotLayout
from .layout.blocking import scene_cast
from .layout.movement import episode_movements
from .layout.steps import LAYOUT_SET_VIEW, LAYOUT_SHOT
from .model import (Bible, DialogueLine, Direction, Episode, Note, Project, Provenance, Scene, Script, Shot, Take, Task,
                    TaskStatus, TaskType, Validation)
from .model.delivery import Aspect, aspect_frame, parse_aspects
from .model.tasks import DONE, RETAKE
from .project import ProjectFolder, inside
from .project.approval import check_approvals, lock_design, unlock_design
from .providers.catalogue import Catalogue, dimensions, project_catalogue
from .providers.router import PlanItem, RouteStats
from .providers.studio import DRAFT, Route, StudioAddress
from .providers.work import WorkPlan, plan_work, work_items
from .sound import Library, effect_request, scene_cues, scene_mood
from .sound.briefs import requested_seconds
from .sound.steps import EFFECT as SOUND_EFFECT
from .sound.steps import EFFECTS as SOUND_EFFECTS
from .sound.steps import MUSIC as SOUND_MUSIC
from .storyboard.paintover import PAINTOVER
from .qc.steps import QC_CUT
from .storyboard.steps import KEYFRAME
from .voice.steps import VOICE_LINE

if TYPE_CHECKING:
    from .providers.ledger import Charge
    from .providers.runtime import Runtime

__all__ = [
    "Approval",
    "BuildGraph",
    "BuildPlan",
    "BuildResult",
    "BuildRun",
    "CutQc",
    "EpisodeOutput",
    "ExportResult",
    "NodeReport",
    "Published",
    "QcView",
    "ShotQc",
    "REVIEW_STEPS",
    "RouteHistory",
    "STEP_MODULES",
    "ShotReview",
    "TaskReview",
    "Workers",
    "active_take",
    "active_takes",
    "add_note",
    "approve",
    "approve_take",
    "build",
    "build_graph",
    "cast_voices",
    "choose_take",
    "edit_line",
    "export_layouts",
    "keep_cast",
    "latest_directions",
    "plan_build",
    "plan_project",
    "plan_routes",
    "prepare_build",
    "project_graph",
    "publish",
    "publish_episodes",
    "record_transcript",
    "reject_take",
    "retake",
    "review_kind",
    "route_history",
    "scratch_runtime",
    "select_episodes",
    "shot_review",
    "open_workers",
    "qc_report",
    "status",
]

EXPORT_SUFFIXES = ("srt", "ass", "otio")
STEMS = ("dialogue", "music", "effects")
"""The episode's audio stems, published to exports/ as <episode>.<stem>.wav."""


@dataclass(frozen=True)
class EpisodeOutput:
    """What publishing one episode takes from a build: its episode node and each shot's segment, in cut order."""

    episode: Invocation
    segments: dict[str, Invocation]
    """Shot code -> the shot's edit.segment node, in the order the episode cuts them."""
    cuts: dict[str, Invocation] = field(default_factory=dict)
    """"<shot>|<next shot>" -> the qc.cut node judging that cut (the cuts inside a scene)."""


@dataclass(frozen=True)
class BuildGraph:
    """The nodes of one build, with the episode nodes to publish at the end."""

    nodes: list[Invocation]
    episodes: dict[str, Invocation]
    work: WorkPlan
    resources: dict[str, Any]
    cast: dict[str, tuple[str, str]]
    """Each speaking character's (provider, voice id) at a paid tier, for the bible to keep."""
    outputs: dict[str, EpisodeOutput] = field(default_factory=dict)
    """Each episode's id -> the nodes whose takes are published as its files."""


@dataclass(frozen=True)
class RouteHistory:
    """What routing paid work needs from the project's state, read once by the caller (route_history).

    Building the graph reads no state itself: `status` of a draft project reads none of this, and a
    paid project's is read once, through the folder the command already opened.
    """

    stats: RouteStats | None = None
    spent: float = 0.0
    """Everything the ledger holds, in the project's currency."""
    held: float = 0.0
    """The price of the paid jobs still in flight, not yet in the ledger."""
    running: dict[str, str] = field(default_factory=dict)
    """Each node ("step/entity") with a job still in flight -> that job's model."""
    made: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict)
    """(step, entity) -> (tier, model) of its latest take, for the tasks routed to paid tiers."""
    episode_spent: dict[str, float] = field(default_factory=dict)
    """Each episode with paid work -> what its entities spent (only with [routing] episode_budget)."""


def _layout_view(scene: Scene) -> dict:
    """The scene as layout sees it: who is where and who faces whom, never what is said."""
    shots = [
        shot.model_copy(update={"dialogue": [], "action": "", "duration": 1.0, "source": None})
        for shot in scene.shots
    ]
    return scene.model_copy(update={"shots": shots, "source": None, "synopsis": None, "transition_out": None}).model_dump(mode="json")


def _frame(project: Project) -> dict:
    return {"width": project.width, "height": project.height, "fps": project.fps, "language": project.language}


def build_graph(
    script: Script, bible: Bible, project: Project, *, settings: Settings | None = None, root: Path | None = None,
    catalogue: Catalogue | None = None, history: RouteHistory | None = None,
    directions: Mapping[str, Direction] | None = None, references: Mapping[str, Take] | None = None,
) -> BuildGraph:
    """Every node needed to render every episode of the script.

    At the draft tier nothing else is needed. Tasks at the standard or premium tier (Project.tier, or
    [routing] shot_tiers) are routed here for all assets at once before anything is spent: that needs the
    project's ``settings``, its folder ``root`` (the address the steps reach their models through) and
    its ``history`` (route_history: ledger, journal, earlier takes), read by the caller. Given all of
    them (and the ``catalogue``), building the graph reads nothing. A caller that passes ``root`` but no
    history has it read from the folder here, for scripts and tests that have no folder open.

    ``directions`` are the reviewers' (latest_directions: "keyframe:<shot>" or "clip:<shot>" -> Direction): the
    shot's picture or clip is made with the direction's seed, prompt and model, so a retake is a new node
    and a chosen take's node is the one that made it.

    ``references`` are the pictures uploaded for characters (character_references: id -> its newest upload take):
    a character's sheet drawn by an image model follows its upload as well as the bible's words. The draft sheet is
    drawn from the words alone, so at the draft tier an upload changes nothing.
    """
    settings = (settings or Settings(project=project)).model_copy(update={"project": project})
    catalogue = catalogue if catalogue is not None else project_catalogue(root)
    directions = dict(directions or {})
    items = _directed(_work_items(script, bible, settings, root), directions, catalogue)
    if history is None and root is not None and _paid(items):
        history = _history_at(Path(root), script, bible, settings, catalogue, items)
    work = _route(items, script, settings, catalogue, history, directions)
    resources: dict[str, Any] = {}
    if root is not None:
        resources["studio"] = StudioAddress(str(Path(root).resolve()), settings, catalogue)
    nodes: list[Invocation] = []
    views: dict[str, dict[str, Invocation]] = {}
    for character in bible.characters.values():
        route = work.route("sheet", character.id)
        upload = (references or {}).get(character.id)
        sheet = Invocation(
            step=CHARACTER_SHEET,
            entity=character.id,
            # neither the voice nor the approval is drawn: casting a voice or approving the sheet must not redraw it
            params={"character": character.model_dump(mode="json", exclude={"voice", "approved"}), **route.params()},
            deps={"reference": reference_node(upload)} if upload is not None and route.tier != "draft" else {},
        )
        views[character.id] = {panel: Invocation(step=SHEET_VIEW, entity=f"{character.id}:{panel}", params={"panel": panel},
                                                 deps={"sheet": sheet})
                               for panel in sheet_panels()}
        nodes += [sheet, *views[character.id].values()]
    plates = _plate_nodes(script, bible, project, nodes, work)
    cast = cast_voices(bible, work, catalogue)
    voice_ids = {cid: voice for cid, (_provider, voice) in cast.items()}
    library = None
    if settings.sound.library:
        library = Library.scan(Path(root or ".") / Path(settings.sound.library).expanduser())
    outputs: dict[str, EpisodeOutput] = {}
    paid_clips = any(route.tier != "draft" for key, route in work.routes.items() if key.startswith("clip:"))
    judge = judge_params(settings, catalogue) if paid_clips else None
    bought = _effect_nodes(work)
    nodes.extend(bought.values())
    for episode in script.episodes:
        outputs[episode.id] = _episode_nodes(episode, bible, project, nodes, work, views, voice_ids, plates,
                                             settings.qc, judge, directions, settings.sound, library, bought)
    return BuildGraph(nodes=nodes, episodes={eid: out.episode for eid, out in outputs.items()}, work=work,
                      resources=resources, cast=cast, outputs=outputs)


def _work_items(script: Script, bible: Bible, settings: Settings, root: Path | None = None,
                formats: Iterable[str] = ()) -> list[PlanItem]:
    """work_items with the sound each scene and shot would ask a model for (a bed per scene, each cue of a shot), and
    with ``formats`` ("16:9", "1:1") what delivering every episode in those frames may buy (delivery_items).

    What the project's [sound] library (under ``root``, as the build finds it) covers is no model's work: a scene whose
    bed a library file is, and a shot's cues its files match, are not asked for, so the plan does not price them."""
    from .providers.work import delivery_items

    library = Library.scan(Path(root or ".") / Path(settings.sound.library).expanduser()) if settings.sound.library else None
    sounds: dict[str, tuple[float, str]] = {}
    for episode in script.episodes:
        for scene in episode.scenes:
            if library is None or library.music(_scene_mood(scene), scene.time_of_day) is None:
                sounds[f"music:{scene.id}"] = (requested_seconds(None), episode.id)
            for code, cues in scene_cues(scene, _cast_names(episode, bible)).items():
                for cue in cues:
                    if library is None or library.effect(cue.sound) is None:
                        sounds.setdefault(f"effects:{effect_request(cue.sound, cue.word)}", (requested_seconds(cue.sound), episode.id))
    items = work_items(script, bible, settings, sounds=sounds)
    return [*items, *delivery_items(items, formats, settings)] if formats else items


def _scene_mood(scene: Scene) -> str:
    """The mood the sound department reads from the scene (the music's key and the library's match)."""
    return scene_mood(scene.heading, " ".join(shot.action for shot in scene.shots), scene.time_of_day)


def _cast_names(episode: Episode, bible: Bible) -> list[str]:
    """The names no capitalised sound word may be: the cast's, and every speaker's."""
    return [c.name for c in bible.characters.values()] + [line.speaker for shot in episode.shots() for line in shot.dialogue]


def _paid(items: Iterable[PlanItem]) -> bool:
    return any(item.tier != "draft" for item in items)


def plan_routes(
    script: Script, bible: Bible, settings: Settings, catalogue: Catalogue, history: RouteHistory | None = None,
    directions: Mapping[str, Direction] | None = None, *, root: Path | None = None, formats: Iterable[str] = (),
    episodes: Iterable[str] | None = None,
) -> WorkPlan:
    """Route every task of the build (providers/work.py); paid tasks keep the model that already made them.

    Pure: what the project's state says is in ``history`` (route_history), needed only when a task is paid. ``root``
    is where the [sound] library is found; ``formats`` the delivery frames to plan too (their reframes and repaints,
    within the same budget); ``episodes`` narrows the episodes' tasks to those named (what a deliver of them buys).
    """
    directions = dict(directions or {})
    items = _directed(_work_items(script, bible, settings, root, formats), directions, catalogue)
    if episodes is not None:
        chosen = set(episodes)
        items = [item for item in items if not item.episode or item.episode in chosen]
    return _route(items, script, settings, catalogue, history, directions)


def plan_build(script: Script, bible: Bible, settings: Settings, root: Path | None, catalogue: Catalogue,
               formats: Iterable[str] = ()) -> WorkPlan:
    """plan_routes with the history read from the project folder at ``root`` (opened and closed here) when a task is paid."""
    items = _work_items(script, bible, settings, root, formats)
    history = _history_at(Path(root), script, bible, settings, catalogue, items) if root is not None and _paid(items) else None
    return _route(items, script, settings, catalogue, history)


def _route(items: list[PlanItem], script: Script, settings: Settings, catalogue: Catalogue,
           history: RouteHistory | None, directions: Mapping[str, Direction] | None = None) -> WorkPlan:
    if not _paid(items):
        return plan_work(items, settings=settings, catalogue=catalogue)
    if history is None:
        raise ConfigError(
            f"tier {settings.project.tier} (or a [routing] shot_tiers entry) asks for paid models, "
            "but the build was given no project folder to route and budget them",
            hint="pass settings= and root= (or history=) to build_graph, or set [project] tier = 'draft'",
        )
    routing = settings.routing
    voiced = _lines_by_character(script)

    def pinned(key: str, item: PlanItem) -> str | None:
        kind, entity = key.split(":", 1)
        directed = (directions or {}).get(key)
        if directed is not None and directed.model:
            return directed.model  # a reviewer asked for this model
        step = _MADE_BY.get(kind)
        if step is None:
            return None
        for name in voiced.get(entity, []) if kind == "voice" else [entity]:
            running = history.running.get(f"{step}/{name}")
            if running is not None:
                return running
            tier, model = history.made.get((step, name), (None, None))
            if model is not None and tier == item.tier:
                return model
        return None

    return plan_work(
        items, settings=settings, catalogue=catalogue, stats=history.stats, spent=history.spent, held=history.held,
        pinned=pinned, episode_left=lambda ep: routing.episode_budget - history.episode_spent.get(ep, 0.0),
    )


def _lines_by_character(script: Script) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {}
    for line in script.lines():
        lines.setdefault(line.character, []).append(line.id)
    return lines


def route_history(folder: ProjectFolder, script: Script, bible: Bible, settings: Settings, catalogue: Catalogue,
                  directions: Mapping[str, Direction] | None = None, formats: Iterable[str] = ()) -> RouteHistory:
    """What routing the script's paid tasks needs from the project's state; a draft build reads nothing.

    ``directions`` (read by the caller) may ask a draft task for a paid model: then it is paid too. ``formats``: the
    delivery frames whose reframes and repaints are routed too."""
    items = _directed(_work_items(script, bible, settings, getattr(folder, "root", None), formats),
                      dict(directions or {}), catalogue)
    if not _paid(items):
        return RouteHistory()
    return _read_history(folder, script, settings, catalogue, items)


def _history_at(root: Path, script: Script, bible: Bible, settings: Settings, catalogue: Catalogue,
                items: list[PlanItem]) -> RouteHistory:
    folder = ProjectFolder.open(root)
    try:
        return _read_history(folder, script, settings, catalogue, items)
    finally:
        folder.close()


def _read_history(folder: ProjectFolder, script: Script, settings: Settings, catalogue: Catalogue,
                  items: list[PlanItem]) -> RouteHistory:
    from .providers.journal import Journal
    from .providers.ledger import Ledger

    db = folder.state
    ledger = Ledger(db)
    routing = settings.routing
    currency = settings.project.currency
    stats = ledger.stats(prior_passes=routing.prior_passes, prior_failures=routing.prior_failures,
                         failover_after=routing.failover_after, enabled_checks=enabled_checks(settings.qc.checks, judge=settings.qc.judge is not None))
    running = {job.node: job.model for job in Journal(db).jobs() if job.active}
    held = 0.0
    for model in running.values():
        entry = next((m for m in catalogue.models if m.id == model), None)
        if entry is not None and not entry.free:
            held += catalogue.quote(entry, currency=currency, seconds=entry.capabilities.max_duration or 5.0,
                                    width=720, height=1280).cost
    voiced = _lines_by_character(script)
    made: dict[tuple[str, str], tuple[Any, Any]] = {}
    for item in items:
        kind, entity = item.entity.split(":", 1)
        step = _MADE_BY.get(kind)
        if item.tier == "draft" or step is None:
            continue
        for name in voiced.get(entity, []) if kind == "voice" else [entity]:
            take = db.latest_take(step, name)
            if take is not None:
                # a reframe's take carries the master clip's data: its own model is under "reframe"
                data = take.data.get("reframe", take.data) if kind == "reframe" else take.data
                made[(step, name)] = (data.get("tier"), data.get("model"))
    episodes = sorted({item.episode for item in items if item.tier != "draft" and item.episode}) if routing.episode_budget else []
    return RouteHistory(
        stats=stats, spent=ledger.total(currency, catalogue=catalogue), held=held, running=running, made=made,
        episode_spent={ep: ledger.total(currency, entity_prefix=f"{ep}_", catalogue=catalogue) for ep in episodes},
    )


_MADE_BY = {"sheet": CHARACTER_SHEET.name, "plate": SET_PLATE.name, "keyframe": PAINTOVER.name, "clip": VIDEO.name,
            "voice": VOICE_LINE.name, "lipsync": LIPSYNC.name, "music": SOUND_MUSIC.name, "effects": SOUND_EFFECT.name,
            "reframe": REFRAME.name, "repaint": PAINTOVER.name}
"""The step whose take holds each kind of task, so a rebuild keeps the model that made it."""


def _episode_nodes(
    episode: Episode, bible: Bible, project: Project, nodes: list[Invocation], work: WorkPlan,
    views: dict[str, dict[str, Invocation]], voice_ids: dict[str, str], plates: dict[str, dict[str, Invocation]],
    qc: QcSettings, judge: dict[str, Any] | None = None, directions: Mapping[str, Direction] | None = None,
    sound: SoundSettings | None = None, library: Library | None = None, bought: Mapping[str, Invocation] | None = None,
) -> EpisodeOutput:
    sound = sound or SoundSettings()
    segments: dict[str, Invocation] = {}
    clips: dict[str, Invocation] = {}
    voices: dict[str, Invocation] = {}
    movements = episode_movements(episode.scenes, bible)
    directions = directions or {}
    drafts, pictures = _pictures(episode, bible, project, nodes, work, views, movements, plates, directions)
    shots = episode.shots()
    following = {shot.code: shots[i + 1].code for i, shot in enumerate(shots[:-1])}
    for scene in episode.scenes:
        for shot in scene.shots:
            keyframe, picture = drafts[shot.code], pictures[shot.code]
            line_nodes = {}
            for line in shot.dialogue:
                character = bible.characters.get(line.character)
                route = work.routes.get(f"voice:{line.character}") or DRAFT["speech"]
                voice = Invocation(
                    step=VOICE_LINE,
                    entity=line.id,
                    params={
                        "text": line.text,
                        "language": line.language,
                        "character": line.character,
                        # the cast is carried by voice_id alone: writing it into the bible re-voices nothing
                        "voice": character.voice.model_dump(mode="json", exclude={"cast"}) if character else None,
                        "gender": character.design.gender if character else "unspecified",
                        "fps": project.fps,
                        **route.params(),
                        **({"voice_id": voice_ids.get(line.character, "")} if route.tier != "draft" else {}),
                    },
                )
                voices[line.id] = voice
                line_nodes[f"line:{line.id}"] = voice
            route = work.route("clip", shot.code)
            directed = directions.get(f"clip:{shot.code}")
            if route.tier == "draft":
                clip = Invocation(
                    step=CLIP,
                    entity=shot.code,
                    params={"shot": _shot_timing_view(shot), "fps": project.fps, **route.params(), **_prompt(directed)},
                    deps={"keyframe": picture, **line_nodes},
                    seed=directed.seed if directed else 0,
                )
            else:
                deps = {"keyframe": picture, "draft_keyframe": keyframe, **line_nodes}
                if work.items[f"clip:{shot.code}"].needs.last_frame and shot.code in following:
                    deps["next_keyframe"] = pictures[following[shot.code]]
                resolution = work.items[f"clip:{shot.code}"].needs.resolution
                for casting in shot.casting:  # QC holds each character in the clip to their sheet
                    panels = views.get(casting.character)
                    if panels and casting.on_screen:
                        deps[f"sheet:{casting.character}"] = next(iter(panels.values())).deps["sheet"]
                clip = _video_clip_node(shot, route, bible, project, deps, resolution, qc, judge, directed)
                synced = work.routes.get(f"lipsync:{shot.code}")
                if synced is not None and synced.tier != "draft":
                    nodes.append(clip)
                    width, height = dimensions(resolution, project.aspect)
                    clip = Invocation(
                        step=LIPSYNC, entity=shot.code,
                        params={"shot": _shot_timing_view(shot), "width": width, "height": height, "fps": project.fps,
                                "checks": dict(qc.checks), **synced.params()},
                        deps={"clip": clip, **line_nodes}, model=synced.model,
                        label=f"animate.lipsync [{shot.code}] {synced.model}",
                    )
            segment = Invocation(
                step=SEGMENT,
                entity=shot.code,
                params={"language": project.language, "frame": _frame(project)},
                deps={"clip": clip, "keyframe": picture},
            )
            nodes.extend([*line_nodes.values(), clip, segment])
            clips[shot.code] = clip
            segments[shot.code] = segment
    music, effects = _sound_nodes(episode, bible, drafts, library, work, bought or {})
    nodes.extend([*music.values(), *effects.values()])
    order = [shot.code for shot in episode.shots()]
    edit = {
        "episode": episode.id,
        "title": episode.title,
        "shots": order,
        "scenes": {shot.code: scene.id for scene in episode.scenes for shot in scene.shots},
        "frame": _frame(project),
    }
    heard = {
        **{f"clip:{code}": clips[code] for code in order},
        **{f"line:{lid}": v for lid, v in voices.items()},
        **{f"music:{sid}": v for sid, v in music.items()},
        **{f"effects:{code}": v for code, v in effects.items()},
    }
    # the sound needs no pictures: it is mixed while the shots' segments encode
    mixed = Invocation(step=EDIT_MIX, entity=episode.id, params={**edit, "loudness": sound.loudness}, deps=heard)
    node = Invocation(step=EPISODE, entity=episode.id, params=edit,
                      deps={**{f"segment:{code}": segments[code] for code in order}, **heard, "mix": mixed})
    nodes.extend([mixed, node])
    cuts: dict[str, Invocation] = {}
    for scene in episode.scenes:
        for shot, following in zip(scene.shots, scene.shots[1:]):
            cut = Invocation(
                step=QC_CUT, entity=f"{shot.code}|{following.code}",
                params={"before": shot.code, "after": following.code, "fps": project.fps, "checks": dict(qc.checks)},
                deps={"before": segments[shot.code], "after": segments[following.code], "before_clip": clips[shot.code],
                      "before_keyframe": drafts[shot.code], "after_keyframe": drafts[following.code]},
            )
            cuts[cut.entity] = cut
    nodes.extend(cuts.values())
    return EpisodeOutput(episode=node, segments={code: segments[code] for code in order}, cuts=cuts)


def _effect_nodes(work: WorkPlan) -> dict[str, Invocation]:
    """The sound.effect node of each effect the plan routed to a model, by its request ("door:slams"): one for every
    shot of the project that asks for that sound in that word, so it is bought (and cached) once."""
    bought: dict[str, Invocation] = {}
    for key, route in sorted(work.routes.items()):
        kind, request = key.split(":", 1)
        if kind == "effects" and route.tier != "draft":
            sound, word = request.split(":", 1)
            bought[request] = Invocation(step=SOUND_EFFECT, entity=request,
                                         params={"sound": sound, "word": word, **route.params()})
    return bought


def _sound_nodes(
    episode: Episode, bible: Bible, drafts: dict[str, Invocation], library: Library | None, work: WorkPlan | None = None,
    bought: Mapping[str, Invocation] | None = None,
) -> tuple[dict[str, Invocation], dict[str, Invocation]]:
    """Each scene's sound.music node and the sound.effects node of each shot whose action calls for a sound.

    The cues and the mood are read from the script here (sound/cues.py), and the library's files matched to
    them here, named with their content's sha256: a changed file, or a changed action line, is a new key. A
    bed routed to a paid model carries its route (a new model is a new key) unless the library holds it; a cue
    routed to one, and not the library's, takes the ``bought`` effect of its request as an input."""
    names = _cast_names(episode, bible)
    routes = work.routes if work is not None else {}
    bought = bought or {}
    music: dict[str, Invocation] = {}
    effects: dict[str, Invocation] = {}
    for scene in episode.scenes:
        mood = scene_mood(scene.heading, " ".join(shot.action for shot in scene.shots), scene.time_of_day)
        chosen = library.music(mood, scene.time_of_day) if library else None
        route = routes.get(f"music:{scene.id}")
        music[scene.id] = Invocation(step=SOUND_MUSIC, entity=scene.id,
                                     params={"mood": mood, "library": chosen.param() if chosen else None,
                                             **(route.params() if route and not chosen else {})})
        for code, cues in scene_cues(scene, names).items():
            if not cues:
                continue
            shot = next(s for s in scene.shots if s.code == code)
            matched = {cue.sound: f for cue in cues if library and (f := library.effect(cue.sound))}
            asked = {request: bought[request] for cue in cues if cue.sound not in matched
                     and (request := effect_request(cue.sound, cue.word)) in bought}
            effects[code] = Invocation(
                step=SOUND_EFFECTS, entity=code,
                params={"cues": [cue.model_dump(mode="json") for cue in cues], "subject": shot.subject,
                        "library": {sound: f.param() for sound, f in matched.items()}},
                deps={"layout": drafts[code].deps["layout"], **{f"effect:{request}": n for request, n in asked.items()}},
            )
    return music, effects


def _pictures(
    episode: Episode, bible: Bible, project: Project, nodes: list[Invocation], work: WorkPlan,
    views: dict[str, dict[str, Invocation]], movements: dict, plates: dict[str, dict[str, Invocation]],
    directions: Mapping[str, Direction],
) -> tuple[dict[str, Invocation], dict[str, Invocation]]:
    """Each shot's layout and draft keyframe, and the picture its clip starts from: the paid keyframe where one is routed."""
    drafts: dict[str, Invocation] = {}
    pictures: dict[str, Invocation] = {}
    width, height = dimensions("720p", project.aspect)
    for scene in episode.scenes:
        layout_scene = _layout_view(scene)
        location = bible.locations.get(scene.location)
        everyone = set(scene_cast(scene)) | {c.character for shot in scene.shots for c in shot.casting}
        characters = {cid: bible.characters[cid].model_dump(mode="json", exclude={"voice"}) for cid in sorted(everyone)
                      if cid in bible.characters}
        for shot in scene.shots:
            cast = {c.character for c in shot.casting}
            layout = Invocation(
                step=LAYOUT_SHOT,
                entity=shot.code,
                params={
                    "shot": shot.code,
                    "scene": layout_scene,
                    "characters": characters,
                    "missing_characters": sorted(cid for cid in cast if cid not in bible.characters),
                    "location": location.model_dump(mode="json") if location else None,
                    "location_id": scene.location,
                    "movements": [m.model_dump(mode="json") for m in movements.get(shot.code, [])],
                    "frame": _frame(project),
                },
            )
            route = work.route("keyframe", shot.code)
            # a reviewer's direction goes to the picture the clip starts from: the draft keyframe, or the painting
            directed = directions.get(f"keyframe:{shot.code}")
            drawn = directed if route.tier == "draft" else None
            # the guide maps are drawn only for a shot whose picture or clip a model makes: its painting and
            # its QC read them; a draft shot's own checks need only the drawing and its layout
            guided = route.tier != "draft" or work.route("clip", shot.code).tier != "draft"
            keyframe = Invocation(step=KEYFRAME, entity=shot.code,
                                  params={"shot": shot.code, **(route if route.tier == "draft" else DRAFT["image"]).params(),
                                          "guides": guided, **_prompt(drawn)},
                                  deps={"layout": layout}, seed=drawn.seed if drawn else 0)
            nodes.extend([layout, keyframe])
            drafts[shot.code] = pictures[shot.code] = keyframe
            if route.tier == "draft":
                continue
            on_screen = sorted({c.character for c in shot.casting if c.on_screen and c.character in bible.characters})
            painted = Invocation(
                step=PAINTOVER,
                entity=shot.code,
                params={
                    "shot": shot.model_dump(mode="json", exclude={"source", "dialogue"}),
                    "cast": {cid: {"name": bible.characters[cid].name, "description": bible.characters[cid].description}
                             for cid in on_screen},
                    "style": project.style,
                    "width": width,
                    "height": height,
                    **route.params(),
                    **_prompt(directed),
                },
                # the layout picks each character's view when it runs: every view of the cast is at hand
                deps={"keyframe": keyframe,
                      **{f"view:{cid}:{panel}": node for cid in on_screen for panel, node in views[cid].items()
                         if panel.startswith("views/")},
                      **{f"plate:{spot}": node for spot, node in plates.get(scene.location, {}).items()}},
                model=route.model, seed=directed.seed if directed else 0,
                label=f"storyboard.paintover [{shot.code}] {route.model}",
            )
            nodes.append(painted)
            pictures[shot.code] = painted
    return drafts, pictures


def _plate_nodes(script: Script, bible: Bible, project: Project, nodes: list[Invocation],
                 work: WorkPlan) -> dict[str, dict[str, Invocation]]:
    """Each paid set plate, by location and camera spot: the set seen from the spot, then painted."""
    plates: dict[str, dict[str, Invocation]] = {}
    width, height = dimensions("720p", project.aspect)
    for key, route in sorted(work.routes.items()):
        kind, entity = key.split(":", 1)
        if kind != "plate" or route.tier == "draft":
            continue
        lid, spot = entity.split("@", 1)
        location = bible.locations[lid]
        view = Invocation(step=LAYOUT_SET_VIEW, entity=entity,
                          params={"location": location.model_dump(mode="json"), "spot": spot, "frame": _frame(project)})
        plate = Invocation(
            step=SET_PLATE, entity=entity,
            params={"spot": spot, "name": location.name, "description": location.description, "style": project.style,
                    "width": width, "height": height, **route.params()},
            deps={"view": view}, model=route.model, label=f"design.set_plate [{entity}] {route.model}",
        )
        nodes.extend([view, plate])
        plates.setdefault(lid, {})[spot] = plate
    return plates


def cast_voices(bible: Bible, work: WorkPlan, catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """Each speaking character's voice at the provider that voices them: the bible's cast where it names one, else
    one of the model's voices picked from the character (gender, language) the same way every time, so the
    voice stays the character's across episodes; `mangaline build` writes it into the bible."""
    chosen: dict[str, tuple[str, str]] = {}
    for key, route in work.routes.items():
        kind, cid = key.split(":", 1)
        character = bible.characters.get(cid)
        if kind != "voice" or route.tier == "draft" or character is None:
            continue
        named = character.voice.cast.get(route.provider) or character.voice.cast.get(route.model)
        if named:
            chosen[cid] = (route.provider, named)
            continue
        language = work.items[key].needs.language
        voices = [v for v in catalogue.model(route.model).voices if not v.languages or language in v.languages]
        fitting = [v for v in voices if v.gender == character.design.gender] or voices
        if fitting:
            digest = hashlib.sha256(cid.encode("utf-8")).digest()
            chosen[cid] = (route.provider, fitting[int.from_bytes(digest[:8], "big") % len(fitting)].id)
    return chosen


def keep_cast(bible: Bible, cast: dict[str, tuple[str, str]]) -> Bible:
    """The bible with each character's voice at each provider written in where it had none: cast once, kept."""
    characters = dict(bible.characters)
    for cid, (provider, voice) in cast.items():
        character = characters.get(cid)
        if character is None or provider in character.voice.cast:
            continue
        kept = character.voice.model_copy(update={"cast": {**character.voice.cast, provider: voice}})
        characters[cid] = character.model_copy(update={"voice": kept})
    return bible.model_copy(update={"characters": characters})


def _shot_timing_view(shot: Shot) -> dict:
    """What the clip needs of a shot: its move, planned length and the lines spoken in it."""
    return shot.model_dump(mode="json", exclude={"action", "source"})


@dataclass(frozen=True)
class Published:
    """An episode a build made, where people and editors find it."""

    episode: str
    files: dict[str, Path]
    """episode.mp4 in renders/, its exports (.srt, .ass, .otio, the stems <episode>.dialogue|music|effects.wav) and each
    shot's segment (shots/<code>.mp4)."""
    duration: float
    shots: int


def publish_episodes(folder: ProjectFolder, graph: BuildGraph, takes: Mapping[Any, Take]) -> list[Published]:
    """Copy every episode the build made (and its shots) from the object store to renders/ and exports/."""
    done = []
    for episode_id, output in graph.outputs.items():
        take = takes.get(output.episode.node)
        if take is None:
            continue
        files = {name: folder.objects.path(sha) for name, sha in take.components.items()}
        for code, segment in output.segments.items():
            files[f"shots/{code}.mp4"] = folder.objects.path(takes[segment.node].components["segment.mp4"])
        placed = publish(files, episode_id, folder.renders_dir, folder.exports_dir, record=folder.state_dir / PUBLISHED)
        done.append(Published(episode_id, placed, take.data["duration"], take.data["shots"]))
    return done


PUBLISHED = "published.json"
"""What each published file was copied from, with its size and time then: a file still so is not copied again."""


def _published(record: Path | None) -> dict[str, list]:
    if record is None:
        return {}
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every file is copied, and the record written afresh
    return known if isinstance(known, dict) else {}


def _publication(target: Path, source: Path, record: Path) -> tuple[str, list]:
    """The record's entry for ``target`` as it is now: its path from the project, the stored file it should be a
    copy of (by its name in the store, a digest), its size and modification time. Relative, so a copied project
    keeps its record."""
    stat = target.stat()
    return os.path.relpath(target, record.parent.parent), [source.parent.name + source.name, stat.st_size, stat.st_mtime_ns]


def _as_published(target: Path, source: Path, record: Path | None, known: dict[str, list]) -> bool:
    """Whether ``target`` is still the copy of ``source`` the record says it is (same size and modification time)."""
    if record is None:
        return False
    try:
        key, entry = _publication(target, source, record)
    except OSError:
        return False
    return known.get(key) == entry


def publish(take_components: dict[str, Path], episode_id: str, renders_dir: Path, exports_dir: Path, *,
            record: Path | None = None) -> dict[str, Path]:
    """Copy an episode take's files to renders/ and exports/ (atomically), where people and editors look.

    The names come from ids (the episode's, each shot's code): each target is checked to lie inside
    the folder it is meant for before anything is written. With a ``record``, a target that is still the
    copy of the same stored file (the sources are content-addressed) is left alone, so a rebuild that changed
    one shot copies that shot and the episode, not every shot again; a file someone edited or replaced is copied anew.
    """
    targets = {"episode.mp4": (renders_dir, renders_dir / f"{episode_id}.mp4")}
    targets.update({f"episode.{suffix}": (exports_dir, exports_dir / f"{episode_id}.{suffix}") for suffix in EXPORT_SUFFIXES})
    targets.update({f"{stem}.wav": (exports_dir, exports_dir / f"{episode_id}.{stem}.wav") for stem in STEMS})
    targets.update({name: (renders_dir, renders_dir / episode_id / name) for name in take_components if name.startswith("shots/")})
    placed = {name: inside(*targets[name]) for name in take_components if name in targets}
    known = _published(record)
    copied = False
    for name, target in placed.items():
        source = take_components[name]
        if _as_published(target, source, record, known):
            continue
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        if record is not None:
            key, known[key] = _publication(target, source, record)
        copied = True
    if record is not None and copied:
        write_text_atomic(record, json.dumps(known, sort_keys=True))
    return placed


@contextmanager
def scratch_runtime(llm: LlmSettings) -> Iterator[Runtime]:
    """The provider runtime of an LLM breakdown made before its project exists (`mangaline new`).

    `new` breaks the story down before it creates anything, so that bad input leaves no project behind,
    and there is no state database yet to journal the calls and book their cost in. They go to a temporary
    one, removed after: `new` books the breakdown's charges in the project's ledger once the project is
    made (record_transcript), so `mangaline cost` shows them, and nothing needs the journal afterwards (a
    stopped `new` leaves no project, so no breakdown to resume). The model is priced from the catalogue;
    one it does not list (a local server's) is booked at no cost, with its tokens in the charge.
    """
    from .providers.catalogue import Limits, ModelEntry, Price, load_catalogue
    from .providers.runtime import Runtime
    from .project.state import StateDB

    catalogue = load_catalogue()
    if not any(entry.id == llm.model for entry in catalogue.models):
        unlisted = ModelEntry(
            id=llm.model, provider=llm.provider, modality="text", tiers=["standard"], quality=0.5,
            price=Price(unit="free", amount=0.0, read_on=datetime.now(timezone.utc).date(),
                        source="not in the catalogue: its price is unknown, its tokens are recorded"),
            limits=Limits(concurrency=1),
        )
        catalogue = catalogue.model_copy(update={"models": [*catalogue.models, unlisted]})
    with tempfile.TemporaryDirectory(prefix="mangaline-breakdown-") as scratch:
        db = StateDB.for_folder(Path(scratch))
        runtime = Runtime(db, Path(scratch) / "results", catalogue=catalogue)
        try:
            yield runtime
        finally:
            runtime.close()
            db.close()


def record_transcript(folder: ProjectFolder, source_name: str, transcript: list[dict], llm: LlmSettings | None,
                      charges: Iterable[Charge] = ()) -> Take:
    """Keep everything the language model said during a breakdown, as a take of the breakdown step, and book
    what its calls cost in the project's ledger (``charges``: those a breakdown made before the project existed)."""
    from .providers.ledger import Ledger

    body = "\n".join(json.dumps(record, ensure_ascii=False, sort_keys=True) for record in transcript).encode("utf-8")
    sha = folder.objects.put_bytes(body)
    data = {"calls": len(transcript)}
    params_sha = hashlib.sha256(canonical_json({"source": source_name, "llm": llm.model_dump() if llm else None}).encode()).hexdigest()
    take = Take(
        id=uuid.uuid4().hex,
        step="breakdown.llm",
        entity=source_name,
        cache_key=hashlib.sha256(f"breakdown.llm:{params_sha}:{sha}".encode()).hexdigest(),
        data_version=data_version({"transcript.jsonl": sha}, data),
        components={"transcript.jsonl": sha},
        data=data,
        provenance=Provenance(
            step="breakdown.llm",
            code_version="1",
            params_sha256=params_sha,
            provider=llm.provider if llm else "llm",
            model=llm.model if llm else "unknown",
        ),
        created_at=datetime.now(timezone.utc),
    )
    ledger = Ledger(folder.state)
    for charge in charges:
        ledger.charge(charge)
    return folder.state.record_take(take)


def judge_params(settings: Settings, catalogue: Catalogue) -> dict[str, Any] | None:
    """[qc.judge] as a paid clip step's params: the model, its provider and how it is asked; None without a judge.

    The model must be a catalogue text model that reads images, served by a provider with a table in [providers].
    """
    judge = settings.qc.judge
    if judge is None:
        return None
    entry = next((m for m in catalogue.models if m.id == judge.model), None)
    if entry is None:
        raise ConfigError(f"[qc.judge] model {judge.model!r} is not in the catalogue",
                          hint="`mangaline models DIR` lists the models; a vision model is a text model with vision = true")
    if entry.modality.value != "text" or not entry.capabilities.vision:
        raise ConfigError(f"[qc.judge] model {judge.model!r} does not read images (a {entry.modality.value} model"
                          f"{'' if entry.modality.value != 'text' else ' without vision = true'} in the catalogue)",
                          hint="name a text model with capabilities.vision = true, e.g. gpt-4o-mini")
    if entry.provider not in settings.providers:
        raise ConfigError(f"[qc.judge] model {judge.model!r} is served by provider {entry.provider}, which has no "
                          f"[providers.{entry.provider}] table", hint=f"add [providers.{entry.provider}] with its api_key_env")
    return {**judge.model_dump(mode="json"), "provider": entry.provider}


def _video_clip_node(shot: Shot, route: Route, bible: Bible, project: Project, deps: dict[str, Invocation],
                     resolution: str = "720p", qc: QcSettings | None = None,
                     judge: dict[str, Any] | None = None, directed: Direction | None = None) -> Invocation:
    """A shot whose clip a video model makes: the chosen model is in the params, so the cache key holds it."""
    cast = {}
    for casting in shot.casting:
        character = bible.characters.get(casting.character)
        if character is not None:
            cast[character.id] = {"name": character.name, "description": character.description}
    return Invocation(
        step=VIDEO,
        entity=shot.code,
        params={
            "shot": shot.model_dump(mode="json", exclude={"source"}),
            "fps": project.fps,
            "frame": _frame(project),
            "tier": route.tier,
            "model": route.model,
            "provider": route.provider,
            "shot_type": shot.kind.value,
            "resolution": resolution,
            "cast": cast,
            "max_retakes": project.max_retakes,
            # the checks and their thresholds: changing them judges the takes again (the journal keeps what was bought)
            "qc": {"checks": dict((qc or QcSettings()).checks), "best_of": (qc or QcSettings()).best_of,
                   **({"judge": judge} if judge else {})},
            **_prompt(directed),
        },
        deps=deps,
        model=route.model,
        seed=directed.seed if directed else 0,
        label=f"animate.video [{shot.code}] {route.model}",
    )


# ------------------------------------------------------------------------------------------ the production API
# What the CLI and the studio call. Each function is given an open project folder (the caller holds the
# build lock where it writes), runs its nodes on the ``executor`` it is given (a LocalExecutor of its own
# when none: a Ray executor plugs in here), and returns what it did; printing is the caller's.

Progress = bool | Literal["always"]


def project_graph(
    folder: ProjectFolder, settings: Settings, *, bible: Bible | None = None, save_new_designs: bool = False
) -> tuple[Script, BuildGraph]:
    """The project's script and build graph: the bible as designed now, every task routed with the project's history.

    With ``save_new_designs`` the bible on disk gains what the build designed: characters or places added to
    the script by hand, and each voice's cast at the provider that voices it.
    """
    script = folder.load_script()
    bible = bible if bible is not None else folder.load_bible()
    designed = design_bible(script, existing=bible)
    catalogue = project_catalogue(folder.root)
    directions = latest_directions(folder)
    history = route_history(folder, script, designed, settings, catalogue, directions)
    graph = build_graph(script, designed, settings.project, settings=settings, root=folder.root, catalogue=catalogue,
                        history=history, directions=directions, references=character_references(folder))
    if save_new_designs:
        kept = keep_cast(designed, graph.cast)
        if kept != bible:
            folder.save_bible(kept)
    return script, graph


def plan_project(folder: ProjectFolder, settings: Settings, catalogue: Catalogue | None = None, *,
                 formats: Iterable[str] | None = None, episodes: Iterable[str] | None = None) -> WorkPlan:
    """The build's own routing of the project's script (`models` and `cost` show it), its history read once.

    With it, the deliveries' paid work (their reframes and repaints, in the same budget) in ``formats`` ("16:9"),
    by default the frames the project was delivered in before (delivered_formats); ``episodes`` narrows the
    episodes' tasks to those named. Raises BudgetExceeded when the whole does not fit, before anything is spent."""
    catalogue = catalogue if catalogue is not None else project_catalogue(folder.root)
    script = folder.load_script()
    bible = design_bible(script, existing=folder.load_bible())
    directions = latest_directions(folder)
    formats = delivered_formats(folder) if formats is None else list(formats)
    history = route_history(folder, script, bible, settings, catalogue, directions, formats)
    return plan_routes(script, bible, settings, catalogue, history, directions, root=folder.root, formats=formats,
                       episodes=episodes)


def delivered_formats(folder: ProjectFolder) -> list[str]:
    """The frames ("16:9", "1:1") the project's episodes were delivered in before, from its edit.delivery takes:
    what `cost`, `models` and `status` count as the project's deliveries when no --formats names them."""
    from .model.delivery import ASPECTS

    tags = {take.entity.rsplit("@", 1)[-1] for take in folder.state.takes(DELIVERY.name) if "@" in take.entity}
    return [name for name in ASPECTS if name.replace(":", "x") in tags]


RENDER_STEPS = tuple(step for step in (
    CHARACTER_SHEET, SHEET_VIEW, SET_PLATE, LAYOUT_SHOT, LAYOUT_SET_VIEW, VOICE_LINE, KEYFRAME, PAINTOVER, CLIP, VIDEO,
    LIPSYNC, SEGMENT, SOUND_MUSIC, SOUND_EFFECT, SOUND_EFFECTS, EDIT_MIX, EPISODE, QC_CUT) if step.kind == "cpu")
"""The line's rendering steps: what the build's worker processes run."""
STEP_MODULES = tuple(sorted({step.fn.__module__ for step in RENDER_STEPS}))
"""The modules of the line's rendering steps: what a warm worker has imported before its first step arrives."""


@dataclass(frozen=True)
class Workers:
    """The executor a build runs on, and what it lends every step beyond the studio (a cluster's gates)."""

    executor: Executor
    resources: dict[str, Any] = field(default_factory=dict)


@contextmanager
def open_workers(folder: ProjectFolder, settings: Settings, *, kind: Literal["local", "ray"] | None = None,
                 address: str | None = None, warm: bool = True) -> Iterator[Workers]:
    """The build's executor, as [build] asks (or ``kind`` and ``address``, the command line's), started now.

    Local: a process pool whose workers start and import the line's modules at once (``warm``), while the
    caller builds the graph. Ray: a private Ray on this machine, or the cluster at ``address``; a project
    whose objects or state a worker elsewhere cannot reach is refused before anything runs, and the
    project's provider limits and budget are held for every worker by one gate keeper on the cluster.
    """
    kind = kind or settings.build.executor
    address = address if address is not None else settings.build.ray_address
    if kind == "local":
        if address is not None:
            raise ConfigError(f"--address {address} names a Ray cluster, but the build runs on this machine's processes",
                              hint="add --executor ray, or leave --address out")
        with LocalExecutor(workers=settings.build.workers) as executor:
            if warm:
                executor.warm(STEP_MODULES)
            yield Workers(executor)
        return
    from .engine.ray_executor import RayExecutor
    from .providers.cluster import GatesAddress

    RayExecutor.check_reach(address, folder.objects_address, shared_state=settings.state.url is not None)
    executor = RayExecutor(address=address, workers=settings.build.workers)
    with executor:
        where = f"{folder.root}|{folder.state.url}"
        gates = GatesAddress(f"gates-{hashlib.sha256(where.encode('utf-8')).hexdigest()[:16]}")
        try:
            yield Workers(executor, {"gates": gates})
        finally:
            gates.open().close()


def _run(folder: ProjectFolder, nodes: list[Invocation], resources: Mapping[str, Any], executor: Executor | None, *,
         workers: int, progress: Progress = False, command: str, run: BuildRun | None = None) -> RunSummary:
    with ExitStack() as stack:
        if executor is None:
            executor = stack.enter_context(LocalExecutor(workers=workers))
        engine = stack.enter_context(Engine(folder, executor=executor, resources=resources))
        if run is not None:
            run.engine = engine
        return engine.run(nodes, progress=progress, command=command)


@dataclass(frozen=True)
class BuildPlan:
    """A build before it runs: the script, its graph, and the notes a person should read first."""

    script: Script
    graph: BuildGraph
    notes: list[str]
    """Characters marked approved by hand, whose design no approval locks yet."""

    @property
    def fallbacks(self) -> dict[str, str]:
        """Each paid task the draft model makes instead (task key -> why), by key."""
        return dict(sorted(self.graph.work.fallbacks.items()))


@dataclass
class BuildRun:
    """A build as it goes, for its caller to read: what the run finished so far, also after a stop."""

    engine: Engine | None = None

    @property
    def summary(self) -> RunSummary | None:
        return self.engine.last_run if self.engine is not None else None

    @property
    def finished(self) -> int:
        """Steps this run made (cached ones not counted): all kept, also when the build was stopped."""
        return self.summary.ran if self.summary is not None else 0


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the run, the episodes it published, and what a person should hear about."""

    summary: RunSummary
    published: list[Published]
    warnings: dict[str, int]
    """Each warning the build's takes carry -> how many takes carry it."""
    fallbacks: dict[str, str]
    notes: list[str]

    @property
    def failed(self) -> bool:
        return self.summary.failed > 0

    @property
    def disk_full(self) -> bool:
        """A step failed because the disk filled up: freeing space and building again goes on."""
        return any("[Errno 28]" in failure.error for failure in self.summary.failures)


def _reach(outputs: Iterable[EpisodeOutput]) -> set[tuple[str, str]]:
    """Every node the outputs' nodes need, themselves included."""
    seen: set[tuple[str, str]] = set()
    stack = [node for output in outputs for node in (output.episode, *output.segments.values(), *output.cuts.values())]
    while stack:
        node = stack.pop()
        if node.node not in seen:
            seen.add(node.node)
            stack.extend(node.deps.values())
    return seen


def select_episodes(graph: BuildGraph, episodes: Iterable[str]) -> BuildGraph:
    """The graph cut down to the named episodes (and what they need); an unknown id is an error naming those known."""
    wanted = list(dict.fromkeys(episodes))
    unknown = [episode for episode in wanted if episode not in graph.outputs]
    if unknown:
        known = ", ".join(graph.outputs) or "none"
        raise ProjectError(f"no episode {', '.join(unknown)} in the script", hint=f"episodes: {known}")
    outputs = {episode: graph.outputs[episode] for episode in wanted}
    return BuildGraph(nodes=[node for output in outputs.values() for node in (output.episode, *output.cuts.values())],
                      episodes={episode: graph.episodes[episode] for episode in wanted}, work=graph.work,
                      resources=graph.resources, cast=graph.cast, outputs=outputs)


def prepare_build(folder: ProjectFolder, settings: Settings) -> BuildPlan:
    """What a build does before it runs: approvals checked, the graph built and routed, new designs saved.

    An approved design edited by hand stops the build here (YamlEditError), before anything is drawn with it.
    """
    bible = folder.load_bible()
    notes = check_approvals(bible.characters, folder.state, folder.characters_dir)
    script, graph = project_graph(folder, settings, bible=bible, save_new_designs=True)
    return BuildPlan(script=script, graph=graph, notes=notes)


def build(
    folder: ProjectFolder, settings: Settings, *, executor: Executor | None = None, progress: Progress = False,
    command: str = "build", plan: BuildPlan | None = None, run: BuildRun | None = None,
    workers: Workers | None = None, episodes: Iterable[str] | None = None,
) -> BuildResult:
    """Build every episode (or those named in ``episodes``) and publish what was made to renders/ and exports/;
    failed steps are in the summary.

    ``plan`` is prepare_build's, when the caller has shown its notes already; ``run`` is filled in as the
    build starts, so a caller stopped part-way can say what was kept. The build runs on ``workers``
    (open_workers'), or on ``executor``, or on workers opened as [build] asks.
    """
    plan = plan if plan is not None else prepare_build(folder, settings)
    graph = plan.graph
    nodes = graph.nodes
    if episodes is not None:
        chosen = select_episodes(graph, episodes)
        # the chosen episodes' nodes, and the bible's (sheets, views, plates) that no episode alone needs
        others = _reach(output for episode, output in graph.outputs.items() if episode not in chosen.outputs)
        mine = _reach(chosen.outputs.values())
        nodes = [node for node in graph.nodes if node.node in mine or node.node not in others]
        graph = chosen
    with ExitStack() as stack:
        if workers is None and executor is None:
            workers = stack.enter_context(open_workers(folder, settings))
        if workers is not None:
            executor = workers.executor
        resources = {**graph.resources, **(workers.resources if workers is not None else {})}
        summary = _run(folder, nodes, resources, executor, workers=settings.build.workers,
                       progress=progress, command=command, run=run)
    published = publish_episodes(folder, graph, summary.takes)
    warnings = Counter(warning for take in summary.takes.values() for warning in take.provenance.warnings)
    return BuildResult(summary=summary, published=published, warnings=dict(warnings), fallbacks=plan.fallbacks,
                       notes=list(plan.notes))


@dataclass(frozen=True)
class Approval:
    """A character's approval given or taken back."""

    character: str
    version: int
    approved: bool
    take: Take | None = None
    """Approving: the turnaround take now locked as the character's reference."""
    released: int = 0
    """Taking back: how many locked takes became neutral."""


def approve(
    folder: ProjectFolder, settings: Settings, character: str, *, unapprove: bool = False,
    executor: Executor | None = None, command: str | None = None,
) -> Approval:
    """Lock a character's design on its turnaround take (drawn now if missing), or with ``unapprove`` release it."""
    bible = folder.load_bible()
    if character not in bible.characters:
        known = ", ".join(sorted(bible.characters)) or "none"
        raise ProjectError(f"no character {character!r} in {folder.characters_dir}", hint=f"known characters: {known}")
    current = bible.characters[character]
    if unapprove:
        bible.characters[character] = current.model_copy(update={"approved": False})
        folder.save_bible(bible)
        return Approval(character, current.version, approved=False, released=unlock_design(folder.state, character))
    chosen = current.model_copy(update={"approved": True})
    bible.characters[character] = chosen
    # Reuse (or make) the very sheet node the build uses, routed as the build routes it, then lock it,
    # before the YAML says approved: the sheet a person looked at is the one locked, not bought again.
    # No episodes: only the bible's nodes are routed and priced.
    script = folder.load_script().model_copy(update={"episodes": []})
    catalogue = project_catalogue(folder.root)
    sheets = build_graph(script, bible, settings.project, settings=settings, root=folder.root, catalogue=catalogue,
                         history=route_history(folder, script, bible, settings, catalogue),
                         references=character_references(folder))
    node = next(n for n in sheets.nodes if n.step.name == CHARACTER_SHEET.name and n.entity == character)
    summary = _run(folder, [node], sheets.resources, executor, workers=1,
                   command=command or f"approve --character {character}")
    take = summary.takes.get(node.node)
    if take is None:
        raise MangalineError(f"the turnaround of {character} could not be drawn",
                             hint="; ".join(str(f) for f in summary.failures) or None)
    locked = lock_design(folder.state, chosen, take)
    folder.save_bible(bible)
    return Approval(character, chosen.version, approved=True, take=locked)


@dataclass(frozen=True)
class ExportResult:
    """Files an export wrote, and the folder they are in."""

    folder: Path
    files: list[Path]

    @property
    def count(self) -> int:
        return len(self.files)


def export_layouts(
    folder: ProjectFolder, settings: Settings, *, executor: Executor | None = None, command: str = "export --layout",
) -> ExportResult:
    """exports/layout/<shot>.json from each shot's `layout.shot` take: the very layout the build draws from
    (made now where it is missing): camera, characters and set pieces."""
    _script, graph = project_graph(folder, settings)
    nodes = [n for n in graph.nodes if n.step.name == LAYOUT_SHOT.name]
    summary = _run(folder, nodes, graph.resources, executor, workers=1, command=command)
    if summary.failures:
        raise MangalineError(f"{len(summary.failures)} shot(s) could not be laid out: {summary.failures[0]}",
                             hint="fix the shot the error names, then export again")
    target = folder.inside(folder.exports_dir / "layout")
    target.mkdir(parents=True, exist_ok=True)
    files = []
    for node in nodes:
        shot_layout = ShotLayout.model_validate(summary.takes[node.node].data)
        path = folder.inside(target / f"{shot_layout.shot}.json")
        write_text_atomic(path, json.dumps(shot_layout.export(), indent=2, ensure_ascii=False))
        files.append(path)
    return ExportResult(folder=target, files=files)


def export_editors(folder: ProjectFolder, formats: list[str], *, episodes: list[str] | None = None) -> list[ExportResult]:
    """exports/<episode>/ for an editor (the formats of `edit.exports.FORMATS`), from what the last build published:
    exports/<episode>.otio, the shots' segments under renders/<episode>/shots/ and the audio. The audio is each stem
    published as exports/<episode>.<stem>.wav (dialogue, music, effects), or else the episode MP4's mix, kept as renders/<episode>/dialogue.wav.
    Every episode built, or those named; reads no state, runs no step."""
    import opentimelineio as otio

    from .edit.exports import EpisodeMedia, extract_dialogue, parse_formats, write_exports

    formats = parse_formats(",".join(formats))
    built = sorted(path.stem for path in folder.exports_dir.glob("*.otio") if (folder.renders_dir / f"{path.stem}.mp4").is_file())
    if episodes is None and not built:
        raise ProjectError(f"no episode of {folder.root} is built yet", hint=f"run `mangaline build {folder.root}` first")
    results = []
    for episode in episodes if episodes is not None else built:
        timeline_path = folder.inside(folder.exports_dir / f"{episode}.otio")
        episode_mp4 = folder.inside(folder.renders_dir / f"{episode}.mp4")
        if not timeline_path.is_file() or not episode_mp4.is_file():
            raise ProjectError(f"episode {episode!r} is not built yet: no {timeline_path.name} in {folder.exports_dir}",
                               hint=f"run `mangaline build {folder.root} --episodes {episode}` first; built: {', '.join(built) or 'none'}")
        timeline = otio.adapters.read_from_file(str(timeline_path), adapter_name="otio_json")
        shots = folder.inside(folder.renders_dir / episode / "shots")
        segments = {clip.name: folder.inside(shots / f"{clip.name}.mp4") for clip in timeline.video_tracks()[0].find_clips()}
        stems = {stem: folder.inside(folder.exports_dir / f"{episode}.{stem}.wav") for stem in STEMS}
        audio = {stem.capitalize(): path for stem, path in stems.items() if path.is_file()}
        if not audio:
            audio = {"Dialogue mix": extract_dialogue(episode_mp4, folder.inside(folder.renders_dir / episode / "dialogue.wav"))}
        target = folder.inside(folder.exports_dir / episode)
        written = write_exports(EpisodeMedia(episode=episode, timeline=timeline, segments=segments, audio=audio), target, formats)
        results.append(ExportResult(folder=target, files=list(written.values())))
    return results


__all__ += ["export_editors"]


@dataclass(frozen=True)
class NodeReport:
    """Where one step of one entity stands, and why: FRESH, STALE, MISSING, or FLAGGED for a person to look at."""

    step: str
    entity: str
    state: str
    cause: str


def status(folder: ProjectFolder, settings: Settings, formats: Iterable[str] | None = None) -> list[NodeReport]:
    """Every node of the build as it stands, read-only: nothing runs, nothing is written (safe during a build).

    With them, the deliveries' nodes (each shot's "<shot>@16x9" nodes and edit.delivery "<episode>@16x9") in
    ``formats``, by default the frames the project was delivered in before (delivered_formats).

    FLAGGED: failed in the last run, made by the draft model in place of a paid one, or standing in the edit
    though no take passed QC.
    """
    script, graph = project_graph(folder, settings)
    formats = delivered_formats(folder) if formats is None else parse_aspects(",".join(formats))
    deliveries = _delivery_nodes(folder, settings, script, graph, formats) if formats else []
    # an executor only to satisfy the engine: status runs nothing, and starts no worker
    with Engine(folder, executor=LocalExecutor(workers=1)) as engine:
        nodes = engine.status([*graph.nodes, *deliveries])
    state = folder.state
    runs = state.runs()
    flagged = {(e.step, e.entity): e.error for e in state.events(runs[-1].id, event="failed")} if runs else {}
    reports = []
    for node in nodes:
        where, cause = node.state.name, node.cause
        if (node.step, node.entity) in flagged and where != "FRESH":
            where, cause = "FLAGGED", f"failed in the last build: {flagged[(node.step, node.entity)]}"
        elif where == "FRESH" and node.take_id is not None:
            data = state.take(node.take_id).data
            if data.get("fallback"):
                where, cause = "FLAGGED", f"made by the draft model: {data['fallback']}"
            elif data.get("flagged"):
                where, cause = "FLAGGED", f"QC: {data['flagged']}"
        reports.append(NodeReport(step=node.step, entity=node.entity, state=where, cause=cause))
    return reports


def _delivery_nodes(folder: ProjectFolder, settings: Settings, script: Script, graph: BuildGraph,
                    formats: list[str]) -> list[Invocation]:
    """The edit.delivery node of every episode in each frame, as deliver would run them (for status): a frame whose
    bought clips no configured model can reframe, or that the budget cannot hold, is left out."""
    project = settings.project
    aspects = [aspect_frame(name, project.width, project.height) for name in formats]
    try:
        reframes = _reframes(plan_project(folder, settings, formats=formats)) if _bought(graph) else {}
    except MangalineError:
        reframes = {}
    by_id = {episode.id: episode for episode in script.episodes}
    nodes = []
    for eid, output in graph.outputs.items():
        for aspect in aspects:
            try:
                nodes.append(delivery_node(by_id[eid], output, project, aspect, series=script.title, reframes=reframes,
                                           qc=settings.qc))
            except ProjectError:
                continue
    return nodes


def _bought(graph: BuildGraph, kinds: tuple[str, ...] = ("clip:",)) -> bool:
    """Whether a model makes any of the build's tasks of ``kinds`` (its clips, by default)."""
    return any(route.provider != "draft" for key, route in graph.work.routes.items() if key.startswith(kinds))


def _reframes(work: WorkPlan) -> dict[str, Route]:
    """The plan's reframe routes by the delivery shot they make ("<shot>@16x9")."""
    return {key.split(":", 1)[1]: route for key, route in work.routes.items() if key.startswith("reframe:")}


@dataclass(frozen=True)
class ShotQc:
    """What QC made of one shot: its state, each take bought (model, seed, scores, reasons) and every decision."""

    shot: str
    state: str  # passed, retaken, flagged, draft (drawn from its layout, not judged), missing or stale
    model: str | None = None
    takes: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    flagged: str = ""
    cost: float = 0.0


@dataclass(frozen=True)
class CutQc:
    """The cut checks' verdicts on one cut inside a scene."""

    before: str
    after: str
    state: str  # passed, flagged, missing or stale
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    flagged: str = ""


@dataclass(frozen=True)
class QcView:
    """`mangaline qc`: every shot's takes and every cut, and the checks' pass rates per model and shot type."""

    shots: list[ShotQc]
    cuts: list[CutQc]
    check_rates: list[dict[str, Any]]

    @property
    def flagged(self) -> list[str]:
        return [s.shot for s in self.shots if s.state == "flagged"] + [f"{c.before}|{c.after}" for c in self.cuts
                                                                        if c.state == "flagged"]


def qc_report(folder: ProjectFolder, settings: Settings) -> QcView:
    """QC's record of the project as it stands, read-only (safe during a build)."""
    from .providers.ledger import Ledger

    _script, graph = project_graph(folder, settings)
    with Engine(folder, executor=LocalExecutor(workers=1)) as engine:
        nodes = {(n.step, n.entity): n for n in engine.status(graph.nodes)}
    state = folder.state
    shots: list[ShotQc] = []
    cuts: list[CutQc] = []
    for output in graph.outputs.values():
        clips = {dep.entity: dep for name, dep in output.episode.deps.items() if name.startswith("clip:")}
        for code in output.segments:
            clip = clips[code]
            node = nodes.get(clip.node)
            # a lip-synced clip stands on the video model's take: its QC record is there
            if clip.step.name == LIPSYNC.name:
                clip = clip.deps["clip"]
                node = nodes.get(clip.node)
            if node is None or node.take_id is None or node.state is not Freshness.FRESH:
                shots.append(ShotQc(shot=code, state="missing" if node is None or node.take_id is None else "stale"))
                continue
            take = state.take(node.take_id)
            data = take.data if take is not None else {}
            if clip.step.name != VIDEO.name or data.get("fallback"):
                reason = f"made by the draft model: {data['fallback']}" if data.get("fallback") else ""
                shots.append(ShotQc(shot=code, state="flagged" if reason else "draft", model=take.provenance.model
                                    if take else None, flagged=reason, takes=list(data.get("takes", []))))
                continue
            judged = {j["take"]: j for j in data.get("judged", [])}
            takes = [{**t, **({"verdicts": judged[i]["verdicts"], "score": judged[i]["score"]} if i in judged else {}),
                      "chosen": i == data.get("chosen")} for i, t in enumerate(data.get("takes", []))]
            if data.get("flagged"):
                where = "flagged"
            else:
                where = "retaken" if len(takes) > 1 else "passed"
            shots.append(ShotQc(shot=code, state=where, model=data.get("made_by"), takes=takes,
                                decisions=list(data.get("decisions", [])), flagged=data.get("flagged", ""),
                                cost=round(sum(t.get("cost", 0.0) for t in takes), 6)))
        for cut in output.cuts.values():
            node = nodes.get(cut.node)
            before, after = cut.params["before"], cut.params["after"]
            if node is None or node.take_id is None or node.state is not Freshness.FRESH:
                cuts.append(CutQc(before, after, "missing" if node is None or node.take_id is None else "stale"))
                continue
            data = state.take(node.take_id).data
            cuts.append(CutQc(before, after, "flagged" if data.get("flagged") else "passed",
                              verdicts=list(data.get("verdicts", [])), flagged=data.get("flagged", "")))
    rates = [{"model": model, "check": check, "shot_type": shot_type, "judged": judged, "failed": failed,
              "pass_rate": round(1 - failed / judged, 4)}
             for (model, check, shot_type), (judged, failed) in Ledger(state).check_rates().items()]
    return QcView(shots=shots, cuts=cuts, check_rates=rates)


# ------------------------------------------------------------------------------------------ review
# What reviewers do, from the studio or the command line: notes on takes, approvals and rejections, retakes with
# a new seed, an edited prompt or another model, the choice of a take, an edited line. Notes and directions are
# appended, never edited in place, so two reviewers at once lose nothing; the next build reads the newest
# direction of each shot's keyframe and clip and makes (or finds in the cache) the take it asks for.

REVIEW_STEPS: dict[str, tuple[str, ...]] = {"keyframe": (KEYFRAME.name, PAINTOVER.name), "clip": (CLIP.name, VIDEO.name)}
"""Each reviewable task of a shot -> the steps whose takes it has (the draft's, the paid model's)."""
_MODALITY = {"keyframe": "image", "clip": "video"}
_TASK_TYPE = {"keyframe": TaskType.STORYBOARD, "clip": TaskType.ANIMATE}
_TEXT_LIMIT = 10_000
_PROMPT_LIMIT = 4_000


def review_kind(step: str) -> str | None:
    """The reviewable task a step's takes belong to (keyframe or clip), or None."""
    return next((kind for kind, steps in REVIEW_STEPS.items() if step in steps), None)


def _prompt(directed: Direction | None) -> dict[str, str]:
    return {"prompt": directed.prompt} if directed is not None and directed.prompt else {}


def _directed(items: list[PlanItem], directions: Mapping[str, Direction], catalogue: Catalogue) -> list[PlanItem]:
    """The work items with each task a reviewer asked another model for moved to that model's tier."""
    if not any(d.model for d in directions.values()):
        return items
    known = {entry.id: entry for entry in catalogue.models}
    moved = []
    for item in items:
        directed = directions.get(item.entity)
        entry = known.get(directed.model) if directed is not None and directed.model else None
        if entry is not None:
            tiers = [str(t) for t in entry.tiers]
            tier = "draft" if "draft" in tiers else (item.tier if item.tier in tiers else tiers[0])
            item = replace(item, tier=tier)
        moved.append(item)
    return moved


def latest_directions(folder: ProjectFolder) -> dict[str, Direction]:
    """The direction that holds for each reviewed task ("keyframe:<shot>", "clip:<shot>"): the newest given."""
    return {f"{d.kind}:{d.shot}": d for d in folder.state.directions()}


def active_take(takes: Iterable[Take], direction: Direction | None) -> Take | None:
    """Of one task's takes, the one its direction asks for (none: the first seed, the route's model): the newest
    made with the direction's seed, prompt and model. The build makes that one when it is missing or stale."""
    seed = direction.seed if direction is not None else 0
    prompt = direction.prompt if direction is not None else None
    model = direction.model if direction is not None else None
    fitting = [t for t in takes if t.provenance.seed == seed and t.data.get("prompt") == prompt
               and (model is None or t.data.get("model") == model)]
    return max(fitting, key=lambda t: t.created_at, default=None)


def active_takes(folder: ProjectFolder, kind: str = "keyframe") -> dict[str, Take]:
    """Each shot's active take of a task (keyframe or clip), by shot code: one query per step, for a whole storyboard."""
    directions = latest_directions(folder)
    by_shot: dict[str, list[Take]] = {}
    for step in REVIEW_STEPS[kind]:
        for take in folder.state.takes(step):
            by_shot.setdefault(take.entity, []).append(take)
    chosen = {shot: active_take(takes, directions.get(f"{kind}:{shot}")) for shot, takes in by_shot.items()}
    return {shot: take for shot, take in chosen.items() if take is not None}


@dataclass(frozen=True)
class TaskReview:
    """One reviewable task of a shot (its keyframe or its clip): every take, the active one, and the direction."""

    kind: str
    takes: list[Take]
    """Oldest first."""
    active: Take | None
    direction: Direction | None
    notes: dict[str, list[Note]]
    """Take id -> its notes, oldest first."""


@dataclass(frozen=True)
class ShotReview:
    """What the studio's shot page shows: the shot, its keyframe and clip takes, its segments."""

    shot: Shot
    episode: str
    scene: str
    tasks: dict[str, TaskReview]
    segment: Take | None
    """The shot's newest edit.segment take (its picture and sound as the edit cuts them)."""


def _find_shot(script: Script, code: str) -> tuple[Episode, Scene, Shot]:
    for episode in script.episodes:
        for scene in episode.scenes:
            for shot in scene.shots:
                if shot.code == code:
                    return episode, scene, shot
    raise ProjectError(f"no shot {code!r} in the script", hint="shot codes look like ep01_sc01_sh010; `mangaline breakdown DIR` lists them")


def shot_review(folder: ProjectFolder, code: str) -> ShotReview:
    """A shot's takes for review, read-only."""
    episode, scene, shot = _find_shot(folder.load_script(), code)
    state = folder.state
    directions = latest_directions(folder)
    notes: dict[str, list[Note]] = {}
    tasks = {}
    for kind, steps in REVIEW_STEPS.items():
        takes = sorted((t for step in steps for t in state.takes(step, code)), key=lambda t: t.created_at)
        for take in takes:
            notes[take.id] = state.notes(take.id)
        direction = directions.get(f"{kind}:{code}")
        tasks[kind] = TaskReview(kind, takes, active_take(takes, direction), direction,
                                 {t.id: notes[t.id] for t in takes})
    return ShotReview(shot=shot, episode=episode.id, scene=scene.id, tasks=tasks, segment=state.latest_take(SEGMENT.name, code))


def _take(folder: ProjectFolder, take_id: str) -> Take:
    take = folder.state.take(take_id)
    if take is None:
        raise ProjectError(f"no take {take_id!r} in the project", hint="the studio's shot page and `mangaline qc DIR` show take ids")
    return take


def _words(text: str, what: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise MangalineError(f"{what} is empty", hint=f"write the {what}")
    if len(text) > limit:
        raise MangalineError(f"{what} is {len(text)} characters long; at most {limit}")
    return text


def _author(author: str) -> str:
    return _words(author, "the author's name", 128)


def add_note(folder: ProjectFolder, take_id: str, text: str, *, author: str = "studio", retake: bool = False) -> Note:
    """Append a reviewer's note to a take (``retake``: the note asks for one)."""
    _take(folder, take_id)
    note = Note(take_id=take_id, author=_author(author), text=_words(text, "the note", _TEXT_LIMIT), retake=retake,
                created_at=datetime.now(timezone.utc))
    folder.state.add_note(note)
    return note


def _task_status(folder: ProjectFolder, take: Take, status: TaskStatus) -> None:
    kind = review_kind(take.step)
    if kind is not None:
        folder.state.set_task(Task(task_type=_TASK_TYPE[kind], entity=take.entity, status=status))


def reject_take(folder: ProjectFolder, take_id: str, note: str, *, author: str = "studio") -> Note:
    """Reject a take, saying why: the build never uses it again (its node fails until a retake gives it a new seed,
    prompt or model), and the shot's task waits for a retake."""
    take = _take(folder, take_id)
    said = add_note(folder, take_id, note, author=author, retake=True)
    folder.state.set_validation(take.id, Validation.REJECTED)
    _task_status(folder, take, RETAKE)
    return said


def approve_take(folder: ProjectFolder, take_id: str, *, author: str = "studio", note: str | None = None) -> Take:
    """Approve a take: validated, made the shot's active take of its task (chosen), and the task done."""
    take = _take(folder, take_id)
    if note:
        add_note(folder, take_id, note, author=author)
    folder.state.set_validation(take.id, Validation.VALIDATED)
    if review_kind(take.step) is not None:
        choose_take(folder, take_id, author=author)
    _task_status(folder, take, DONE)
    return take.model_copy(update={"validation": Validation.VALIDATED})


def choose_take(folder: ProjectFolder, take_id: str, *, author: str = "studio") -> Direction:
    """Make a take the active one of its shot's keyframe or clip: the build asks for its seed, prompt and model
    again, so it finds this very take in the cache (or, inputs changed since, makes it again so)."""
    take = _take(folder, take_id)
    kind = review_kind(take.step)
    if kind is None:
        raise ProjectError(f"take {take_id} is a {take.step} take: only a shot's keyframe or clip takes are chosen")
    if take.validation is Validation.REJECTED:
        raise ProjectError(f"take {take_id} was rejected", hint="approve it to use it again")
    direction = Direction(kind=kind, shot=take.entity, seed=take.provenance.seed, prompt=take.data.get("prompt"),
                          model=take.data.get("model"), take_id=take.id, reason="choose", author=_author(author),
                          created_at=datetime.now(timezone.utc))
    folder.state.add_direction(direction)
    return direction


def retake(
    folder: ProjectFolder, settings: Settings, shot: str, *, kind: str = "keyframe", prompt: str | None = None,
    model: str | None = None, note: str | None = None, author: str = "studio",
) -> Direction:
    """Ask for a retake of a shot's keyframe or clip: a new seed, and an edited prompt and/or another model if given.

    Recorded as a direction; the next build makes the new take (and re-cuts what stands on it). ``model`` must be
    a catalogue model of the task's kind (image or video) whose provider is configured, or a draft model.
    """
    if kind not in REVIEW_STEPS:
        raise MangalineError(f"a retake is of a shot's keyframe or clip, not {kind!r}")
    _find_shot(folder.load_script(), shot)
    author = _author(author)
    prompt = _words(prompt, "the prompt", _PROMPT_LIMIT) if prompt is not None and prompt.strip() else None
    if model:
        from .providers.work import available_providers

        entry = project_catalogue(folder.root).model(model)
        if entry.modality.value != _MODALITY[kind]:
            raise ConfigError(f"model {model!r} is a {entry.modality.value} model; a {kind} needs a {_MODALITY[kind]} model",
                              hint="`mangaline models DIR` lists the models")
        if entry.provider != "draft" and entry.provider not in available_providers(settings):
            raise ConfigError(f"model {model!r} is served by provider {entry.provider}, which is not configured here",
                              hint=f"add [providers.{entry.provider}] with its api_key_env to mangaline.toml")
    state = folder.state
    takes = [t for step in REVIEW_STEPS[kind] for t in state.takes(step, shot)]
    earlier = [d for d in state.directions(shot) if d.kind == kind]
    seed = max([t.provenance.seed for t in takes] + [d.seed for d in earlier] + [0]) + 1
    current = active_take(takes, earlier[-1] if earlier else None)
    if note and current is not None:
        add_note(folder, current.id, note, author=author, retake=True)
    direction = Direction(kind=kind, shot=shot, seed=seed, prompt=prompt, model=model or None,
                          take_id=current.id if current is not None else None, reason="retake", author=author,
                          created_at=datetime.now(timezone.utc))
    state.add_direction(direction)
    state.set_task(Task(task_type=_TASK_TYPE[kind], entity=shot, status=RETAKE))
    return direction


def edit_line(folder: ProjectFolder, line_id: str, text: str, *, expected: str | None = None) -> DialogueLine:
    """Change what a dialogue line says, in script/ (the next build re-voices it and re-cuts its shot).

    ``expected`` is the text the editor saw: when the line says something else now (another editor got there
    first) nothing is written and the error says what it says now. Edits are made one at a time under a lock.
    """
    text = _words(text, "the line", _TEXT_LIMIT)
    with _script_lock(folder):
        script = folder.load_script()
        plain = script.model_dump(mode="json")
        found = None
        for episode in plain["episodes"]:
            for scene in episode["scenes"]:
                for shot in scene["shots"]:
                    for line in shot["dialogue"]:
                        if line["id"] == line_id:
                            found = line
        if found is None:
            raise ProjectError(f"no line {line_id!r} in the script")
        if expected is not None and found["text"] != expected:
            raise ProjectError(f"line {line_id} was changed meanwhile; it now says {found['text']!r}",
                               hint="reload, then edit the line as it stands")
        found["text"] = text
        edited = Script.model_validate(plain)
        folder.save_script(edited)
    return next(line for line in edited.lines() if line.id == line_id)


@contextmanager
def _script_lock(folder: ProjectFolder) -> Iterator[None]:
    import fcntl

    folder.state_dir.mkdir(parents=True, exist_ok=True)
    with open(folder.state_dir / "script.lock", "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# ------------------------------------------------------------------------------------ uploaded references

REFERENCE_STEPS: dict[str, str] = {"character": "reference.character", "set": "reference.set", "shot": "reference.shot"}
"""What a reference image may be uploaded for -> the step its takes are recorded under (the entity is the id)."""


def _uploaded_elsewhere(ctx: StepContext) -> StepOutput:
    raise ctx.fail(f"the reference picture uploaded for {ctx.entity} (object {str(ctx.params.get('image'))[:12]}) is "
                   "not among this project's takes any more; upload it again (the studio's bible page, or "
                   f"POST /characters/{ctx.entity}/references)")


_REFERENCE_CODE_VERSION = "1"
REFERENCE_UPLOADS: dict[str, Step] = {
    target: Step(name=name, version=_REFERENCE_CODE_VERSION, fn=_uploaded_elsewhere, kind="io", retries=0)
    for target, name in REFERENCE_STEPS.items()}
"""The steps an upload is a take of. Nothing runs them: an upload is recorded under the very key the build's
node for it looks up (its target, entity and picture), so the node is settled by the upload; were the take gone,
the step says to upload again."""
_UPLOAD_MODEL = "upload"


def _reference_invocation(target: str, entity: str, image: str) -> Invocation:
    return Invocation(step=REFERENCE_UPLOADS[target], entity=entity,
                      params={"target": target, "entity": entity, "image": image}, model=_UPLOAD_MODEL, seed=0)


def reference_node(take: Take) -> Invocation:
    """The build's node for an uploaded reference take: settled by that take, as its key is the take's."""
    return _reference_invocation(take.step.removeprefix("reference."), take.entity, next(iter(take.components.values())))
REFERENCE_MAX_BYTES = 20 * 1024 * 1024
"""The largest upload read: a reference is a picture to look at, not a print master."""
REFERENCE_MIN_SIDE = 256
"""A reference's shorter side in pixels at least: smaller shows a model too little to follow."""
REFERENCE_MAX_SIDE = 8192
"""A reference's longer side in pixels at most."""
REFERENCE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
"""The formats accepted, as Pillow names what it decoded -> the stored component's extension."""


class ReferenceRefused(MangalineError):
    """An uploaded reference image refused: the file, why, what to do, and the HTTP status the studio answers."""

    def __init__(self, filename: str, message: str, *, hint: str, status: int) -> None:
        self.filename = filename
        self.status = status
        super().__init__(f"{filename}: {message}", hint=hint)


def _upload_name(filename: str | None) -> str:
    """The name the uploader's file had, as shown back: no folders, no control characters, at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:200] or "the uploaded file"


def check_reference_image(data: bytes, filename: str) -> tuple[str, int, int]:
    """The format, width and height of an uploaded reference, judged by decoding its content with Pillow (never by
    its name or the type the browser said); raises ReferenceRefused naming the file and what to do."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    accepted = "a PNG, JPEG or WebP image"
    if len(data) > REFERENCE_MAX_BYTES:
        raise ReferenceRefused(filename, f"is larger than {REFERENCE_MAX_BYTES // 2**20} MB, the most a reference "
                               "may be", status=413,
                               hint=f"save it smaller (at most {REFERENCE_MAX_SIDE} px a side, as JPEG or WebP) and upload it again")
    if not data:
        raise ReferenceRefused(filename, "is empty", status=422, hint=f"upload {accepted}")
    limit = min(Image.MAX_IMAGE_PIXELS or REFERENCE_MAX_SIDE**2, REFERENCE_MAX_SIDE**2)
    bomb = ReferenceRefused(filename, f"claims more pixels than any reference may have ({limit:,} at most): "
                            "it would unpack to far more memory than its size", status=422,
                            hint=f"upload a real picture, at most {REFERENCE_MAX_SIDE} px a side")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # judged just below, against our limit
            with Image.open(io.BytesIO(data), formats=list(REFERENCE_FORMATS)) as image:
                kind, (width, height) = image.format, image.size
                if width * height > limit:
                    raise bomb
                if max(width, height) > REFERENCE_MAX_SIDE:
                    raise ReferenceRefused(filename, f"is {width}×{height} px; a reference may be at most "
                                           f"{REFERENCE_MAX_SIDE} px on its longer side", status=422,
                                           hint=f"scale it down to at most {REFERENCE_MAX_SIDE} px and upload it again")
                if min(width, height) < REFERENCE_MIN_SIDE:
                    raise ReferenceRefused(filename, f"is {width}×{height} px; a reference needs at least "
                                           f"{REFERENCE_MIN_SIDE} px on its shorter side", status=422,
                                           hint=f"upload a larger picture, at least {REFERENCE_MIN_SIDE}×{REFERENCE_MIN_SIDE} px")
                image.load()  # decode it all: a cut-off or corrupt file is refused now, not when a model reads it
    except Image.DecompressionBombError:
        raise bomb from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as err:
        if isinstance(err, UnidentifiedImageError):
            raise ReferenceRefused(filename, f"is not {accepted}, whatever its name says", status=415,
                                   hint=f"export it as {accepted} and upload that") from None
        raise ReferenceRefused(filename, f"is cut off or corrupt: {err}", status=422,
                               hint=f"upload the whole file again, or export it anew as {accepted}") from None
    if kind not in REFERENCE_FORMATS:
        raise ReferenceRefused(filename, f"is a {kind} image, not {accepted}", status=415,
                               hint=f"export it as {accepted} and upload that")
    return kind, width, height


def upload_reference(folder: ProjectFolder, target: str, entity: str, data: bytes, *, filename: str | None,
                     author: str = "studio") -> Take:
    """Store an uploaded reference image for a character, a set or a shot as a take of ``reference.<target>``,
    with who uploaded it, the file's name and its dimensions. The same picture uploaded again for the same target
    is the take it already is."""
    if target not in REFERENCE_STEPS:
        raise MangalineError(f"a reference is uploaded for a {', a '.join(REFERENCE_STEPS)}, not {target!r}")
    name = _upload_name(filename)
    author = _author(author)
    if target == "shot":
        _find_shot(folder.load_script(), entity)
    else:
        bible = folder.load_bible()
        known = bible.characters if target == "character" else bible.locations
        if entity not in known:
            raise ProjectError(f"no {target} {entity!r} in the bible", hint=f"known: {', '.join(sorted(known)) or 'none'}")
        if target == "character" and bible.characters[entity].approved:
            # an approved design is locked on the sheet a person looked at; a new reference would redraw it
            raise ProjectError(f"{entity} is approved: the sheet locked by the approval is drawn without a new reference",
                               hint=f"take the approval back first (`mangaline approve DIR --character {entity} "
                                    "--unapprove`, or the bible page), then upload the reference")
    kind, width, height = check_reference_image(data, name)
    sha = folder.objects.put_bytes(data)
    step = REFERENCE_STEPS[target]
    components = {f"reference.{REFERENCE_FORMATS[kind]}": sha}
    data_fields = {"format": kind.lower(), "width": width, "height": height}
    node = _reference_invocation(target, entity, sha)
    params = dict(node.params)
    take = Take(
        id=uuid.uuid4().hex, step=step, entity=entity,
        cache_key=cache_key(node.step, params, {}, node.model, node.seed),
        data_version=data_version(components, data_fields), components=components,
        data={**data_fields, "bytes": len(data), "filename": name, "uploaded_by": author},
        provenance=Provenance(step=step, code_version=_REFERENCE_CODE_VERSION,
                              params_sha256=hashlib.sha256(canonical_json(params).encode("utf-8")).hexdigest(),
                              provider="upload", model="upload", seed=0),
        created_at=datetime.now(timezone.utc),
    )
    return folder.state.record_take(take)


def reference_takes(folder: ProjectFolder, target: str, entity: str | None = None) -> dict[str, list[Take]]:
    """The reference images uploaded for characters, sets or shots (or one of them), by id, oldest first."""
    found: dict[str, list[Take]] = {}
    for take in folder.state.takes(REFERENCE_STEPS[target], entity):
        if take.validation is not Validation.REJECTED:
            found.setdefault(take.entity, []).append(take)
    return found


def character_references(folder: ProjectFolder) -> dict[str, Take]:
    """Every character's newest uploaded reference not rejected, by character id: what the build draws sheets from."""
    return {character: takes[-1] for character, takes in reference_takes(folder, "character").items()}


def character_reference(folder: ProjectFolder, character: str) -> Path | None:
    """The picture a later step takes as the character's uploaded reference: the newest one not rejected, or None."""
    takes = reference_takes(folder, "character", character).get(character, [])
    if not takes:
        return None
    take = takes[-1]
    return folder.objects.path(next(iter(take.components.values())))


__all__ += ["REFERENCE_STEPS", "REFERENCE_UPLOADS", "ReferenceRefused", "character_reference", "character_references",
            "check_reference_image", "reference_node", "reference_takes", "upload_reference"]


# ------------------------------------------------------------------------------------------ deliveries
# The same episode in other frames (docs/architecture.md, "Deliveries"): each draft shot solved again in its set for
# the frame (layout.shot with the frame and the speakers to hold, then the keyframe, the motion comic and the segment,
# every one a node of its own, "<shot>@16x9"), each bought clip reframed by a model (animate.reframe), and the
# episode cut from those segments under the master's own mix (edit.delivery), with its cover and title card.


@dataclass(frozen=True)
class Delivered:
    """One episode in one frame, where deliveries/<episode>/ holds it."""

    episode: str
    aspect: str
    files: dict[str, Path]
    """episode.mp4, cover.png, title.mp4, episode.srt and episode.ass -> their published paths."""
    duration: float
    cover: str
    """The shot whose picture is the cover."""


@dataclass(frozen=True)
class DeliveryResult:
    """What a deliver did: the run (nothing ran when every frame was made before) and the files it published."""

    summary: RunSummary
    delivered: list[Delivered]

    @property
    def failed(self) -> bool:
        return self.summary.failed > 0


def _speakers(shot: Shot) -> list[str]:
    """The characters a shot shows speaking: a delivery's frame must hold their faces."""
    shown = {c.character for c in shot.casting if c.on_screen}
    return sorted({line.character for line in shot.dialogue if not line.off_screen} & shown)


def _draft_keyframe(picture: Invocation) -> Invocation:
    """The draft keyframe a shot's picture is (or was painted over)."""
    while picture.step.name != KEYFRAME.name:
        picture = picture.deps["keyframe"]
    return picture


def delivery_node(episode: Episode, output: EpisodeOutput, project: Project, aspect: Aspect, *, series: str,
                  reframes: Mapping[str, Route] | None = None, qc: QcSettings | None = None) -> Invocation:
    """The edit.delivery node of ``episode`` in ``aspect``, built over the master's nodes in ``output``.

    In the project's own frame the master's segments are the delivery's. In another, a shot the motion comic moves
    is laid out again (its speakers held inside the frame), drawn (and painted again by its model, where a model
    painted it), moved and cut at the frame; a shot whose clip a model made is reframed by the model ``reframes``
    names for its delivery shot ("<shot>@16x9": the plan's, production._reframes) or else for its tier
    (reframe_routes)."""
    frame = {**_frame(project), "width": aspect.width, "height": aspect.height}
    own = (aspect.width, aspect.height) == (project.width, project.height)
    qc = qc or QcSettings()
    shots = {shot.code: shot for shot in episode.shots()}
    deps: dict[str, Invocation] = {"master": output.episode}
    for code, segment in output.segments.items():
        clip, picture = segment.deps["clip"], segment.deps["keyframe"]
        draft = _draft_keyframe(picture)
        layout: Invocation | None = draft.deps["layout"]
        if not own:
            entity = f"{code}@{aspect.tag}"
            if clip.step.name == CLIP.name:
                layout = Invocation(step=LAYOUT_SHOT, entity=entity, params={**layout.params, "frame": frame,
                                                                            "hold": _speakers(shots[code])})
                drawn = Invocation(step=KEYFRAME, entity=entity, params=dict(draft.params), deps={"layout": layout},
                                   seed=draft.seed)
                if picture is not draft:
                    # a still a model painted: painted again, by the same model, over the composition solved for the frame
                    width, height = dimensions("720p", aspect.name)
                    drawn = Invocation(step=PAINTOVER, entity=entity,
                                       params={**picture.params, "width": width, "height": height},
                                       deps={**picture.deps, "keyframe": drawn}, model=picture.model, seed=picture.seed,
                                       label=f"storyboard.paintover [{entity}] {picture.model}")
                picture = drawn
                moved = Invocation(step=CLIP, entity=entity, params=dict(clip.params),
                                   deps={**clip.deps, "keyframe": picture}, seed=clip.seed)
            else:
                tier = str(clip.params.get("tier") or clip.deps.get("clip", clip).params.get("tier"))
                route = (reframes or {}).get(entity) or (reframes or {}).get(tier)
                if route is None:
                    raise ProjectError(f"shot {code}: no model to reframe its {tier} clip at {aspect.name}",
                                       hint="`mangaline models DIR` lists the video models that reframe a clip")
                moved = picture = Invocation(
                    step=REFRAME, entity=entity,
                    params={"aspect": aspect.name, "width": aspect.width, "height": aspect.height, "fps": project.fps,
                            "shot_type": shots[code].kind.value, "checks": dict(qc.checks), **route.params()},
                    deps={"clip": clip}, model=route.model, label=f"animate.reframe [{entity}] {route.model}",
                )
                layout = None
            segment = Invocation(step=SEGMENT, entity=entity, params={**segment.params, "frame": frame},
                                 deps={"clip": moved, "keyframe": picture})
        deps[f"segment:{code}"] = segment
        deps[f"clip:{code}"] = clip  # the master's timing: the delivery is cut to the master's frames
        deps[f"picture:{code}"] = picture
        if layout is not None:
            deps[f"layout:{code}"] = layout
    return Invocation(
        step=DELIVERY, entity=f"{episode.id}@{aspect.tag}",
        params={"episode": episode.id, "title": episode.title, "series": series, "aspect": aspect.name,
                "shots": list(output.segments), "frame": frame},
        deps=deps,
    )


def reframe_routes(outputs: Iterable[EpisodeOutput], aspects: list[Aspect], settings: Settings,
                    catalogue: Catalogue) -> dict[str, Route]:
    """A reframe model for each tier of the bought clips the deliveries reframe (none for a draft project)."""
    from .providers.catalogue import Modality
    from .providers.router import TaskNeeds, route
    from .providers.work import available_providers

    if all((a.width, a.height) == (settings.project.width, settings.project.height) for a in aspects):
        return {}
    clips = [segment.deps["clip"] for output in outputs for segment in output.segments.values()]
    bought = [clip for clip in clips if clip.step.name != CLIP.name]
    routes: dict[str, Route] = {}
    for clip in bought:
        tier = str(clip.params.get("tier") or clip.deps.get("clip", clip).params.get("tier"))
        if tier in routes:
            continue
        longest = max(float(c.params["shot"]["duration"]) for c in bought if "shot" in c.params)
        for aspect in aspects:
            needs = TaskNeeds(modality=Modality.VIDEO, reframe=True, aspect=aspect.name, duration=longest,
                              resolution=settings.routing.clip_resolution.get(tier, "720p"))
            choice = route(needs, tier, catalogue=catalogue, currency=settings.project.currency,
                           available=available_providers(settings), entity=f"a {aspect.name} reframe")
            routes[tier] = Route(choice.model, choice.provider, choice.tier)
    return routes


def deliver(folder: ProjectFolder, settings: Settings, formats: list[str], *, episodes: list[str] | None = None,
            executor: Executor | None = None, workers: Workers | None = None, progress: Progress = False,
            command: str = "deliver") -> DeliveryResult:
    """Each built episode (or those named) in each of ``formats`` ("9:16", "16:9", "1:1"), to deliveries/<episode>/:
    <episode>.<16x9>.mp4, its .cover.png, .title.mp4, .srt and .ass.

    Every node is cached like the build's: a second deliver runs nothing, and an edit redoes only what it touches
    (a new line: its voice, its shot in every frame, the master's mix and each delivery's cut). An episode never
    built is refused: a delivery is cut under its master's mix."""
    names = parse_aspects(",".join(formats))
    project = settings.project
    aspects = [aspect_frame(name, project.width, project.height) for name in names]
    script, graph = project_graph(folder, settings)
    chosen = select_episodes(graph, episodes if episodes is not None else list(graph.outputs))
    unbuilt = [episode for episode in chosen.outputs if not (folder.renders_dir / f"{episode}.mp4").is_file()]
    if unbuilt:
        raise ProjectError(f"episode {', '.join(unbuilt)} of {folder.root} is not built yet: a delivery is cut under "
                           "its master's mix", hint=f"run `mangaline build {folder.root}` first")
    catalogue = project_catalogue(folder.root)
    # the deliveries' reframes and repaints planned with the rest of the chosen episodes' work, within the budget:
    # BudgetExceeded here, before anything runs, when they do not fit
    paid = _bought(graph, ("clip:", "keyframe:"))
    reframes = _reframes(plan_project(folder, settings, catalogue, formats=names, episodes=list(chosen.outputs))) if paid else {}
    by_id = {episode.id: episode for episode in script.episodes}
    nodes = [delivery_node(by_id[eid], output, project, aspect, series=script.title, reframes=reframes, qc=settings.qc)
             for eid, output in chosen.outputs.items() for aspect in aspects]
    with ExitStack() as stack:
        if workers is None and executor is None:
            workers = stack.enter_context(open_workers(folder, settings))
        if workers is not None:
            executor = workers.executor
        resources = {**graph.resources, **(workers.resources if workers is not None else {})}
        summary = _run(folder, nodes, resources, executor, workers=settings.build.workers, progress=progress,
                       command=command)
    publish_episodes(folder, chosen, summary.takes)  # the master the deliveries are cut under, as it stands now
    delivered = []
    for node in nodes:
        take = summary.takes.get(node.node)
        if take is None:
            continue
        episode, tag = node.entity.rsplit("@", 1)
        target = folder.inside(folder.root / DELIVERIES / episode)
        names = {"episode.mp4": f"{episode}.{tag}.mp4", "cover.png": f"{episode}.{tag}.cover.png",
                 "title.mp4": f"{episode}.{tag}.title.mp4", "episode.srt": f"{episode}.{tag}.srt",
                 "episode.ass": f"{episode}.{tag}.ass"}
        placed = {}
        for component, name in names.items():
            path = inside(target, target / name)
            with atomic_path(path) as tmp:
                shutil.copyfile(folder.objects.path(take.components[component]), tmp)
            placed[component] = path
        delivered.append(Delivered(episode=episode, aspect=node.params["aspect"], files=placed,
                                   duration=take.data["duration"], cover=take.data["cover"]))
    return DeliveryResult(summary=summary, delivered=delivered)


DELIVERIES = "deliveries"
"""The folder of the project that deliver writes: deliveries/<episode>/."""

__all__ += ["DELIVERIES", "Delivered", "DeliveryResult", "deliver", "delivery_node", "reframe_routes"]

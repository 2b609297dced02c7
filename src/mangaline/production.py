"""The production line: every department's steps wired into one build graph per project.

    design.character_sheet [character]   the character's reference take (turnaround and expressions)
    layout.shot            [shot]        camera, blocking and what the shot sees (data only, cheap)
    voice.line             [line]        the spoken line, with its loudness envelope
    storyboard.keyframe    [shot]        the layered keyframe and guide maps, drawn from the layout alone
    animate.clip           [shot]        the motion-comic plan: timing, camera, mouths, blinks (draft tier)
    animate.video          [shot]        standard/premium tier: a video model's clip, QC'd and retaken (animate/video.py)
    edit.segment           [shot]        the shot rendered by FFmpeg, subtitles burned in
    edit.episode           [episode]     the episode MP4 and its SRT, ASS and OTIO exports

A node's params hold only what its output depends on, so an edit re-runs exactly the
steps it touches: a changed dialogue line re-runs its voice, its shot's clip and
segment, and the episode; the keyframe never sees the text. A keyframe's only input
is its shot's layout, whose data holds just what the shot sees, so an edited set
piece or character re-draws exactly the shots that show it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .animate.steps import CLIP
from .animate.video import VIDEO, ClipRoute, plan_clips
from .design.steps import CHARACTER_SHEET
from .edit.steps import EPISODE, SEGMENT
from .config import LlmSettings, Settings
from .engine import Invocation, canonical_json, data_version
from .errors import ConfigError
from .model import Bible, Episode, Project, Provenance, Scene, Script, Shot, Take
from .project import ProjectFolder
from .layout.blocking import scene_cast
from .layout.movement import episode_movements
from .layout.steps import LAYOUT_SHOT
from .storyboard.steps import KEYFRAME
from .voice.steps import VOICE_LINE

__all__ = ["BuildGraph", "build_graph", "publish", "record_transcript"]

EXPORT_SUFFIXES = ("srt", "ass", "otio")


@dataclass(frozen=True)
class BuildGraph:
    """The nodes of one build, with the episode nodes to publish at the end."""

    nodes: list[Invocation]
    episodes: dict[str, Invocation]


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
    script: Script, bible: Bible, project: Project, *, settings: Settings | None = None, root: Path | None = None
) -> BuildGraph:
    """Every node needed to render every episode of the script.

    At the draft tier nothing else is needed. Shots at the standard or premium tier (Project.tier, or
    [routing] shot_tiers) get their clip from a video model, routed here for all shots at once before
    anything is spent: that needs the project's ``settings`` and folder ``root`` (ledger, journal, budget).
    """
    routes = _clip_routes(script, project, settings, root)
    nodes: list[Invocation] = []
    for character in bible.characters.values():
        nodes.append(
            Invocation(
                step=CHARACTER_SHEET,
                entity=character.id,
                params={"character": character.model_dump(mode="json")},
            )
        )
    episodes: dict[str, Invocation] = {}
    for episode in script.episodes:
        episodes[episode.id] = _episode_nodes(episode, bible, project, nodes, routes)
    return BuildGraph(nodes=nodes, episodes=episodes)


def _episode_nodes(
    episode: Episode, bible: Bible, project: Project, nodes: list[Invocation], routes: dict[str, ClipRoute] | None = None
) -> Invocation:
    segments: dict[str, Invocation] = {}
    clips: dict[str, Invocation] = {}
    voices: dict[str, Invocation] = {}
    movements = episode_movements(episode.scenes, bible)
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
            keyframe = Invocation(step=KEYFRAME, entity=shot.code, params={"shot": shot.code}, deps={"layout": layout})
            nodes.append(layout)
            line_nodes = {}
            for line in shot.dialogue:
                character = bible.characters.get(line.character)
                voice = Invocation(
                    step=VOICE_LINE,
                    entity=line.id,
                    params={
                        "text": line.text,
                        "language": line.language,
                        "character": line.character,
                        "voice": character.voice.model_dump(mode="json") if character else None,
                        "gender": character.design.gender if character else "unspecified",
                        "fps": project.fps,
                    },
                )
                voices[line.id] = voice
                line_nodes[f"line:{line.id}"] = voice
            route = (routes or {}).get(shot.code)
            if route is None:
                clip = Invocation(
                    step=CLIP,
                    entity=shot.code,
                    params={
                        "shot": _shot_timing_view(shot),
                        "fps": project.fps,
                    },
                    deps={"keyframe": keyframe, **line_nodes},
                )
            else:
                clip = _video_clip_node(shot, route, bible, project, {"keyframe": keyframe, **line_nodes})
            segment = Invocation(
                step=SEGMENT,
                entity=shot.code,
                params={"language": project.language, "frame": _frame(project)},
                deps={"clip": clip, "keyframe": keyframe},
            )
            nodes.extend([keyframe, *line_nodes.values(), clip, segment])
            clips[shot.code] = clip
            segments[shot.code] = segment
    order = [shot.code for shot in episode.shots()]
    node = Invocation(
        step=EPISODE,
        entity=episode.id,
        params={
            "episode": episode.id,
            "title": episode.title,
            "shots": order,
            "scenes": {shot.code: scene.id for scene in episode.scenes for shot in scene.shots},
            "frame": _frame(project),
        },
        deps={
            **{f"segment:{code}": segments[code] for code in order},
            **{f"clip:{code}": clips[code] for code in order},
            **{f"line:{lid}": v for lid, v in voices.items()},
        },
    )
    nodes.append(node)
    return node


def _shot_timing_view(shot: Shot) -> dict:
    """What the clip needs of a shot: its move, planned length and the lines spoken in it."""
    return shot.model_dump(mode="json", exclude={"action", "source"})


def publish(take_components: dict[str, Path], episode_id: str, renders_dir: Path, exports_dir: Path) -> dict[str, Path]:
    """Copy an episode take's files to renders/ and exports/ (atomically), where people and editors look."""
    placed: dict[str, Path] = {}
    targets = {"episode.mp4": renders_dir / f"{episode_id}.mp4"}
    targets.update({f"episode.{suffix}": exports_dir / f"{episode_id}.{suffix}" for suffix in EXPORT_SUFFIXES})
    for name, source in take_components.items():
        if name.startswith("shots/"):
            target = renders_dir / episode_id / name
        elif name in targets:
            target = targets[name]
        else:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        placed[name] = target
    return placed


def record_transcript(folder: ProjectFolder, source_name: str, transcript: list[dict], llm: LlmSettings | None) -> Take:
    """Keep everything the language model said during a breakdown, as a take of the breakdown step."""
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
    return folder.state.record_take(take)


def _clip_routes(script: Script, project: Project, settings: Settings | None, root: Path | None) -> dict[str, ClipRoute]:
    """Each paid shot's video model, planned within the budget; empty when every shot is at the draft tier."""
    tiers = settings.routing.shot_tiers if settings is not None else {}
    if project.tier == "draft" and all(tier == "draft" for tier in tiers.values()):
        return {}
    if settings is None or root is None:
        raise ConfigError(
            f"tier {project.tier} (or a [routing] shot_tiers entry) asks for video models, "
            "but the build was given no project settings and folder to route and budget them",
            hint="pass settings= and root= to build_graph, or set [project] tier = 'draft'",
        )
    # the project given wins over the one in the settings, as everywhere else in the graph
    return plan_clips(script, project, settings.model_copy(update={"project": project}), Path(root))


def _video_clip_node(shot: Shot, route: ClipRoute, bible: Bible, project: Project, deps: dict[str, Invocation]) -> Invocation:
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
            "cast": cast,
            "max_retakes": project.max_retakes,
        },
        deps=deps,
        model=route.model,
        label=f"animate.video [{shot.code}] {route.model}",
    )

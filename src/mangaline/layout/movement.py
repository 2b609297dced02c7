"""Screen direction: who the action text moves in or out of a shot, and which way, kept across cuts."""

from __future__ import annotations

import math

from mangaline.model import Bible, Scene
from mangaline.model.layout import Movement

from .blocking import block_scene

__all__ = ["ENTER_WORDS", "EXIT_WORDS", "episode_movements", "scene_movements"]

# Verbs that take someone out of or into the picture, per language; matched as substrings.
EXIT_WORDS = ("exits", "exit ", "leaves", "walks out", "walks off", "walks away", "goes out", "storms out", "hurries off",
              "离开", "走出", "走开", "出去", "离去", "出て行", "出ていく", "去って", "立ち去")
ENTER_WORDS = ("enters", "steps in", "comes in", "walks in", "arrives", "hurries in", "appears",
               "走进", "进来", "走入", "来到", "入ってく", "入って来", "現れ", "やって来")


def _named(text: str, scene: Scene, bible: Bible, shot) -> list[str]:
    lowered = text.lower()
    found = []
    for casting in shot.casting:
        character = bible.characters.get(casting.character)
        names = [casting.character] + ([character.name, *character.aliases] if character else [])
        if any(n and n.lower() in lowered for n in names):
            found.append(casting.character)
    if not found and shot.subject:
        found.append(shot.subject)
    if not found and shot.casting:
        found.append(shot.casting[0].character)
    return found


def _kind(text: str) -> str | None:
    lowered = f" {text.lower()} "
    if any(w in lowered for w in EXIT_WORDS):
        return "exit"
    if any(w in lowered for w in ENTER_WORDS):
        return "enter"
    return None


def episode_movements(scenes: list[Scene], bible: Bible) -> dict[str, list[Movement]]:
    """Movements per shot code over consecutive scenes: someone who leaves heading east comes in heading east.

    An exit heads along the line of action towards the character's own side (the
    left-hand person leaves frame left); an entrance repeats the heading of the
    character's last exit, or, with none, walks in from their own side towards the middle.
    """
    last_exit: dict[str, float] = {}
    out: dict[str, list[Movement]] = {}
    for scene in scenes:
        if scene.location not in bible.locations:
            continue
        blocking = block_scene(scene, bible)
        if not blocking:
            continue
        ordered = sorted(blocking.values(), key=lambda p: (p.x, p.y))
        axis = math.degrees(math.atan2(ordered[-1].y - ordered[0].y, ordered[-1].x - ordered[0].x)) if len(ordered) > 1 else 0.0
        cx = sum(p.x for p in blocking.values()) / len(blocking)
        for shot in scene.shots:
            kind = _kind(shot.action)
            if kind is None:
                continue
            for cid in _named(shot.action, scene, bible, shot):
                if cid not in blocking:
                    continue
                west = blocking[cid].x <= cx
                outward = axis + (180.0 if west else 0.0)
                if kind == "exit":
                    heading = outward % 360.0
                    last_exit[cid] = heading
                else:
                    heading = last_exit.pop(cid, (outward + 180.0) % 360.0)
                out.setdefault(shot.code, []).append(Movement(character=cid, kind=kind, heading_deg=round(heading, 6)))
    return out


def scene_movements(scene: Scene, bible: Bible) -> dict[str, list[Movement]]:
    """Movements per shot code within one scene."""
    return episode_movements([scene], bible)

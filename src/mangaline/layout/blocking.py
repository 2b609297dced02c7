"""Blocking: where each character of a scene stands on the set and which way they face."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mangaline.errors import RenderError
from mangaline.model import Bible, Scene

__all__ = ["Placement", "block_scene", "scene_cast"]

# Two people talking stand a little over a metre apart: close enough for a two-shot
# in a 9:16 frame, far enough that a single on one does not swallow the other.
_DIALOGUE_GAP = 1.3
_GROUP_GAP = 1.0


@dataclass(frozen=True)
class Placement:
    """A character's mark in a scene: floor position in metres and facing.

    ``facing_deg`` is measured in the floor plane counter-clockwise from east
    (0 = east, 90 = north, 180 = west, 270 = south), like the camera's yaw;
    ``height`` is the character's height from the bible, so cameras frame their face.
    """

    x: float
    y: float
    facing_deg: float
    height: float = 1.7

    @property
    def facing(self) -> tuple[float, float]:
        rad = math.radians(self.facing_deg)
        return math.cos(rad), math.sin(rad)


def scene_cast(scene: Scene) -> list[str]:
    """The scene's characters in order of first appearance (casting, then speakers)."""
    order: list[str] = []
    for shot in scene.shots:
        for cast in shot.casting:
            if cast.character not in order:
                order.append(cast.character)
        for line in shot.dialogue:
            if not line.off_screen and line.character not in order:
                order.append(line.character)
    return order


def _facing_towards(x: float, y: float, tx: float, ty: float) -> float:
    return math.degrees(math.atan2(ty - y, tx - x)) % 360.0


def block_scene(scene: Scene, bible: Bible) -> dict[str, Placement]:
    """Put the scene's characters on marks along one line of action.

    The first character to appear stands west, the second east, facing each other,
    so the line between them is the 180-degree line and cameras stay on its south
    side. More characters spread along the same line and turn a little towards the
    camera side so the audience sees their faces. A casting's ``slot`` naming one of
    the set's marks puts that character there; other characters take the set's
    remaining marks west to east, or marks made across the middle of the room.
    """
    location = bible.locations.get(scene.location)
    if location is None:
        known = ", ".join(sorted(bible.locations)) or "none"
        raise RenderError(
            scene.id,
            f"location {scene.location!r} is not in the bible",
            hint=f"known locations: {known}; add it under bible/locations/",
        )
    set_design = location.set
    cast = scene_cast(scene)
    if not cast:
        return {}
    marks_by_name = {mark.name: mark for mark in set_design.marks}
    slots: dict[str, tuple[float, float]] = {}
    for shot in scene.shots:
        for casting in shot.casting:
            if casting.slot and casting.slot in marks_by_name and casting.character not in slots:
                mark = marks_by_name[casting.slot]
                slots[casting.character] = (mark.x, mark.y)

    free_marks = [m for m in set_design.marks if (m.x, m.y) not in slots.values()]
    unplaced = [c for c in cast if c not in slots]
    positions: dict[str, tuple[float, float]] = dict(slots)
    if unplaced and len(free_marks) >= len(unplaced):
        chosen = sorted(free_marks[: len(unplaced)], key=lambda m: (m.x, m.y))
        for character, mark in zip(unplaced, chosen):
            positions[character] = (mark.x, mark.y)
    elif unplaced:
        positions.update(_made_marks(unplaced, set_design.width, set_design.depth, len(cast)))

    centre_x = sum(p[0] for p in positions.values()) / len(positions)
    centre_y = sum(p[1] for p in positions.values()) / len(positions)
    placements: dict[str, Placement] = {}
    if len(cast) == 1:
        x, y = positions[cast[0]]
        placements[cast[0]] = Placement(x, y, 270.0)
    elif len(cast) == 2:
        (ax, ay), (bx, by) = positions[cast[0]], positions[cast[1]]
        placements[cast[0]] = Placement(ax, ay, _facing_towards(ax, ay, bx, by))
        placements[cast[1]] = Placement(bx, by, _facing_towards(bx, by, ax, ay))
    else:
        for character in cast:
            x, y = positions[character]
            inward = math.radians(_facing_towards(x, y, centre_x, centre_y))
            # Half towards the group, half towards the audience (south).
            fx, fy = math.cos(inward) + 0.0, math.sin(inward) - 1.0
            if abs(x - centre_x) < 1e-6 and abs(y - centre_y) < 1e-6:
                fx, fy = 0.0, -1.0
            placements[character] = Placement(x, y, math.degrees(math.atan2(fy, fx)) % 360.0)
    return {
        name: Placement(p.x, p.y, round(p.facing_deg, 6), bible.characters[name].design.height)
        if name in bible.characters else p
        for name, p in placements.items()
    }


def _made_marks(characters: list[str], width: float, depth: float, total: int) -> dict[str, tuple[float, float]]:
    gap = _DIALOGUE_GAP if total <= 2 else _GROUP_GAP
    gap = min(gap, max(0.4, (width - 0.8) / max(1, len(characters) - 1))) if len(characters) > 1 else gap
    y = depth * 0.55
    span = gap * (len(characters) - 1)
    start = width / 2 - span / 2
    return {c: (start + i * gap, y) for i, c in enumerate(characters)}

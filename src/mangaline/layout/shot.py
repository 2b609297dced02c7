"""A shot's layout: the camera in the set and exactly what it sees (elements, characters, screen sides, movement)."""

from __future__ import annotations

import math

from mangaline.errors import RenderError
from mangaline.model import Bible, Scene, Shot, Voice
from mangaline.model.figure import figure_for
from mangaline.model.geometry import Camera, canvas_rect, canvas_size, overlaps, project_point, view_for
from mangaline.model.layout import CameraLayout, CharacterLayout, Movement, SetShell, ShotLayout

from .blocking import Placement, block_scene
from .camera import place_camera
from .movement import scene_movements
from .set_view import elements_seen, plate_for

__all__ = ["HOLD_MARGIN", "check_bible", "eyeline", "head_inside", "lay_out_shot"]

MIN_DEPTH = 0.35  # a character nearer than this is behind the lens, not in the picture
HOLD_MARGIN = 0.04
"""How far inside the frame's edges (a fraction of its shorter side) a held character's head must stay."""
_WIDEN = 1.12  # each try at holding the speakers widens the framing this much
_TRIES = 12


def _line_sides(blocking: dict[str, Placement], crossing: bool) -> dict[str, str]:
    """Each character's side of the line of action as seen from the scene's camera side."""
    if not blocking:
        return {}
    ordered = sorted(blocking, key=lambda c: (blocking[c].x, blocking[c].y))
    mid = (len(ordered) - 1) / 2
    sides = {c: ("left" if i < mid else "right" if i > mid else "centre") for i, c in enumerate(ordered)}
    if crossing:
        sides = {c: {"left": "right", "right": "left"}.get(s, s) for c, s in sides.items()}
    return sides


def eyeline(shot: Shot, blocking: dict[str, Placement]) -> dict[str, Placement]:
    """The shot's subject turns to the one they talk to, so their eyeline points at them in every angle."""
    subject = shot.subject if shot.subject in blocking else None
    if subject is None:
        return blocking
    partner = shot.facing if shot.facing in blocking and shot.facing != subject else None
    if partner is None and len(blocking) == 2:
        partner = next(c for c in blocking if c != subject)
    if partner is None:
        return blocking
    s, p = blocking[subject], blocking[partner]
    facing = round(math.degrees(math.atan2(p.y - s.y, p.x - s.x)) % 360.0, 6)
    return {**blocking, subject: Placement(s.x, s.y, facing, s.height)}


def check_bible(shot: Shot, scene: Scene, bible: Bible) -> None:
    """Refuse a shot whose location or cast the bible does not hold, naming what it does hold."""
    if scene.location not in bible.locations:
        known = ", ".join(sorted(bible.locations)) or "none"
        raise RenderError(shot.code, f"location {scene.location!r} of scene {scene.id} is not in the bible",
                          hint=f"known locations: {known}; fix the scene heading or add the location under bible/locations/")
    for cast in shot.casting:
        if cast.character not in bible.characters:
            known = ", ".join(sorted(bible.characters)) or "none"
            raise RenderError(shot.code, f"character {cast.character!r} in the casting is not in the bible",
                              hint=f"known characters: {known}; fix the casting or add the character under bible/characters/")


def head_inside(head: list[float], width: int, height: int, margin: float = HOLD_MARGIN) -> bool:
    """Whether a head's frame-pixel bounds lie inside a ``width`` x ``height`` frame, ``margin`` of its shorter side in."""
    m = margin * min(width, height)
    return head[0] >= m and head[1] >= m and head[2] <= width - m and head[3] <= height - m


def _holds(camera: Camera, blocking: dict[str, Placement], figures: dict, width: int, height: int) -> bool:
    f = camera.focal(height)
    for cid, figure in figures.items():
        place = blocking[cid]
        u, v, depth = project_point(camera, place.x, place.y, figure.face_height, width, height)
        if depth < MIN_DEPTH:
            return False
        head = figure.head * f / depth
        if not head_inside([u - 0.55 * head, v - 0.75 * head, u + 0.55 * head, v + 0.45 * head], width, height):
            return False
    return True


def _holding(shot: Shot, scene: Scene, blocking: dict[str, Placement], bible: Bible, width: int, height: int,
             hold: list[str]) -> Camera:
    """The shot's camera for this frame, widened (then, failing that, turned to frame them together) until every
    character in ``hold`` has their head inside the frame; the widest tried when none holds them all."""
    s = bible.locations[scene.location].set
    variants = {c.character: c.variant for c in shot.casting}
    figures = {cid: figure_for(bible.characters[cid], variants.get(cid, "default"))
               for cid in hold if cid in blocking and cid in bible.characters}
    aspect = width / height
    together = sorted({*figures, *([shot.subject] if shot.subject in blocking else [])})
    camera = None
    for group in (None, together):
        for attempt in range(_TRIES):
            camera = place_camera(shot, scene, blocking, s, aspect=aspect, widen=_WIDEN ** attempt, group=group)
            if _holds(camera, blocking, figures, width, height):
                return camera
    assert camera is not None
    return camera


def lay_out_shot(shot: Shot, scene: Scene, bible: Bible, width: int, height: int, *, overscan: float = 1.2,
                 movements: list[Movement] | None = None, hold: list[str] | None = None) -> ShotLayout:
    """Block the scene, place the shot's camera for a ``width`` x ``height`` frame, and keep what the shot's canvas sees.

    ``hold``: characters whose heads the frame must show (a delivery's speakers): the camera widens, and
    failing that frames them together, until it does. Without it the camera is the shot size's own.
    """
    check_bible(shot, scene, bible)
    location = bible.locations[scene.location]
    s = location.set
    blocking = eyeline(shot, block_scene(scene, bible))
    if hold:
        camera = _holding(shot, scene, blocking, bible, width, height, hold)
    else:
        camera = place_camera(shot, scene, blocking, s, aspect=width / height)
    cw, ch = canvas_size(width, height, overscan)
    canvas = canvas_rect(width, height, cw, ch)
    elements = elements_seen(s, camera, width, height, cw, ch)

    marks = {(m.x, m.y): m.name for m in s.marks}
    sides = _line_sides(blocking, getattr(shot, "crosses_line", False))
    right, _, _ = camera.basis()
    f = camera.focal(height)
    characters = []
    for casting in shot.casting:
        if not casting.on_screen or casting.character not in blocking:
            continue
        place = blocking[casting.character]
        character = bible.characters[casting.character]
        figure = figure_for(character, casting.variant)
        u, v, depth = project_point(camera, place.x, place.y, figure.face_height, width, height)
        if depth < MIN_DEPTH:
            continue
        ppm = f / depth
        bbox = figure.bounds(u, v, ppm)
        if not overlaps(bbox, *canvas):
            continue
        to_camera = math.degrees(math.atan2(camera.y - place.y, camera.x - place.x))
        view = view_for(place.facing_deg, to_camera, (right[0], right[1]))
        fx, fy = place.facing
        across = fx * right[0] + fy * right[1]
        _, _, ahead = camera.to_view(camera.x + fx, camera.y + fy, camera.z)
        looking = ("right" if across > 0 else "left") if abs(across) > 0.2 else ("camera" if ahead < 0 else "away")
        # Only the look travels with the layout: a new voice or description must not redraw the shot.
        looks = character.model_copy(update={"voice": Voice(), "description": "", "aliases": []})
        characters.append(CharacterLayout(
            id=casting.character, character=looks, variant=casting.variant,
            mark=casting.slot if casting.slot else marks.get((place.x, place.y)),
            x=place.x, y=place.y, facing_deg=place.facing_deg, view=view, depth=round(depth, 6),
            face=[round(u, 3), round(v, 3)], ppm=round(ppm, 6), bbox=[round(b, 3) for b in bbox],
            screen_side="left" if u < width / 2 else "right", line_side=sides.get(casting.character, "centre"),
            looking=looking,
        ))
    if movements is None:
        movements = scene_movements(scene, bible).get(shot.code, [])
    placed = []
    for m in movements:
        hx, hy = math.cos(math.radians(m.heading_deg)), math.sin(math.radians(m.heading_deg))
        across = hx * right[0] + hy * right[1]
        placed.append(m.model_copy(update={"screen_direction": "right" if across > 0 else "left"}))
    layout_camera = CameraLayout(**camera.to_dict())
    return ShotLayout(
        shot=shot.code, scene=scene.id, location=location.id, interior=scene.interior, time_of_day=scene.time_of_day,
        frame_width=width, frame_height=height, canvas_width=cw, canvas_height=ch,
        camera=layout_camera,
        shell=SetShell.of(s),
        lights=list(s.lights), elements=elements, characters=characters,
        crosses_line=bool(getattr(shot, "crosses_line", False)), movements=placed,
        camera_spot=next((c.name for c in s.cameras if math.dist((c.x, c.y, c.z), (camera.x, camera.y, camera.z)) < 0.05), None),
        plate=plate_for(layout_camera, location),
    )

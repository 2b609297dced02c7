"""A shot's layout: the camera in the set and exactly what it sees (elements, characters, screen sides, movement)."""

from __future__ import annotations

import math

from pydantic import Field

from mangaline.errors import RenderError
from mangaline.model import (
    Bible,
    Character,
    Light,
    Scene,
    SetElement,
    Shot,
    Voice,
    Wall,
)
from mangaline.model.base import Record

from .blocking import Placement, block_scene
from .camera import Camera, place_camera, project_point
from .movement import Movement, scene_movements

__all__ = [
    "CameraLayout",
    "CharacterLayout",
    "ElementLayout",
    "SetShell",
    "ShotLayout",
    "canvas_size",
    "check_bible",
    "element_box",
    "eyeline",
    "figure_box",
    "lay_out_shot",
    "view_for",
]

MIN_DEPTH = 0.35  # a character nearer than this is behind the lens, not in the picture
_NEAR = 0.08
_WALL_DEPTH = {"window": 0.06, "door": 0.05, "picture": 0.04, "screen": 0.05, "clock": 0.04, "sign": 0.04}
# Head lengths per height by age; the figure renderer draws with the same proportions.
_HEADS = {"child": 4.6, "teen": 6.0, "adult": 6.6, "elder": 6.4}


class CameraLayout(Record):
    """The shot's pinhole camera: pose in set metres and degrees, plus the derived look-at form."""

    x: float
    y: float
    z: float
    yaw: float
    pitch: float
    fov: float = Field(description="vertical field of view, degrees")
    roll: float = 0.0

    def camera(self) -> Camera:
        return Camera(x=self.x, y=self.y, z=self.z, yaw=self.yaw, pitch=self.pitch, fov=self.fov, roll=self.roll)


class SetShell(Record):
    """The room (or open ground) every shot of the location sees: size and surface colours."""

    width: float
    depth: float
    height: float
    wall_colour: str
    floor_colour: str
    ceiling_colour: str
    accent_colour: str


class ElementLayout(Record):
    """A set element as this shot sees it: its data, its box in metres, where it lands in the frame."""

    element: SetElement
    box: list[float] = Field(description="x0, y0, z0, x1, y1, z1 in set metres")
    bbox: list[float] | None = Field(default=None, description="u0, v0, u1, v1 in frame pixels (unclipped)")
    in_frame: bool = False


class CharacterLayout(Record):
    """A character on their mark in this shot: the design drawn, the view drawn and their place on screen."""

    id: str
    character: Character
    variant: str = "default"
    mark: str | None = None
    x: float
    y: float
    facing_deg: float
    view: str = Field(description="front, left, right (three-quarter), side_left, side_right or back")
    depth: float = Field(description="metres from the lens to the middle of the face")
    face: list[float] = Field(description="u, v of the middle of the face in frame pixels")
    ppm: float = Field(description="frame pixels per metre at the character's depth")
    bbox: list[float] = Field(description="u0, v0, u1, v1 in frame pixels (unclipped)")
    screen_side: str = Field(description="left or right of the frame centre")
    line_side: str = Field(description="left or right: the side of the line of action the scene gave them")
    looking: str = Field(description="left, right, camera or away: where their facing points on screen")


class ShotLayout(Record):
    """Everything a shot's keyframe is drawn from; a shot's layout changes only if what it sees changes."""

    shot: str
    scene: str
    location: str
    interior: bool
    time_of_day: str
    frame_width: int
    frame_height: int
    canvas_width: int
    canvas_height: int
    camera: CameraLayout
    shell: SetShell
    lights: list[Light] = Field(default_factory=list)
    elements: list[ElementLayout] = Field(default_factory=list)
    characters: list[CharacterLayout] = Field(default_factory=list)
    crosses_line: bool = False
    camera_spot: str | None = Field(default=None, description="the set's allowed camera spot the camera stands on, if any")
    plate: str | None = Field(
        default=None, description="the camera spot whose set plate shows this shot's set best (none for a reverse on the fourth wall)"
    )
    movements: list[Movement] = Field(default_factory=list)

    def export(self) -> dict:
        """The layout as `mangaline export --layout` writes it: camera, characters, elements."""
        cam = self.camera.camera()
        right, up, forward = cam.basis()
        return {
            "shot": self.shot,
            "scene": self.scene,
            "location": self.location,
            "crosses_line": self.crosses_line,
            "camera_spot": self.camera_spot,
            "plate": self.plate,
            "camera": {
                "position": [cam.x, cam.y, cam.z],
                "target": [cam.x + forward[0], cam.y + forward[1], cam.z + forward[2]],
                "up": list(up),
                "yaw": cam.yaw, "pitch": cam.pitch, "roll": cam.roll,
                "vertical_fov": cam.fov,
                "focal_px": cam.focal(self.frame_height),
                "image_size": [self.frame_width, self.frame_height],
            },
            "characters": [
                {
                    "name": c.id, "display_name": c.character.name, "mark": c.mark, "variant": c.variant,
                    "world_position": [c.x, c.y, 0.0], "facing_deg": c.facing_deg, "view": c.view,
                    "bbox": c.bbox, "screen_side": c.screen_side, "line_side": c.line_side, "looking": c.looking,
                    "depth": c.depth,
                }
                for c in self.characters
            ],
            "elements": [
                {
                    "name": e.element.name, "kind": str(e.element.kind),
                    "world_position": [(e.box[0] + e.box[3]) / 2, (e.box[1] + e.box[4]) / 2, e.box[2]],
                    "size": [e.box[3] - e.box[0], e.box[4] - e.box[1], e.box[5] - e.box[2]],
                    "bbox": e.bbox, "visible": e.in_frame,
                }
                for e in self.elements
            ],
            "movements": [m.model_dump(mode="json") for m in self.movements],
        }


def canvas_size(width: int, height: int, overscan: float = 1.2) -> tuple[int, int]:
    """The keyframe canvas: the frame times ``overscan``, even-sized, with room for camera moves."""
    even = lambda v: max(2, int(round(v / 2.0)) * 2)
    cw, ch = max(even(width * overscan), width), max(even(height * overscan), height)
    return cw + (cw - width) % 2, ch + (ch - height) % 2


def element_box(element: SetElement, width: float, depth: float) -> tuple[float, float, float, float, float, float]:
    """The element's box in set metres (x0, y0, z0, x1, y1, z1), snapped to its wall.

    ``x, y`` is the centre of the footprint; along an east or west wall the width
    runs north-south so a window is as wide on every wall.
    """
    w, d = element.width, element.depth
    kind = str(element.kind)
    if kind in _WALL_DEPTH and element.wall is not None:
        d = min(d, _WALL_DEPTH[kind])
    x, y = element.x, element.y
    wall = Wall(element.wall) if element.wall else None
    if wall in (Wall.EAST, Wall.WEST):
        w, d = d, w
    if wall is Wall.NORTH:
        y = depth - d / 2
    elif wall is Wall.SOUTH:
        y = d / 2
    elif wall is Wall.EAST:
        x = width - w / 2
    elif wall is Wall.WEST:
        x = w / 2
    z0 = element.elevation
    return x - w / 2, y - d / 2, z0, x + w / 2, y + d / 2, z0 + element.height


def _box_bbox(camera: Camera, box, width: int, height: int) -> list[float] | None:
    """Frame-pixel bounds of a box's projection, clipped against the near plane."""
    x0, y0, z0, x1, y1, z1 = box
    corners = [camera.to_view(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
    pts = [c for c in corners if c[2] >= _NEAR]
    # Edges crossing the near plane add their cut points, so a box half behind the lens still has bounds.
    idx = [(i, j) for i in range(8) for j in range(i + 1, 8) if bin(i ^ j).count("1") == 1]
    for i, j in idx:
        a, b = corners[i], corners[j]
        if (a[2] >= _NEAR) != (b[2] >= _NEAR):
            t = (_NEAR - a[2]) / (b[2] - a[2])
            pts.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, _NEAR))
    if not pts:
        return None
    f = camera.focal(height)
    us = [width / 2 + f * r / d for r, _, d in pts]
    vs = [height / 2 - f * u / d for _, u, d in pts]
    return [min(us), min(vs), max(us), max(vs)]


def figure_box(character: Character, face_u: float, face_v: float, ppm: float) -> tuple[list[float], float]:
    """A figure's frame-pixel bounds drawn with its face at (u, v), and the face's height above the floor."""
    design = character.design
    age = "child" if str(design.build) == "child" else design.age if design.age in _HEADS else "adult"
    head = design.height / _HEADS[age]
    face_height = design.height - head * 0.62
    shoulders = {"slim": 0.92, "average": 1.02, "broad": 1.22, "child": 0.82}.get(str(design.build), 1.0)
    shoulder = head * shoulders * (0.9 if design.gender == "female" else 1.0)
    half = max(shoulder + head * 0.4, head * 0.8 * 0.9, head * 1.2) + head * 0.1
    foot_v = face_v + face_height * ppm
    top = foot_v - (design.height + head * 0.5) * ppm
    return [face_u - half * ppm, top, face_u + half * ppm, foot_v + head * 0.08 * ppm], face_height


def _overlaps(bbox: list[float] | None, x0: float, y0: float, x1: float, y1: float) -> bool:
    return bbox is not None and bbox[0] < x1 and bbox[2] > x0 and bbox[1] < y1 and bbox[3] > y0


def view_for(facing_deg: float, to_camera_deg: float, camera_right: tuple[float, float]) -> str:
    """Which drawing shows a character facing ``facing_deg`` to a camera at bearing ``to_camera_deg``."""
    diff = (facing_deg - to_camera_deg + 180.0) % 360.0 - 180.0
    if abs(diff) <= 28.0:
        return "front"
    if abs(diff) >= 125.0:
        return "back"
    fx, fy = math.cos(math.radians(facing_deg)), math.sin(math.radians(facing_deg))
    side = "right" if fx * camera_right[0] + fy * camera_right[1] > 0 else "left"
    # Between a three-quarter and a back view the face is seen in profile.
    return f"side_{side}" if abs(diff) >= 75.0 else side


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


def lay_out_shot(shot: Shot, scene: Scene, bible: Bible, width: int, height: int, *, overscan: float = 1.2,
                 movements: list[Movement] | None = None) -> ShotLayout:
    """Block the scene, place the shot's camera, and keep what the shot's canvas sees."""
    check_bible(shot, scene, bible)
    location = bible.locations[scene.location]
    s = location.set
    blocking = eyeline(shot, block_scene(scene, bible))
    camera = place_camera(shot, scene, blocking, s)
    cw, ch = canvas_size(width, height, overscan)
    ox, oy = (cw - width) / 2, (ch - height) / 2
    # The canvas reaches past the frame by the overscan margin; camera moves may reveal it.
    canvas_rect = (-ox, -oy, width + ox, height + oy)

    elements = []
    for element in s.elements:
        box = element_box(element, s.width, s.depth)
        bbox = _box_bbox(camera, box, width, height)
        if not _overlaps(bbox, *canvas_rect):
            continue
        elements.append(ElementLayout(element=element, box=[round(v, 6) for v in box],
                                      bbox=[round(v, 3) for v in bbox], in_frame=_overlaps(bbox, 0, 0, width, height)))

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
        _, face_height = figure_box(character, 0, 0, 1)
        u, v, depth = project_point(camera, place.x, place.y, face_height, width, height)
        if depth < MIN_DEPTH:
            continue
        ppm = f / depth
        bbox, _ = figure_box(character, u, v, ppm)
        if not _overlaps(bbox, *canvas_rect):
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
    from .set_view import plate_for  # set_view builds on this module's records

    layout_camera = CameraLayout(**camera.to_dict())
    return ShotLayout(
        shot=shot.code, scene=scene.id, location=location.id, interior=scene.interior, time_of_day=scene.time_of_day,
        frame_width=width, frame_height=height, canvas_width=cw, canvas_height=ch,
        camera=layout_camera,
        shell=SetShell(width=s.width, depth=s.depth, height=s.height, wall_colour=s.wall_colour, floor_colour=s.floor_colour,
                       ceiling_colour=s.ceiling_colour, accent_colour=s.accent_colour),
        lights=list(s.lights), elements=elements, characters=characters,
        crosses_line=bool(getattr(shot, "crosses_line", False)), movements=placed,
        camera_spot=next((c.name for c in s.cameras if math.dist((c.x, c.y, c.z), (camera.x, camera.y, camera.z)) < 0.05), None),
        plate=plate_for(layout_camera, location),
    )

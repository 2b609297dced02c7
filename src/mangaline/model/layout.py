"""A shot's layout as the layout department hands it on: the camera in the set and exactly what it sees.

The storyboard draws a keyframe from it, the draft renderer draws the set plates from it, and
`mangaline export --layout` writes it; a layout.shot take's data is ``ShotLayout.model_dump(mode="json")``.
"""

from __future__ import annotations

from pydantic import Field

from .base import Record
from .bible import Character, Light, SetDesign, SetElement
from .figure import figure_for
from .geometry import Camera

__all__ = ["CameraLayout", "CharacterLayout", "ElementLayout", "Movement", "SetShell", "ShotLayout"]


class Movement(Record):
    """A character entering or leaving the shot, with their heading in the set and on screen."""

    character: str
    kind: str = Field(description="exit or enter")
    heading_deg: float = Field(description="direction of travel on the floor plan, degrees counter-clockwise from east")
    screen_direction: str | None = Field(default=None, description="left or right: which way they cross the frame")


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

    @classmethod
    def of(cls, set: SetDesign) -> SetShell:
        return cls(width=set.width, depth=set.depth, height=set.height, wall_colour=set.wall_colour,
                   floor_colour=set.floor_colour, ceiling_colour=set.ceiling_colour, accent_colour=set.accent_colour)


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

    def head(self) -> list[float]:
        """Frame-pixel bounds (u0, v0, u1, v1) of the head, hair and chin: what must be in the picture to see who speaks."""
        head = figure_for(self.character, self.variant).head * self.ppm
        u, v = self.face
        return [u - 0.55 * head, v - 0.75 * head, u + 0.55 * head, v + 0.45 * head]


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

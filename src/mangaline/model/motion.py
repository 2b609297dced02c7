"""What the animator hands the edit: a shot's motion plan (camera path, parallax, mouths, blinks, breaths), as plain data."""

from __future__ import annotations

import math

from pydantic import Field

from .base import Record
from .script import CameraMove

__all__ = ["Breath", "CameraPoint", "FrameSpan", "LayerMotion", "MotionPlan", "ease_in_out"]


def ease_in_out(u: float) -> float:
    """Smoothstep: the camera starts and settles gently instead of jerking at the cut."""
    u = min(max(u, 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


class CameraPoint(Record):
    """Where the camera looks: the frame centre on the canvas, in canvas pixels, and the zoom (1 = frame size)."""

    x: float
    y: float
    zoom: float = Field(default=1.0, ge=1.0)


class FrameSpan(Record):
    """Frames ``first`` to ``last`` of the shot, both included, counted from 0."""

    first: int = Field(ge=0)
    last: int = Field(ge=0)


class LayerMotion(Record):
    """How much one layer moves with the camera: 1 for the background, more for nearer layers.

    An arc keeps its subject still (0) and sweeps what is nearer the other way (below 0).
    """

    name: str
    parallax: float


class Breath(Record):
    """A character's breathing: the layer rises by ``rise`` canvas pixels and settles, once every ``period`` seconds."""

    period: float = Field(gt=0)
    phase: float = Field(description="radians, so characters sharing a shot do not breathe in step")
    rise: float = Field(ge=0, description="canvas pixels, peak to trough")

    def offset(self, t: float) -> float:
        """How far up (canvas pixels, >= 0) the layer is at ``t`` seconds into the shot."""
        return self.rise * 0.5 * (1.0 - math.cos(2.0 * math.pi * t / self.period + self.phase))


class MotionPlan(Record):
    """Everything the segment renderer needs to animate one shot; plain data, JSON-serialisable."""

    shot: str
    move: CameraMove
    seed: int
    fps: int = Field(ge=1)
    frames: int = Field(ge=1)
    frame_width: int
    frame_height: int
    canvas_width: int
    canvas_height: int
    start: CameraPoint
    end: CameraPoint
    ease: str = "ease_in_out"
    layers: list[LayerMotion]
    camera_travel_m: float = Field(default=0.0, description="how far the camera body moves in the set (dolly, drift), metres")
    camera_turn_deg: float = Field(default=0.0, description="how far the camera turns on its head (pan, tilt), degrees")
    mouths: dict[str, list[FrameSpan]] = Field(default_factory=dict, description="character id -> open-mouth frames")
    blinks: dict[str, list[FrameSpan]] = Field(default_factory=dict, description="character id -> closed-eye frames")
    breaths: dict[str, Breath] = Field(default_factory=dict, description="character id -> how the character breathes")

    def progress(self, n: int) -> float:
        """The eased 0..1 progress of the camera move at frame ``n``."""
        return ease_in_out(n / (self.frames - 1) if self.frames > 1 else 0.0)

    def camera_at(self, n: int) -> CameraPoint:
        s = self.progress(n)
        return CameraPoint(
            x=self.start.x + (self.end.x - self.start.x) * s,
            y=self.start.y + (self.end.y - self.start.y) * s,
            zoom=self.start.zoom + (self.end.zoom - self.start.zoom) * s,
        )

    def parallax_of(self, layer: str) -> float:
        for motion in self.layers:
            if motion.name == layer:
                return motion.parallax
        raise KeyError(layer)

    def layer_shift(self, parallax: float, n: int) -> tuple[float, float]:
        """How far a layer is slid on the canvas at frame ``n`` so it moves ``parallax`` times the background.

        The shift is zero when the camera looks at the canvas centre, so the rest
        position matches the storyboard's flattened keyframe.
        """
        cam = self.camera_at(n)
        return (
            (1.0 - parallax) * (cam.x - self.canvas_width / 2),
            (1.0 - parallax) * (cam.y - self.canvas_height / 2),
        )

    def screen_point(self, n: int, x: float, y: float, parallax: float = 1.0, character: str | None = None) -> tuple[float, float]:
        """Where canvas point (x, y) of a layer with ``parallax`` lands in the frame at frame ``n``.

        A ``character`` layer also rises with its breath.
        """
        cam = self.camera_at(n)
        dx, dy = self.layer_shift(parallax, n)
        breath = self.breaths.get(character or "")
        if breath is not None:
            dy -= breath.offset(n / self.fps)
        return (
            (x + dx - cam.x) * cam.zoom + self.frame_width / 2,
            (y + dy - cam.y) * cam.zoom + self.frame_height / 2,
        )

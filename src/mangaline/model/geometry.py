"""The one geometry kernel: the pinhole camera and its projection, set elements' boxes, what a frame sees, which view.

Layout places cameras with it, the draft renderer draws through it, and tests check pictures
against it, so a window projects to the same pixels for all of them. Pure maths, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .bible import SetElement, Wall

__all__ = [
    "NEAR",
    "Box",
    "Camera",
    "View",
    "box_bbox",
    "canvas_rect",
    "canvas_size",
    "element_box",
    "overlaps",
    "project_point",
    "view_for",
]

NEAR = 0.08
"""Metres: geometry nearer than this to the lens is cut away (the near plane)."""

Box = tuple[float, float, float, float, float, float]
"""x0, y0, z0, x1, y1, z1 in set metres."""

# How deep an element hung on a wall stands out of it, metres: flat things, whatever depth the set gives them.
_WALL_DEPTH = {"window": 0.06, "door": 0.05, "picture": 0.04, "screen": 0.05, "clock": 0.04, "sign": 0.04}

Vector = tuple[float, float, float]


@dataclass(frozen=True)
class Camera:
    """A pinhole camera in set coordinates (metres; x east, y north, z up).

    ``yaw`` is the heading in degrees counter-clockwise from east, ``pitch`` is up
    positive, ``roll`` turns the picture clockwise, ``fov`` is the vertical field of
    view of the frame in degrees.
    """

    x: float
    y: float
    z: float
    yaw: float
    pitch: float = 0.0
    fov: float = 50.0
    roll: float = 0.0

    def basis(self) -> tuple[Vector, Vector, Vector]:
        """Right, up and forward unit vectors in set coordinates."""
        cy, sy = math.cos(math.radians(self.yaw)), math.sin(math.radians(self.yaw))
        cp, sp = math.cos(math.radians(self.pitch)), math.sin(math.radians(self.pitch))
        forward = (cy * cp, sy * cp, sp)
        right = (sy, -cy, 0.0)
        up = (
            right[1] * forward[2] - right[2] * forward[1],
            right[2] * forward[0] - right[0] * forward[2],
            right[0] * forward[1] - right[1] * forward[0],
        )
        if self.roll:
            cr, sr = math.cos(math.radians(self.roll)), math.sin(math.radians(self.roll))
            right, up = (
                tuple(cr * r - sr * u for r, u in zip(right, up)),
                tuple(sr * r + cr * u for r, u in zip(right, up)),
            )
        return right, up, forward  # type: ignore[return-value]

    def to_view(self, x: float, y: float, z: float) -> Vector:
        """A set point in camera space: (right, up, depth) in metres."""
        right, up, forward = self.basis()
        p = (x - self.x, y - self.y, z - self.z)
        dot = lambda a: a[0] * p[0] + a[1] * p[1] + a[2] * p[2]  # noqa: E731
        return dot(right), dot(up), dot(forward)

    def focal(self, height: int) -> float:
        """Focal length in pixels for a frame ``height`` pixels tall."""
        return (height / 2.0) / math.tan(math.radians(self.fov) / 2.0)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def project_point(camera: Camera, x: float, y: float, z: float, width: int, height: int) -> Vector:
    """Project a set point to frame pixels: (u, v, depth), u right and v down from the top-left.

    ``depth`` is metres along the view axis; a point with depth <= 0 is behind the
    camera and its u, v are NaN, so callers clip against the near plane first.
    """
    right, up, depth = camera.to_view(x, y, z)
    if depth <= 1e-9:
        return math.nan, math.nan, depth
    f = camera.focal(height)
    return width / 2.0 + f * right / depth, height / 2.0 - f * up / depth, depth


def _near_cut(a: Vector, b: Vector) -> Vector:
    """Where the segment between two camera-space points crosses the near plane."""
    t = (NEAR - a[2]) / (b[2] - a[2])
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, NEAR


def canvas_size(width: int, height: int, overscan: float = 1.2) -> tuple[int, int]:
    """The keyframe canvas: the frame times ``overscan``, even-sized, with room for camera moves."""
    even = lambda v: max(2, int(round(v / 2.0)) * 2)  # noqa: E731
    cw, ch = max(even(width * overscan), width), max(even(height * overscan), height)
    return cw + (cw - width) % 2, ch + (ch - height) % 2


def canvas_rect(width: int, height: int, canvas_width: int, canvas_height: int) -> tuple[float, float, float, float]:
    """The canvas around a ``width`` x ``height`` frame centred on it, in frame pixels (x0, y0, x1, y1).

    It reaches past the frame by the overscan margin, which camera moves may reveal.
    """
    ox, oy = (canvas_width - width) / 2, (canvas_height - height) / 2
    return -ox, -oy, width + ox, height + oy


def element_box(element: SetElement, width: float, depth: float) -> Box:
    """The element's box in set metres (x0, y0, z0, x1, y1, z1) in a set ``width`` by ``depth``, snapped to its wall.

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


def box_bbox(camera: Camera, box: Box, width: int, height: int) -> list[float] | None:
    """Frame-pixel bounds (u0, v0, u1, v1) of a box's projection, clipped against the near plane; None when all behind."""
    x0, y0, z0, x1, y1, z1 = box
    corners = [camera.to_view(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
    pts = [c for c in corners if c[2] >= NEAR]
    # Edges crossing the near plane add their cut points, so a box half behind the lens still has bounds.
    edges = [(i, j) for i in range(8) for j in range(i + 1, 8) if bin(i ^ j).count("1") == 1]
    for i, j in edges:
        a, b = corners[i], corners[j]
        if (a[2] >= NEAR) != (b[2] >= NEAR):
            pts.append(_near_cut(a, b))
    if not pts:
        return None
    f = camera.focal(height)
    us = [width / 2 + f * r / d for r, _, d in pts]
    vs = [height / 2 - f * u / d for _, u, d in pts]
    return [min(us), min(vs), max(us), max(vs)]


def overlaps(bbox: list[float] | None, x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether frame-pixel bounds reach into the rectangle (x0, y0)-(x1, y1)."""
    return bbox is not None and bbox[0] < x1 and bbox[2] > x0 and bbox[1] < y1 and bbox[3] > y0


def view_for(facing_deg: float, to_camera_deg: float, camera_right: tuple[float, float]) -> str:
    """Which drawing shows a character facing ``facing_deg`` to a camera at bearing ``to_camera_deg``.

    One of front, left, right (three-quarter views), side_left, side_right (profiles) or back.
    """
    diff = (facing_deg - to_camera_deg + 180.0) % 360.0 - 180.0
    if abs(diff) <= 28.0:
        return "front"
    if abs(diff) >= 125.0:
        return "back"
    fx, fy = math.cos(math.radians(facing_deg)), math.sin(math.radians(facing_deg))
    side = "right" if fx * camera_right[0] + fy * camera_right[1] > 0 else "left"
    # Between a three-quarter and a back view the face is seen in profile.
    return f"side_{side}" if abs(diff) >= 75.0 else side


@dataclass(frozen=True)
class View:
    """A camera seen through a frame, centred on a larger canvas, drawn ``ss`` times oversize."""

    camera: Camera
    frame_width: int
    frame_height: int
    canvas_width: int
    canvas_height: int
    ss: int = 2

    @property
    def offset(self) -> tuple[int, int]:
        return (self.canvas_width - self.frame_width) // 2, (self.canvas_height - self.frame_height) // 2

    @property
    def focal(self) -> float:
        return self.camera.focal(self.frame_height)

    def to_canvas(self, x: float, y: float, z: float) -> Vector:
        """A set point in canvas pixels (not supersampled) and its depth."""
        u, v, d = project_point(self.camera, x, y, z, self.frame_width, self.frame_height)
        ox, oy = self.offset
        return u + ox, v + oy, d

    def depth(self, x: float, y: float, z: float) -> float:
        return self.camera.to_view(x, y, z)[2]

    def _view_to_px(self, r: float, u: float, d: float) -> tuple[float, float]:
        f = self.focal
        ox, oy = self.offset
        return (
            (self.frame_width / 2.0 + f * r / d + ox) * self.ss,
            (self.frame_height / 2.0 - f * u / d + oy) * self.ss,
        )

    def polygon(self, points: list[Vector]) -> list[tuple[float, float]] | None:
        """Project a planar polygon, clipped against the near plane; None when nothing is left."""
        view = [self.camera.to_view(*p) for p in points]
        clipped: list[Vector] = []
        n = len(view)
        for i in range(n):
            a, b = view[i], view[(i + 1) % n]
            a_in, b_in = a[2] >= NEAR, b[2] >= NEAR
            if a_in:
                clipped.append(a)
            if a_in != b_in:
                clipped.append(_near_cut(a, b))
        if len(clipped) < 3:
            return None
        return [self._view_to_px(*p) for p in clipped]

    def segment(self, a: Vector, b: Vector) -> list[tuple[float, float]] | None:
        va, vb = self.camera.to_view(*a), self.camera.to_view(*b)
        if va[2] < NEAR and vb[2] < NEAR:
            return None
        if va[2] < NEAR or vb[2] < NEAR:
            t = (NEAR - va[2]) / (vb[2] - va[2])
            cut = tuple(va[i] + (vb[i] - va[i]) * t for i in range(3))
            if va[2] < NEAR:
                va = cut  # type: ignore[assignment]
            else:
                vb = cut  # type: ignore[assignment]
        return [self._view_to_px(*va), self._view_to_px(*vb)]

    def point(self, x: float, y: float, z: float) -> Vector | None:
        """Supersampled canvas pixel of a point and its depth; None behind the near plane."""
        r, u, d = self.camera.to_view(x, y, z)
        if d < NEAR:
            return None
        px, py = self._view_to_px(r, u, d)
        return px, py, d

    def pixels_per_metre(self, depth: float) -> float:
        """Supersampled pixels per metre for something standing ``depth`` metres away."""
        return self.focal / max(depth, NEAR) * self.ss

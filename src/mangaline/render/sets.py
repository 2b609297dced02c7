"""The set renderer: a room or an exterior from the bible's floor plan, seen through a shot's camera."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from mangaline.colour import INK, RGB, hex_rgb, lighten, mix, shade
from mangaline.model import ElementKind, SetDesign, SetElement, Wall
from mangaline.model.geometry import View, element_box

__all__ = ["SetPicture", "SetTrace", "draw_set", "trace_set"]

Point3 = tuple[float, float, float]


@dataclass
class SetPicture:
    """The drawn set: the background (full canvas, opaque), an optional foreground, and the far depth."""

    background: Image.Image
    foreground: Image.Image | None
    far_depth: float


def _front_normal(element: SetElement) -> tuple[float, float]:
    return {Wall.NORTH: (0.0, -1.0), Wall.SOUTH: (0.0, 1.0), Wall.EAST: (-1.0, 0.0), Wall.WEST: (1.0, 0.0)}.get(
        Wall(element.wall) if element.wall else None, (0.0, -1.0)
    )


def sky_colours(time_of_day: str) -> tuple[RGB, RGB, str]:
    """Sky gradient (top, horizon) and the time bucket: day, night, dusk or dawn."""
    t = (time_of_day or "DAY").upper()
    if any(k in t for k in ("NIGHT", "MIDNIGHT", "LATE")):
        return (10, 14, 40), (48, 56, 104), "night"
    if any(k in t for k in ("DUSK", "SUNSET", "EVENING", "TWILIGHT")):
        return (74, 62, 138), (252, 158, 96), "dusk"
    if any(k in t for k in ("DAWN", "SUNRISE", "MORNING")):
        return (132, 176, 232), (255, 214, 178), "dawn"
    return (96, 164, 236), (200, 230, 252), "day"


class _Painter:
    """Draws projected shapes with ink outlines onto one supersampled image."""

    def __init__(self, image: Image.Image, view: View, night: bool) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.view = view
        self.night = night
        self.ink_width = max(2, round(view.ss * view.canvas_height / 900))

    def line_width(self, depth: float, metres: float = 0.012) -> int:
        return max(1, min(self.ink_width, round(self.view.pixels_per_metre(depth) * metres)))

    def poly(self, points: list[Point3], fill: RGB | None, outline: bool = True, width: int | None = None) -> None:
        px = self.view.polygon(points)
        if px is None:
            return
        depth = min(self.view.depth(*p) for p in points)
        w = width if width is not None else self.line_width(max(depth, 0.3))
        self.draw.polygon(px, fill=fill, outline=INK if outline else None, width=w if outline else 1)

    def seg(self, a: Point3, b: Point3, colour: RGB = INK, metres: float = 0.012) -> None:
        px = self.view.segment(a, b)
        if px is None:
            return
        depth = max(0.3, min(self.view.depth(*a), self.view.depth(*b)))
        self.draw.line(px, fill=colour, width=self.line_width(depth, metres))

    def disc(self, centre: Point3, radius: float, fill: RGB, outline: bool = True) -> None:
        p = self.view.point(*centre)
        if p is None:
            return
        r = radius * self.view.pixels_per_metre(p[2])
        w = self.line_width(p[2]) if outline else 0
        self.draw.ellipse((p[0] - r, p[1] - r, p[0] + r, p[1] + r), fill=fill, outline=INK if outline else None, width=max(w, 1))

    def box(self, x0: float, y0: float, z0: float, x1: float, y1: float, z1: float, colour: RGB) -> None:
        """A flat-shaded box: top lighter, east/west faces in the shade tone, only faces the camera sees."""
        cam = self.view.camera
        faces: list[tuple[list[Point3], RGB, bool]] = [
            ([(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)], lighten(colour, 0.14), cam.z > z1),
            ([(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)], colour, cam.y < y0),
            ([(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)], shade(colour, 0.22), cam.y > y1),
            ([(x0, y0, z0), (x0, y1, z0), (x0, y1, z1), (x0, y0, z1)], shade(colour, 0.16), cam.x < x0),
            ([(x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)], shade(colour, 0.28), cam.x > x1),
            ([(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)], shade(colour, 0.4), cam.z < z0),
        ]
        for points, fill, visible in faces:
            if visible:
                self.poly(points, fill)


class _Face:
    """The front face of an element as a (s, t) sheet: s left to right, t bottom to top, seen from the front."""

    def __init__(self, box: tuple[float, ...], normal: tuple[float, float]) -> None:
        x0, y0, z0, x1, y1, z1 = box
        nx, ny = normal
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hx, hy = (x1 - x0) / 2, (y1 - y0) / 2
        fx, fy = cx + nx * hx + nx * 0.004, cy + ny * hy + ny * 0.004
        rx, ry = -ny, nx  # the viewer's right when facing the element
        half = abs(rx) * hx + abs(ry) * hy
        self.left = (fx - rx * half, fy - ry * half)
        self.right = (fx + rx * half, fy + ry * half)
        self.z0, self.z1 = z0, z1
        self.normal = normal

    def at(self, s: float, t: float, out: float = 0.0) -> Point3:
        x = self.left[0] + (self.right[0] - self.left[0]) * s + self.normal[0] * out
        y = self.left[1] + (self.right[1] - self.left[1]) * s + self.normal[1] * out
        return x, y, self.z0 + (self.z1 - self.z0) * t

    def quad(self, s0: float, t0: float, s1: float, t1: float, out: float = 0.0) -> list[Point3]:
        return [self.at(s0, t0, out), self.at(s1, t0, out), self.at(s1, t1, out), self.at(s0, t1, out)]

    @property
    def width(self) -> float:
        return math.hypot(self.right[0] - self.left[0], self.right[1] - self.left[1])


def _faces_camera(face: _Face, view: View) -> bool:
    cx, cy, _ = face.at(0.5, 0.5)
    return (view.camera.x - cx) * face.normal[0] + (view.camera.y - cy) * face.normal[1] > 0


def draw_set(set_design: SetDesign, *, interior: bool, time_of_day: str, view: View, seed: int = 0,
             foreground_before: float | None = None) -> SetPicture:
    """Draw the set through ``view``; elements wholly nearer than ``foreground_before`` go to the foreground."""
    w, h = view.canvas_width * view.ss, view.canvas_height * view.ss
    top, horizon, bucket = sky_colours(time_of_day)
    night = bucket == "night"
    rng = random.Random(f"{seed}:{time_of_day}")
    if interior:
        back = Image.new("RGB", (w, h), shade(hex_rgb(set_design.wall_colour), 0.35))
    else:
        back = _sky(view, top, horizon, bucket, rng)
    painter = _Painter(back, view, night)
    if interior:
        _room(painter, set_design)
    else:
        _ground(painter, set_design)
    elements = [(e, element_box(e, set_design.width, set_design.depth)) for e in set_design.elements]
    ordered = sorted(elements, key=lambda eb: -_box_depth(view, eb[1]))
    fore_items = []
    # The elements draw from their own random stream, so tracing them replays the very same shapes.
    rng = random.Random(f"{seed}:{time_of_day}:elements")
    for element, box in ordered:
        if foreground_before is not None and _max_depth(view, box) < foreground_before - 0.2:
            fore_items.append((element, box))
            continue
        _element(painter, element, box, set_design, bucket, rng)
    far = max(_far_depth(view, set_design, interior), 0.5)
    background = _finish(back, view, set_design, night, interior)
    foreground = None
    if fore_items:
        fore = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        fp = _Painter(fore, view, night)
        for element, box in fore_items:
            _element(fp, element, box, set_design, bucket, rng)
        foreground = fore.reduce(view.ss)
    return SetPicture(background=background, foreground=foreground, far_depth=far)


def _box_depth(view: View, box: tuple[float, ...]) -> float:
    x0, y0, z0, x1, y1, z1 = box
    return view.depth((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2)


def _max_depth(view: View, box: tuple[float, ...]) -> float:
    x0, y0, z0, x1, y1, z1 = box
    return max(view.depth(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1))


def _far_depth(view: View, s: SetDesign, interior: bool) -> float:
    if not interior:
        return 60.0
    return max(view.depth(x, y, z) for x in (0, s.width) for y in (0, s.depth) for z in (0, s.height))


def _sky(view: View, top: RGB, horizon: RGB, bucket: str, rng: random.Random) -> Image.Image:
    w, h = view.canvas_width * view.ss, view.canvas_height * view.ss
    cam = view.camera
    # The horizon's row: where a far point straight ahead at lens height lands.
    far = view.point(cam.x + math.cos(math.radians(cam.yaw)) * 1e4, cam.y + math.sin(math.radians(cam.yaw)) * 1e4, cam.z)
    horizon_row = far[1] if far else h * 0.6
    rows = np.clip(np.arange(h, dtype=np.float32) / max(horizon_row, 1.0), 0.0, 1.0) ** 1.4
    grad = np.array(top, np.float32)[None, :] * (1 - rows[:, None]) + np.array(horizon, np.float32)[None, :] * rows[:, None]
    # one column of bytes, then stretched across by Pillow: repeating the rows in numpy makes and copies the canvas
    sky = Image.fromarray(grad.astype(np.uint8)[:, None, :], "RGB").resize((w, h), Image.NEAREST)
    draw = ImageDraw.Draw(sky)
    s = view.ss
    if bucket == "night":
        for _ in range(int(w * h / (9000 * s * s))):
            x, y = rng.uniform(0, w), rng.uniform(0, max(horizon_row * 0.9, 1))
            r = rng.choice((1, 1, 1, 2)) * s
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(235, 235, 210))
        mx, my, mr = w * 0.74, max(horizon_row * 0.22, h * 0.08), w * 0.06
        draw.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=(250, 244, 210), outline=INK, width=2 * s)
        draw.ellipse((mx - mr * 0.55, my - mr * 1.05, mx + mr * 1.3, my + mr * 0.75), fill=top)
    elif bucket in ("day", "dawn"):
        for i in range(3):
            cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.15, 0.6) * max(horizon_row, 1)
            cw = w * rng.uniform(0.12, 0.22)
            for j in range(4):
                ox, r = (j - 1.5) * cw * 0.45, cw * (0.35 + 0.15 * (j % 2))
                draw.ellipse((cx + ox - r, cy - r * 0.6, cx + ox + r, cy + r * 0.6), fill=(250, 252, 255))
    else:
        sx, sr = w * 0.3, w * 0.11
        draw.ellipse((sx - sr, horizon_row - sr, sx + sr, horizon_row + sr), fill=(255, 214, 120))
    return sky


def _room(p: _Painter, s: SetDesign) -> None:
    cam, view = p.view.camera, p.view
    W, D, H = s.width, s.depth, s.height
    wall = hex_rgb(s.wall_colour)
    floor = hex_rgb(s.floor_colour)
    ceiling = hex_rgb(s.ceiling_colour)
    accent = hex_rgb(s.accent_colour)
    surfaces: list[tuple[list[Point3], RGB, bool, str]] = [
        ([(0, D, 0), (W, D, 0), (W, D, H), (0, D, H)], wall, cam.y < D, "north"),
        ([(0, 0, 0), (0, D, 0), (0, D, H), (0, 0, H)], shade(wall, 0.12), cam.x > 0, "west"),
        ([(W, 0, 0), (W, D, 0), (W, D, H), (W, 0, H)], shade(wall, 0.2), cam.x < W, "east"),
        ([(0, 0, 0), (W, 0, 0), (W, 0, H), (0, 0, H)], shade(wall, 0.08), cam.y > 0, "south"),
        ([(0, 0, 0), (W, 0, 0), (W, D, 0), (0, D, 0)], floor, cam.z > 0, "floor"),
        ([(0, 0, H), (W, 0, H), (W, D, H), (0, D, H)], ceiling, cam.z < H, "ceiling"),
    ]
    surfaces.sort(key=lambda sf: -sum(view.depth(*pt) for pt in sf[0]) / 4)
    for points, colour, visible, name in surfaces:
        if not visible:
            continue
        p.poly(points, colour)
        if name == "floor":
            step = 0.45
            x = step
            while x < W - 1e-6:
                p.seg((x, 0, 0), (x, D, 0), shade(floor, 0.12), 0.008)
                x += step
        elif name == "ceiling":
            p.poly([(W * 0.35, D * 0.45, H - 0.002), (W * 0.65, D * 0.45, H - 0.002),
                    (W * 0.65, D * 0.6, H - 0.002), (W * 0.35, D * 0.6, H - 0.002)], lighten(ceiling, 0.5))
        else:
            # Skirting board and a picture rail in the accent colour tie walls together.
            corners = points
            base = [corners[0], corners[1], (corners[1][0], corners[1][1], 0.12), (corners[0][0], corners[0][1], 0.12)]
            p.poly(base, shade(accent, 0.1))
            rail_lo, rail_hi = H * 0.78, H * 0.78 + 0.05
            p.poly([(corners[0][0], corners[0][1], rail_lo), (corners[1][0], corners[1][1], rail_lo),
                    (corners[1][0], corners[1][1], rail_hi), (corners[0][0], corners[0][1], rail_hi)], accent)


def _ground(p: _Painter, s: SetDesign) -> None:
    floor = hex_rgb(s.floor_colour)
    far = 400.0
    p.poly([(-far, -far, 0), (s.width + far, -far, 0), (s.width + far, s.depth + far, 0), (-far, s.depth + far, 0)],
           floor, outline=False)
    # Paving joints give the ground its perspective.
    for i in range(-6, int(s.width) + 8):
        p.seg((float(i), -30.0, 0.0), (float(i), s.depth + 30.0, 0.0), shade(floor, 0.1), 0.01)
    for j in range(-6, int(s.depth) + 10, 2):
        p.seg((-30.0, float(j), 0.0), (s.width + 30.0, float(j), 0.0), shade(floor, 0.1), 0.01)


def _element(p: _Painter, e: SetElement, box: tuple[float, ...], s: SetDesign, bucket: str, rng: random.Random) -> None:
    c = hex_rgb(e.colour)
    drawer = _DRAWERS.get(ElementKind(e.kind), _draw_box)
    drawer(p, e, box, c, s, bucket, rng)


def _draw_box(p, e, box, c, s, bucket, rng) -> None:
    p.box(*box, c)


def _glass(bucket: str) -> tuple[RGB, RGB]:
    top, horizon, _ = sky_colours({"night": "NIGHT", "dusk": "DUSK", "dawn": "DAWN"}.get(bucket, "DAY"))
    return top, horizon


def _fit_dressing(box: tuple[float, ...], normal: tuple[float, float], reach: tuple[float, float, float, float],
                  out: float) -> tuple[float, ...]:
    """The inner box whose face, drawn with trims reaching ``reach`` (left, right, below, above, as fractions)
    and ``out`` metres proud of it, still fits inside ``box``: the element never spills past its projection."""
    x0, y0, z0, x1, y1, z1 = box
    left, right, below, above = reach
    span = 1.0 + left + right
    tall = 1.0 + below + above
    h = (z1 - z0) / tall
    z0, z1 = z0 + below * h, z0 + below * h + h
    nx, ny = normal
    if abs(ny) > abs(nx):
        w = (x1 - x0) / span
        x0, x1 = (x0 + left * w, x0 + left * w + w) if ny < 0 else (x1 - left * w - w, x1 - left * w)
        back = min(out + 0.001, (y1 - y0) * 0.9)
        y0, y1 = (y0 + back, y1) if ny < 0 else (y0, y1 - back)
    else:
        w = (y1 - y0) / span
        y0, y1 = (y1 - left * w - w, y1 - left * w) if nx < 0 else (y0 + left * w, y0 + left * w + w)
        back = min(out + 0.001, (x1 - x0) * 0.9)
        x0, x1 = (x0 + back, x1) if nx < 0 else (x0, x1 - back)
    return x0, y0, z0, x1, y1, z1


def _draw_window(p, e, box, c, s, bucket, rng) -> None:
    # Curtains reach 0.16 of the glass past each side, the sill 0.05 below and 0.04 m proud.
    face = _Face(_fit_dressing(box, _front_normal(e), (0.16, 0.16, 0.05, 0.06), 0.044), _front_normal(e))
    if not _faces_camera(face, p.view):
        return
    accent = hex_rgb(s.accent_colour)
    top, horizon = _glass(bucket)
    p.poly(face.quad(0, 0, 1, 1), c)
    p.poly(face.quad(0.07, 0.07, 0.93, 0.55), mix(horizon, top, 0.25), outline=False)
    p.poly(face.quad(0.07, 0.55, 0.93, 0.93), mix(horizon, top, 0.7), outline=False)
    p.poly(face.quad(0.07, 0.07, 0.93, 0.93), None)
    shine = lighten(mix(horizon, top, 0.5), 0.55)
    p.poly([face.at(0.2, 0.55), face.at(0.34, 0.85), face.at(0.42, 0.85), face.at(0.28, 0.55)], shine, outline=False)
    p.poly([face.at(0.6, 0.2), face.at(0.7, 0.4), face.at(0.74, 0.4), face.at(0.64, 0.2)], shine, outline=False)
    p.poly(face.quad(0.475, 0.07, 0.525, 0.93), c)
    p.poly(face.quad(0.07, 0.48, 0.93, 0.52), c)
    p.poly(face.quad(-0.06, -0.05, 1.06, 0.0, out=0.04), lighten(c, 0.15))
    for s0, s1 in ((-0.16, 0.06), (0.94, 1.16)):
        p.poly([face.at(s0, 1.06, 0.03), face.at(s1, 1.06, 0.03), face.at(s1 - 0.03 if s0 < 0 else s1, -0.02, 0.03),
                face.at(s0 if s0 < 0 else s0 + 0.03, -0.02, 0.03)], accent)
        for k in (0.33, 0.66):
            a = s0 + (s1 - s0) * k
            p.seg(face.at(a, 1.0, 0.031), face.at(a, 0.05, 0.031), shade(accent, 0.3), 0.008)


def _draw_door(p, e, box, c, s, bucket, rng) -> None:
    # The frame reaches 0.06 of the door past each side and 0.03 above; the knob stands 0.04 m proud.
    face = _Face(_fit_dressing(box, _front_normal(e), (0.06, 0.06, 0.0, 0.03), 0.045), _front_normal(e))
    if not _faces_camera(face, p.view):
        p.box(*box, c)
        return
    p.poly(face.quad(-0.06, 0, 1.06, 1.03), shade(c, 0.3))
    p.poly(face.quad(0, 0, 1, 1, out=0.005), c)
    p.poly(face.quad(0.15, 0.55, 0.85, 0.92, out=0.01), shade(c, 0.12))
    p.poly(face.quad(0.15, 0.08, 0.85, 0.45, out=0.01), shade(c, 0.12))
    p.disc(face.at(0.86, 0.48, 0.04), 0.035, (226, 190, 90))


def _draw_picture(p, e, box, c, s, bucket, rng) -> None:
    face = _Face(box, _front_normal(e))
    if not _faces_camera(face, p.view):
        return
    p.poly(face.quad(0, 0, 1, 1), c)
    p.poly(face.quad(0.1, 0.1, 0.9, 0.9, out=0.003), (236, 228, 206))
    p.poly([face.at(0.12, 0.12, 0.006), face.at(0.45, 0.7, 0.006), face.at(0.7, 0.12, 0.006)], (120, 160, 140))
    p.poly([face.at(0.4, 0.12, 0.007), face.at(0.68, 0.5, 0.007), face.at(0.88, 0.12, 0.007)], (90, 130, 120))
    p.disc(face.at(0.72, 0.72, 0.007), min(e.width, e.height) * 0.08, (236, 150, 90), outline=False)


def _draw_screen(p, e, box, c, s, bucket, rng) -> None:
    face = _Face(box, _front_normal(e))
    if e.wall is None:
        x0, y0, z0, x1, y1, z1 = box
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        p.box(mx - 0.03, my - 0.03, z0, mx + 0.03, my + 0.03, z0 + (z1 - z0) * 0.25, shade(c, 0.2))
        face = _Face((x0, y0, z0 + (z1 - z0) * 0.25, x1, y1, z1), _front_normal(e))
        p.box(x0, y0, z0 + (z1 - z0) * 0.25, x1, y1, z1, c)
    if not _faces_camera(face, p.view):
        return
    p.poly(face.quad(0, 0, 1, 1), c)
    glow = (120, 200, 235) if bucket != "night" else (150, 225, 255)
    p.poly(face.quad(0.06, 0.08, 0.94, 0.92, out=0.003), glow)
    p.poly([face.at(0.1, 0.6, 0.005), face.at(0.5, 0.9, 0.005), face.at(0.6, 0.9, 0.005), face.at(0.2, 0.6, 0.005)],
           lighten(glow, 0.5), outline=False)


def _draw_clock(p, e, box, c, s, bucket, rng) -> None:
    face = _Face(box, _front_normal(e))
    if not _faces_camera(face, p.view):
        return
    r = min(e.width, e.height) / 2
    centre = face.at(0.5, 0.5, 0.01)
    p.disc(centre, r, c)
    p.disc(centre, r * 0.82, (246, 242, 228))
    p.seg(centre, face.at(0.5, 0.5 + 0.32, 0.012), INK, 0.012)
    p.seg(centre, face.at(0.5 + 0.25, 0.5, 0.012), INK, 0.012)


def _draw_sign(p, e, box, c, s, bucket, rng) -> None:
    face = _Face(box, _front_normal(e))
    if e.wall is None and e.elevation > 0:
        x0, y0, z0, x1, y1, z1 = box
        p.box(x0 + 0.05, y0, 0, x0 + 0.1, y1, z0, (90, 90, 96))
        p.box(x1 - 0.1, y0, 0, x1 - 0.05, y1, z0, (90, 90, 96))
    p.box(*box, c)
    if not _faces_camera(face, p.view):
        return
    light = lighten(c, 0.75) if bucket != "night" else (255, 250, 200)
    p.poly(face.quad(0.1, 0.6, 0.85, 0.76, out=0.005), light, outline=False)
    p.poly(face.quad(0.1, 0.28, 0.6, 0.42, out=0.005), light, outline=False)


def _draw_table(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    leg = 0.05
    top_t = min(0.05, (z1 - z0) * 0.2)
    legs = [(x0 + 0.04, y0 + 0.04), (x1 - 0.04 - leg, y0 + 0.04), (x0 + 0.04, y1 - 0.04 - leg), (x1 - 0.04 - leg, y1 - 0.04 - leg)]
    legs.sort(key=lambda q: -p.view.depth(q[0], q[1], z0))
    for lx, ly in legs:
        p.box(lx, ly, z0, lx + leg, ly + leg, z1 - top_t, shade(c, 0.15))
    p.box(x0, y0, z1 - top_t, x1, y1, z1, c)


def _draw_desk(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    top_t = 0.04
    p.box(x1 - 0.05, y0 + 0.05, z0, x1 - 0.01, y1 - 0.05, z1 - top_t, shade(c, 0.15))
    p.box(x0, y0 + 0.02, z0, x0 + (x1 - x0) * 0.36, y1 - 0.02, z1 - top_t, c)
    face = _Face((x0, y0 + 0.02, z0, x0 + (x1 - x0) * 0.36, y1 - 0.02, z1 - top_t), (0.0, -1.0))
    if _faces_camera(face, p.view):
        for t in (0.36, 0.7):
            p.seg(face.at(0.05, t), face.at(0.95, t), INK, 0.01)
            p.seg(face.at(0.4, t + 0.13), face.at(0.6, t + 0.13), INK, 0.02)
    p.box(x0, y0, z1 - top_t, x1, y1, z1, lighten(c, 0.05))


def _draw_counter(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    p.box(x0 + 0.03, y0 + 0.03, z0, x1 - 0.03, y1 - 0.03, z1 - 0.05, shade(c, 0.06))
    face = _Face((x0 + 0.03, y0 + 0.03, z0, x1 - 0.03, y1 - 0.03, z1 - 0.05), _front_normal(e))
    if _faces_camera(face, p.view):
        n = max(1, round(face.width / 0.6))
        for i in range(1, n):
            p.seg(face.at(i / n, 0.06), face.at(i / n, 0.94), INK, 0.01)
    p.box(x0, y0, z1 - 0.05, x1, y1, z1, lighten(c, 0.45))


def _draw_chair(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    seat = z0 + min(0.46, (z1 - z0) * 0.5)
    nx, ny = _front_normal(e)
    for lx, ly in ((x0 + 0.03, y0 + 0.03), (x1 - 0.07, y0 + 0.03), (x0 + 0.03, y1 - 0.07), (x1 - 0.07, y1 - 0.07)):
        p.box(lx, ly, z0, lx + 0.04, ly + 0.04, seat - 0.04, shade(c, 0.25))
    back = (x0, y1 - 0.06, seat, x1, y1, z1) if ny <= 0 else (x0, y0, seat, x1, y0 + 0.06, z1)
    behind = p.view.depth((back[0] + back[3]) / 2, (back[1] + back[4]) / 2, seat) > p.view.depth((x0 + x1) / 2, (y0 + y1) / 2, seat)
    if behind:
        p.box(*back, c)
    p.box(x0, y0, seat - 0.05, x1, y1, seat, lighten(c, 0.05))
    if not behind:
        p.box(*back, c)


def _draw_sofa(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    seat = z0 + (z1 - z0) * 0.5
    back_d = min(0.25, (y1 - y0) * 0.3)
    p.box(x0, y1 - back_d, z0, x1, y1, z1, shade(c, 0.05))
    p.box(x0, y0, z0, x1, y1 - back_d, seat, c)
    mid = (x0 + x1) / 2
    p.box(x0 + 0.18, y0 + 0.02, seat, mid - 0.01, y1 - back_d, seat + 0.1, lighten(c, 0.08))
    p.box(mid + 0.01, y0 + 0.02, seat, x1 - 0.18, y1 - back_d, seat + 0.1, lighten(c, 0.08))
    for ax in ((x0, x0 + 0.18), (x1 - 0.18, x1)):
        p.box(ax[0], y0, z0, ax[1], y1, seat + (z1 - seat) * 0.45, shade(c, 0.08))


def _draw_bed(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    frame_top = z0 + (z1 - z0) * 0.45
    mattress = z0 + (z1 - z0) * 0.75
    p.box(x0, y0, z0, x1, y1, frame_top, shade(c, 0.1))
    p.box(x0 + 0.03, y0 + 0.03, frame_top, x1 - 0.03, y1 - 0.03, mattress, (242, 240, 232))
    head_north = (e.wall in (Wall.NORTH, None))
    if head_north:
        p.box(x0, y1 - 0.06, z0, x1, y1, z1, c)
        p.box(x0 + 0.15, y1 - 0.5, mattress, x1 - 0.15, y1 - 0.12, mattress + 0.12, (250, 250, 246))
        p.box(x0 + 0.01, y0 + 0.01, frame_top + 0.02, x1 - 0.01, y1 - 0.6, mattress + 0.05, lighten(c, 0.25))
    else:
        p.box(x0 + 0.01, y0 + 0.01, frame_top + 0.02, x1 - 0.01, y1 - 0.01, mattress + 0.05, lighten(c, 0.25))


def _draw_shelf(p, e, box, c, s, bucket, rng) -> None:
    p.box(*box, c)
    face = _Face(box, _front_normal(e))
    if not _faces_camera(face, p.view):
        return
    r = random.Random(f"{e.name}:{e.x}:{e.y}")
    rows = max(2, round((box[5] - box[2]) / 0.4))
    p.poly(face.quad(0.05, 0.03, 0.95, 0.97, out=0.002), shade(c, 0.35))
    book_colours = [(200, 70, 60), (60, 100, 170), (230, 190, 80), (80, 150, 110), (150, 90, 160), (235, 230, 215)]
    for i in range(rows):
        t0, t1 = 0.03 + 0.94 * i / rows, 0.03 + 0.94 * (i + 1) / rows
        p.poly(face.quad(0.03, t0, 0.97, t0 + 0.02, out=0.01), c)
        sx = 0.07
        while sx < 0.9:
            bw = r.uniform(0.03, 0.07)
            bh = r.uniform(0.55, 0.85)
            if r.random() < 0.12:
                sx += bw
                continue
            p.poly(face.quad(sx, t0 + 0.02, min(sx + bw, 0.93), t0 + 0.02 + (t1 - t0 - 0.02) * bh, out=0.008),
                   r.choice(book_colours))
            sx += bw
    p.poly(face.quad(0, 0, 1, 1, out=0.012), None)


def _draw_lamp(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    h = z1 - z0
    r = (x1 - x0) / 2
    p.box(mx - r * 0.6, my - r * 0.6, z0, mx + r * 0.6, my + r * 0.6, z0 + 0.03, shade(c, 0.3))
    p.box(mx - 0.015, my - 0.015, z0, mx + 0.015, my + 0.015, z0 + h * 0.75, (70, 66, 70))
    shade_c = (255, 236, 180) if bucket == "night" else lighten(c, 0.3)
    right = _view_right(p.view)
    pts = [(mx - right[0] * r, my - right[1] * r, z0 + h * 0.65), (mx + right[0] * r, my + right[1] * r, z0 + h * 0.65),
           (mx + right[0] * r * 0.55, my + right[1] * r * 0.55, z1), (mx - right[0] * r * 0.55, my - right[1] * r * 0.55, z1)]
    p.poly(pts, shade_c)


def _view_right(view: View) -> tuple[float, float]:
    yaw = math.radians(view.camera.yaw)
    return math.sin(yaw), -math.cos(yaw)


def _draw_plant(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    h = z1 - z0
    pr = (x1 - x0) * 0.3
    p.box(mx - pr, my - pr, z0, mx + pr, my + pr, z0 + h * 0.3, (196, 110, 70))
    r = random.Random(f"{e.name}:{e.x}:{e.y}")
    leaf = (x1 - x0) * 0.28
    right = _view_right(p.view)
    blobs = [(r.uniform(-0.3, 0.3), r.uniform(0.45, 0.95)) for _ in range(6)]
    blobs.sort(key=lambda b: b[1])
    for i, (dx, dz) in enumerate(blobs):
        col = c if i % 2 == 0 else shade(c, 0.18)
        p.disc((mx + right[0] * dx * (x1 - x0), my + right[1] * dx * (x1 - x0), z0 + h * dz), leaf, col)


def _draw_tree(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    h = z1 - z0
    tw = max(0.12, (x1 - x0) * 0.08)
    p.box(mx - tw, my - tw, z0, mx + tw, my + tw, z0 + h * 0.55, (120, 84, 60))
    right = _view_right(p.view)
    rr = (x1 - x0) * 0.3
    for dx, dz, k in ((-0.22, 0.58, 0), (0.22, 0.6, 1), (0.0, 0.72, 0), (-0.15, 0.85, 1), (0.15, 0.86, 0), (0.0, 0.93, 1)):
        col = c if k == 0 else shade(c, 0.18)
        p.disc((mx + right[0] * dx * (x1 - x0), my + right[1] * dx * (x1 - x0), z0 + h * dz), rr, col)


def _draw_building(p, e, box, c, s, bucket, rng) -> None:
    p.box(*box, c)
    face = _Face(box, _front_normal(e))
    if not _faces_camera(face, p.view):
        return
    cols = max(2, round(face.width / 1.6))
    floors = max(1, round((box[5] - box[2]) / 3.0))
    r = random.Random(f"{e.name}:{e.x}")
    for i in range(floors):
        for j in range(cols):
            lit = bucket == "night" and r.random() < 0.6
            colour = (255, 226, 140) if lit else ((60, 70, 100) if bucket == "night" else (170, 210, 235))
            s0 = (j + 0.25) / cols
            t0 = (i + 0.3) / floors
            p.poly(face.quad(s0, t0, s0 + 0.5 / cols, t0 + 0.45 / floors, out=0.01), colour)
    p.poly(face.quad(-0.02, 0.97, 1.02, 1.0, out=0.05), shade(c, 0.3))


def _draw_streetlight(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    p.box(mx - 0.06, my - 0.06, z0, mx + 0.06, my + 0.06, z0 + 0.3, shade(c, 0.2))
    p.box(mx - 0.035, my - 0.035, z0, mx + 0.035, my + 0.035, z1, c)
    p.box(mx - 0.2, my - 0.12, z1 - 0.1, mx + 0.2, my + 0.12, z1, c)
    p.box(mx - 0.16, my - 0.09, z1 - 0.14, mx + 0.16, my + 0.09, z1 - 0.1, (255, 240, 180))


def _draw_rail(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    along_x = (x1 - x0) >= (y1 - y0)
    length = (x1 - x0) if along_x else (y1 - y0)
    n = max(2, round(length / 1.0) + 1)
    for i in range(n):
        t = i / (n - 1)
        if along_x:
            px = x0 + (x1 - x0 - 0.05) * t
            p.box(px, y0, z0, px + 0.05, y1, z1, c)
        else:
            py = y0 + (y1 - y0 - 0.05) * t
            p.box(x0, py, z0, x1, py + 0.05, z1, c)
    p.box(x0, y0, z1 - 0.06, x1, y1, z1, lighten(c, 0.1))
    p.box(x0, y0, z0 + (z1 - z0) * 0.45, x1, y1, z0 + (z1 - z0) * 0.45 + 0.04, c)


def _draw_fridge(p, e, box, c, s, bucket, rng) -> None:
    p.box(*box, c)
    face = _Face(box, _front_normal(e))
    if not _faces_camera(face, p.view):
        return
    p.seg(face.at(0.0, 0.64), face.at(1.0, 0.64), INK, 0.012)
    p.poly(face.quad(0.82, 0.7, 0.87, 0.86, out=0.02), (190, 190, 196))
    p.poly(face.quad(0.82, 0.4, 0.87, 0.58, out=0.02), (190, 190, 196))


def _draw_stove(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    p.box(*box, c)
    face = _Face(box, _front_normal(e))
    if _faces_camera(face, p.view):
        p.poly(face.quad(0.15, 0.2, 0.85, 0.6, out=0.005), (50, 50, 56))
        for k in (0.2, 0.4, 0.6, 0.8):
            p.disc(face.at(k, 0.82, 0.01), 0.02, (40, 40, 44), outline=False)
    if p.view.camera.z > z1:
        for fx in (0.3, 0.7):
            for fy in (0.3, 0.7):
                cx, cy = x0 + (x1 - x0) * fx, y0 + (y1 - y0) * fy
                ring = [(cx + 0.09 * math.cos(a * math.pi / 8), cy + 0.09 * math.sin(a * math.pi / 8), z1 + 0.003) for a in range(16)]
                p.poly(ring, (44, 44, 48))


def _draw_pillar(p, e, box, c, s, bucket, rng) -> None:
    x0, y0, z0, x1, y1, z1 = box
    # Base and capital fill the footprint; the shaft stands a little inside it.
    t = min(0.03, (x1 - x0) * 0.15, (y1 - y0) * 0.15)
    p.box(x0, y0, z0, x1, y1, z0 + 0.12, shade(c, 0.1))
    p.box(x0 + t, y0 + t, z0 + 0.12, x1 - t, y1 - t, z1 - 0.1, c)
    p.box(x0, y0, z1 - 0.1, x1, y1, z1, lighten(c, 0.1))


_DRAWERS: dict[ElementKind, Callable] = {
    ElementKind.WINDOW: _draw_window,
    ElementKind.DOOR: _draw_door,
    ElementKind.PICTURE: _draw_picture,
    ElementKind.SCREEN: _draw_screen,
    ElementKind.CLOCK: _draw_clock,
    ElementKind.SIGN: _draw_sign,
    ElementKind.TABLE: _draw_table,
    ElementKind.DESK: _draw_desk,
    ElementKind.COUNTER: _draw_counter,
    ElementKind.CHAIR: _draw_chair,
    ElementKind.SOFA: _draw_sofa,
    ElementKind.BED: _draw_bed,
    ElementKind.SHELF: _draw_shelf,
    ElementKind.LAMP: _draw_lamp,
    ElementKind.PLANT: _draw_plant,
    ElementKind.TREE: _draw_tree,
    ElementKind.BUILDING: _draw_building,
    ElementKind.STREETLIGHT: _draw_streetlight,
    ElementKind.RAIL: _draw_rail,
    ElementKind.FRIDGE: _draw_fridge,
    ElementKind.STOVE: _draw_stove,
    ElementKind.PILLAR: _draw_pillar,
}


_NIGHT_TINT = (0.55, 0.6, 0.82)
_GLOW_STEP = 4
"""The lamps' glow is worked out on a grid this coarse, then smoothed up to the canvas."""


def _finish(back: Image.Image, view: View, s: SetDesign, night: bool, interior: bool) -> Image.Image:
    """Downsample, then let the lights tint and brighten what is near them.

    Each pixel is ``v * tint + glow * (1 - v * tint / 400)`` in single floats, cut to 8 bits; where the glow is
    nothing that is the tinted pixel alone, done by a table of 256 levels, so the float work covers only the box
    the glow reaches (about a third of a lamp-lit room)."""
    img = back.reduce(view.ss)
    tint = np.array(_NIGHT_TINT, np.float32)
    out = img  # the reduced drawing is this function's own: the glow is pasted into it
    if night:
        levels = np.arange(256, dtype=np.float32)[:, None] * tint  # as the float work below computes it, before the glow
        table = np.clip(levels, 0, 255).astype(np.uint8)
        out = img.point([*table[:, 0].tolist(), *table[:, 1].tolist(), *table[:, 2].tolist()])
    glow = _glow(view, s, night, img.width, img.height)
    if glow is not None:
        big, (x0, y0) = glow
        box = (x0, y0, x0 + big.shape[1], y0 + big.shape[0])
        arr = np.array(img.crop(box), dtype=np.float32)
        if night:
            arr *= tint
        # arr + big * (1 - arr / 400), one box-sized pass at a time in one scratch array
        lift = np.divide(arr, np.float32(400.0))
        np.subtract(np.float32(1.0), lift, out=lift)
        lift *= big
        arr += lift
        del lift
        np.clip(arr, 0, 255, out=arr)
        out.paste(Image.fromarray(arr.astype(np.uint8), "RGB"), box[:2])
    return out.convert("RGBA")


def _glow(view: View, s: SetDesign, night: bool, w: int, h: int) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The lights' glow over a ``w`` x ``h`` canvas, as 8-bit RGB cut to the box where it is anything at all, and
    that box's corner; None where no light shows.

    Worked out every _GLOW_STEP pixels and smoothed up bilinearly; the box is cut on that grid (Pillow reads the
    grid's neighbours past a box's edge), so it is the very part of the whole canvas's glow it covers."""
    lights = list(s.lights)
    lights += [_lamp_light(e, s) for e in s.elements if ElementKind(e.kind) in (ElementKind.LAMP, ElementKind.STREETLIGHT)]
    if not lights:
        return None
    q = _GLOW_STEP
    ys = (np.arange(0, h, q, dtype=np.float32) + q / 2)[:, None]
    xs = (np.arange(0, w, q, dtype=np.float32) + q / 2)[None, :]
    glow = np.zeros((ys.shape[0], xs.shape[1], 3), np.float32)
    for light in lights:
        pt = view.to_canvas(light.x, light.y, light.z)
        if pt[2] < 0.2:
            continue
        radius = view.focal * (1.0 + 0.6 * light.intensity) / pt[2]
        radius = max(radius, view.canvas_height * 0.05)
        d2 = ((xs - pt[0]) ** 2 + (ys - pt[1]) ** 2) / (radius * radius)
        strength = (0.55 if night else 0.28) * min(light.intensity, 2.5)
        glow += np.exp(-d2)[..., None] * np.array(hex_rgb(light.colour), np.float32) * strength
    small = np.clip(glow, 0, 255).astype(np.uint8)
    rows, cols = np.flatnonzero(small.any(axis=(1, 2))), np.flatnonzero(small.any(axis=(0, 2)))
    if not len(rows):
        return None
    # a grid point reaches the canvas pixels up to one grid step either side of it
    gx0, gx1 = max(0, int(cols[0]) - 1), min(small.shape[1], int(cols[-1]) + 2)
    gy0, gy1 = max(0, int(rows[0]) - 1), min(small.shape[0], int(rows[-1]) + 2)
    x0, y0 = gx0 * q, gy0 * q
    x1, y1 = min(w, gx1 * q), min(h, gy1 * q)
    scale_x, scale_y = small.shape[1] / w, small.shape[0] / h  # the grid's cells per canvas pixel, as a whole resize has it
    big = Image.fromarray(small, "RGB").resize(
        (x1 - x0, y1 - y0), Image.BILINEAR, box=(x0 * scale_x, y0 * scale_y, x1 * scale_x, y1 * scale_y))
    return np.asarray(big), (x0, y0)


def _lamp_light(e: SetElement, s: SetDesign):
    from mangaline.model import Light

    x0, y0, z0, x1, y1, z1 = element_box(e, s.width, s.depth)
    return Light(name=f"{e.name}-glow", kind="lamp", x=(x0 + x1) / 2, y=(y0 + y1) / 2, z=z1 - 0.1, colour="#ffd890", intensity=0.8)


# --- tracing: the same shapes as primitive ids, for masks and the depth map ---------------------


@dataclass
class SetTrace:
    """The set drawn as primitive ids (0 = sky) on the canvas, with each primitive's plane and owner.

    ``planes[i]`` is (nx, ny, nz, k) in camera space (right, up, forward): the
    primitive lies on n . p = k. ``owners[i]`` is the index of the element in the
    traced set's ``elements`` that drew it, or -1 for the room or the ground.
    """

    back: np.ndarray
    fore: np.ndarray
    planes: np.ndarray
    owners: np.ndarray


class _Tracer(_Painter):
    """Draws the painter's fills as flat primitive ids with no ink, no lines and no smoothing."""

    def __init__(self, image: Image.Image, view: View, planes: list, owners: list) -> None:
        super().__init__(image, view, False)
        self.planes, self.owners = planes, owners
        self.owner = -1

    def _register(self, plane: tuple[float, float, float, float]) -> int:
        self.planes.append(plane)
        self.owners.append(self.owner)
        return len(self.planes)  # id 0 stays the sky

    def poly(self, points: list[Point3], fill: RGB | None, outline: bool = True, width: int | None = None) -> None:
        if fill is None:
            return  # an outline alone is ink, not surface
        px = self.view.polygon(points)
        if px is None:
            return
        plane = _plane([self.view.camera.to_view(*p) for p in points])
        if plane is None:
            return
        self.draw.polygon(px, fill=self._register(plane))

    def seg(self, a: Point3, b: Point3, colour: RGB = INK, metres: float = 0.012) -> None:
        return  # lines are drawn over surfaces that are already traced

    def disc(self, centre: Point3, radius: float, fill: RGB, outline: bool = True) -> None:
        p = self.view.point(*centre)
        if p is None:
            return
        r = radius * self.view.pixels_per_metre(p[2])
        # A disc is a sprite facing the lens: a plane of constant depth.
        self.draw.ellipse((p[0] - r, p[1] - r, p[0] + r, p[1] + r), fill=self._register((0.0, 0.0, 1.0, p[2])))


def _plane(view_points: list[tuple[float, float, float]]) -> tuple[float, float, float, float] | None:
    a = np.asarray(view_points[0], np.float64)
    for i in range(1, len(view_points) - 1):
        b, c = np.asarray(view_points[i], np.float64), np.asarray(view_points[i + 1], np.float64)
        n = np.cross(b - a, c - a)
        norm = float(np.linalg.norm(n))
        if norm > 1e-12:
            n /= norm
            return float(n[0]), float(n[1]), float(n[2]), float(n @ a)
    return None


def trace_set(set_design: SetDesign, *, interior: bool, time_of_day: str, view: View, seed: int = 0,
              foreground_before: float | None = None) -> SetTrace:
    """Trace the set exactly as ``draw_set`` paints it (same shapes, same order) as primitive ids at ``view.ss``."""
    w, h = view.canvas_width * view.ss, view.canvas_height * view.ss
    planes: list = []
    owners: list = []
    back = Image.new("I", (w, h), 0)
    tracer = _Tracer(back, view, planes, owners)
    if interior:
        _room(tracer, set_design)
    else:
        _ground(tracer, set_design)
    index = {id(e): i for i, e in enumerate(set_design.elements)}
    elements = [(e, element_box(e, set_design.width, set_design.depth)) for e in set_design.elements]
    ordered = sorted(elements, key=lambda eb: -_box_depth(view, eb[1]))
    fore_items = []
    bucket = sky_colours(time_of_day)[2]
    rng = random.Random(f"{seed}:{time_of_day}:elements")
    for element, box in ordered:
        if foreground_before is not None and _max_depth(view, box) < foreground_before - 0.2:
            fore_items.append((element, box))
            continue
        tracer.owner = index[id(element)]
        _element(tracer, element, box, set_design, bucket, rng)
    fore = Image.new("I", (w, h), 0)
    fore_tracer = _Tracer(fore, view, planes, owners)
    for element, box in fore_items:
        fore_tracer.owner = index[id(element)]
        _element(fore_tracer, element, box, set_design, bucket, rng)
    return SetTrace(
        back=np.asarray(back, np.int32)[view.ss // 2::view.ss, view.ss // 2::view.ss],
        fore=np.asarray(fore, np.int32)[view.ss // 2::view.ss, view.ss // 2::view.ss],
        planes=np.asarray([(0.0, 0.0, 1.0, 0.0)] + planes, np.float64),
        owners=np.asarray([-2] + owners, np.int32),
    )

"""The character renderer: a flat anime figure built from primitives, exactly from the bible's design."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from mangaline.colour import INK, RGB, hex_rgb, lighten, mix, shade
from mangaline.model import Build, HairStyle, Light
from mangaline.model.figure import SHOULDERS, Figure

__all__ = ["VIEWS", "FigureDrawing", "Lighting", "draw_figure", "light_figure", "lighting_for", "rim_band", "rim_width"]

# Lighting stays inside what the identity check forgives (ΔE2000 < 3 against the turnaround, measured on the
# flat fills): the body only leans ~1.5 ΔE toward the light; the visible light is a rim on the lit edge.
_TINT = 0.035  # how far each channel leans toward the light's hue at full strength
_LIFT = 0.015  # brightening at full strength
_RIM = 0.55  # how much of the light's colour the rim takes at full strength
_RIM_DEPTH_M = 0.02  # how deep the rim reaches into the figure, in metres...
_RIM_MAX = 0.012  # ...but never more than this share of the canvas's short side: a close-up's rim stays a thin light
_FALLOFF_M = 3.5  # distance at which a lamp gives half its light
_DISTANT = ("sun", "moon")  # so far away that the set's scale makes no falloff

VIEWS = ("front", "left", "right", "side_left", "side_right", "back")
_PROFILE_TURN = 1.45  # a profile turns the face further than a three-quarter view (d = 1)
_LONG_TOPS = ("coat", "trench", "kimono", "robe", "dress", "gown")


def _turn(view: str) -> float:
    """How far the head and body turn towards screen right (+) or left (-) for a view."""
    if view not in VIEWS:
        raise ValueError(f"view {view!r} is not one of {', '.join(VIEWS)}")
    return {"right": 1.0, "left": -1.0, "side_right": _PROFILE_TURN, "side_left": -_PROFILE_TURN}.get(view, 0.0)


@dataclass
class FigureDrawing:
    """A drawn character: the layer image and its sprites, all placed in canvas pixels."""

    image: Image.Image
    x: int
    y: int
    mouth: tuple[Image.Image, int, int] | None
    blink: tuple[Image.Image, int, int] | None


class _Pen:
    """Maps figure metres (x right, y up from the feet) to supersampled pixels of one image."""

    def __init__(self, image: Image.Image, foot_x: float, foot_y: float, ppm: float, x0: int, y0: int, ss: int) -> None:
        self.draw = ImageDraw.Draw(image)
        self.fx, self.fy, self.ppm, self.x0, self.y0, self.ss = foot_x, foot_y, ppm, x0, y0, ss
        self.ink = round(_ink_width(ppm, ss) * ss)
        self.fine = max(1, round(self.ink * 0.6))

    def px(self, x: float, y: float) -> tuple[float, float]:
        # Absolute supersampled position first, then the integer origin: the subtraction is exact,
        # so a sprite drawn with another origin rasterises to the very same pixels as the layer.
        return (self.fx + x * self.ppm) * self.ss - self.x0 * self.ss, (self.fy - y * self.ppm) * self.ss - self.y0 * self.ss

    def poly(self, pts, fill: RGB | None, outline: bool = True, width: int | None = None) -> None:
        self.draw.polygon([self.px(*p) for p in pts], fill=fill, outline=INK if outline else None,
                          width=(width or self.ink) if outline else 1)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, fill: RGB | None, outline: bool = True,
                width: int | None = None, colour: RGB = INK) -> None:
        x0, y0 = self.px(cx - rx, cy + ry)
        x1, y1 = self.px(cx + rx, cy - ry)
        self.draw.ellipse((x0, y0, x1, y1), fill=fill, outline=colour if outline else None,
                          width=(width or self.ink) if outline else 1)

    def line(self, pts, width: int | None = None, colour: RGB = INK) -> None:
        self.draw.line([self.px(*p) for p in pts], fill=colour, width=width or self.fine, joint="curve")


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 14) -> list[tuple[float, float]]:
    return [(cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)), cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n)))
            for i in range(n + 1)]


@dataclass(frozen=True)
class Lighting:
    """How the set's lights fall on one character in one shot."""

    colour: RGB
    strength: float  # 0..1
    direction: tuple[float, float]  # unit vector on screen toward the light (x right, y down)


def lighting_for(lights: list[Light], x: float, y: float, height: float, to_view) -> Lighting | None:
    """The light on a character standing at set point (x, y): colour and strength from every light, by distance.

    ``to_view`` maps a set point to camera space (right, up, depth), e.g. ``Camera.to_view``,
    so the lit edge is the one that faces the light as this camera sees it.
    """
    chest = (x, y, height * 0.75)
    total = 0.0
    colour = [0.0, 0.0, 0.0]
    dx = dy = 0.0
    cr, cu, _ = to_view(*chest)
    for light in lights:
        distance = math.dist(chest, (light.x, light.y, light.z))
        weight = light.intensity * (0.5 if light.kind in _DISTANT else 1.0 / (1.0 + (distance / _FALLOFF_M) ** 2))
        if weight <= 0:
            continue
        rgb = hex_rgb(light.colour)
        for i in range(3):
            colour[i] += weight * rgb[i]
        total += weight
        lr, lu, _ = to_view(light.x, light.y, light.z)
        side = math.hypot(lr - cr, lu - cu)
        if side > 1e-6:
            dx += weight * (lr - cr) / side
            dy -= weight * (lu - cu) / side
    if total <= 1e-6:
        return None
    norm = math.hypot(dx, dy)
    direction = (dx / norm, dy / norm) if norm > 1e-6 else (0.0, -1.0)  # lit from straight ahead or behind: the top
    return Lighting(colour=tuple(round(c / total) for c in colour), strength=min(1.0, total), direction=direction)


def rim_band(alpha: np.ndarray, lighting: Lighting, rim_px: float, *, ink_px: float = 1.0) -> np.ndarray:
    """How much rim light each pixel takes (0..1): a band along the silhouette's outer edge that faces the light.

    A pixel is in the band when, walking toward the light, it leaves the figure after more than
    ``ink_px`` pixels (the outline, which stays ink) but within ``ink_px + rim_px``. Leaving means
    reaching what the figure stands against: a hole it encloses is not its edge. The light is
    full for the first half of the band and fades out over the rest, so the band reads as a
    light on the edge, not a slab laid over the figure.
    """
    solid = np.asarray(alpha) > 127
    depth = _depth_toward(~_outside(solid), lighting.direction)
    fade = max(1.0, rim_px / 2)
    weight = np.clip((ink_px + rim_px + 0.5 - depth) / fade, 0.0, 1.0)
    return np.where(solid & (depth > ink_px), weight, 0.0).astype(np.float32)


def _outside(solid: np.ndarray) -> np.ndarray:
    """The empty pixels connected to the image's border (through their four neighbours): what the figure stands
    against, not the holes it encloses."""
    from scipy.ndimage import label

    empty = ~solid
    regions, _ = label(empty)  # four-connected: a hole touching the outside only at a corner stays a hole
    border = np.concatenate((regions[0], regions[-1], regions[:, 0], regions[:, -1]))
    touching = np.zeros(int(regions.max()) + 1, bool)
    touching[border] = True
    touching[0] = False
    return touching[regions]


def _depth_toward(inside: np.ndarray, direction: tuple[float, float]) -> np.ndarray:
    """For each pixel, how far (in pixels) a walk from it toward ``direction`` stays ``inside``.

    The image is sheared so that every walk runs along a row (one digital line per row, the
    same line whichever of its pixels a walk starts from), then each row is read once from its
    end: no loop over steps. Past the image the figure goes on as it meets the edge, so a
    layer cut off by the canvas has no edge there. The shear moves whole runs of columns that
    share an offset, as slices: a gather through an index array the size of the image cost
    twice as much.
    """
    dx, dy = direction
    steep = abs(dy) > abs(dx)
    grid = inside.T if steep else inside
    along, across = (dy, dx) if steep else (dx, dy)
    if along < 0:
        grid = grid[:, ::-1]
    slope = across / max(abs(along), 1e-9)
    h, w = grid.shape
    off = np.rint(np.arange(w) * slope).astype(np.intp)
    top = int(off.max())
    lines = h + top - int(off.min())
    # sheared[r, x] is the pixel (r - top + off[x], x), rows past the image repeating its edge: one pixel along
    # a row is one step toward the light. Each run of columns [a, b) with one offset starts at row `first`.
    edges = [0, *(np.flatnonzero(np.diff(off)) + 1).tolist(), w]
    runs = [(a, b, top - int(off[a])) for a, b in zip(edges[:-1], edges[1:])]
    sheared = np.empty((lines, w), bool)
    for a, b, first in runs:
        sheared[:first, a:b] = grid[0, a:b]
        sheared[first:first + h, a:b] = grid[:, a:b]
        sheared[first + h:, a:b] = grid[h - 1, a:b]
    never = 2 * (w + lines)  # a figure that runs off the image never leaves it
    xs = np.arange(w, dtype=np.int32)
    leaves_at = np.minimum.accumulate(np.where(sheared, np.int32(never), xs)[:, ::-1], axis=1)[:, ::-1]
    leaves_at -= xs
    depth = np.empty((h, w))
    scale = math.hypot(1.0, slope)
    for a, b, first in runs:
        np.multiply(leaves_at[first:first + h, a:b], scale, out=depth[:, a:b])
    if along < 0:
        depth = depth[:, ::-1]
    return depth.T if steep else depth


def light_figure(image: Image.Image, lighting: Lighting, *, rim_px: float, ink_px: float = 1.0,
                 rim: bool | np.ndarray = True) -> Image.Image:
    """Tint a drawing toward the light and, with ``rim``, light the silhouette edge that faces it.

    The rim sits just inside the ink outline (``ink_px``, which stays ink), ``rim_px`` deep (see
    ``rim_band``). ``rim`` may also be the band itself (its weights, or a boolean mask, of the
    image's size), as cut from the layer for a sprite.
    """
    image = image.convert("RGBA")
    pixels = np.asarray(image)
    light = np.array(lighting.colour, np.float32)
    hue = np.clip(light / max(float(light.mean()), 1.0), 0.6, 1.4)
    s = lighting.strength
    gain = (1.0 + _TINT * s * (hue - 1.0) + _LIFT * s).astype(np.float32)
    # The tint is one gain per channel: a table of 256 levels each, applied by Pillow, the same to the bit as
    # the float product rounded. Only the rim's band, a thin edge of the figure, is worked in floats.
    levels = np.arange(256, dtype=np.float32)[:, None] * gain
    table = np.clip(np.rint(levels), 0, 255).astype(np.uint8)
    out = image.point([*table[:, 0].tolist(), *table[:, 1].tolist(), *table[:, 2].tolist(), *range(256)])
    if isinstance(rim, np.ndarray):
        band = rim.astype(np.float32)
    elif rim and rim_px >= 1:
        band = rim_band(pixels[..., 3], lighting, rim_px, ink_px=ink_px)
    else:
        return out
    ys, xs = np.nonzero(band)
    if not len(ys):
        return out
    rgba = np.array(out)
    tinted = pixels[ys, xs, :3].astype(np.float32) * gain
    # sqrt: a rim reads even under a dim, distant lamp, where a tint of the same strength would not.
    lit = tinted + (light - tinted) * (_RIM * math.sqrt(s) * band[ys, xs][:, None])
    rgba[ys, xs, :3] = np.clip(np.rint(lit), 0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def draw_figure(fig: Figure, view: str, *, face_x: float, face_y: float, ppm: float, canvas: tuple[int, int],
                ss: int = 2, sprites: bool = True, light: Lighting | None = None) -> FigureDrawing | None:
    """Draw ``fig`` so the middle of its face lands on canvas pixel (face_x, face_y), ``ppm`` pixels a metre.

    The layer is cropped to the figure's box inside the canvas; None when none of it
    is on the canvas. The sprites are the same figure redrawn with the mouth open
    or the eyes shut, cut to the face parts, so they sit exactly over the layer.
    ``light`` (see ``lighting_for``) tints the figure and its sprites alike and rims the lit edge.
    """
    foot_x, foot_y = face_x, face_y + fig.face_height * ppm
    hw = fig.half_width() * ppm
    top = foot_y - (fig.height + fig.head * 0.5) * ppm
    box = _clip_box((foot_x - hw, top, foot_x + hw, foot_y + fig.head * 0.08 * ppm), canvas)
    if box is None:
        return None
    image = _render(fig, view, foot_x, foot_y, ppm, box, ss)
    mouth = blink = None
    if sprites and view != "back":
        d = _turn(view)
        h, w = fig.head, fig.head_width
        chin = fig.height - h
        eye_y = chin + h * 0.4
        cx = d * w * 0.12
        eyes_box = _clip_box((foot_x + (cx - w * 0.42) * ppm, foot_y - (eye_y + h * 0.11) * ppm,
                              foot_x + (cx + w * 0.42) * ppm, foot_y - (eye_y - h * 0.1) * ppm), canvas)
        mouth_box = _clip_box((foot_x + (cx + d * w * 0.06 - w * 0.16) * ppm, foot_y - (chin + h * 0.24) * ppm,
                               foot_x + (cx + d * w * 0.06 + w * 0.16) * ppm, foot_y - (chin + h * 0.06) * ppm), canvas)
        if eyes_box is not None and _big_enough(eyes_box):
            blink = (_render(fig, view, foot_x, foot_y, ppm, eyes_box, ss, eyes_closed=True), eyes_box[0], eyes_box[1])
        if mouth_box is not None and _big_enough(mouth_box):
            mouth = (_render(fig, view, foot_x, foot_y, ppm, mouth_box, ss, mouth_open=True), mouth_box[0], mouth_box[1])
    if light is not None:
        rim_px, ink_px = rim_width(ppm, canvas), _ink_width(ppm, ss)
        band = rim_band(np.asarray(image)[..., 3], light, rim_px, ink_px=ink_px)
        image = light_figure(image, light, rim_px=rim_px, ink_px=ink_px, rim=band)
        # A sprite's own box edges are not the silhouette: it takes the layer's rim, cut to where it sits.

        def lit(sprite: tuple[Image.Image, int, int] | None) -> tuple[Image.Image, int, int] | None:
            if sprite is None:
                return None
            x, y = sprite[1] - box[0], sprite[2] - box[1]
            cut = band[y:y + sprite[0].height, x:x + sprite[0].width]
            return light_figure(sprite[0], light, rim_px=rim_px, ink_px=ink_px, rim=cut), sprite[1], sprite[2]

        mouth, blink = lit(mouth), lit(blink)
    return FigureDrawing(image=image, x=box[0], y=box[1], mouth=mouth, blink=blink)


def rim_width(ppm: float, canvas: tuple[int, int]) -> float:
    """How deep the rim light reaches into a figure drawn ``ppm`` pixels a metre, in pixels.

    It grows with the figure (2 cm) in wide shots, but a close-up keeps it a thin light, at most
    ``_RIM_MAX`` of the canvas's short side, however large the figure is drawn.
    """
    return max(1.0, min(ppm * _RIM_DEPTH_M, min(canvas) * _RIM_MAX))


def _ink_width(ppm: float, ss: int) -> float:
    """The outline's width in pixels of the reduced image, as the pen draws it."""
    return max(1, round(max(1.0, ppm * 0.0075) * ss)) / ss


def _big_enough(box: tuple[int, int, int, int]) -> bool:
    return box[2] - box[0] >= 2 and box[3] - box[1] >= 2


def _clip_box(box: tuple[float, float, float, float], canvas: tuple[int, int]) -> tuple[int, int, int, int] | None:
    x0, y0 = max(0, math.floor(box[0])), max(0, math.floor(box[1]))
    x1, y1 = min(canvas[0], math.ceil(box[2])), min(canvas[1], math.ceil(box[3]))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return x0, y0, x1, y1


def _render(fig: Figure, view: str, foot_x: float, foot_y: float, ppm: float, box: tuple[int, int, int, int], ss: int,
            *, eyes_closed: bool = False, mouth_open: bool = False) -> Image.Image:
    # Pillow's wide outlines depend on where the image ends, so draw with a margin and cut
    # it off: the layer and its sprites then agree pixel for pixel.
    pad = 4
    x0, y0, x1, y1 = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    # Drawn premultiplied: every ink is opaque, so the pixels are those of RGBA, and the reduction (which
    # averages premultiplied pixels) needs no conversion of the large image there and back.
    image = Image.new("RGBa", ((x1 - x0) * ss, (y1 - y0) * ss), (0, 0, 0, 0))
    pen = _Pen(image, foot_x, foot_y, ppm, x0, y0, ss)
    _draw_body(pen, fig, view)
    _draw_head(pen, fig, view, eyes_closed=eyes_closed, mouth_open=mouth_open)
    small = image.reduce(ss) if ss > 1 else image
    return small.crop((pad, pad, pad + box[2] - box[0], pad + box[3] - box[1])).convert("RGBA")


# --- body -----------------------------------------------------------------------------------------


def _draw_body(pen: _Pen, f: Figure, view: str) -> None:
    h = f.head
    d = _turn(view)
    back = view == "back"
    chin = f.height - h
    shoulder_y = chin - h * 0.3
    hip_y = f.height * (0.45 if f.age == "child" else 0.49)
    waist_y = hip_y + h * 0.55
    sw = f.shoulder * (0.86 if d else 1.0)
    hipw = h * (0.78 if f.gender == "female" else 0.7) * SHOULDERS.get(f.build, 1.0) * (0.9 if d else 1.0)
    long_top = any(k in f.top_kind for k in _LONG_TOPS)
    knee_y = f.height * 0.27
    skirt = any(k in f.bottom_kind for k in ("skirt",)) or "dress" in f.top_kind
    shorts = "short" in f.bottom_kind
    leg_w = h * (0.3 if f.build != Build.BROAD else 0.36)

    if "long" == f.hair_style.value or f.hair_style == HairStyle.BOB or f.hair_style == HairStyle.PONYTAIL:
        _back_hair(pen, f, d, back)

    # Legs and shoes.
    leg_colour = f.skin if (skirt or shorts) else f.bottom
    for side in (-1.0, 1.0):
        x_top = side * hipw * 0.48 + d * h * 0.05
        x_bot = side * hipw * 0.42 + d * h * 0.12
        pen.poly([(x_top - leg_w * 0.55, hip_y), (x_top + leg_w * 0.55, hip_y), (x_bot + leg_w * 0.4, h * 0.12),
                  (x_bot - leg_w * 0.4, h * 0.12)], leg_colour if side < 0 else shade(leg_colour, 0.12))
        if shorts:
            pen.poly([(x_top - leg_w * 0.62, hip_y + h * 0.05), (x_top + leg_w * 0.62, hip_y + h * 0.05),
                      (x_top + leg_w * 0.6, knee_y + h * 0.55), (x_top - leg_w * 0.6, knee_y + h * 0.55)], f.bottom)
        if skirt or shorts:
            pen.poly([(x_bot - leg_w * 0.43, h * 0.45), (x_bot + leg_w * 0.43, h * 0.45), (x_bot + leg_w * 0.41, h * 0.12),
                      (x_bot - leg_w * 0.41, h * 0.12)], (245, 245, 245) if f.age != "elder" else (70, 60, 60))
        shoe = shade(f.secondary, 0.55) if not back else shade(f.secondary, 0.6)
        toe = x_bot + (d * h * 0.22)
        pen.poly([(x_bot - leg_w * 0.5, h * 0.14), (x_bot + leg_w * 0.5, h * 0.14), (toe + leg_w * 0.55, 0.0),
                  (toe - leg_w * 0.55, 0.0)], shoe)

    # Skirt or the long hem of a coat, kimono or dress.
    if skirt or long_top:
        hem_colour = f.top if ("dress" in f.top_kind or long_top) else f.bottom
        hem_y = knee_y + (h * 0.2 if skirt and not long_top else -h * 0.1)
        if "kimono" in f.top_kind or "robe" in f.top_kind or "gown" in f.top_kind:
            hem_y = h * 0.25
        flare = hipw * (1.45 if skirt and not long_top else 1.18)
        pen.poly([(-hipw * 1.02, waist_y), (hipw * 1.02, waist_y), (flare, hem_y), (-flare, hem_y)], hem_colour)
        pen.poly([(d * h * 0.1 + hipw * 0.25, waist_y), (hipw * 1.02, waist_y), (flare, hem_y), (d * h * 0.1 + flare * 0.35, hem_y)],
                 shade(hem_colour, 0.2), outline=False)
        if skirt and not long_top:
            for k in (-0.5, 0.0, 0.5):
                pen.line([(k * hipw * 0.8, waist_y - h * 0.1), (k * flare * 0.9, hem_y + h * 0.02)])
    elif not shorts:
        pen.poly([(-hipw * 1.02, waist_y), (hipw * 1.02, waist_y), (hipw * 0.98, hip_y - h * 0.1), (-hipw * 0.98, hip_y - h * 0.1)],
                 f.bottom)

    # Arms: the far arm of a three-quarter view tucks behind the torso.
    arm_w = h * 0.27 * (1.15 if f.build == Build.BROAD else 1.0)
    sleeve = f.top
    for side in (-1.0, 1.0):
        far = d != 0 and side == -d
        sx = side * sw * (0.86 if far else 1.0)
        hand_y = hip_y - h * 0.35
        ex = sx + side * h * 0.12
        colour = shade(sleeve, 0.2) if (far or side > 0) else sleeve
        pen.poly([(sx - arm_w * 0.55, shoulder_y + h * 0.02), (sx + arm_w * 0.55, shoulder_y + h * 0.02),
                  (ex + arm_w * 0.45, hand_y + h * 0.2), (ex - arm_w * 0.45, hand_y + h * 0.2)], colour)
        pen.ellipse(ex, hand_y + h * 0.06, arm_w * 0.42, h * 0.17, f.skin if side < 0 else shade(f.skin, 0.15))

    # Torso.
    torso_bottom = waist_y - h * 0.15 if not long_top else waist_y - h * 0.1
    torso = [(-sw, shoulder_y), (sw, shoulder_y), (hipw * 1.04, torso_bottom), (-hipw * 1.04, torso_bottom)]
    pen.poly([(-sw * 0.95, shoulder_y + h * 0.1), (-sw * 0.6, shoulder_y + h * 0.2), (sw * 0.6, shoulder_y + h * 0.2),
              (sw * 0.95, shoulder_y + h * 0.1), (sw, shoulder_y), (-sw, shoulder_y)], f.top)
    pen.poly(torso, f.top)
    # The one shadow tone falls on the side away from the key light (screen right).
    pen.poly([(sw * 0.45 + d * h * 0.1, shoulder_y), (sw, shoulder_y), (hipw * 1.04, torso_bottom),
              (hipw * 0.35 + d * h * 0.1, torso_bottom)], shade(f.top, 0.2), outline=False)
    pen.poly(torso, None)
    # Neck.
    nw = h * 0.17
    nx = d * h * 0.06
    pen.poly([(nx - nw, chin + h * 0.12), (nx + nw, chin + h * 0.12), (nx + nw, shoulder_y), (nx - nw, shoulder_y)],
             shade(f.skin, 0.22))
    if not back:
        _top_details(pen, f, d, shoulder_y, torso_bottom, sw, hipw, waist_y)
    else:
        pen.line([(0, shoulder_y - h * 0.1), (0, torso_bottom + h * 0.05)], colour=shade(f.top, 0.35))
    _accessory_body(pen, f, d, back, shoulder_y, chin)


def _top_details(pen: _Pen, f: Figure, d: float, shoulder_y: float, bottom: float, sw: float, hipw: float, waist_y: float) -> None:
    h = f.head
    cx = d * h * 0.14
    kind = f.top_kind
    inner = mix(f.secondary, (255, 255, 255), 0.55) if f.secondary == f.top else f.secondary
    if any(k in kind for k in ("jacket", "coat", "blazer", "uniform", "suit", "trench")):
        pen.poly([(cx - h * 0.24, shoulder_y), (cx + h * 0.24, shoulder_y), (cx + h * 0.06, bottom + h * 0.2),
                  (cx - h * 0.06, bottom + h * 0.2)], inner)
        pen.poly([(cx - h * 0.24, shoulder_y), (cx - h * 0.05, shoulder_y - h * 0.9), (cx - h * 0.36, shoulder_y - h * 0.3)],
                 lighten(f.top, 0.12))
        pen.poly([(cx + h * 0.24, shoulder_y), (cx + h * 0.05, shoulder_y - h * 0.9), (cx + h * 0.36, shoulder_y - h * 0.3)],
                 shade(f.top, 0.08))
        for k in range(3):
            y = shoulder_y - h * (1.05 + 0.35 * k)
            if y > bottom:
                pen.ellipse(cx + h * 0.12, y, h * 0.04, h * 0.04, lighten(f.accent, 0.2), width=pen.fine)
    elif "hood" in kind:
        pen.poly([(cx - h * 0.42, shoulder_y + h * 0.06), (cx + h * 0.42, shoulder_y + h * 0.06), (cx + h * 0.3, shoulder_y - h * 0.2),
                  (cx - h * 0.3, shoulder_y - h * 0.2)], shade(f.top, 0.12))
        pen.line([(cx - h * 0.1, shoulder_y - h * 0.2), (cx - h * 0.12, shoulder_y - h * 0.6)], colour=inner)
        pen.line([(cx + h * 0.1, shoulder_y - h * 0.2), (cx + h * 0.12, shoulder_y - h * 0.6)], colour=inner)
        pen.poly([(cx - hipw * 0.6, bottom + h * 0.55), (cx + hipw * 0.6, bottom + h * 0.55), (cx + hipw * 0.7, bottom + h * 0.08),
                  (cx - hipw * 0.7, bottom + h * 0.08)], shade(f.top, 0.1))
    elif "kimono" in kind or "robe" in kind:
        pen.poly([(cx - h * 0.3, shoulder_y), (cx + h * 0.1, waist_y + h * 0.2), (cx + h * 0.22, waist_y + h * 0.2),
                  (cx - h * 0.12, shoulder_y)], inner)
        pen.poly([(cx + h * 0.3, shoulder_y), (cx - h * 0.02, waist_y + h * 0.35), (cx + h * 0.1, waist_y + h * 0.45),
                  (cx + h * 0.42, shoulder_y)], lighten(f.top, 0.15))
        pen.poly([(-hipw * 1.05, waist_y + h * 0.35), (hipw * 1.05, waist_y + h * 0.35), (hipw * 1.05, waist_y - h * 0.05),
                  (-hipw * 1.05, waist_y - h * 0.05)], f.accent)
    elif "dress" in kind:
        pen.poly([(cx - h * 0.22, shoulder_y), (cx + h * 0.22, shoulder_y), (cx, shoulder_y - h * 0.3)], f.skin)
        pen.poly([(-hipw * 1.0, waist_y + h * 0.12), (hipw * 1.0, waist_y + h * 0.12), (hipw * 1.0, waist_y - h * 0.02),
                  (-hipw * 1.0, waist_y - h * 0.02)], f.accent)
    else:
        # Shirt, sweater, t-shirt: a collar and a placket.
        pen.poly([(cx - h * 0.22, shoulder_y + h * 0.02), (cx, shoulder_y - h * 0.22), (cx - h * 0.04, shoulder_y - h * 0.02)],
                 lighten(inner, 0.3))
        pen.poly([(cx + h * 0.22, shoulder_y + h * 0.02), (cx, shoulder_y - h * 0.22), (cx + h * 0.04, shoulder_y - h * 0.02)],
                 lighten(inner, 0.3))
        if "sweater" not in kind and "t-shirt" not in kind and "tshirt" not in kind:
            pen.line([(cx, shoulder_y - h * 0.22), (cx, bottom + h * 0.04)], colour=shade(f.top, 0.4))
    if "uniform" in kind or f.accessory == "tie":
        pen.poly([(cx - h * 0.06, shoulder_y - h * 0.05), (cx + h * 0.06, shoulder_y - h * 0.05), (cx + h * 0.08, shoulder_y - h * 0.85),
                  (cx, shoulder_y - h * 0.98), (cx - h * 0.08, shoulder_y - h * 0.85)], f.accent)


def _accessory_body(pen: _Pen, f: Figure, d: float, back: bool, shoulder_y: float, chin: float) -> None:
    h = f.head
    acc = f.accessory or ""
    if "scarf" in acc:
        pen.poly([(-h * 0.42, shoulder_y + h * 0.22), (h * 0.42, shoulder_y + h * 0.22), (h * 0.45, shoulder_y - h * 0.1),
                  (-h * 0.45, shoulder_y - h * 0.1)], f.accent)
        if not back:
            x = d * h * 0.1 + h * 0.18
            pen.poly([(x - h * 0.1, shoulder_y), (x + h * 0.1, shoulder_y), (x + h * 0.14, shoulder_y - h * 0.9),
                      (x - h * 0.06, shoulder_y - h * 0.85)], shade(f.accent, 0.15))
    if "apron" in acc and not back:
        pen.poly([(-h * 0.45, shoulder_y - h * 0.45), (h * 0.45, shoulder_y - h * 0.45), (h * 0.55, shoulder_y - h * 2.4),
                  (-h * 0.55, shoulder_y - h * 2.4)], f.accent)
    if ("bag" in acc) and not back:
        pen.line([(-f.shoulder * 0.7, shoulder_y), (f.shoulder * 0.6, shoulder_y - h * 1.6)], width=pen.ink * 2, colour=shade(f.accent, 0.3))
        pen.poly([(f.shoulder * 0.5, shoulder_y - h * 1.5), (f.shoulder * 1.2, shoulder_y - h * 1.5),
                  (f.shoulder * 1.2, shoulder_y - h * 2.1), (f.shoulder * 0.5, shoulder_y - h * 2.1)], f.accent)


# --- head -----------------------------------------------------------------------------------------


def _head_outline(f: Figure, d: float) -> list[tuple[float, float]]:
    h, w = f.head, f.head_width
    chin = f.height - h
    cy = f.height - h * 0.45
    rx, ry = w / 2, h * 0.45
    pts = _arc(d * w * 0.02, cy, rx, ry, 0, 180, 16)
    jaw_near = 0.38 if f.gender == "female" or f.age in ("child", "teen") else 0.42
    pts += [(-rx * 0.98 + d * w * 0.06, cy - h * 0.18), (-w * jaw_near + d * w * 0.12, chin + h * 0.26),
            (-w * 0.16 + d * w * 0.14, chin + h * 0.05), (d * w * 0.16, chin),
            (w * 0.16 + d * w * 0.16, chin + h * 0.05), (w * jaw_near + d * w * 0.1, chin + h * 0.26),
            (rx * 0.98 + d * w * 0.02, cy - h * 0.18)]
    return pts


def _draw_head(pen: _Pen, f: Figure, view: str, *, eyes_closed: bool, mouth_open: bool) -> None:
    d = _turn(view)
    back = view == "back"
    h, w = f.head, f.head_width
    chin = f.height - h
    cy = f.height - h * 0.45
    if f.hair_style == HairStyle.BUN:
        pen.ellipse(-d * w * 0.2, f.height + h * 0.02, w * 0.24, h * 0.2, f.hair)
    if f.hair_style not in (HairStyle.BALD, HairStyle.LONG, HairStyle.BOB, HairStyle.PONYTAIL):
        _cap_back(pen, f, d)
    # Ear on the side the head turns away from (both in front view).
    for side in ((-1.0, 1.0) if d == 0 else (-d,)):
        ex = side * w * 0.5 + d * w * 0.05
        pen.ellipse(ex, cy - h * 0.15, w * 0.09, h * 0.11, f.skin)
    pen.poly(_head_outline(f, d), f.skin)
    if back:
        _hair_back_view(pen, f)
        return
    # Cheek shadow on the far side from the light: a crescent that runs down the inside of the jaw line and never past it.
    jaw = 0.38 if f.gender == "female" or f.age in ("child", "teen") else 0.42
    rx = w / 2
    pen.poly([(rx * 0.9 + d * w * 0.02, cy - h * 0.18), (w * jaw * 0.96 + d * w * 0.1, chin + h * 0.26),
              (w * 0.16 + d * w * 0.16, chin + h * 0.06), (w * 0.2 + d * w * 0.15, chin + h * 0.11),
              (w * jaw * 0.8 + d * w * 0.1, chin + h * 0.27), (rx * 0.78 + d * w * 0.03, cy - h * 0.17)],
             shade(f.skin, 0.12), outline=False)
    if "freckles" in f.features:
        for sx in (-1, 1):
            for k in range(3):
                pen.ellipse(d * w * 0.14 + sx * w * (0.2 + 0.05 * k), chin + h * 0.3 - (k % 2) * h * 0.03, h * 0.012, h * 0.012,
                            shade(f.skin, 0.35), outline=False)
    if "blush" in f.features or f.gender == "female" or f.age == "child":
        for sx in (-1, 1):
            pen.ellipse(d * w * 0.14 + sx * w * 0.27, chin + h * 0.29, w * 0.08, h * 0.03, mix(f.skin, (240, 120, 130), 0.35), outline=False)
    _eyes(pen, f, d, eyes_closed)
    # Nose tick and mouth.
    nx = d * w * 0.28
    pen.line([(nx, chin + h * 0.3), (nx + (d or 0.3) * w * 0.03, chin + h * 0.24), (nx - (d or 0.0) * w * 0.01, chin + h * 0.235)])
    mx = d * w * 0.2
    my = chin + h * 0.14
    if "beard" in f.features:
        pen.poly([(-w * 0.36 + d * w * 0.12, chin + h * 0.28), (w * 0.36 + d * w * 0.12, chin + h * 0.28),
                  (w * 0.16 + d * w * 0.16, chin - h * 0.04), (d * w * 0.16, chin - h * 0.08), (-w * 0.16 + d * w * 0.16, chin - h * 0.04)],
                 f.hair)
        pen.poly([(mx - w * 0.14, my + h * 0.05), (mx + w * 0.14, my + h * 0.05), (mx + w * 0.1, my - h * 0.05), (mx - w * 0.1, my - h * 0.05)],
                 f.skin, outline=False)
    if mouth_open:
        pen.poly([(mx - w * 0.09, my + h * 0.02), (mx + w * 0.09, my + h * 0.02), (mx + w * 0.05, my - h * 0.06), (mx - w * 0.05, my - h * 0.06)],
                 (130, 40, 52), width=pen.fine)
        pen.poly([(mx - w * 0.05, my - h * 0.035), (mx + w * 0.05, my - h * 0.035), (mx + w * 0.04, my - h * 0.058), (mx - w * 0.04, my - h * 0.058)],
                 (232, 120, 128), outline=False)
    else:
        pen.line([(mx - w * 0.08, my + h * 0.008), (mx, my - h * 0.004), (mx + w * 0.08, my + h * 0.008)])
    if "scar" in f.features:
        pen.line([(w * 0.1 + d * w * 0.1, cy + h * 0.02), (w * 0.3 + d * w * 0.1, cy - h * 0.2)], colour=shade(f.skin, 0.45))
    _front_hair(pen, f, d)
    if "glasses" in f.features or (f.accessory or "") == "glasses":
        _glasses(pen, f, d)
    if (f.accessory or "") in ("hat", "cap", "beret"):
        _hat(pen, f, d)
    if (f.accessory or "") in ("earrings", "earring"):
        for side in ((-1.0, 1.0) if d == 0 else (-d,)):
            pen.ellipse(side * w * 0.5 + d * w * 0.05, cy - h * 0.28, w * 0.03, w * 0.03, f.accent)


def _eyes(pen: _Pen, f: Figure, d: float, closed: bool) -> None:
    h, w = f.head, f.head_width
    chin = f.height - h
    ey = chin + h * 0.4
    shape = f.eye_shape.lower()
    eh = {"round": 0.13, "narrow": 0.075, "droopy": 0.11, "sharp": 0.09}.get(shape, 0.12) * h
    if f.age == "child":
        eh *= 1.15
    ew = w * 0.135
    lash_w = max(pen.ink, round(pen.ink * 1.6))
    brow = shade(f.hair, 0.2)
    for side in (-1.0, 1.0):
        far = d != 0 and side == -d
        if far and abs(d) > 1.2:
            continue  # in profile the far eye is hidden behind the nose
        scale_x = 0.68 if far else 1.0
        ex = d * w * 0.14 + side * w * (0.2 if not far else 0.17)
        ew_s = ew * scale_x
        outer_dy = {"droopy": -0.25, "sharp": 0.22}.get(shape, 0.05) * eh
        o = side  # outer corner direction
        inner_x, outer_x = ex - o * ew_s, ex + o * ew_s
        # Eyebrow.
        by = ey + eh * 0.95 + h * 0.05
        tilt = {"sharp": -0.05, "droopy": 0.03}.get(shape, 0.0) * h
        pen.line([(inner_x, by + tilt * 0.2), (ex, by + h * 0.015), (outer_x + o * ew_s * 0.1, by - h * 0.01 - tilt)],
                 width=max(pen.fine, round(pen.ink * 1.2)), colour=brow)
        if closed:
            pen.line([(inner_x, ey), (ex, ey - eh * 0.28), (outer_x, ey + outer_dy * 0.3)], width=lash_w)
            continue
        top = [(inner_x, ey + eh * 0.2), (ex - o * ew_s * 0.3, ey + eh * 0.5), (ex + o * ew_s * 0.4, ey + eh * 0.5),
               (outer_x, ey + outer_dy + eh * 0.22)]
        bottom = [(outer_x, ey + outer_dy - eh * 0.05), (ex + o * ew_s * 0.3, ey - eh * 0.5), (ex - o * ew_s * 0.4, ey - eh * 0.45),
                  (inner_x, ey - eh * 0.05)]
        pen.poly(top + bottom, (252, 252, 250), outline=False)
        ix = ex + d * ew_s * 0.18
        irx, iry = ew_s * 0.55, eh * 0.5
        pen.ellipse(ix, ey, irx, iry, f.eyes, width=pen.fine)
        pen.ellipse(ix, ey + iry * 0.35, irx * 0.98, iry * 0.55, shade(f.eyes, 0.35), outline=False)
        pen.ellipse(ix, ey - iry * 0.1, irx * 0.45, iry * 0.5, shade(f.eyes, 0.65), outline=False)
        pen.ellipse(ix - irx * 0.35, ey + iry * 0.35, irx * 0.3, iry * 0.28, (255, 255, 255), outline=False)
        pen.ellipse(ix + irx * 0.3, ey - iry * 0.45, irx * 0.15, iry * 0.14, lighten(f.eyes, 0.6), outline=False)
        pen.line(top + [(outer_x + o * ew_s * 0.22, ey + outer_dy + eh * 0.45)] if f.gender == "female" else top, width=lash_w)
        pen.line([bottom[0], bottom[1]], width=pen.fine)


def _glasses(pen: _Pen, f: Figure, d: float) -> None:
    h, w = f.head, f.head_width
    ey = f.height - h + h * 0.4
    frame = shade(f.accent, 0.5) if f.accessory == "glasses" else INK
    centres = []
    for side in (-1.0, 1.0):
        far = d != 0 and side == -d
        ex = d * w * 0.14 + side * w * (0.2 if not far else 0.17)
        rx = w * (0.17 if not far else 0.12)
        pen.ellipse(ex, ey, rx, h * 0.1, None, width=pen.ink, colour=frame)
        centres.append((ex, rx))
    pen.line([(centres[0][0] + centres[0][1], ey + h * 0.02), (centres[1][0] - centres[1][1], ey + h * 0.02)], width=pen.ink, colour=frame)


def _hat(pen: _Pen, f: Figure, d: float) -> None:
    h, w = f.head, f.head_width
    top = f.height
    pen.poly([(-w * 0.48 + d * w * 0.04, top - h * 0.22), (w * 0.48 + d * w * 0.04, top - h * 0.22), (w * 0.4, top + h * 0.14),
              (-w * 0.4, top + h * 0.14)], f.accent)
    pen.poly([(-w * 0.62 + d * w * 0.1, top - h * 0.26), (w * 0.62 + d * w * 0.1, top - h * 0.26), (w * 0.62 + d * w * 0.1, top - h * 0.18),
              (-w * 0.62 + d * w * 0.1, top - h * 0.18)], shade(f.accent, 0.2))


# --- hair -----------------------------------------------------------------------------------------


def _cap_back(pen: _Pen, f: Figure, d: float) -> None:
    """The hair mass behind the head, for short styles (visible past the ears)."""
    h, w = f.head, f.head_width
    cy = f.height - h * 0.45
    grow = 1.12 if f.hair_style != HairStyle.CROPPED else 1.04
    pts = _arc(-d * w * 0.06, cy, w / 2 * grow, h * 0.47 * grow, -10, 190, 16)
    pts += [(-w / 2 * grow - d * w * 0.06, cy - h * 0.3), (w / 2 * grow - d * w * 0.06, cy - h * 0.3)]
    if f.hair_style == HairStyle.SPIKY:
        spikes = []
        for i in range(7):
            a = math.radians(200 - i * 36 + 20)
            spikes += [(-d * w * 0.06 + math.cos(a) * w * 0.62, cy + math.sin(a) * h * 0.6 + h * 0.05)]
        pen.poly(spikes[:1] + pts + spikes[-1:], shade(f.hair, 0.25))
    pen.poly(pts, shade(f.hair, 0.25))


def _back_hair(pen: _Pen, f: Figure, d: float, back: bool) -> None:
    """Hair that hangs behind the shoulders: long, bob and ponytail."""
    h, w = f.head, f.head_width
    cy = f.height - h * 0.45
    dark = shade(f.hair, 0.25)
    if f.hair_style == HairStyle.LONG:
        bottom = f.height - h * 2.7
        pts = _arc(-d * w * 0.05, cy, w * 0.6, h * 0.52, 0, 180, 14)
        pts += [(-w * 0.68 - d * w * 0.05, bottom + h * 0.3), (-w * 0.45, bottom), (-w * 0.2, bottom + h * 0.15), (0, bottom - h * 0.05),
                (w * 0.2, bottom + h * 0.15), (w * 0.45, bottom), (w * 0.68 - d * w * 0.05, bottom + h * 0.3)]
        pen.poly(pts, dark)
    elif f.hair_style == HairStyle.BOB:
        pts = _arc(-d * w * 0.04, cy, w * 0.6, h * 0.52, 0, 180, 14)
        pts += [(-w * 0.62 - d * w * 0.04, f.height - h * 1.0), (w * 0.62 - d * w * 0.04, f.height - h * 1.0)]
        pen.poly(pts, dark)
    elif f.hair_style == HairStyle.PONYTAIL:
        side = -d if d else 1.0
        base_x = side * w * (0.45 if d else 0.1)
        if back:
            base_x = 0.0
        tail = [(base_x - w * 0.18, cy + h * 0.2), (base_x + w * 0.18, cy + h * 0.25), (base_x + side * w * 0.45, cy - h * 0.6),
                (base_x + side * w * 0.3, cy - h * 1.6), (base_x + side * w * 0.05, cy - h * 0.8)]
        pen.poly(_arc(-d * w * 0.05, cy, w * 0.56, h * 0.5, -10, 190, 12), dark)
        pen.poly(tail, dark)


def _front_hair(pen: _Pen, f: Figure, d: float) -> None:
    """The fringe and the top of the hair, drawn over the forehead."""
    style = f.hair_style
    if style == HairStyle.BALD:
        h, w = f.head, f.head_width
        pen.line(_arc(-w * 0.12, f.height - h * 0.3, w * 0.14, h * 0.1, 100, 160, 4), colour=(255, 255, 255))
        return
    h, w = f.head, f.head_width
    cy = f.height - h * 0.45
    chin = f.height - h
    brow = chin + h * 0.4 + h * 0.13 + h * 0.03
    grow = 1.08 if style != HairStyle.CROPPED else 1.02
    cx = d * w * 0.02
    top = _arc(cx, cy, w / 2 * grow, h * 0.47 * grow, 0, 180, 16)
    fringe_y = brow if style != HairStyle.CROPPED else f.height - h * 0.2
    side_len = {HairStyle.LONG: chin + h * 0.05, HairStyle.BOB: chin + h * 0.05, HairStyle.PONYTAIL: chin + h * 0.3,
                HairStyle.SHORT: cy - h * 0.12, HairStyle.SPIKY: cy - h * 0.15, HairStyle.BUN: chin + h * 0.35,
                HairStyle.CROPPED: cy - h * 0.02}[style]
    left_x, right_x = cx - w / 2 * grow, cx + w / 2 * grow
    # Strands of the fringe: pointed tips, parted towards the way the head turns.
    n = 5 if style != HairStyle.CROPPED else 4
    part = cx + d * w * 0.12 - w * 0.08
    tips = []
    for i in range(n + 1):
        x = left_x + w * 0.08 + (right_x - left_x - w * 0.16) * i / n
        y_tip = fringe_y - (h * 0.02 if i % 2 else -h * 0.04)
        if style == HairStyle.SPIKY:
            y_tip = fringe_y - (h * 0.06 if i % 2 else -h * 0.02)
        tips.append((x, y_tip))
        if i < n:
            x_mid = left_x + w * 0.08 + (right_x - left_x - w * 0.16) * (i + 0.5) / n
            tips.append((x_mid, fringe_y + h * 0.09 + (h * 0.05 if abs(x_mid - part) < w * 0.12 else 0.0)))
    # The polygon runs counter-clockwise from the right: top arc (right to left), left lock, fringe, right lock.
    pts = top + [(left_x - w * 0.01, side_len), (left_x + w * 0.12, side_len + h * 0.05)] + sorted(tips, key=lambda p: p[0]) + \
        [(right_x - w * 0.12, side_len + h * 0.05), (right_x + w * 0.01, side_len)]
    if style == HairStyle.SPIKY:
        spikes = []
        for i in range(6):
            a0 = math.radians(170 - i * 28)
            a1 = math.radians(170 - i * 28 - 14)
            spikes += [(cx + math.cos(a0) * w * 0.55, cy + math.sin(a0) * h * 0.5),
                       (cx + math.cos(a1) * w * 0.78, cy + math.sin(a1) * h * 0.72)]
        pen.poly([(cx - w * 0.5, cy)] + spikes + [(cx + w * 0.5, cy)], f.hair)
    pen.poly(pts, f.hair)
    # Anime hair shine: a lighter notched band across the crown.
    sy = cy + h * 0.3
    band = []
    for i in range(7):
        x = cx - w * 0.3 + w * 0.6 * i / 6
        band.append((x, sy + (h * 0.03 if i % 2 else 0.0)))
    band += [(x, y - h * 0.05) for x, y in reversed(band)]
    pen.poly(band, lighten(f.hair, 0.35), outline=False)


def _hair_back_view(pen: _Pen, f: Figure) -> None:
    h, w = f.head, f.head_width
    cy = f.height - h * 0.45
    if f.hair_style == HairStyle.BALD:
        return
    bottom = {HairStyle.LONG: f.height - h * 2.7, HairStyle.BOB: f.height - h * 1.0, HairStyle.PONYTAIL: f.height - h * 0.9,
              HairStyle.BUN: f.height - h * 0.9}.get(f.hair_style, f.height - h * 0.85)
    pts = _arc(0, cy, w * 0.56, h * 0.5, 0, 180, 14) + [(-w * 0.56, bottom + h * 0.1), (-w * 0.3, bottom), (0, bottom + h * 0.06),
                                                       (w * 0.3, bottom), (w * 0.56, bottom + h * 0.1)]
    pen.poly(pts, f.hair)
    pen.poly(_arc(0, cy + h * 0.15, w * 0.3, h * 0.18, 30, 150, 6), lighten(f.hair, 0.3), outline=False)
    if f.hair_style == HairStyle.PONYTAIL:
        pen.poly([(-w * 0.15, cy), (w * 0.15, cy), (w * 0.1, cy - h * 1.5), (-w * 0.1, cy - h * 1.5)], f.hair)


# --- pose -----------------------------------------------------------------------------------------

POSE_POINTS = ("nose", "neck", "r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist", "r_hip", "r_knee",
               "r_ankle", "l_hip", "l_knee", "l_ankle", "r_eye", "l_eye", "r_ear", "l_ear")
"""The OpenPose COCO-18 keypoint order."""


def pose_points(fig: Figure, view: str, *, face_x: float, face_y: float, ppm: float) -> list[tuple[float, float, float]]:
    """COCO-18 keypoints (x, y, confidence) of the figure drawn with the same placement as ``draw_figure``.

    Points follow the drawing's own proportions, so they sit on the drawn joints;
    a point hidden by the view (the far eye in profile, the face from behind) has
    confidence 0.
    """
    d = _turn(view)
    back = view == "back"
    h, w = fig.head, fig.head_width
    chin = fig.height - h
    cy = fig.height - h * 0.45
    shoulder_y = chin - h * 0.3
    hip_y = fig.height * (0.45 if fig.age == "child" else 0.49)
    hand_y = hip_y - h * 0.35 + h * 0.06
    sw = fig.shoulder * (0.86 if d else 1.0)
    hipw = h * (0.78 if fig.gender == "female" else 0.7) * SHOULDERS.get(fig.build, 1.0) * (0.9 if d else 1.0)
    knee_y = fig.height * 0.27
    foot_x, foot_y = face_x, face_y + fig.face_height * ppm
    # The person's right hand is on screen left unless we see their back.
    right = 1.0 if back else -1.0
    eye_y = chin + h * 0.4

    def at(x: float, y: float, c: float = 1.0) -> tuple[float, float, float]:
        return round(foot_x + x * ppm, 2), round(foot_y - y * ppm, 2), c

    def limb(side: float) -> dict[str, tuple[float, float, float]]:
        far = d != 0 and side == -d
        sx = side * sw * (0.86 if far else 1.0)
        ex = sx + side * h * 0.12
        hx_top = side * hipw * 0.48 + d * h * 0.05
        hx_bot = side * hipw * 0.42 + d * h * 0.12
        conf = 0.0 if far and abs(d) > 1.2 else 1.0
        return {"shoulder": at(sx, shoulder_y, conf), "elbow": at((sx + ex) / 2, (shoulder_y + hand_y) / 2, conf),
                "wrist": at(ex, hand_y, conf), "hip": at(hx_top, hip_y, conf),
                "knee": at((hx_top + hx_bot) / 2, knee_y, conf), "ankle": at(hx_bot, h * 0.12, conf)}

    r, l = limb(right), limb(-right)
    face_conf = 0.0 if back else 1.0

    def eye(side: float) -> tuple[float, float, float]:
        far = d != 0 and side == -d
        hidden = back or (far and abs(d) > 1.2)
        return at(d * w * 0.14 + side * w * (0.2 if not far else 0.17), eye_y, 0.0 if hidden else 1.0)

    def ear(side: float) -> tuple[float, float, float]:
        # In front view both ears show; turned, only the one on the side the head turns away from.
        shown = d == 0 or side == -(1.0 if d > 0 else -1.0)
        return at(side * w * 0.5 + d * w * 0.05, cy - h * 0.15, 1.0 if shown else 0.0)

    points = {
        "nose": at(d * w * 0.28, chin + h * 0.26, face_conf), "neck": at(d * h * 0.06, shoulder_y),
        "r_shoulder": r["shoulder"], "r_elbow": r["elbow"], "r_wrist": r["wrist"],
        "l_shoulder": l["shoulder"], "l_elbow": l["elbow"], "l_wrist": l["wrist"],
        "r_hip": r["hip"], "r_knee": r["knee"], "r_ankle": r["ankle"],
        "l_hip": l["hip"], "l_knee": l["knee"], "l_ankle": l["ankle"],
        "r_eye": eye(right), "l_eye": eye(-right), "r_ear": ear(right), "l_ear": ear(-right),
    }
    return [points[name] for name in POSE_POINTS]

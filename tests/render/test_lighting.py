"""Characters lit by the set's lights: a faint tint within the identity tolerance, a rim on the edge facing the light."""

from __future__ import annotations

import numpy as np
import pytest

from mangaline.colour import delta_e2000, lab
from mangaline.model import Light
from mangaline.model.figure import figure_for
from mangaline.model.geometry import Camera
from mangaline.render import draw_figure
from mangaline.render.figure import Lighting, light_figure, lighting_for, rim_band, rim_width

# The camera stands south of the set looking north, so east (x) is screen right.
CAMERA = Camera(x=2.0, y=-3.0, z=1.5, yaw=90.0, pitch=0.0)


def _lamp(x: float, y: float = 2.0, z: float = 2.0, intensity: float = 1.5, colour: str = "#ffa040") -> Light:
    return Light(name="lamp", kind="lamp", x=x, y=y, z=z, colour=colour, intensity=intensity)


def _draw(bible, light):
    fig = figure_for(bible.characters["maya"])
    drawing = draw_figure(fig, "front", face_x=300, face_y=200, ppm=500, canvas=(600, 1200), light=light)
    assert drawing is not None
    return np.asarray(drawing.image).astype(int), drawing


def test_a_near_lamp_lights_more_than_a_far_one_and_from_its_side():
    near = lighting_for([_lamp(3.0)], 2.0, 2.0, 1.6, CAMERA.to_view)
    far = lighting_for([_lamp(9.0, y=8.0)], 2.0, 2.0, 1.6, CAMERA.to_view)
    assert near is not None and far is not None and near.strength > 2 * far.strength
    assert near.colour == (255, 160, 64)
    assert near.direction[0] > 0.5, "a lamp east of her is on screen right"
    left = lighting_for([_lamp(0.5)], 2.0, 2.0, 1.6, CAMERA.to_view)
    assert left.direction[0] < -0.5
    assert lighting_for([], 2.0, 2.0, 1.6, CAMERA.to_view) is None
    mixed = lighting_for([_lamp(3.0, colour="#ff0000"), _lamp(1.0, colour="#0000ff")], 2.0, 2.0, 1.6, CAMERA.to_view)
    assert mixed.colour[0] > 100 and mixed.colour[2] > 100, "two lamps mix their colours"


def test_the_lit_edge_faces_the_light_and_the_flat_colours_stay_within_the_identity_tolerance(bible):
    dark, unlit = _draw(bible, None)
    light = lighting_for([_lamp(3.5, z=1.6)], 2.0, 2.0, 1.6, CAMERA.to_view)
    lit, drawing = _draw(bible, light)
    assert dark.shape == lit.shape and (dark[..., 3] == lit[..., 3]).all(), "light never changes the silhouette"
    changed = np.abs(lit[..., :3] - dark[..., :3]).sum(axis=-1)
    solid = dark[..., 3] > 127
    rim = solid & (changed > 30)
    assert rim.sum() > 50, "the rim must be visible"
    cols = np.nonzero(rim)[1]
    assert np.median(cols) > dark.shape[1] / 2, "the rim is on the side toward the lamp (screen right)"
    # Away from the rim (all of it, down to where it fades out), every flat fill keeps within ΔE 3
    # of the unlit drawing (the turnaround's colours).
    tinted = np.asarray(light_figure(unlit.image, light, rim_px=0, rim=False)).astype(int)
    body = solid & (lit[..., :3] == tinted[..., :3]).all(axis=-1)
    assert body.sum() > 0.9 * solid.sum()
    e = delta_e2000(lab(lit[..., :3][body]), lab(dark[..., :3][body]))
    assert e.max() < 3.0 and e.mean() > 0.3, f"tint ΔE max {e.max():.2f}, mean {e.mean():.2f}"
    # Sprites take the same tint, so an open mouth does not show as a patch.
    if drawing.mouth is not None:
        plain = draw_figure(figure_for(bible.characters["maya"]), "front", face_x=300, face_y=200, ppm=500,
                            canvas=(600, 1200)).mouth[0]
        m_lit, m_dark = np.asarray(drawing.mouth[0]).astype(int), np.asarray(plain).astype(int)
        inside = m_dark[..., 3] > 127
        assert np.abs(m_lit[..., :3][inside] - m_dark[..., :3][inside]).max() <= 12


def test_lighting_is_deterministic(bible):
    light = lighting_for([_lamp(3.5)], 2.0, 2.0, 1.6, CAMERA.to_view)
    a, _ = _draw(bible, light)
    b, _ = _draw(bible, light)
    assert (a == b).all()


FROM_THE_RIGHT = Lighting(colour=(255, 190, 120), strength=1.0, direction=(1.0, 0.0))
CLOSE_UP = dict(face_x=648, face_y=700, ppm=3300, canvas=(1296, 2304))  # a close-up on a 1080x1920 frame's canvas


def _runs(mask_row: np.ndarray) -> list[tuple[int, int]]:
    """The (first, last) columns of each run of True in a row."""
    edges = np.diff(np.concatenate([[0], mask_row.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1))


def test_gaps_inside_the_figure_cast_no_rim_only_its_outer_lit_edge_is_lit():
    alpha = np.zeros((200, 220), np.uint8)
    alpha[20:180, 20:120] = 255  # the body
    alpha[60:100, 60:70] = 0  # a hole in it
    alpha[40:160, 130:138] = 255  # a thin strap on the lit side, joined to the body at both ends,
    alpha[40:46, 120:130] = 255  # so the gap behind it is closed
    alpha[154:160, 120:130] = 255
    ink, width = 4.0, 12.0
    band = rim_band(alpha, FROM_THE_RIGHT, width, ink_px=ink)
    ys, xs = np.nonzero(band > 0)
    outer = np.array([np.nonzero(row)[0].max() if row.any() else -1 for row in alpha > 127])
    depth = outer[ys] - xs + 1  # pixels from the outer lit edge, the pixel itself included
    assert depth.min() > ink and depth.max() <= ink + width, "every rim pixel lies just inside the outer lit edge"
    assert band[70, 130:134].min() > 0, "the strap is lit"
    assert band[30, 110:116].min() > 0 and band[170, 110:116].min() > 0, "the body beside the strap is lit"
    assert band[46:154, :120].max() == 0, "nothing behind the strap or the hole is lit"


def test_a_figure_cut_off_by_the_canvas_has_no_rim_along_the_cut():
    alpha = np.zeros((100, 100), np.uint8)
    alpha[20:80, 40:] = 255  # runs off the right of the layer, toward the light
    band = rim_band(alpha, FROM_THE_RIGHT, 8.0, ink_px=2.0)
    assert band.max() == 0
    assert rim_band(alpha[:, ::-1], Lighting((255, 190, 120), 1.0, (-1.0, 0.0)), 8.0, ink_px=2.0).max() == 0


def test_a_close_up_rim_is_a_thin_light_on_the_outline_that_fades_inward(bible):
    fig = figure_for(bible.characters["maya"])
    dark = draw_figure(fig, "front", **CLOSE_UP, sprites=False)
    lit = draw_figure(fig, "front", **CLOSE_UP, sprites=False, light=FROM_THE_RIGHT)
    cap = rim_width(CLOSE_UP["ppm"], CLOSE_UP["canvas"])
    assert cap <= 0.015 * min(CLOSE_UP["canvas"]) < CLOSE_UP["ppm"] * 0.02, "a close-up's rim is capped well below 2 cm"
    plain = np.asarray(dark.image).astype(int)
    tinted = np.asarray(light_figure(dark.image, FROM_THE_RIGHT, rim_px=0, rim=False)).astype(int)
    shown = np.asarray(lit.image).astype(int)
    rim = (shown[..., :3] != tinted[..., :3]).any(axis=-1)
    change = np.abs(shown[..., :3] - tinted[..., :3]).sum(axis=-1)
    ink = CLOSE_UP["ppm"] * 0.0075
    empty = plain[..., 3] <= 127
    full_runs = fading = 0
    for y in range(0, plain.shape[0], 4):
        for x0, x1 in _runs(rim[y]):
            assert x1 - x0 + 1 <= cap + 1, f"row {y}: a rim {x1 - x0 + 1} px deep (cap {cap:.1f})"
            beyond = np.nonzero(empty[y, x1 + 1:])[0]
            assert len(beyond) and beyond[0] <= ink + 1, f"row {y}: the rim at {x1} does not meet the outline"
            if x1 - x0 + 1 >= cap - 1 and (plain[y, x0, :3] == plain[y, x1, :3]).all():
                full_runs += 1
                fading += change[y, x0] < change[y, x1] / 2
    assert full_runs > 20 and fading == full_runs, "the light fades with depth into the figure"


def test_sprites_take_the_layers_rim_so_a_blink_or_an_open_mouth_shows_no_seam(bible):
    fig = figure_for(bible.characters["maya"])
    dark = draw_figure(fig, "right", **CLOSE_UP)
    lit = draw_figure(fig, "right", **CLOSE_UP, light=FROM_THE_RIGHT)
    crossed = 0
    for name in ("mouth", "blink"):
        sprite, x, y = getattr(lit, name)
        plain_sprite = np.asarray(getattr(dark, name)[0]).astype(int)
        h, w = plain_sprite.shape[:2]
        box = (slice(y - lit.y, y - lit.y + h), slice(x - lit.x, x - lit.x + w))
        layer_plain = np.asarray(dark.image).astype(int)[box]
        layer_lit = np.asarray(lit.image).astype(int)[box]
        crossed += (np.abs(layer_lit - layer_plain)[..., :3].sum(axis=-1) > 30).sum()
        same = (plain_sprite == layer_plain).all(axis=-1)  # where the sprite draws what the layer does
        assert (np.asarray(sprite).astype(int)[same] == layer_lit[same]).all(), f"the {name} sprite shows a seam"
    assert crossed > 100, "the rim crosses a sprite (the edge of the eyes' box is not the silhouette's)"


def _light_figure_in_floats(image, lighting, band):
    """The lighting worked in floats over every pixel, as it is defined: the tint, then the rim over it."""
    import math

    from mangaline.render import figure

    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    rgb, alpha = rgba[..., :3], rgba[..., 3]
    light = np.array(lighting.colour, np.float32)
    hue = np.clip(light / max(float(light.mean()), 1.0), 0.6, 1.4)
    s = lighting.strength
    rgb = rgb * (1.0 + figure._TINT * s * (hue - 1.0) + figure._LIFT * s)
    if band is not None:
        rgb = rgb + (light - rgb) * (figure._RIM * math.sqrt(s) * band.astype(np.float32)[..., None])
    return np.concatenate([np.clip(np.rint(rgb), 0, 255), alpha[..., None]], axis=-1).astype(np.uint8)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lighting_by_level_tables_is_the_same_to_the_bit_as_in_floats(seed):
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (60, 40, 4), dtype=np.uint8)
    image = Image.fromarray(pixels, "RGBA")
    lighting = Lighting(colour=tuple(int(c) for c in rng.integers(0, 256, 3)), strength=float(rng.uniform(0.1, 1.0)),
                        direction=(1.0, 0.0))
    band = np.where(rng.random((60, 40)) < 0.2, rng.random((60, 40)), 0.0).astype(np.float32)
    assert (np.asarray(light_figure(image, lighting, rim_px=3, rim=band)) == _light_figure_in_floats(image, lighting, band)).all()
    assert (np.asarray(light_figure(image, lighting, rim_px=0, rim=False)) == _light_figure_in_floats(image, lighting, None)).all()
    mask = band > 0.5
    assert (np.asarray(light_figure(image, lighting, rim_px=3, rim=mask)) == _light_figure_in_floats(image, lighting, mask)).all()
    drawn = light_figure(image, lighting, rim_px=3, ink_px=1.0)  # the band found from the silhouette itself
    found = rim_band(pixels[..., 3], lighting, 3, ink_px=1.0)
    assert (np.asarray(drawn) == _light_figure_in_floats(image, lighting, found)).all()


def _walked_depth(inside: np.ndarray, direction: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's walk toward ``direction`` taken a step at a time along its digital line (the same line for every
    pixel of a row, past the image's top and bottom its edge row): (steps inside, whether it ran off the far side)."""
    steep = abs(direction[1]) > abs(direction[0])
    grid = inside.T if steep else inside
    along, across = (direction[1], direction[0]) if steep else direction
    if along < 0:
        grid = grid[:, ::-1]
    slope = across / max(abs(along), 1e-9)
    h, w = grid.shape
    off = [round(float(np.rint(x * slope))) for x in range(w)]
    steps, ran_off = np.zeros((h, w), int), np.zeros((h, w), bool)
    for r in range(h):
        for x in range(w):
            k = 0
            while x + k < w and grid[min(h - 1, max(0, r + off[x + k] - off[x])), x + k]:
                k += 1
            steps[r, x], ran_off[r, x] = k, x + k == w
    if along < 0:
        steps, ran_off = steps[:, ::-1], ran_off[:, ::-1]
    return (steps.T, ran_off.T) if steep else (steps, ran_off)


@pytest.mark.parametrize("direction", [(1.0, 0.0), (0.0, -1.0), (0.8, 0.6), (-0.6, 0.8), (-0.95, -0.3), (0.3, -0.95)])
def test_the_depth_toward_the_light_is_the_walk_along_each_pixels_line(direction):
    from mangaline.render.figure import _depth_toward

    rng = np.random.default_rng(7)
    inside = rng.random((23, 31)) < 0.7
    inside[5:15, 8:25] = True  # a solid block among the noise: long walks as well as short ones
    depth = _depth_toward(inside, direction)
    steps, ran_off = _walked_depth(inside, direction)
    along, across = sorted(map(abs, direction), reverse=True)
    scale = np.hypot(1.0, across / along)
    assert depth.shape == inside.shape
    assert np.allclose(depth[~ran_off], steps[~ran_off] * scale)
    assert (depth[ran_off] >= steps[ran_off] * scale).all(), "a walk that runs off the image never leaves the figure"

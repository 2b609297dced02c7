"""Render: figures from the bible's design, views by facing, and sets drawn through a camera."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.storyboard.cafe_sample import KENJI_PALETTE, MAYA_PALETTE
from mangaline.model.figure import figure_for
from mangaline.model.geometry import Camera, View, element_box, view_for
from mangaline.render import draw_figure, draw_set


def _count(image: Image.Image, hex_colour: str) -> int:
    arr = np.asarray(image.convert("RGBA"))
    rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return int(((arr[..., 3] == 255) & np.all(arr[..., :3] == np.array(rgb, np.uint8), axis=-1)).sum())


@pytest.mark.parametrize(
    ("facing", "expected"),
    [(270.0, "front"), (90.0, "back"), (0.0, "side_right"), (180.0, "side_left"), (315.0, "right"), (225.0, "left"), (45.0, "back")],
)
def test_view_follows_facing_relative_to_the_camera(facing, expected):
    # The camera stands south of the character looking north, so east is screen right.
    assert view_for(facing, to_camera_deg=270.0, camera_right=(1.0, 0.0)) == expected


def test_figure_uses_exactly_the_palette_and_scales_with_distance(bible):
    fig = figure_for(bible.characters["maya"])
    near = draw_figure(fig, "front", face_x=300, face_y=150, ppm=800, canvas=(600, 1600))
    far = draw_figure(fig, "front", face_x=300, face_y=150, ppm=200, canvas=(600, 1600))
    assert near is not None and far is not None
    assert near.image.height > 3 * far.image.height
    for part in ("hair", "outfit", "skin", "eyes"):
        assert _count(near.image, MAYA_PALETTE[part]) > 20, part
    assert _count(near.image, KENJI_PALETTE["hair"]) == 0


def test_taller_broader_character_is_drawn_bigger(bible):
    maya, kenji = figure_for(bible.characters["maya"]), figure_for(bible.characters["kenji"])
    a = draw_figure(maya, "front", face_x=200, face_y=100, ppm=200, canvas=(400, 600), sprites=False)
    b = draw_figure(kenji, "front", face_x=200, face_y=100, ppm=200, canvas=(400, 600), sprites=False)
    assert kenji.height > maya.height and kenji.shoulder > maya.shoulder
    assert b.image.width > a.image.width


def test_back_view_has_no_face_sprites(bible):
    fig = figure_for(bible.characters["kenji"])
    back = draw_figure(fig, "back", face_x=200, face_y=150, ppm=400, canvas=(400, 1000))
    front = draw_figure(fig, "front", face_x=200, face_y=150, ppm=400, canvas=(400, 1000))
    assert back.blink is None and back.mouth is None
    assert front.blink is not None and front.mouth is not None


def test_figure_off_the_canvas_draws_nothing(bible):
    fig = figure_for(bible.characters["maya"])
    assert draw_figure(fig, "front", face_x=-5000, face_y=100, ppm=100, canvas=(300, 300)) is None


def test_wall_elements_snap_to_their_wall(bible):
    cafe = bible.locations["cafe"].set
    window = next(e for e in cafe.elements if e.kind == "window")
    picture = next(e for e in cafe.elements if e.kind == "picture")
    assert element_box(window, cafe.width, cafe.depth)[4] == pytest.approx(cafe.depth)
    x0, y0, _, x1, y1, _ = element_box(picture, cafe.width, cafe.depth)
    assert x1 == pytest.approx(cafe.width) and (y1 - y0) == pytest.approx(picture.width)


def _view(camera: Camera) -> View:
    return View(camera=camera, frame_width=180, frame_height=320, canvas_width=216, canvas_height=384)


def test_room_shows_floor_below_and_north_wall_ahead(bible):
    cafe = bible.locations["cafe"].set
    cafe = cafe.model_copy(update={"elements": [], "lights": []})
    picture = draw_set(cafe, interior=True, time_of_day="DAY", view=_view(Camera(x=3.0, y=0.5, z=1.5, yaw=90.0, fov=60.0)))
    arr = np.asarray(picture.background.convert("RGB")).astype(int)
    floor = np.array([0xA8, 0x74, 0x3F])
    wall = np.array([0xEF, 0xE1, 0xC6])
    assert np.abs(arr[370, 108] - floor).sum() < 30
    assert np.abs(arr[192, 108] - wall).sum() < 30
    assert picture.far_depth == pytest.approx(4.5)  # the north wall, straight ahead


def test_exterior_sky_follows_the_time_of_day(bible):
    street = bible.locations["street"].set.model_copy(update={"elements": []})
    cam = Camera(x=6.0, y=-2.0, z=1.6, yaw=90.0, pitch=5.0, fov=60.0)
    day = np.asarray(draw_set(street, interior=False, time_of_day="DAY", view=_view(cam)).background.convert("RGB")).astype(int)
    night = np.asarray(draw_set(street, interior=False, time_of_day="NIGHT", view=_view(cam)).background.convert("RGB")).astype(int)
    dusk = np.asarray(draw_set(street, interior=False, time_of_day="SUNSET", view=_view(cam)).background.convert("RGB")).astype(int)
    assert day[5].mean(axis=0)[2] > 180 and day[5].mean() > night[5].mean() + 80
    horizon = dusk[150:180].reshape(-1, 3).mean(axis=0)
    assert horizon[0] > horizon[2]  # orange towards the horizon


def test_a_light_brightens_the_wall_near_it(bible):
    cafe = bible.locations["cafe"].set.model_copy(update={"elements": []})
    cam = Camera(x=3.0, y=0.5, z=1.5, yaw=90.0, fov=60.0)
    lit = np.asarray(draw_set(cafe, interior=True, time_of_day="NIGHT", view=_view(cam)).background.convert("RGB")).astype(int)
    dark = np.asarray(draw_set(cafe.model_copy(update={"lights": []}), interior=True, time_of_day="NIGHT",
                               view=_view(cam)).background.convert("RGB")).astype(int)
    assert lit[150:200, 90:126].mean() > dark[150:200, 90:126].mean() + 10


def test_a_lamps_glow_is_worked_over_the_whole_canvas_though_only_its_box_is_computed(bible):
    """The finished set equals the glow and the night's tint worked out for every pixel of the canvas."""
    from PIL import Image

    from mangaline.colour import hex_rgb
    from mangaline.render.sets import _NIGHT_TINT, _finish, _lamp_light

    cafe = bible.locations["cafe"].set
    lamp = cafe.lights[0].model_copy(update={"intensity": 0.3})
    cafe = cafe.model_copy(update={"lights": [lamp], "elements": []})
    view = View(camera=Camera(x=3.0, y=0.5, z=1.5, yaw=90.0, fov=60.0), frame_width=180, frame_height=320,
                canvas_width=216, canvas_height=384, ss=2)
    rng = np.random.default_rng(3)
    back = Image.fromarray(rng.integers(0, 256, (384 * 2, 216 * 2, 3), dtype=np.uint8), "RGB")
    for night in (True, False):
        arr = np.array(back.reduce(2), dtype=np.float32)
        if night:
            arr *= np.array(_NIGHT_TINT, np.float32)
        h, w = arr.shape[:2]
        ys, xs = (np.arange(0, h, 4, dtype=np.float32) + 2)[:, None], (np.arange(0, w, 4, dtype=np.float32) + 2)[None, :]
        glow = np.zeros((ys.shape[0], xs.shape[1], 3), np.float32)
        lights = [*cafe.lights, *(_lamp_light(e, cafe) for e in cafe.elements if e.kind in ("lamp", "streetlight"))]
        for light in lights:
            pt = view.to_canvas(light.x, light.y, light.z)
            radius = max(view.focal * (1.0 + 0.6 * light.intensity) / pt[2], view.canvas_height * 0.05)
            d2 = ((xs - pt[0]) ** 2 + (ys - pt[1]) ** 2) / (radius * radius)
            strength = (0.55 if night else 0.28) * min(light.intensity, 2.5)
            glow += np.exp(-d2)[..., None] * np.array(hex_rgb(light.colour), np.float32) * strength
        big = np.asarray(Image.fromarray(np.clip(glow, 0, 255).astype(np.uint8), "RGB").resize((w, h), Image.BILINEAR))
        assert 0 < (big > 0).any(axis=2).mean() < 0.9, "the glow reaches part of the canvas, not all of it"
        arr += big * (1 - arr / np.float32(400.0))
        expected = np.clip(arr, 0, 255).astype(np.uint8)
        finished = np.asarray(_finish(back, view, cafe, night, True).convert("RGB"))
        assert np.array_equal(finished, expected), f"night={night}"

"""Layout: blocking on the line of action, camera placement and the pinhole projection."""

from __future__ import annotations

import math

import pytest

from mangaline.errors import RenderError
from mangaline.layout import block_scene, place_camera
from mangaline.model.geometry import Camera, project_point


def test_point_straight_ahead_lands_on_the_frame_centre():
    cam = Camera(x=0, y=0, z=1.5, yaw=90.0, pitch=0.0, fov=60.0)
    u, v, depth = project_point(cam, 0.0, 4.0, 1.5, 1080, 1920)
    assert (round(u, 6), round(v, 6), round(depth, 6)) == (540.0, 960.0, 4.0)


def test_projection_is_a_pinhole_with_right_and_up_in_the_right_directions():
    cam = Camera(x=0, y=0, z=1.5, yaw=90.0, pitch=0.0, fov=60.0)
    f = 960 / math.tan(math.radians(30))
    u, v, _ = project_point(cam, 1.0, 4.0, 2.5, 1080, 1920)  # east is screen right when looking north
    assert u == pytest.approx(540 + f / 4)
    assert v == pytest.approx(960 - f / 4)
    u2, _, _ = project_point(cam, 1.0, 8.0, 1.5, 1080, 1920)
    assert u2 - 540 == pytest.approx((u - 540) / 2)  # twice as far, half the offset


def test_point_behind_the_camera_has_no_pixel():
    cam = Camera(x=0, y=0, z=1.5, yaw=90.0)
    u, v, depth = project_point(cam, 0.0, -2.0, 1.5, 100, 100)
    assert depth < 0 and math.isnan(u) and math.isnan(v)


def test_dialogue_pair_stands_west_and_east_facing_each_other(bible, scene):
    blocking = block_scene(scene, bible)
    maya, kenji = blocking["maya"], blocking["kenji"]
    assert maya.x < kenji.x
    assert maya.facing_deg == pytest.approx(0.0)
    assert kenji.facing_deg == pytest.approx(180.0)
    assert maya.height == pytest.approx(1.63) and kenji.height == pytest.approx(1.80)


def test_casting_slot_puts_a_character_on_the_named_mark(bible, scene):
    from mangaline.model import Mark

    bible.locations["cafe"].set.marks = [Mark(name="by-window", x=4.5, y=4.0), Mark(name="door", x=1.0, y=2.0)]
    shot = scene.shots[1].model_copy(update={"casting": [scene.shots[1].casting[0].model_copy(update={"slot": "by-window"})]})
    scene = scene.model_copy(update={"shots": [shot] + scene.shots[2:]})
    blocking = block_scene(scene, bible)
    assert (blocking["maya"].x, blocking["maya"].y) == (4.5, 4.0)
    assert (blocking["kenji"].x, blocking["kenji"].y) == (1.0, 2.0)


def test_every_camera_stays_on_the_south_side_of_the_line(bible, scene):
    blocking = block_scene(scene, bible)
    line_y = blocking["maya"].y
    for shot in scene.shots:
        cam = place_camera(shot, scene, blocking, bible.locations["cafe"].set)
        assert cam.y < line_y, shot.code
        assert 0 < cam.x < 6.0 and 0 < cam.y < 5.0 and 0 < cam.z < 2.9, shot.code


def test_screen_sides_obey_the_180_degree_rule(bible, scene):
    blocking = block_scene(scene, bible)
    for shot in scene.shots:
        cam = place_camera(shot, scene, blocking, bible.locations["cafe"].set)
        u = {c: project_point(cam, p.x, p.y, 1.4, 1080, 1920)[0] for c, p in blocking.items()}
        if shot.subject == "maya" and shot.kind == "single":
            assert u["maya"] < 540, shot.code
        if shot.subject == "kenji" and shot.kind == "single":
            assert u["kenji"] > 540, shot.code
        if not (math.isnan(u["maya"]) or math.isnan(u["kenji"])):  # one may be behind the lens in a close single
            assert u["maya"] < u["kenji"], shot.code


def test_closer_shot_sizes_bring_the_camera_closer(bible, scene):
    blocking = block_scene(scene, bible)
    ms, cu = scene.shots[1], scene.shots[4]
    set_ = bible.locations["cafe"].set
    dist = lambda cam: math.hypot(cam.x - blocking["maya"].x, cam.y - blocking["maya"].y)  # noqa: E731
    assert dist(place_camera(cu, scene, blocking, set_)) < dist(place_camera(ms, scene, blocking, set_))


def test_high_angle_looks_down_and_low_angle_looks_up(bible, scene):
    blocking = block_scene(scene, bible)
    set_ = bible.locations["cafe"].set
    high = place_camera(scene.shots[1].model_copy(update={"angle": "high"}), scene, blocking, set_)
    low = place_camera(scene.shots[1].model_copy(update={"angle": "low"}), scene, blocking, set_)
    assert high.pitch < -5 and low.pitch > 3 and high.z > low.z


def test_unknown_location_is_refused_with_a_hint(bible, scene):
    with pytest.raises(RenderError) as err:
        block_scene(scene.model_copy(update={"location": "moon"}), bible)
    assert "moon" in str(err.value) and "cafe" in str(err.value)

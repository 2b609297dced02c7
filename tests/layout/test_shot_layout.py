"""A shot's layout: what it sees, which side of the line each character holds, screen direction and allowed cameras."""

from __future__ import annotations

from mangaline.layout import episode_movements, lay_out_shot
from mangaline.model.bible import CameraSpot

W, H = 270, 480


def _shot(scene, code):
    return next(s for s in scene.shots if s.code == code)


def test_a_two_shot_keeps_each_character_on_their_side_of_the_line(bible, scene):
    layout = lay_out_shot(_shot(scene, "ep01_sc01_sh060"), scene, bible, W, H)
    sides = {c.id: (c.screen_side, c.line_side) for c in layout.characters}
    assert sides and all(screen == line for screen, line in sides.values())
    assert {side for side, _ in sides.values()} == {"left", "right"}
    assert not layout.crosses_line


def test_a_shot_that_crosses_the_line_says_so_and_swaps_the_sides(bible, scene):
    shot = _shot(scene, "ep01_sc01_sh060")
    normal = {c.id: c.screen_side for c in lay_out_shot(shot, scene, bible, W, H).characters}
    crossing = scene.model_copy(update={"shots": [s.model_copy(update={"crosses_line": s.code == shot.code}) for s in scene.shots]})
    layout = lay_out_shot(_shot(crossing, shot.code), crossing, bible, W, H)
    assert layout.crosses_line and layout.export()["crosses_line"] is True
    swapped = {c.id: c.screen_side for c in layout.characters}
    assert swapped and all(swapped[cid] != normal[cid] for cid in swapped)
    assert all(c.screen_side == c.line_side for c in layout.characters)


def test_someone_who_leaves_frame_one_way_comes_back_in_the_same_direction(bible, scene):
    shots = list(scene.shots)
    shots[1] = shots[1].model_copy(update={"action": "Maya exits towards the street."})
    shots[-1] = shots[-1].model_copy(update={"action": "Maya comes in again, out of breath.",
                                             "casting": shots[-1].casting + [c for c in shots[1].casting
                                                                             if c.character == "maya" and
                                                                             all(x.character != "maya" for x in shots[-1].casting)]})
    moved = scene.model_copy(update={"shots": shots})
    movements = episode_movements([moved], bible)
    out = lay_out_shot(shots[1], moved, bible, W, H, movements=movements[shots[1].code])
    back = lay_out_shot(shots[-1], moved, bible, W, H, movements=movements[shots[-1].code])
    (leave,), (enter,) = out.movements, back.movements
    assert (leave.kind, enter.kind) == ("exit", "enter") and leave.character == enter.character == "maya"
    assert leave.screen_direction == enter.screen_direction in ("left", "right")
    # Maya holds the left of the line, so she leaves frame left.
    assert leave.screen_direction == next(c.line_side for c in lay_out_shot(_shot(scene, "ep01_sc01_sh060"), scene, bible,
                                                                            W, H).characters if c.id == "maya")


def test_an_establishing_shot_stands_on_an_allowed_camera_spot(bible, scene):
    location = bible.locations[scene.location]
    spot = CameraSpot(name="doorway", x=round(location.set.width * 0.8, 2), y=0.3, z=1.7)
    edited = bible.model_copy(deep=True)
    edited.locations[scene.location].set.cameras = [spot]
    layout = lay_out_shot(_shot(scene, "ep01_sc01_sh010"), scene, edited, W, H)
    assert layout.camera_spot == "doorway"
    assert (layout.camera.x, layout.camera.y, layout.camera.z) == (spot.x, spot.y, spot.z)
    # A close shot is framed on its subject, not on the spot.
    assert lay_out_shot(_shot(scene, "ep01_sc01_sh050"), scene, edited, W, H).camera_spot is None


def test_the_layout_keeps_only_what_the_shot_sees(bible, scene):
    close = lay_out_shot(_shot(scene, "ep01_sc01_sh050"), scene, bible, W, H)
    wide = lay_out_shot(_shot(scene, "ep01_sc01_sh010"), scene, bible, W, H)
    all_names = {e.name for e in bible.locations[scene.location].set.elements}
    assert {e.element.name for e in close.elements} < all_names or len(close.elements) < len(wide.elements)
    assert all(c.character.voice.engine == "auto" and c.character.description == "" for c in close.characters)

"""Set plates: the empty set seen from each allowed camera spot, drawn by the draft renderer, and which plate a shot uses."""

from __future__ import annotations

import math

import pytest
from PIL import Image

from mangaline.breakdown.fountain import parse_fountain
from mangaline.breakdown.screenplay import script_from_fountain
from mangaline.design import design_bible
from mangaline.layout import lay_out_shot, plate_for, set_view
from mangaline.model.geometry import element_box, project_point
from mangaline.model.layout import CameraLayout, ShotLayout
from mangaline.model import Location, Project, Wall
from mangaline.model.bible import CameraSpot
from mangaline.render.keyframe import draw_layout

W, H = 270, 480

KITCHEN = """Title: Plates

INT. NIGHT KITCHEN - NIGHT

A narrow kitchen. A lamp over the counter, a window with rain on it, a table and two chairs.

JUNE, 20s, short black hair and a yellow raincoat, stands at the counter.

JUNE
You came back.

ODA, an old man with grey hair and a brown coat, steps in.

ODA
I only want my umbrella.
"""


def _designed_kitchen() -> Location:
    """A set as the design department makes it: marks for the action and three camera spots on the south side."""
    script = script_from_fountain(parse_fountain(KITCHEN, "plates.fountain"), source="story/plates.fountain",
                                  source_sha256=None, project=Project(name="plates"))
    return design_bible(script).locations["night_kitchen"]


def _with_spots(location: Location, inset: float) -> Location:
    """The sample location with the three spots the design gives a set: both south corners and the south middle."""
    s = location.set
    spots = [CameraSpot(name="south-west corner", x=inset, y=inset, z=1.6),
             CameraSpot(name="south middle", x=s.width / 2, y=round(inset * 0.6, 2), z=1.6),
             CameraSpot(name="south-east corner", x=s.width - inset, y=inset, z=1.6)]
    return location.model_copy(update={"set": s.model_copy(update={"cameras": spots})})


@pytest.fixture
def cafe(bible) -> Location:
    return _with_spots(bible.locations["cafe"], 0.35)


@pytest.fixture
def locations(bible) -> list[Location]:
    return [_with_spots(bible.locations["cafe"], 0.35), _with_spots(bible.locations["street"], 0.0), _designed_kitchen()]


def _look_at(location: Location) -> tuple[float, float]:
    marks = location.set.marks
    if marks:
        return sum(m.x for m in marks) / len(marks), sum(m.y for m in marks) / len(marks)
    return location.set.width / 2, location.set.depth / 2


def _far_wall_ahead(location: Location, spot: CameraSpot) -> tuple[float, float]:
    """Where the level line from the spot through its look-at point leaves the floor plan."""
    tx, ty = _look_at(location)
    dx, dy = tx - spot.x, ty - spot.y
    along_x = (location.set.width - spot.x) / dx if dx > 0 else -spot.x / dx if dx < 0 else math.inf
    along_y = (location.set.depth - spot.y) / dy if dy > 0 else -spot.y / dy if dy < 0 else math.inf
    t = min(along_x, along_y)
    return spot.x + dx * t, spot.y + dy * t


def _in_frame(u: float, v: float, depth: float) -> bool:
    return depth > 0 and 0 <= u <= W and 0 <= v <= H


def test_a_set_plate_stands_on_its_camera_spot_and_shows_the_empty_set(locations):
    for location in locations:
        assert len(location.set.cameras) == 3, location.id
        for spot in location.set.cameras:
            plate = set_view(location, spot, W, H, time_of_day="NIGHT")
            assert (plate.camera.x, plate.camera.y, plate.camera.z) == (spot.x, spot.y, spot.z)
            assert plate.camera_spot == spot.name
            assert plate.shot == f"{location.id}@{spot.name}"
            assert (plate.scene, plate.location, plate.interior) == (location.id, location.id, location.interior)
            assert plate.characters == [] and plate.movements == []
            assert plate.time_of_day == "NIGHT" and plate.lights == location.set.lights
            assert (plate.frame_width, plate.frame_height) == (W, H)
            assert plate.canvas_width > W and plate.canvas_height > H
            assert 70.0 <= plate.camera.fov <= 88.0


def test_a_plate_looks_at_the_action_with_the_far_wall_and_the_floor_in_the_picture(locations):
    for location in locations:
        for spot in location.set.cameras:
            plate = set_view(location, spot, W, H)
            camera = plate.camera.camera()
            tx, ty = _look_at(location)
            u, v, depth = project_point(camera, tx, ty, 1.55, W, H)
            # The marks' centroid (or the plan's middle) is straight ahead, at about eye height.
            assert _in_frame(u, v, depth) and abs(u - W / 2) < 0.5, (location.id, spot.name, u, v)
            assert abs(plate.camera.pitch) <= 10.0
            # The far wall's foot in the frame, below the frame's middle, puts the floor before it in the picture too.
            fx, fy = _far_wall_ahead(location, spot)
            foot = project_point(camera, fx, fy, 0.0, W, H)
            assert _in_frame(*foot) and foot[1] > H / 2, (location.id, spot.name, foot)
            if location.interior:
                top = project_point(camera, fx, fy, location.set.height, W, H)
                assert _in_frame(*top), (location.id, spot.name, top)


def test_what_a_plate_sees_is_in_its_frame(locations):
    for location in locations:
        for spot in location.set.cameras:
            plate = set_view(location, spot, W, H)
            camera = plate.camera.camera()
            seen = {e.element.name: e for e in plate.elements}
            for layout in plate.elements:
                u0, v0, u1, v1 = layout.bbox
                assert layout.in_frame == (u0 < W and u1 > 0 and v0 < H and v1 > 0)
            for element in location.set.elements:
                x0, y0, z0, x1, y1, z1 = element_box(element, location.set.width, location.set.depth)
                centre = project_point(camera, (x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2, W, H)
                if _in_frame(*centre):
                    assert element.name in seen and seen[element.name].in_frame, (location.id, spot.name, element.name)


def test_most_of_the_set_is_in_the_frame_of_its_plates(cafe):
    plates = {spot.name: set_view(cafe, spot, W, H) for spot in cafe.set.cameras}
    in_frame = {name: {e.element.name for e in plate.elements if e.in_frame} for name, plate in plates.items()}
    for corner in ("south-west corner", "south-east corner"):
        assert len(in_frame[corner]) > len(cafe.set.elements) / 2, in_frame[corner]
    # Straight ahead from the fourth wall: the whole back wall and the table in the middle of the room.
    back_wall = {e.name for e in cafe.set.elements if e.wall == Wall.NORTH}
    assert back_wall | {"table"} <= in_frame["south middle"]
    kitchen = _designed_kitchen()
    middle = next(spot for spot in kitchen.set.cameras if spot.name == "south middle")
    assert {e.element.name for e in set_view(kitchen, middle, W, H).elements if e.in_frame} == \
        {e.name for e in kitchen.set.elements}


def test_a_plate_layout_round_trips_through_json(locations):
    for location in locations:
        for spot in location.set.cameras:
            plate = set_view(location, spot, W, H)
            assert ShotLayout.model_validate(plate.model_dump(mode="json")) == plate


def test_the_draft_renderer_draws_a_plate(cafe, tmp_path):
    plate = set_view(cafe, cafe.set.cameras[0], W, H)
    record = draw_layout(plate, tmp_path)
    assert [layer.name for layer in record.layers] == ["background"]
    with Image.open(tmp_path / "keyframe.png") as keyframe:
        assert keyframe.size == (W, H)
        # An empty set is still a picture: walls, floor and furniture, not one flat colour.
        assert len(keyframe.convert("RGB").getcolors(W * H)) > 50
    for guide in ("guide-depth.png", "guide-edges.png"):
        with Image.open(tmp_path / guide) as image:
            assert image.size == (W, H)


def test_a_camera_standing_on_a_spot_uses_that_spots_plate(cafe):
    headings = [set_view(cafe, spot, W, H).camera.yaw for spot in cafe.set.cameras]
    for spot in cafe.set.cameras:
        assert plate_for(set_view(cafe, spot, W, H).camera, cafe) == spot.name
        # Even turned towards another spot's view, the spot it stands on wins.
        for yaw in headings:
            assert plate_for(CameraLayout(x=spot.x, y=spot.y, z=spot.z, yaw=yaw, pitch=0.0, fov=60.0), cafe) == spot.name


def test_an_establishing_shot_on_a_spot_and_the_scenes_other_shots_get_plates(bible, scene, cafe):
    edited = bible.model_copy(deep=True)
    edited.locations["cafe"] = cafe
    for shot in scene.shots:
        layout = lay_out_shot(shot, scene, edited, W, H)
        name = plate_for(layout.camera, cafe)
        if layout.camera_spot is not None:
            assert name == layout.camera_spot
        assert name is not None, shot.code
        # The plate looks the same way as the shot, within a quarter turn.
        heading = set_view(cafe, next(s for s in cafe.set.cameras if s.name == name), W, H).camera.yaw
        assert abs((heading - layout.camera.yaw + 180.0) % 360.0 - 180.0) < 90.0, shot.code
    establishing = lay_out_shot(scene.shots[0], scene, edited, W, H)
    assert establishing.camera_spot is not None and plate_for(establishing.camera, cafe) == establishing.camera_spot


def test_a_camera_off_the_spots_uses_the_plate_that_looks_its_way(cafe):
    middle_of_room = dict(x=3.0, y=2.5, z=1.5, pitch=0.0, fov=40.0)
    plates = {spot.name: set_view(cafe, spot, W, H).camera.yaw for spot in cafe.set.cameras}
    for name, yaw in plates.items():
        assert plate_for(CameraLayout(**middle_of_room, yaw=yaw + 5.0), cafe) == name
    # Looking north-east, nearer the south-west corner's heading than the middle's.
    assert plate_for(CameraLayout(**middle_of_room, yaw=50.0), cafe) == "south-west corner"


def test_a_reverse_looking_at_the_fourth_wall_has_no_plate(cafe, bible):
    for x in (0.8, 3.0, 5.2):
        assert plate_for(CameraLayout(x=x, y=3.5, z=1.5, yaw=270.0, pitch=0.0, fov=40.0), cafe) is None
    assert plate_for(CameraLayout(x=3.0, y=2.5, z=1.5, yaw=90.0, pitch=0.0, fov=40.0), bible.locations["cafe"]) is None


def test_equal_headings_go_to_the_nearer_spot(cafe):
    corners = [spot for spot in cafe.set.cameras if "corner" in spot.name]
    two = cafe.model_copy(update={"set": cafe.set.model_copy(update={"cameras": corners})})
    # The corners look in mirrored directions, so a camera looking due north is as near to one as to the other.
    assert plate_for(CameraLayout(x=1.5, y=1.0, z=1.5, yaw=90.0, pitch=0.0, fov=40.0), two) == "south-west corner"
    assert plate_for(CameraLayout(x=4.5, y=1.0, z=1.5, yaw=90.0, pitch=0.0, fov=40.0), two) == "south-east corner"

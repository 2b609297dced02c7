"""Set plates: the empty set seen from one of its allowed camera spots, and which plate a shot's camera uses."""

from __future__ import annotations

import math

from mangaline.model import Location, SetDesign, ShotSize
from mangaline.model.bible import CameraSpot
from mangaline.model.geometry import Camera, box_bbox, canvas_rect, canvas_size, element_box, overlaps
from mangaline.model.layout import CameraLayout, ElementLayout, SetShell, ShotLayout

from .camera import _EYE_HEIGHT, _MAX_FOV, FRAMING

__all__ = ["elements_seen", "plate_for", "set_view"]

# A plate is never narrower than the extreme wide framing, the widest shot size.
_MIN_FOV = FRAMING[ShotSize.EXTREME_WIDE][1]
# How near (metres) a camera must be to a spot to stand on it; lay_out_shot names the spot with the same tolerance.
_ON_SPOT = 0.05
# Degrees kept between the far wall's foot and top and the frame's edges, so both lines are drawn, not grazed.
_EDGE_MARGIN = 2.0

_Point = tuple[float, float]


def _look_at(set: SetDesign) -> tuple[float, float]:
    """Where a plate looks on the floor plan: the centroid of the marks (where the action is), else the plan's middle."""
    if set.marks:
        return (sum(m.x for m in set.marks) / len(set.marks), sum(m.y for m in set.marks) / len(set.marks))
    return set.width / 2.0, set.depth / 2.0


def _spot_yaw(set: SetDesign, spot: CameraSpot) -> float:
    """The heading (degrees counter-clockwise from east) of the plate taken from ``spot``."""
    tx, ty = _look_at(set)
    if math.hypot(tx - spot.x, ty - spot.y) < 1e-6:
        return 90.0  # standing on the look-at point: face north, the way the audience looks into a set
    return math.degrees(math.atan2(ty - spot.y, tx - spot.x)) % 360.0


def _far_wall(set: SetDesign, x: float, y: float, yaw: float) -> tuple[float, tuple[_Point, _Point]] | None:
    """The wall a level ray from (x, y) heading ``yaw`` leaves the plan by: distance along the ray and the wall's ends."""
    dx, dy = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    W, D = set.width, set.depth
    exits = []
    if dx > 1e-9:
        exits.append(((W - x) / dx, ((W, 0.0), (W, D))))
    elif dx < -1e-9:
        exits.append(((0.0 - x) / dx, ((0.0, 0.0), (0.0, D))))
    if dy > 1e-9:
        exits.append(((D - y) / dy, ((0.0, D), (W, D))))
    elif dy < -1e-9:
        exits.append(((0.0 - y) / dy, ((0.0, 0.0), (W, 0.0))))
    distance, ends = min(exits, key=lambda e: e[0])
    return (distance, ends) if distance > 0.05 else None


def set_view(location: Location, spot: CameraSpot, frame_width: int, frame_height: int, *,
             time_of_day: str = "day") -> ShotLayout:
    """The layout of the location's set plate from ``spot``: the empty set, seen from the spot into the set.

    The camera stands on the spot and heads for the centroid of the set's marks
    (the plan's middle when it has none) at eye height. Its vertical field of
    view is chosen so the far wall (the one straight ahead) fits the frame's
    width, clamped between the extreme wide framing's and the shot cameras'
    maximum (70 and 88 degrees); it then tilts only as far as keeps the far
    wall's foot and top (the ground's far edge and the horizon outdoors) inside
    the frame.
    """
    s = location.set
    x, y, z = spot.x, spot.y, spot.z
    yaw = _spot_yaw(s, spot)
    tx, ty = _look_at(s)
    reach = math.hypot(tx - x, ty - y)
    aim = math.degrees(math.atan2(_EYE_HEIGHT - z, reach)) if reach > 1e-6 else 0.0

    far = _far_wall(s, x, y, yaw)
    fov, pitch = _MAX_FOV, aim
    if far is not None:
        distance, ends = far
        level = Camera(x=x, y=y, z=z, yaw=yaw)
        views = [level.to_view(ex, ey, z) for ex, ey in ends]
        if all(depth > 0.05 for _, _, depth in views):
            half_width = max(abs(right) / depth for right, _, depth in views)
            fov = math.degrees(2.0 * math.atan(half_width * frame_height / frame_width))
        fov = min(_MAX_FOV, max(_MIN_FOV, fov))
        top = s.height if location.interior else z  # outdoors the far edge's horizon, not a wall top
        foot = math.degrees(math.atan2(-z, distance))
        rise = math.degrees(math.atan2(top - z, distance))
        lowest, highest = rise + _EDGE_MARGIN - fov / 2.0, foot - _EDGE_MARGIN + fov / 2.0
        pitch = min(max(aim, lowest), highest) if lowest <= highest else (lowest + highest) / 2.0

    camera = Camera(x=round(x, 6), y=round(y, 6), z=round(z, 6), yaw=round(yaw, 6), pitch=round(pitch, 6),
                    fov=round(fov, 6))
    cw, ch = canvas_size(frame_width, frame_height)
    return ShotLayout(
        shot=f"{location.id}@{spot.name}", scene=location.id, location=location.id, interior=location.interior,
        time_of_day=time_of_day, frame_width=frame_width, frame_height=frame_height, canvas_width=cw, canvas_height=ch,
        camera=CameraLayout(**camera.to_dict()), shell=SetShell.of(s), lights=list(s.lights),
        elements=elements_seen(s, camera, frame_width, frame_height, cw, ch), camera_spot=spot.name,
    )


def elements_seen(set: SetDesign, camera: Camera, width: int, height: int, canvas_width: int,
                  canvas_height: int) -> list[ElementLayout]:
    """The set's elements that reach into the canvas around a ``width`` x ``height`` frame, as the camera sees them."""
    canvas = canvas_rect(width, height, canvas_width, canvas_height)
    elements = []
    for element in set.elements:
        box = element_box(element, set.width, set.depth)
        bbox = box_bbox(camera, box, width, height)
        if not overlaps(bbox, *canvas):
            continue
        elements.append(ElementLayout(element=element, box=[round(v, 6) for v in box], bbox=[round(v, 3) for v in bbox],
                                      in_frame=overlaps(bbox, 0, 0, width, height)))
    return elements


def plate_for(camera: CameraLayout, location: Location) -> str | None:
    """The name of the camera spot whose set plate a shot's camera uses, or None when no plate shows what it sees.

    A camera standing on a spot uses that spot's plate. Any other camera uses the
    plate whose heading on the floor plan is nearest its own, if that is under 90
    degrees apart (a reverse looking at the fourth wall has no plate); between
    equally near headings the spot nearer the camera wins.
    """
    spots = location.set.cameras
    standing = [c for c in spots if math.dist((c.x, c.y, c.z), (camera.x, camera.y, camera.z)) < _ON_SPOT]
    if standing:
        return min(standing, key=lambda c: math.dist((c.x, c.y, c.z), (camera.x, camera.y, camera.z))).name
    turns = [(abs((_spot_yaw(location.set, c) - camera.yaw + 180.0) % 360.0 - 180.0), c) for c in spots]
    ahead = [(turn, c) for turn, c in turns if turn < 90.0]
    if not ahead:
        return None
    # Headings equal but for float noise are a tie, and the nearer spot takes it.
    best = min(turn for turn, _ in ahead)
    tied = [c for turn, c in ahead if turn - best < 1e-6]
    return min(tied, key=lambda c: math.hypot(c.x - camera.x, c.y - camera.y)).name

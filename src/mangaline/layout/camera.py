"""Cameras: where each shot's camera stands in the set and where it looks (the projection is the model's geometry)."""

from __future__ import annotations

import math

from mangaline.model import Angle, Scene, SetDesign, Shot, ShotKind, ShotSize
from mangaline.model.bible import CameraSpot
from mangaline.model.geometry import Camera

from .blocking import Placement

__all__ = ["FRAMING", "FRAMING_WIDE", "PORTRAIT", "place_camera"]

# Per shot size: (vertical metres the frame holds at the subject, vertical FOV in degrees,
# room above the head as a fraction of the frame, lowest height of the frame centre).
# A 9:16 frame is narrow, so each size holds more height than its 16:9 namesake:
# a medium shot must still be as wide as the shoulders.
FRAMING: dict[ShotSize, tuple[float, float, float, float]] = {
    ShotSize.EXTREME_WIDE: (5.5, 70.0, 0.1, 1.3),
    ShotSize.WIDE: (3.4, 58.0, 0.1, 1.0),
    ShotSize.FULL: (2.3, 46.0, 0.12, 0.0),
    ShotSize.MEDIUM: (1.3, 38.0, 0.12, 0.0),
    ShotSize.MEDIUM_CLOSE: (0.9, 34.0, 0.1, 0.0),
    ShotSize.CLOSE_UP: (0.58, 30.0, 0.09, 0.0),
    ShotSize.EXTREME_CLOSE: (0.3, 26.0, -0.08, 0.0),
}
# Per shot size, the vertical metres its 16:9 namesake holds: a frame at least as wide as 9:16 never needs to
# hold more height than this to be as wide as the size asks (a medium shot: from the waist up).
FRAMING_WIDE: dict[ShotSize, float] = {
    ShotSize.EXTREME_WIDE: 3.6,
    ShotSize.WIDE: 2.4,
    ShotSize.FULL: 2.0,
    ShotSize.MEDIUM: 0.9,
    ShotSize.MEDIUM_CLOSE: 0.62,
    ShotSize.CLOSE_UP: 0.4,
    ShotSize.EXTREME_CLOSE: 0.22,
}
PORTRAIT = 9.0 / 16.0
"""The frame FRAMING is measured for (width over height): the project's vertical frame."""
_EYE_HEIGHT = 1.55
_WALL_MARGIN = 0.2
_MAX_FOV = 88.0
# The widest a lens may see across a wide frame, degrees: past this a 16:9 frame bends like a fisheye.
_MAX_ACROSS = 104.0


def _unit(dx: float, dy: float) -> tuple[float, float]:
    n = math.hypot(dx, dy)
    return (dx / n, dy / n) if n > 1e-9 else (0.0, -1.0)


def _rotate(v: tuple[float, float], degrees: float) -> tuple[float, float]:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return c * v[0] - s * v[1], s * v[0] + c * v[1]


def _line_of_action(blocking: dict[str, Placement]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The scene's axis (west-most to east-most character) and the camera side's normal."""
    if len(blocking) < 2:
        return (1.0, 0.0), (0.0, -1.0)
    ordered = sorted(blocking.values(), key=lambda p: (p.x, p.y))
    axis = _unit(ordered[-1].x - ordered[0].x, ordered[-1].y - ordered[0].y)
    normal = (axis[1], -axis[0])
    # The camera side is the south side of the line (the audience looks north).
    if normal[1] > 1e-9 or (abs(normal[1]) <= 1e-9 and normal[0] > 0):
        normal = (-normal[0], -normal[1])
    return axis, normal


def _vertical_limit(limit: float, aspect: float) -> float:
    """The widest vertical field of view a frame ``aspect`` (width over height) may have: ``limit`` up and down,
    and never more than _MAX_ACROSS from side to side."""
    across = math.degrees(2 * math.atan(math.tan(math.radians(_MAX_ACROSS) / 2) / aspect))
    return min(limit, across)


def place_camera(shot: Shot, scene: Scene, blocking: dict[str, Placement], set: SetDesign, *,
                 aspect: float = PORTRAIT, widen: float = 1.0, group: list[str] | None = None) -> Camera:
    """Place the shot's camera from its size, angle, kind and subject, for a frame ``aspect`` wide (width over height).

    Every camera of a scene stands on the camera side of the line of action, so a
    character keeps the same screen side in every shot (180-degree rule). A single
    on A looks at A from beside B, with A offset towards A's own side of the frame
    and room to look across it towards B.

    The shot size holds as much width at the subject in every frame as FRAMING holds in 9:16, and never
    less height than its 16:9 namesake (FRAMING_WIDE): a wider frame is solved again in the set, closer
    and lower, and sees set beside the subject that the vertical frame never showed. ``widen`` multiplies
    the height the frame holds; ``group`` frames those characters together whatever the shot's kind
    (a delivery's re-solve uses both to keep its speakers in the picture).
    """
    size = ShotSize(shot.size)
    extent, fov, headroom, lowest_centre = FRAMING[size]
    # 1.0 for the vertical frame, exactly: its cameras are the ones FRAMING was measured for.
    narrow = PORTRAIT / aspect
    extent = max(FRAMING_WIDE[size], extent * narrow)
    fov = _vertical_limit(fov, aspect)
    max_fov = _vertical_limit(_MAX_FOV, aspect)
    axis, normal = _line_of_action(blocking)
    if shot.crosses_line:
        # A deliberate jump across the line: the camera works from the far side, and the layout says so.
        normal = (-normal[0], -normal[1])
    on_screen = [c.character for c in shot.casting if c.on_screen and c.character in blocking]
    subject = shot.subject if shot.subject in blocking else None
    kind = ShotKind(shot.kind)
    if group:
        on_screen, subject = [c for c in group if c in blocking], None
        kind = ShotKind.GROUP if kind is not ShotKind.ESTABLISHING else kind
    if subject is None and len(on_screen) == 1 and kind not in (ShotKind.ESTABLISHING, ShotKind.INSERT):
        subject = on_screen[0]
    height = blocking[subject].height if subject else max((p.height for p in blocking.values()), default=1.7)

    partner_height = 0.0
    group = on_screen or list(blocking)
    if kind in (ShotKind.TWO_SHOT, ShotKind.GROUP, ShotKind.ESTABLISHING) or subject is None:
        if group and kind is not ShotKind.ESTABLISHING:
            xs = [blocking[c].x for c in group]
            ys = [blocking[c].y for c in group]
            tx, ty = sum(xs) / len(xs), sum(ys) / len(ys)
            spread = max(math.hypot(blocking[a].x - blocking[b].x, blocking[a].y - blocking[b].y) for a in group for b in group)
        elif group:
            xs = [blocking[c].x for c in group]
            ys = [blocking[c].y for c in group]
            tx, ty = sum(xs) / len(xs), sum(ys) / len(ys)
            spread = set.width * 0.8
        else:
            tx, ty, spread = set.width / 2, set.depth * 0.6, set.width * 0.8
        # A 9:16 frame is narrow: widen the framing until the whole group fits across it.
        extent = max(extent, (spread + 0.9) * 16.0 / 9.0 * narrow)
        view_dir = (-normal[0], -normal[1])
        if kind is ShotKind.ESTABLISHING or ShotSize(shot.size) is ShotSize.EXTREME_WIDE:
            view_dir = _rotate(view_dir, 12.0)
        yaw_offset = 0.0
    else:
        s = blocking[subject]
        tx, ty = s.x, s.y
        partner = shot.facing if shot.facing in blocking and shot.facing != subject else None
        if partner is None:
            others = [c for c in blocking if c != subject]
            partner = others[0] if len(blocking) == 2 and others else None
        if partner is not None:
            p = blocking[partner]
            partner_height = p.height
            towards = _unit(p.x - s.x, p.y - s.y)
            # Which side of the frame the subject holds, seen from the camera side.
            master_right = (-normal[1], normal[0])
            side = -1.0 if (s.x - p.x) * master_right[0] + (s.y - p.y) * master_right[1] < 0 else 1.0
            if kind is ShotKind.OVER_SHOULDER:
                # Behind the partner's shoulder: the partner fills a third of the frame's edge.
                fov = max(fov, 40.0)
                cam_x = p.x + towards[0] * 0.9 + normal[0] * 0.75
                cam_y = p.y + towards[1] * 0.9 + normal[1] * 0.75
                dist = math.hypot(cam_x - s.x, cam_y - s.y)
                extent = max(extent, 2 * dist * math.tan(math.radians(fov) / 2))
                view_dir = _unit(s.x - cam_x, s.y - cam_y)
                yaw_offset = side * 8.0
            else:
                view_dir = _unit(-(towards[0] * 0.87 + normal[0] * 0.5), -(towards[1] * 0.87 + normal[1] * 0.5))
                yaw_offset = side * fov * 9.0 / 16.0 * 0.16 / narrow
        else:
            facing = blocking[subject].facing
            if facing[0] * normal[0] + facing[1] * normal[1] > 0.2:
                view_dir = _unit(-facing[0], -facing[1])
            else:
                view_dir = (-normal[0], -normal[1])
            yaw_offset = 0.0

    extent *= widen
    target_z = max(height + headroom * extent - extent / 2.0, lowest_centre)
    # A frame widened to hold a group is tall too: keep the floor near its bottom edge
    # instead of centring on the feet, so heads stay in the picture.
    target_z = max(target_z, min(height * 0.75, extent / 2.0 - 0.3))
    if kind is ShotKind.INSERT:
        target_z = 0.9
    dist = (extent / 2.0) / math.tan(math.radians(fov) / 2.0)

    angle = Angle(shot.angle)
    tilt = {Angle.HIGH: 28.0, Angle.LOW: -18.0, Angle.OVERHEAD: 62.0}.get(angle, 0.0)
    if angle is Angle.EYE_LEVEL or angle is Angle.DUTCH:
        # Eye level for people, but never below the frame centre of a wide view.
        cam_z = max(target_z, min(_EYE_HEIGHT, target_z + dist * 0.12))
    else:
        cam_z = target_z + dist * math.sin(math.radians(tilt))
    if kind is ShotKind.OVER_SHOULDER and partner_height:
        # Just above the partner's shoulder, so the back of their head frames the subject.
        cam_z = max(cam_z, partner_height + 0.04)
    horizontal = dist * math.cos(math.radians(tilt))
    cam_x = tx - view_dir[0] * horizontal
    cam_y = ty - view_dir[1] * horizontal

    if scene.interior:
        cam_x, cam_y, cam_z, horizontal = _keep_inside(tx, ty, cam_x, cam_y, cam_z, target_z, set)
        ray = math.hypot(horizontal, cam_z - target_z)
        fov = min(max_fov, max(fov, math.degrees(2 * math.atan((extent / 2.0) / max(ray, 0.05)))))
    cam_z = max(0.25, cam_z)
    spot = _allowed_spot(set, kind, ShotSize(shot.size), (tx, ty), (cam_x, cam_y), normal)
    if spot is not None:
        # A wide view of the set stands where the set allows a camera, and widens its lens to hold the view.
        cam_x, cam_y, cam_z = spot.x, spot.y, spot.z
        horizontal = math.hypot(tx - cam_x, ty - cam_y)
        ray = math.hypot(horizontal, cam_z - target_z)
        fov = min(max_fov, max(fov, math.degrees(2 * math.atan((extent / 2.0) / max(ray, 0.05)))))
    pitch = math.degrees(math.atan2(target_z - cam_z, max(horizontal, 1e-6)))
    yaw = math.degrees(math.atan2(ty - cam_y, tx - cam_x)) + yaw_offset
    roll = 9.0 if angle is Angle.DUTCH else 0.0
    return Camera(x=round(cam_x, 6), y=round(cam_y, 6), z=round(cam_z, 6), yaw=round(yaw % 360.0, 6),
                  pitch=round(pitch, 6), fov=round(fov, 6), roll=roll)


def _allowed_spot(set: SetDesign, kind: ShotKind, size: ShotSize, target: tuple[float, float],
                  camera: tuple[float, float], normal: tuple[float, float]) -> CameraSpot | None:
    """For establishing and extreme wide shots, the set's allowed camera spot on the camera side nearest the camera."""
    if not set.cameras or (kind is not ShotKind.ESTABLISHING and size is not ShotSize.EXTREME_WIDE):
        return None
    usable = [c for c in set.cameras
              if (c.x - target[0]) * normal[0] + (c.y - target[1]) * normal[1] > 0.3]
    if not usable:
        return None
    return min(usable, key=lambda c: math.hypot(c.x - camera[0], c.y - camera[1]))


def _keep_inside(tx: float, ty: float, cx: float, cy: float, cz: float, tz: float, set: SetDesign):
    """Pull a camera that would stand outside the room back along its line of sight."""
    lo_x, hi_x = _WALL_MARGIN, set.width - _WALL_MARGIN
    lo_y, hi_y = _WALL_MARGIN, set.depth - _WALL_MARGIN
    hi_z = set.height - 0.15
    t = 1.0
    for c, tgt, lo, hi in ((cx, tx, lo_x, hi_x), (cy, ty, lo_y, hi_y), (cz, tz, 0.2, hi_z)):
        d = c - tgt
        if abs(d) < 1e-9:
            continue
        if c > hi and tgt <= hi:
            t = min(t, (hi - tgt) / d)
        elif c < lo and tgt >= lo:
            t = min(t, (lo - tgt) / d)
    t = max(t, 0.05)
    nx, ny, nz = tx + (cx - tx) * t, ty + (cy - ty) * t, tz + (cz - tz) * t
    return nx, ny, min(nz, hi_z), math.hypot(nx - tx, ny - ty)

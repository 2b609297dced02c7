"""Layout: blocking characters on the set's marks, placing each shot's camera, and what each shot sees."""

from .blocking import Placement, block_scene, scene_cast
from .camera import FRAMING, Camera, place_camera, project_point
from .movement import Movement, episode_movements, scene_movements
from .set_view import plate_for, set_view
from .shot import (
    CameraLayout,
    CharacterLayout,
    ElementLayout,
    SetShell,
    ShotLayout,
    canvas_size,
    element_box,
    figure_box,
    lay_out_shot,
    view_for,
)

__all__ = [
    "FRAMING",
    "Camera",
    "CameraLayout",
    "CharacterLayout",
    "ElementLayout",
    "Movement",
    "Placement",
    "SetShell",
    "ShotLayout",
    "block_scene",
    "canvas_size",
    "element_box",
    "episode_movements",
    "figure_box",
    "lay_out_shot",
    "place_camera",
    "plate_for",
    "project_point",
    "scene_cast",
    "scene_movements",
    "set_view",
    "view_for",
]

"""Layout: blocking characters on the set's marks, placing each shot's camera, and what each shot sees.

What it hands on is the model's ``ShotLayout`` (mangaline.model.layout); the projection it places
cameras with is the model's geometry kernel (mangaline.model.geometry).
"""

from ..model.geometry import Camera, project_point
from ..model.layout import CameraLayout, CharacterLayout, ElementLayout, Movement, SetShell, ShotLayout
from .blocking import Placement, block_scene, scene_cast
from .camera import FRAMING, place_camera
from .movement import episode_movements, scene_movements
from .set_view import elements_seen, plate_for, set_view
from .shot import lay_out_shot

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
    "elements_seen",
    "episode_movements",
    "lay_out_shot",
    "place_camera",
    "plate_for",
    "project_point",
    "scene_cast",
    "scene_movements",
    "set_view",
]

"""Layout: blocking characters on the set's marks and placing each shot's camera."""

from .blocking import Placement, block_scene, scene_cast
from .camera import FRAMING, Camera, place_camera, project_point

__all__ = ["FRAMING", "Camera", "Placement", "block_scene", "place_camera", "project_point", "scene_cast"]

"""Storyboard: the keyframe of each shot as layers, with its guide maps."""

from .keyframes import SUPERSAMPLE, draw_keyframe, draw_layout, shot_camera

__all__ = ["SUPERSAMPLE", "draw_keyframe", "draw_layout", "shot_camera"]

"""Storyboard: the keyframe of each shot as layers, and each character's reference sheet."""

from .keyframes import SUPERSAMPLE, draw_keyframe, shot_camera

__all__ = ["SUPERSAMPLE", "draw_keyframe", "shot_camera"]

"""Clips from keyframes: shot timing and the motion-comic animator's plans."""

from .motion_comic import CameraPoint, FrameSpan, LayerMotion, MotionPlan, SpokenLine, ease_in_out, plan_motion
from .timing import ShotTiming, time_shot

__all__ = [
    "CameraPoint",
    "FrameSpan",
    "LayerMotion",
    "MotionPlan",
    "ShotTiming",
    "SpokenLine",
    "ease_in_out",
    "plan_motion",
    "time_shot",
]

"""The draft renderer: sets and characters drawn in a flat manga style from the bible, through a layout camera."""

from ..model.figure import Figure, figure_for
from ..model.geometry import View
from .figure import POSE_POINTS, VIEWS, FigureDrawing, draw_figure, pose_points
from .guides import GUIDE_INDEX, GuideFigure, read_depth, render_guides
from .sets import SetPicture, SetTrace, draw_set, trace_set

__all__ = [
    "GUIDE_INDEX",
    "POSE_POINTS",
    "VIEWS",
    "Figure",
    "FigureDrawing",
    "GuideFigure",
    "SetPicture",
    "SetTrace",
    "View",
    "draw_figure",
    "draw_set",
    "figure_for",
    "pose_points",
    "read_depth",
    "render_guides",
    "trace_set",
]

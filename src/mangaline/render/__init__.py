"""The draft renderer: sets and characters drawn in a flat manga style from the bible, through a layout camera."""

from ..colour import INK, hex_rgb, shade
from .figure import POSE_POINTS, VIEWS, Figure, FigureDrawing, draw_figure, figure_for, pose_points, view_for
from .guides import GUIDE_INDEX, GuideFigure, read_depth, render_guides
from .sets import SetPicture, SetTrace, draw_set, element_box, trace_set
from .view import View

__all__ = [
    "GUIDE_INDEX",
    "INK",
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
    "element_box",
    "figure_for",
    "hex_rgb",
    "pose_points",
    "read_depth",
    "render_guides",
    "shade",
    "trace_set",
    "view_for",
]

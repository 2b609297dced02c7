"""The draft renderer: sets and characters drawn in a flat manga style from the bible, through a layout camera."""

from .colour import INK, hex_rgb, shade
from .figure import VIEWS, Figure, FigureDrawing, draw_figure, figure_for, view_for
from .sets import SetPicture, draw_set, element_box
from .view import View

__all__ = [
    "INK",
    "VIEWS",
    "Figure",
    "FigureDrawing",
    "SetPicture",
    "View",
    "draw_figure",
    "draw_set",
    "element_box",
    "figure_for",
    "hex_rgb",
    "shade",
    "view_for",
]

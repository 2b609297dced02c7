"""A character's turnaround sheet: the reference take every shot of the character is checked against."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from ..atomic import atomic_path
from ..model import TURNAROUND_EXPRESSIONS, TURNAROUND_PANEL, TURNAROUND_STRIP, TURNAROUND_VIEWS, Character
from ..model.figure import figure_for
from .figure import draw_figure

__all__ = ["EXPRESSIONS", "SHEET_VIEWS", "draw_character_sheet"]

SUPERSAMPLE = 2  # drawn at twice the size, then reduced: smooth ink lines


SHEET_VIEWS = TURNAROUND_VIEWS
EXPRESSIONS = TURNAROUND_EXPRESSIONS


def draw_character_sheet(character: Character, out_path: Path, *, variant: str = "default", height: int = 1024) -> Path:
    """A turnaround sheet on one PNG: the views of ``SHEET_VIEWS`` side by side, and a strip of expressions below.

    Every view is drawn at the same scale, so heights compare across sheets; the
    expressions are the face close up as the shots animate it (mouth open, eyes shut).
    """
    fig = figure_for(character, variant)
    panel_w = int(height * TURNAROUND_PANEL)
    width = panel_w * len(SHEET_VIEWS)
    strip = int(height * TURNAROUND_STRIP)
    sheet = Image.new("RGBA", (width, height + strip), (246, 243, 236, 255))
    ppm = height * 0.84 / (fig.height + fig.head * 0.5)
    for i, pose in enumerate(SHEET_VIEWS):
        face_x = panel_w * (i + 0.5)
        foot_y = height * 0.95
        face_y = foot_y - fig.face_height * ppm
        drawing = draw_figure(fig, pose, face_x=face_x, face_y=face_y, ppm=ppm, canvas=(width, height), ss=SUPERSAMPLE,
                              sprites=False)
        if drawing is not None:
            sheet.alpha_composite(drawing.image, (drawing.x, drawing.y))
    # Expressions: the head large, with the same sprites the animator switches on.
    head_ppm = strip * 0.62 / fig.head
    cell = width // len(EXPRESSIONS)
    for i, expression in enumerate(EXPRESSIONS):
        canvas = (cell, strip)
        drawing = draw_figure(fig, "front", face_x=cell / 2, face_y=strip * 0.52, ppm=head_ppm, canvas=canvas,
                              ss=SUPERSAMPLE, sprites=True)
        if drawing is None:
            continue
        face = Image.new("RGBA", canvas, (0, 0, 0, 0))
        face.alpha_composite(drawing.image, (drawing.x, drawing.y))
        sprite = {"talking": drawing.mouth, "blink": drawing.blink}.get(expression)
        if sprite is not None:
            face.alpha_composite(sprite[0], (sprite[1], sprite[2]))
        sheet.alpha_composite(face, (cell * i, height))
    draw = ImageDraw.Draw(sheet)
    for i in range(1, len(SHEET_VIEWS)):
        draw.line([(panel_w * i, height * 0.05), (panel_w * i, height * 0.95)], fill=(200, 194, 184), width=2)
    draw.line([(0, int(height * 0.95)), (width, int(height * 0.95))], fill=(200, 194, 184), width=2)
    draw.line([(0, height), (width, height)], fill=(200, 194, 184), width=2)
    state = "approved" if character.approved else "draft"
    draw.text((12, 10), f"{character.name} ({character.id}) v{character.version} {state}", fill=(38, 30, 42))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_path) as tmp:
        sheet.convert("RGB").save(tmp, format="PNG")
    return out_path

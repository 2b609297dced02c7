"""A character's turnaround sheet: the reference take every shot of the character is checked against."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from ..atomic import atomic_path
from ..model import Character
from .figure import draw_figure, figure_for

__all__ = ["draw_character_sheet"]

SUPERSAMPLE = 2  # drawn at twice the size, then reduced: smooth ink lines


def draw_character_sheet(character: Character, out_path: Path, *, variant: str = "default", height: int = 1024) -> Path:
    """A turnaround sheet on one PNG: front, three-quarter left and right, and back, side by side."""
    fig = figure_for(character, variant)
    poses = ("front", "right", "left", "back")
    panel_w = int(height * 0.42)
    width = panel_w * len(poses)
    sheet = Image.new("RGBA", (width, height), (246, 243, 236, 255))
    ppm = height * 0.84 / (fig.height + fig.head * 0.5)
    # Everyone's sheet has the same scale per metre of height so heights compare across sheets.
    for i, pose in enumerate(poses):
        face_x = panel_w * (i + 0.5)
        foot_y = height * 0.95
        face_y = foot_y - fig.face_height * ppm
        drawing = draw_figure(fig, pose, face_x=face_x, face_y=face_y, ppm=ppm, canvas=(width, height), ss=SUPERSAMPLE,
                              sprites=False)
        if drawing is not None:
            sheet.alpha_composite(drawing.image, (drawing.x, drawing.y))
    draw = ImageDraw.Draw(sheet)
    for i in range(1, len(poses)):
        draw.line([(panel_w * i, height * 0.05), (panel_w * i, height * 0.95)], fill=(200, 194, 184), width=2)
    draw.line([(0, int(height * 0.95)), (width, int(height * 0.95))], fill=(200, 194, 184), width=2)
    draw.text((12, 10), f"{character.name} ({character.id}) v{character.version}", fill=(38, 30, 42))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_path) as tmp:
        sheet.convert("RGB").save(tmp, format="PNG")
    return out_path

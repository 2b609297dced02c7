"""Keyframes: a shot drawn as parallax layers with mouth and blink sprites, plus the flattened frame."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from mangaline.atomic import write_text_atomic
from mangaline.model import KeyframeLayers, Layer, SetDesign, Sprite
from mangaline.model.figure import figure_for
from mangaline.model.geometry import View
from mangaline.model.layout import ShotLayout

from .figure import draw_figure, lighting_for, pose_points
from .guides import GuideFigure, render_guides
from .png import write_png
from .sets import draw_set, trace_set

__all__ = ["SUPERSAMPLE", "draw_layout"]

SUPERSAMPLE = 2


def _write_text(text: str, path: Path) -> None:
    write_text_atomic(path, text)


def draw_layout(layout: ShotLayout, out_dir: Path, *, seed: int = 0, guides: bool = True) -> KeyframeLayers:
    """Draw a shot's layout as layer PNGs, ``layers.json``, the flattened ``keyframe.png`` and its guide maps.

    Layers run back to front: ``background`` (the set), one ``char:<id>`` per
    on-screen character (far to near), then ``foreground`` when set pieces stand
    in front of everyone. Guide maps (depth, edges, masks, pose) are listed in
    ``guides.json``; ``layout.json`` is the layout itself. ``guides=False`` leaves
    the maps out (a quarter of the drawing's time) where nothing reads them: the
    drawing itself is the same.
    """
    camera = layout.camera.camera()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fw, fh, cw, ch = layout.frame_width, layout.frame_height, layout.canvas_width, layout.canvas_height
    view = View(camera=camera, frame_width=fw, frame_height=fh, canvas_width=cw, canvas_height=ch, ss=SUPERSAMPLE)
    shell = layout.shell
    set_design = SetDesign(width=shell.width, depth=shell.depth, height=shell.height, wall_colour=shell.wall_colour,
                           floor_colour=shell.floor_colour, ceiling_colour=shell.ceiling_colour,
                           accent_colour=shell.accent_colour, elements=[e.element for e in layout.elements],
                           lights=layout.lights)

    cast = sorted(layout.characters, key=lambda c: -c.depth)
    nearest = min((c.depth for c in cast), default=None)
    picture = draw_set(set_design, interior=layout.interior, time_of_day=layout.time_of_day, view=view, seed=seed,
                       foreground_before=nearest)
    layers: list[Layer] = []
    images: list[tuple[Image.Image, int, int]] = []  # the layers over the background, back to front
    write_png(picture.background, out_dir / "background.png")
    layers.append(Layer(name="background", file="background.png", x=0, y=0, width=cw, height=ch,
                        depth=round(picture.far_depth, 4)))

    ox, oy = view.offset
    figures: list[GuideFigure] = []
    for placed in cast:
        fig = figure_for(placed.character, placed.variant)
        fx, fy = placed.face[0] + ox, placed.face[1] + oy
        light = lighting_for(layout.lights, placed.x, placed.y, fig.height, camera.to_view)
        drawing = draw_figure(fig, placed.view, face_x=fx, face_y=fy, ppm=placed.ppm, canvas=(cw, ch), ss=SUPERSAMPLE,
                              light=light)
        if drawing is None:
            continue
        cid = placed.id
        stem = f"char-{cid}"
        write_png(drawing.image, out_dir / f"{stem}.png")
        mouth = blink = None
        if drawing.mouth is not None:
            write_png(drawing.mouth[0], out_dir / f"{stem}-mouth.png")
            mouth = Sprite(file=f"{stem}-mouth.png", x=drawing.mouth[1], y=drawing.mouth[2])
        if drawing.blink is not None:
            write_png(drawing.blink[0], out_dir / f"{stem}-blink.png")
            blink = Sprite(file=f"{stem}-blink.png", x=drawing.blink[1], y=drawing.blink[2])
        layers.append(Layer(name=f"char:{cid}", file=f"{stem}.png", x=drawing.x, y=drawing.y,
                            width=drawing.image.width, height=drawing.image.height, depth=round(placed.depth, 4),
                            character=cid, speaking_mouth=mouth, blink=blink))
        images.append((drawing.image, drawing.x, drawing.y))
        figures.append(GuideFigure(character=cid, image=drawing.image, x=drawing.x, y=drawing.y, depth=placed.depth,
                                   keypoints=pose_points(fig, placed.view, face_x=fx, face_y=fy, ppm=placed.ppm)))

    if picture.foreground is not None:
        write_png(picture.foreground, out_dir / "foreground.png")
        fore_depth = max(0.1, (nearest or 1.0) * 0.7)
        layers.append(Layer(name="foreground", file="foreground.png", x=0, y=0, width=cw, height=ch, depth=round(fore_depth, 4)))
        images.append((picture.foreground, 0, 0))

    # flattened within the frame only: the canvas's margin is for the camera's moves, not the keyframe; the
    # background is opaque, so the frame starts as its own cut-out (black wherever the canvas would not reach)
    flat = picture.background.crop((ox, oy, ox + fw, oy + fh))
    for image, x, y in images:
        left, top = max(0, ox - x), max(0, oy - y)  # the layer's first pixel inside the frame
        if left < image.width and top < image.height and x - ox < fw and y - oy < fh:
            flat.alpha_composite(image, (max(0, x - ox), max(0, y - oy)), (left, top))
    frame = flat.convert("RGB")
    write_png(frame, out_dir / "keyframe.png")
    if guides:
        trace = trace_set(set_design, interior=layout.interior, time_of_day=layout.time_of_day,
                          view=View(camera=camera, frame_width=fw, frame_height=fh, canvas_width=cw, canvas_height=ch,
                                    ss=1),
                          seed=seed, foreground_before=nearest)
        render_guides(view, trace, [e.element.name for e in layout.elements], figures, frame, out_dir)

    record = KeyframeLayers(shot=layout.shot, canvas_width=cw, canvas_height=ch, frame_width=fw, frame_height=fh,
                            layers=layers, focal=round(view.focal, 6))
    _write_text(record.model_dump_json(indent=2), out_dir / "layers.json")
    _write_text(layout.model_dump_json(indent=1), out_dir / "layout.json")
    _write_text(json.dumps({"shot": layout.shot, "camera": camera.to_dict(),
                            "blocking": {c.id: [c.x, c.y, c.facing_deg] for c in layout.characters}}, indent=2),
                out_dir / "camera.json")
    return record

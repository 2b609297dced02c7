"""Guide maps of a drawn shot: depth, edges, a mask per character and per element, and pose skeletons."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from mangaline.atomic import write_text_atomic
from mangaline.model.geometry import View

from .png import write_png
from .sets import SetTrace

__all__ = ["DEPTH_FAR_MM", "GUIDE_INDEX", "POSE_LIMBS", "GuideFigure", "read_depth", "render_guides"]

GUIDE_INDEX = "guides.json"
DEPTH_FAR_MM = 65535  # the sky, or anything further than 65 m: no depth
POSE_LIMBS = ((1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12), (12, 13),
              (1, 0), (0, 14), (14, 16), (0, 15), (15, 17))
_POSE_COLOURS = ((255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
                 (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255),
                 (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85))
_CHARACTER_OWNER = 1_000_000


@dataclass(frozen=True)
class GuideFigure:
    """A character as drawn in the shot: its layer image and place on the canvas, depth and COCO-18 keypoints."""

    character: str
    image: Image.Image
    x: int
    y: int
    depth: float
    keypoints: list[tuple[float, float, float]]


def read_depth(path: Path) -> np.ndarray:
    """A stored depth map in metres (float32); NaN where there is no depth (sky)."""
    mm = np.asarray(Image.open(path), dtype=np.float32)
    depth = mm / 1000.0
    depth[mm >= DEPTH_FAR_MM] = np.nan
    return depth


def render_guides(view: View, trace: SetTrace, element_names: list[str], figures: list[GuideFigure],
                  keyframe: Image.Image, out_dir: Path) -> dict:
    """Write the guide maps of one shot at the frame's size into ``out_dir``; returns the index also saved as guides.json.

    ``trace`` is the set traced through ``view`` with ``element_names`` its
    elements in order; ``figures`` are the characters far to near as composited
    in the keyframe. Masks come from what was drawn (the traced fills and the
    character layers' alpha), so they show exactly where each thing landed.
    """
    fw, fh = view.frame_width, view.frame_height
    ox, oy = view.offset
    back = trace.back[oy:oy + fh, ox:ox + fw]
    fore = trace.fore[oy:oy + fh, ox:ox + fw]
    prim = back.copy()
    owner = trace.owners[prim]
    fixed_depth = np.full((fh, fw), np.nan, np.float32)
    char_masks: dict[str, np.ndarray] = {}
    for j, fig in enumerate(figures):
        alpha = np.zeros((fh, fw), bool)
        a = np.asarray(fig.image.getchannel("A")) >= 128
        x0, y0 = fig.x - ox, fig.y - oy
        sx0, sy0 = max(0, -x0), max(0, -y0)
        dx0, dy0 = max(0, x0), max(0, y0)
        wdt = min(a.shape[1] - sx0, fw - dx0)
        hgt = min(a.shape[0] - sy0, fh - dy0)
        if wdt > 0 and hgt > 0:
            alpha[dy0:dy0 + hgt, dx0:dx0 + wdt] = a[sy0:sy0 + hgt, sx0:sx0 + wdt]
        owner = np.where(alpha, _CHARACTER_OWNER + j, owner)
        prim = np.where(alpha, -1 - j, prim)
        fixed_depth = np.where(alpha, np.float32(fig.depth), fixed_depth)
    in_fore = fore > 0
    prim = np.where(in_fore, fore, prim)
    owner = np.where(in_fore, trace.owners[fore], owner)
    fixed_depth = np.where(in_fore, np.nan, fixed_depth)
    for j, fig in enumerate(figures):
        char_masks[fig.character] = owner == _CHARACTER_OWNER + j

    # Depth along the view axis from each primitive's plane: t = k / (n . ray), ray = (x/f, -y/f, 1).
    f = view.focal
    # float32 and one plane coefficient at a time: a frame-sized float64 (h, w, 4) array costs ~66 MB
    us = ((np.arange(fw, dtype=np.float32) + 0.5 - fw / 2.0) / f).astype(np.float32)
    vs = (-(np.arange(fh, dtype=np.float32) + 0.5 - fh / 2.0) / f).astype(np.float32)
    surface = np.clip(prim, 0, None)
    coefficients = trace.planes.astype(np.float32)
    denom = coefficients[:, 0][surface] * us[None, :]
    denom += coefficients[:, 1][surface] * vs[:, None]
    denom += coefficients[:, 2][surface]
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.where(np.abs(denom) > 1e-6, coefficients[:, 3][surface] / denom, np.nan)
    del denom
    depth = np.where(surface == 0, np.nan, depth)
    depth = np.where(np.isnan(fixed_depth), depth, fixed_depth)
    mm = np.where(np.isfinite(depth) & (depth > 0), np.clip(np.round(depth * 1000.0), 1, DEPTH_FAR_MM - 1), DEPTH_FAR_MM)

    out_dir = Path(out_dir)
    index: dict = {"size": [fw, fh], "depth": {"file": "guide-depth.png", "unit": "mm", "none": DEPTH_FAR_MM},
                   "edges": "guide-edges.png", "pose": "guide-pose.json", "pose_image": "guide-pose.png",
                   "elements": {}, "characters": {}}
    write_png(Image.fromarray(mm.astype(np.uint16)), out_dir / index["depth"]["file"])

    edges = np.zeros((fh, fw), bool)
    edges[:, 1:] |= prim[:, 1:] != prim[:, :-1]
    edges[1:, :] |= prim[1:, :] != prim[:-1, :]
    luma = np.asarray(keyframe.convert("L"), np.int16)
    edges |= luma < 64  # the ink lines of the drawing itself
    write_png(Image.fromarray((edges * 255).astype(np.uint8), "L"), out_dir / index["edges"])

    for i, name in enumerate(element_names):
        mask = owner == i
        if mask.any():
            file = f"mask-el{i:02d}.png"
            write_png(Image.fromarray((mask * 255).astype(np.uint8), "L"), out_dir / file)
            index["elements"][name] = file
    for cid, mask in char_masks.items():
        if mask.any():
            file = f"mask-char-{cid}.png"
            write_png(Image.fromarray((mask * 255).astype(np.uint8), "L"), out_dir / file)
            index["characters"][cid] = file

    people = []
    pose_image = Image.new("RGB", (fw, fh), (0, 0, 0))
    draw = ImageDraw.Draw(pose_image)
    stick = max(2, round(fh / 240))
    for fig in figures:
        points = [(x - ox, y - oy, c) for x, y, c in fig.keypoints]
        people.append({"character": fig.character, "pose_keypoints_2d": [round(v, 2) for p in points for v in p]})
        for k, (a, b) in enumerate(POSE_LIMBS):
            if points[a][2] > 0 and points[b][2] > 0:
                draw.line([points[a][:2], points[b][:2]], fill=_POSE_COLOURS[k], width=stick)
        for k, (x, y, c) in enumerate(points):
            if c > 0:
                draw.ellipse((x - stick, y - stick, x + stick, y + stick), fill=_POSE_COLOURS[k])
    write_text_atomic(out_dir / index["pose"], json.dumps(
        {"version": 1.3, "format": "COCO-18", "canvas_width": fw, "canvas_height": fh, "people": people}, indent=1))
    write_png(pose_image, out_dir / index["pose_image"])
    write_text_atomic(out_dir / GUIDE_INDEX, json.dumps(index, indent=2, ensure_ascii=False))
    return index

"""Set consistency: how far each shared set piece's drawn mask lies from its projection, across all shots of each scene.

For every solid element seen by two or more shots of a scene, the reprojection error
in a shot is the smallest k (pixels, capped at 12) such that the stored mask lies
within the projected box grown by k; the coverage is the share of the projection the
mask fills wherever
the stored depth map shows nothing nearer. Prints mean and worst per scene.
(The coverage is below 100% where an element is drawn with open parts, e.g. a sofa's arms.)

    .venv/bin/python benchmarks/set_consistency.py [--width 540 --height 960]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from mangaline.breakdown import breakdown_source
from mangaline.design import design_bible
from mangaline.layout import episode_movements, lay_out_shot
from mangaline.render.guides import read_depth
from mangaline.render.keyframe import draw_layout

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("last-ferry.fountain", "tea-house.zh.fountain")
SOLID = {"pillar", "counter", "shelf", "fridge", "building", "sign", "stove", "screen", "window", "door", "sofa"}


def _hull(camera, box, w: int, h: int) -> np.ndarray | None:
    f = camera.focal(h)
    points = []
    for x in (box[0], box[3]):
        for y in (box[1], box[4]):
            for z in (box[2], box[5]):
                r, u, d = camera.to_view(x, y, z)
                if d < 0.1:
                    return None
                points.append((w / 2 + f * r / d, h / 2 - f * u / d))
    image = Image.new("L", (w, h), 0)
    ImageDraw.Draw(image).polygon(_convex(points), fill=255)
    return np.asarray(image) > 0


def _convex(points):
    pts = sorted(set(points))
    cross = lambda o, a, b: (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _grow(mask: np.ndarray, k: int) -> np.ndarray:
    image = Image.fromarray((mask * 255).astype(np.uint8))
    return np.asarray(image.filter(ImageFilter.MaxFilter(2 * k + 1) if k > 0 else ImageFilter.MinFilter(-2 * k + 1))) > 0


def _box_depth(camera, box, w: int, h: int) -> np.ndarray:
    """Per pixel, the depth at which its ray enters the box (inf where it misses)."""
    right, up, forward = (np.array(v) for v in camera.basis())
    f = camera.focal(h)
    us = (np.arange(w) + 0.5 - w / 2) / f
    vs = -(np.arange(h) + 0.5 - h / 2) / f
    rays = forward[None, None, :] + us[None, :, None] * right[None, None, :] + vs[:, None, None] * up[None, None, :]
    origin = np.array([camera.x, camera.y, camera.z])
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = (np.array(box[:3]) - origin) / rays
        t1 = (np.array(box[3:]) - origin) / rays
    near = np.nanmax(np.minimum(t0, t1), axis=-1)
    far = np.nanmin(np.maximum(t0, t1), axis=-1)
    return np.where((far >= near) & (far > 0), np.maximum(near, 0), np.inf)


def _error(layout, placed, mask: np.ndarray, depth: np.ndarray, limit: int = 12) -> tuple[float, float] | None:
    """(pixels the stored mask strays past the projected box, share of the unhidden projection it covers)."""
    camera = layout.camera.camera()
    w, h = layout.frame_width, layout.frame_height
    hull = _hull(camera, placed.box, w, h)
    if hull is None or not mask.any():
        return None
    stray = float(limit)
    for k in range(limit + 1):
        if not (mask & ~(hull if k == 0 else _grow(hull, k))).any():
            stray = float(k)
            break
    # Nearer things (per the stored depth map) legitimately hide part of the element.
    open_hull = hull & ~(depth < _box_depth(camera, placed.box, w, h) - 0.05)
    cover = float((mask & open_hull).sum() / open_hull.sum()) if open_hull.sum() >= 20 else float("nan")
    return stray, cover


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=540)
    parser.add_argument("--height", type=int, default=960)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for example in EXAMPLES:
            result = breakdown_source(ROOT / "examples" / example, name="bench")
            bible = design_bible(result.script)
            per_scene: dict[str, list[float]] = defaultdict(list)
            for episode in result.script.episodes:
                movements = episode_movements(episode.scenes, bible)
                for scene in episode.scenes:
                    seen = defaultdict(list)
                    for shot in scene.shots:
                        layout = lay_out_shot(shot, scene, bible, args.width, args.height,
                                              movements=movements.get(shot.code, []))
                        folder = Path(tmp) / example / shot.code
                        draw_layout(layout, folder)
                        index = json.loads((folder / "guides.json").read_text(encoding="utf-8"))
                        for placed in layout.elements:
                            name = placed.element.name
                            if name in index["elements"] and str(placed.element.kind) in SOLID:
                                mask = np.asarray(Image.open(folder / index["elements"][name])) > 0
                                seen[name].append(_error(layout, placed, mask, read_depth(folder / index["depth"]["file"])))
                    for errors in seen.values():
                        if len(errors) >= 2:
                            per_scene[scene.id].extend(e for e in errors if e is not None)
            for scene_id, results in per_scene.items():
                if not results:
                    print(f"{example:24} {scene_id:10} no shared solid element")
                    continue
                strays = [r[0] for r in results]
                covers = [r[1] for r in results if r[1] == r[1]]
                print(f"{example:24} {scene_id:10} {len(results):3} element views  reprojection error mean "
                      f"{statistics.mean(strays):5.2f} px, worst {max(strays):5.2f} px  "
                      f"unhidden projection covered {statistics.mean(covers) if covers else float('nan'):5.1%}")

if __name__ == "__main__":
    main()

"""Render speed with camera moves in the set (depth-true parallax, guide maps) against the spine's 2D-only keyframe and move.

For the same dolly shots of the bundled example, times (1) the keyframe: the spine's
2D drawing alone versus the drawing plus the traced guide maps (depth, edges, masks,
pose), and (2) the segment: FFmpeg rendering of the 2D-strength parallax plan versus
the plan whose parallax comes from each layer's depth through the moving camera.
Prints seconds and the ratios, measured in the same run.

    .venv/bin/python benchmarks/camera_moves.py [--width 540 --height 960 --shots 4]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mangaline.animate.timing import time_shot
from mangaline.render.motion_comic import plan_motion
from mangaline.breakdown import breakdown_source
from mangaline.design import design_bible
from mangaline.edit.segment import render_segment
from mangaline.layout import lay_out_shot
from mangaline.model import CameraMove, KeyframeLayers, SetDesign
from mangaline.render import View, draw_figure, draw_set, figure_for
from mangaline.render.keyframe import draw_layout

ROOT = Path(__file__).resolve().parents[1]


def _draw_2d(layout) -> None:
    """The spine's keyframe work: the set and the figures, no tracing and no guide maps."""
    view = View(camera=layout.camera.camera(), frame_width=layout.frame_width, frame_height=layout.frame_height,
                canvas_width=layout.canvas_width, canvas_height=layout.canvas_height, ss=2)
    shell = layout.shell
    design = SetDesign(width=shell.width, depth=shell.depth, height=shell.height, wall_colour=shell.wall_colour,
                       floor_colour=shell.floor_colour, ceiling_colour=shell.ceiling_colour, accent_colour=shell.accent_colour,
                       elements=[e.element for e in layout.elements], lights=layout.lights)
    draw_set(design, interior=layout.interior, time_of_day=layout.time_of_day, view=view,
             foreground_before=min((c.depth for c in layout.characters), default=None))
    ox, oy = view.offset
    for c in layout.characters:
        draw_figure(figure_for(c.character, c.variant), c.view, face_x=c.face[0] + ox, face_y=c.face[1] + oy, ppm=c.ppm,
                    canvas=(layout.canvas_width, layout.canvas_height))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=540)
    parser.add_argument("--height", type=int, default=960)
    parser.add_argument("--shots", type=int, default=4)
    args = parser.parse_args()
    result = breakdown_source(ROOT / "examples" / "last-ferry.fountain", name="bench")
    bible = design_bible(result.script)
    picked = [(scene, shot) for scene in result.script.scenes() for shot in scene.shots if shot.casting][: args.shots]
    t2d_key = t3d_key = t2d_seg = t3d_seg = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for scene, shot in picked:
            layout = lay_out_shot(shot, scene, bible, args.width, args.height)
            start = time.perf_counter()
            _draw_2d(layout)
            t2d_key += time.perf_counter() - start
            folder = Path(tmp) / shot.code
            start = time.perf_counter()
            record = draw_layout(layout, folder)
            t3d_key += time.perf_counter() - start
            timing = time_shot(shot, {line.id: 2.0 for line in shot.dialogue}, 24)
            flat = KeyframeLayers.model_validate(record.model_dump() | {"focal": None})
            for plan_layers, bucket in ((flat, "2d"), (record, "3d")):
                plan = plan_motion(plan_layers, CameraMove.DOLLY_RIGHT, timing, [], seed=1)
                start = time.perf_counter()
                render_segment(plan, folder, [], folder / f"{bucket}.mp4", language="en")
                elapsed = time.perf_counter() - start
                if bucket == "2d":
                    t2d_seg += elapsed
                else:
                    t3d_seg += elapsed
    n = len(picked)
    print(f"{n} shots at {args.width}x{args.height}")
    print(f"keyframe  2D spine {t2d_key:6.2f} s   3D set + guide maps {t3d_key:6.2f} s   ratio {t3d_key / t2d_key:4.2f}x")
    print(f"segment   2D parallax {t2d_seg:6.2f} s   depth-true dolly {t3d_seg:6.2f} s   ratio {t3d_seg / t2d_seg:4.2f}x")
    print(f"shot      total ratio {(t3d_key + t3d_seg) / (t2d_key + t2d_seg):4.2f}x")


if __name__ == "__main__":
    main()

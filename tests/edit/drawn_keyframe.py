"""Layered keyframes drawn with Pillow, shaped like the storyboard's output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from mangaline.model import KeyframeLayers, Layer, Sprite

MOUTH_RGB = (255, 230, 0)
BLINK_RGB = (0, 255, 0)
BLOB_RGB = {"maya": (40, 60, 230), "ken": (230, 40, 60)}


def make_keyframe(
    folder: Path, fw: int, fh: int, *, margin: float = 0.1, shot: str = "ep01_sc01_sh010"
) -> KeyframeLayers:
    """A gradient background bigger than the frame and two character blobs with mouth and blink sprites."""
    folder.mkdir(parents=True, exist_ok=True)
    cw, ch = 2 * round(fw * (1 + margin) / 2), 2 * round(fh * (1 + margin) / 2)
    y = np.linspace(0, 1, ch)[:, None]
    x = np.linspace(0, 1, cw)[None, :]
    bg = np.stack(
        [
            np.broadcast_to(40 + 100 * y, (ch, cw)),
            np.broadcast_to(70 + 90 * x, (ch, cw)),
            np.broadcast_to(120 + 0 * x * y, (ch, cw)),
        ],
        axis=-1,
    ).astype(np.uint8)
    # Stripes make any camera move visible in a pixel comparison.
    bg[:, :: max(8, cw // 24)] = 230
    Image.fromarray(bg).save(folder / "background.png")
    layers = [Layer(name="background", file="background.png", x=0, y=0, width=cw, height=ch, depth=12.0)]
    bw, bh = round(fw * 0.3), round(fh * 0.35)
    for i, (char, rgb) in enumerate(BLOB_RGB.items()):
        blob = Image.new("RGBA", (bw, bh), (0, 0, 0, 0))
        ImageDraw.Draw(blob).ellipse((0, 0, bw - 1, bh - 1), fill=rgb + (255,))
        blob.save(folder / f"{char}.png")
        lx = round(cw * (0.22 + 0.34 * i))
        ly = round(ch * 0.45)
        mw, mh = round(bw * 0.3), round(bh * 0.08)
        Image.new("RGBA", (mw, mh), MOUTH_RGB + (255,)).save(folder / f"{char}_mouth.png")
        Image.new("RGBA", (mw, mh), BLINK_RGB + (255,)).save(folder / f"{char}_blink.png")
        layers.append(
            Layer(
                name=f"char:{char}", file=f"{char}.png", x=lx, y=ly, width=bw, height=bh, depth=3.0 + i,
                character=char,
                speaking_mouth=Sprite(file=f"{char}_mouth.png", x=lx + (bw - mw) // 2, y=ly + round(bh * 0.6)),
                blink=Sprite(file=f"{char}_blink.png", x=lx + (bw - mw) // 2, y=ly + round(bh * 0.3)),
            )
        )  # fmt: skip
    record = KeyframeLayers(
        shot=shot, canvas_width=cw, canvas_height=ch, frame_width=fw, frame_height=fh, layers=layers
    )
    (folder / "layers.json").write_text(record.model_dump_json(indent=2), encoding="utf-8")
    Image.fromarray(bg[(ch - fh) // 2 : (ch - fh) // 2 + fh, (cw - fw) // 2 : (cw - fw) // 2 + fw]).save(
        folder / "keyframe.png"
    )
    return record

"""PNG files written quickly: the drawings are flat colour, so one fixed row filter and a fast zlib level do.

Pillow's encoder tries every row filter on every row to pick the best one; on a keyframe's layers and guide maps
that choice took half of all the time spent drawing a shot. Here each row is stored as its difference from the
row above (PNG's "Up" filter), which turns the long vertical runs of flat art into zeros, computed with numpy a
band of rows at a time. The files are ordinary PNGs (any reader opens them), about 7% larger than Pillow's at its
own fast level, and written in less than half the time.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from mangaline.atomic import atomic_path

__all__ = ["ZLIB_LEVEL", "encode_png", "write_png"]

ZLIB_LEVEL = 1
"""zlib's fastest level: on filtered flat art it compresses within a few percent of the slower ones."""

_UP = 2  # PNG filter type: each byte minus the byte above it
_BAND_ROWS = 128

# Pillow mode -> (PNG colour type, bit depth)
_FORMATS = {"L": (0, 8), "LA": (4, 8), "RGB": (2, 8), "RGBA": (6, 8), "I;16": (0, 16)}

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(image: Image.Image) -> bytes | None:
    """The PNG file of ``image``; None for a mode this writer does not handle (palette, 1-bit, float)."""
    if image.mode not in _FORMATS:
        return None
    colour_type, depth = _FORMATS[image.mode]
    width, height = image.size
    pixels = np.asarray(image)
    if depth == 16:
        pixels = pixels.astype(">u2")  # PNG stores 16-bit samples big-endian
    rows = pixels.reshape(height, -1).view(np.uint8)
    # filtered and compressed a band of rows at a time: a layer's filtered copy would be as large as the layer
    band = np.empty((min(_BAND_ROWS, height), rows.shape[1] + 1), dtype=np.uint8)
    band[:, 0] = _UP
    above = np.zeros(rows.shape[1], dtype=np.uint8)  # the first row's "above" is zeros
    deflate = zlib.compressobj(ZLIB_LEVEL)
    data = []
    for first in range(0, height, _BAND_ROWS):
        chunk = rows[first:first + _BAND_ROWS]
        filtered = band[:len(chunk)]
        np.subtract(chunk[0], above, out=filtered[0, 1:])  # wraps modulo 256, as the filter is defined
        np.subtract(chunk[1:], chunk[:-1], out=filtered[1:, 1:])
        data.append(deflate.compress(filtered.data))
        above = chunk[-1]
    data.append(deflate.flush())
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(data)) + _chunk(b"IEND", b"")


def write_png(image: Image.Image, path: Path) -> None:
    """Write ``image`` to ``path`` as a PNG, atomically (other modes go through Pillow)."""
    encoded = encode_png(image)
    with atomic_path(Path(path)) as tmp:
        if encoded is None:
            image.save(tmp, format="PNG", optimize=False, compress_level=ZLIB_LEVEL)
        else:
            Path(tmp).write_bytes(encoded)

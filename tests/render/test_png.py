"""The fast PNG writer: every mode it takes comes back from Pillow and FFmpeg the same to the bit; others go through Pillow."""

from __future__ import annotations

import struct
import subprocess
import zlib

import numpy as np
import pytest
from PIL import Image

from mangaline.ffmpeg import ffmpeg_exe
from mangaline.render.png import encode_png, write_png

RNG = np.random.default_rng(7)


def _flat_and_noisy(height: int, width: int, channels: int) -> np.ndarray:
    """Flat bands (as drawings are) over the top half, noise (every byte value, wrap-around in the filter) below."""
    shape = (height, width, channels) if channels > 1 else (height, width)
    pixels = np.zeros(shape, np.uint8)
    pixels[: height // 2] = 40
    pixels[: height // 4] = 230
    pixels[height // 2:] = RNG.integers(0, 256, pixels[height // 2:].shape, dtype=np.uint8)
    return pixels


@pytest.mark.parametrize(("mode", "channels"), [("L", 1), ("LA", 2), ("RGB", 3), ("RGBA", 4)])
def test_eight_bit_modes_read_back_the_same(tmp_path, mode, channels):
    image = Image.fromarray(_flat_and_noisy(301, 29, channels), mode)  # rows beyond one band of the writer
    path = tmp_path / "x.png"
    write_png(image, path)
    back = Image.open(path)
    back.load()
    assert back.mode == mode and back.size == image.size
    assert np.array_equal(np.asarray(back), np.asarray(image))
    assert not list(tmp_path.glob(".*")), "no temporary file is left beside it"


def test_sixteen_bit_depth_maps_keep_every_value(tmp_path):
    values = RNG.integers(0, 65536, (11, 13), dtype=np.uint16)
    values[0, :3] = (0, 255, 65535)
    image = Image.frombytes("I;16", (13, 11), values.astype("<u2").tobytes())
    write_png(image, tmp_path / "depth.png")
    back = np.asarray(Image.open(tmp_path / "depth.png")).astype(np.uint16)
    assert np.array_equal(back, values)


def test_the_file_is_a_well_formed_png_that_ffmpeg_decodes_to_the_same_pixels(tmp_path):
    pixels = _flat_and_noisy(24, 16, 4)
    data = encode_png(Image.fromarray(pixels, "RGBA"))
    assert data is not None and data.startswith(b"\x89PNG\r\n\x1a\n")
    # every chunk's CRC holds, and the image data inflates to one filter byte and a row per line
    at, chunks = 8, {}
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = body
        at += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    assert len(zlib.decompress(chunks[b"IDAT"])) == 24 * (1 + 16 * 4)
    (tmp_path / "x.png").write_bytes(data)
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(tmp_path / "x.png"), "-f", "rawvideo", "-pix_fmt",
                          "rgba", "-"], capture_output=True, check=True).stdout
    assert np.array_equal(np.frombuffer(raw, np.uint8).reshape(24, 16, 4), pixels)


def test_modes_it_does_not_write_go_through_pillow(tmp_path):
    palette = Image.fromarray(RNG.integers(0, 4, (9, 9), dtype=np.uint8), "L").convert("P")
    assert encode_png(palette) is None
    write_png(palette, tmp_path / "p.png")
    assert np.array_equal(np.asarray(Image.open(tmp_path / "p.png")), np.asarray(palette))

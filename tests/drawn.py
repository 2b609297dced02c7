"""What an episode looks and sounds like, in a form that survives another CPU.

FFmpeg's scalers and blenders and onnxruntime's kernels pick SIMD code by the CPU they run on, and
those paths round differently: the same build on an AVX-512 machine and on an AVX2 one differs in
the last bit of most pixels and samples. Checksums of decoded frames (``tests.test_build.frame_sums``)
prove two builds on one machine identical; a record kept in the repository and checked on whatever
machine runs the tests compares what a viewer would see instead:

- every shot's frame count, exactly (timing is integer arithmetic and must not move);
- every frame's mean luma (a flash, a black frame, a shot out of order);
- three small pictures per shot, first, middle and last frame, in grey and in colour (what is drawn
  where, the camera's path, costumes and sets);
- the mix's loudness every quarter second (every line where it was, as loud).

The tolerances sit well above the rounding of another CPU and well below a change anyone would see.
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np

from mangaline.ffmpeg import ffmpeg_exe

GREY = (18, 32)
"""Width and height of the grey pictures (first, middle and last frame): 60 pixels of a 1080x1920 frame each."""
COLOUR = (9, 16)
"""Width and height of the colour picture (the middle frame)."""
AUDIO_RATE = 16_000
WINDOW_S = 0.25

LUMA_TOLERANCE = 1.0
"""Largest difference in a frame's mean luma (0-255)."""
GREY_MEAN, GREY_MAX = 1.0, 16
"""Largest mean and largest single difference between two grey pictures (0-255)."""
COLOUR_MEAN, COLOUR_MAX = 1.0, 12
AUDIO_DB = 1.0
"""Largest difference in a window's loudness where either is above AUDIO_FLOOR_DB."""
AUDIO_FLOOR_DB = -50.0


def _frames(segment: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every frame of a segment, scaled down by area: grey (n, h, w) and colour (n, h, w, 3), uint8."""
    (gw, gh), (cw, ch) = GREY, COLOUR
    with tempfile.TemporaryDirectory(prefix="mangaline-drawn-") as tmp:
        grey, colour = Path(tmp) / "grey", Path(tmp) / "colour"
        graph = (f"[0:v]split[a][b];[a]scale={gw}:{gh}:flags=area,format=gray[g];"
                 f"[b]scale={cw}:{ch}:flags=area,format=rgb24[c]")
        subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(segment), "-filter_complex", graph,
                        "-map", "[g]", "-f", "rawvideo", str(grey), "-map", "[c]", "-f", "rawvideo", str(colour)],
                       check=True, capture_output=True)
        g = np.frombuffer(grey.read_bytes(), np.uint8).reshape(-1, gh, gw)
        c = np.frombuffer(colour.read_bytes(), np.uint8).reshape(-1, ch, cw, 3)
    return g, c


def _picks(frames: int) -> list[int]:
    return sorted({0, frames // 2, frames - 1})


def _pack(pictures: np.ndarray) -> str:
    """Pictures (n, h, w[, 3]) as text: each row stored as its difference from the row above, as PNG does."""
    rows = pictures.astype(np.int16)
    rows[:, 1:] -= pictures[:, :-1]
    return base64.b64encode(zlib.compress((rows % 256).astype(np.uint8).tobytes(), 9)).decode("ascii")


def _unpack(text: str, shape: tuple[int, ...]) -> np.ndarray:
    rows = np.frombuffer(zlib.decompress(base64.b64decode(text)), np.uint8).reshape(shape)
    return np.cumsum(rows, axis=1, dtype=np.uint8)


def _luma(text: str) -> np.ndarray:
    """Each frame's mean luma, stored in tenths."""
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), "<u2") / 10


def loudness_windows(mp4: Path) -> list[float]:
    """The episode's mix, mono, as RMS loudness in dBFS per WINDOW_S (floored at -120)."""
    pcm = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(mp4), "-map", "0:a", "-ac", "1", "-ar", str(AUDIO_RATE),
                          "-f", "f32le", "-"], check=True, capture_output=True).stdout
    samples = np.frombuffer(pcm, np.float32).astype(np.float64)
    step = int(AUDIO_RATE * WINDOW_S)
    windows = samples[: len(samples) // step * step].reshape(-1, step)
    rms = np.sqrt(np.mean(windows**2, axis=1))
    return [round(float(v), 1) for v in 20 * np.log10(np.maximum(rms, 1e-6))]


def drawn(project: Path, episode: str = "ep01") -> dict:
    """The record of an episode's segments and mix described in the module's docstring."""
    shots = {}
    for segment in sorted((project / "renders" / episode / "shots").glob("*.mp4")):
        grey, colour = _frames(segment)
        picks = _picks(len(grey))
        shots[segment.stem] = {
            "frames": len(grey),
            "luma": base64.b64encode(zlib.compress(np.round(grey.reshape(len(grey), -1).mean(axis=1) * 10)
                                                   .astype("<u2").tobytes(), 9)).decode("ascii"),
            "grey": _pack(grey[picks]),
            "colour": _pack(colour[[len(colour) // 2]]),
        }
    return {"format": 2, "frames": sum(s["frames"] for s in shots.values()), "shots": shots,
            "loudness": loudness_windows(project / "renders" / f"{episode}.mp4")}


def differences(recorded: dict, now: dict) -> list[str]:
    """What a viewer would notice between two records, one sentence each; empty when they match."""
    found: list[str] = []
    gone, new = sorted(set(recorded["shots"]) - set(now["shots"])), sorted(set(now["shots"]) - set(recorded["shots"]))
    if gone or new:
        found.append(f"shots missing {gone}, shots added {new}")
    (gw, gh), (cw, ch) = GREY, COLOUR
    for code in sorted(set(recorded["shots"]) & set(now["shots"])):
        was, is_ = recorded["shots"][code], now["shots"][code]
        if was["frames"] != is_["frames"]:
            found.append(f"{code}: {is_['frames']} frames, recorded {was['frames']}")
            continue
        luma = np.abs(_luma(was["luma"]) - _luma(is_["luma"]))
        if luma.max() > LUMA_TOLERANCE:
            found.append(f"{code}: frame {int(luma.argmax())}'s mean luma moved by {luma.max():.1f}")
        picks = _picks(was["frames"])
        for name, frames, shape, mean_limit, max_limit in (
            ("grey", picks, (len(picks), gh, gw), GREY_MEAN, GREY_MAX),
            ("colour", [was["frames"] // 2], (1, ch, cw, 3), COLOUR_MEAN, COLOUR_MAX),
        ):
            a = _unpack(was[name], shape).astype(np.int16)
            b = _unpack(is_[name], shape).astype(np.int16)
            for i, frame in enumerate(frames):
                diff = np.abs(a[i] - b[i])
                if diff.mean() > mean_limit or diff.max() > max_limit:
                    found.append(f"{code}: frame {frame} drawn differently ({name}: mean {diff.mean():.2f}, "
                                 f"largest {int(diff.max())})")
    a, b = np.asarray(recorded["loudness"]), np.asarray(now["loudness"])
    if len(a) != len(b):
        found.append(f"the mix is {len(b)} quarter-seconds long, recorded {len(a)}")
    else:
        heard = (a > AUDIO_FLOOR_DB) | (b > AUDIO_FLOOR_DB)
        off = np.abs(a - b) * heard
        if off.max(initial=0) > AUDIO_DB:
            at = int(off.argmax())
            found.append(f"the mix at {at * WINDOW_S:.2f} s is {b[at]:.1f} dB, recorded {a[at]:.1f} dB")
    return found

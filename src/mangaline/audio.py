"""A spoken line as the edit takes it, whoever spoke it: decoded to 48 kHz mono, mastered, its loudness per frame."""

from __future__ import annotations

import math
import struct
import subprocess
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .errors import RenderError

__all__ = ["EDIT_SAMPLE_RATE", "decode_line", "loudness_envelope", "master_line", "write_float_wav"]

EDIT_SAMPLE_RATE = 48000
PEAK_DBFS = -3.0
EDGE_SECONDS = 0.05
# Anything this far under the line's peak counts as silence when the edges are trimmed.
_SILENCE_BELOW_PEAK_DB = 45.0


def decode_line(path: Path, what: str = "a line") -> np.ndarray:
    """Any audio file a voice gave (WAV, MP3, float WAV ...) as mono float samples at the edit's 48 kHz."""
    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path),
        "-f", "f32le", "-ac", "1", "-ar", str(EDIT_SAMPLE_RATE), "pipe:1",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise RenderError(what, f"FFmpeg cannot decode {Path(path).name}", stderr=result.stderr.decode("utf-8", "replace"))
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def _trim_edges(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cut leading and trailing silence down to EDGE_SECONDS each, padding when there is less."""
    window = max(1, sample_rate // 100)
    count = len(samples) // window
    if count == 0:
        return samples
    rms = np.sqrt(np.mean(samples[: count * window].reshape(count, window) ** 2, axis=1))
    loud = np.nonzero(rms > rms.max() * 10 ** (-_SILENCE_BELOW_PEAK_DB / 20))[0]
    if len(loud) == 0:
        return samples
    edge = int(EDGE_SECONDS * sample_rate)
    start = loud[0] * window
    end = min(len(samples), (loud[-1] + 1) * window)
    body = samples[max(0, start - edge) : min(len(samples), end + edge)]
    lead = edge - min(edge, start)
    tail = edge - min(edge, len(samples) - end)
    return np.concatenate([np.zeros(lead, np.float32), body, np.zeros(tail, np.float32)])


def master_line(samples: np.ndarray, sample_rate: int = EDIT_SAMPLE_RATE) -> np.ndarray:
    """Every voice's line made alike for the edit: edges trimmed to a breath, peak at -3 dBFS, nothing clipped."""
    samples = _trim_edges(np.asarray(samples, np.float32), sample_rate)
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak > 0:
        samples = samples * np.float32(10 ** (PEAK_DBFS / 20) / peak)
    return np.clip(samples, -1.0, 1.0).astype(np.float32)


def loudness_envelope(samples: np.ndarray, sample_rate: int = EDIT_SAMPLE_RATE, fps: int = 24) -> list[float]:
    """RMS loudness for each video frame the line covers, scaled so the loudest frame is 1.0."""
    if fps <= 0:
        raise ValueError("fps must be positive")
    count = -(-len(samples) * fps // sample_rate)
    levels = np.zeros(count, np.float64)
    for frame in range(count):
        start = frame * sample_rate // fps
        end = min(len(samples), (frame + 1) * sample_rate // fps)
        chunk = samples[start:end].astype(np.float64)
        levels[frame] = math.sqrt(float(np.mean(chunk**2))) if len(chunk) else 0.0
    top = levels.max() if count else 0.0
    if top > 0:
        levels /= top
    return [float(level) for level in levels]


def write_float_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Mono 32-bit float WAV (format 3): lossless, so a line is mastered from exactly what the voice made."""
    data = np.asarray(samples, dtype="<f4").tobytes()
    header = b"RIFF" + struct.pack("<I", 4 + 26 + 12 + 8 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHHH", 18, 3, 1, sample_rate, sample_rate * 4, 4, 32, 0)
    header += b"fact" + struct.pack("<II", 4, len(data) // 4)
    header += b"data" + struct.pack("<I", len(data))
    with atomic_path(Path(path)) as tmp:
        tmp.write_bytes(header + data)

"""The dialogue mix: voiced lines placed at their times on one track, soft-limited, written as 16-bit WAV."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from mangaline.errors import RenderError
from mangaline.wavfile import read_pcm16, write_pcm16

from ..ffmpeg import ffmpeg_exe, run_ffmpeg

__all__ = ["mix_dialogue", "soft_limit", "LIMIT_KNEE", "LIMIT_CEILING"]

LIMIT_KNEE = 0.89
"""Where the limiter starts to bend (about -1 dBFS): overlapping lines squash instead of clipping."""


LIMIT_CEILING = 0.98
"""No sample goes past this (about -0.2 dBFS), however loud the overlap."""


def soft_limit(samples: np.ndarray, knee: float = LIMIT_KNEE, ceiling: float = LIMIT_CEILING) -> np.ndarray:
    """Leave samples under ``knee`` untouched and bend louder ones smoothly towards ``ceiling``."""
    magnitude = np.abs(samples)
    over = magnitude > knee
    headroom = ceiling - knee
    bent = knee + headroom * np.tanh((magnitude[over] - knee) / headroom)
    out = samples.copy()
    out[over] = np.sign(samples[over]) * bent
    return out


def _decode(path: Path, sample_rate: int) -> np.ndarray:
    """Any audio file FFmpeg reads, as mono float32 at ``sample_rate`` (voices come at 22.05 or 24 kHz)."""
    if not path.is_file():
        raise RenderError("mix_dialogue", f"missing voice take {path}")
    # the voice department writes 16-bit mono at the mix rate: read it without a subprocess
    samples = read_pcm16(path, sample_rate)
    if samples is not None:
        return samples
    with tempfile.TemporaryDirectory(prefix="mangaline-mix-") as tmp:
        raw = Path(tmp) / "voice.f32"
        run_ffmpeg(
            ["-loglevel", "error", "-i", str(path), "-vn", "-ac", "1", "-af", f"aresample={sample_rate}:resampler=soxr",
             "-f", "f32le", "-acodec", "pcm_f32le", str(raw)],
            f"mix_dialogue: decode {path}",
        )  # fmt: skip
        return np.fromfile(raw, dtype="<f4")


def mix_dialogue(placements: list[tuple[Path, float]], duration: float, out: Path, *, sample_rate: int = 48000) -> None:
    """Mix each (voice file, start seconds) onto a silent mono track ``duration`` seconds long and write ``out``.

    A line that runs past the end is cut at ``duration``: the picture sets the length.
    """
    if duration <= 0:
        raise RenderError("mix_dialogue", f"duration must be positive, got {duration}")
    ffmpeg_exe()  # fail early, with the install hint, before decoding anything
    out = Path(out)
    total = round(duration * sample_rate)
    mix = np.zeros(total, dtype=np.float64)
    for path, start in placements:
        if start < 0:
            raise RenderError("mix_dialogue", f"{path} is placed at a negative time {start}")
        voice = _decode(Path(path), sample_rate)
        first = round(start * sample_rate)
        if first >= total:
            continue
        voice = voice[: total - first]
        mix[first : first + len(voice)] += voice
    write_pcm16(out, soft_limit(mix), sample_rate)

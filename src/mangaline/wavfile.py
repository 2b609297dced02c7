"""16-bit WAV, the format voices and sounds hand to the edit: written atomically, read without a subprocess."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .atomic import atomic_path

__all__ = ["Pcm16Reader", "open_pcm16", "pcm16", "pcm16_writer", "read_pcm16", "read_pcm16_channels", "write_pcm16"]


_CHUNK = 1 << 18  # samples converted at a time: an episode's mix is converted without full-length float copies


def pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as little-endian 16-bit PCM values (clipped, rounded), in the same shape."""
    given = np.asarray(samples)
    samples = np.atleast_1d(given)
    pcm = np.empty(samples.shape, "<i2")
    # a stretch of rows at a time: a view (a broadcast mono stem, a transposed array) is never copied whole
    rows = max(1, _CHUNK // max(1, samples[0].size)) if len(samples) else 1
    for first in range(0, len(samples), rows):
        part = np.clip(samples[first : first + rows], -1.0, 1.0) * 32767.0
        pcm[first : first + rows] = np.round(part, out=part)
    return pcm.reshape(given.shape)


def write_pcm16(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write float samples in [-1, 1] as 16-bit PCM (mono, or one column per channel); the file appears whole or
    not at all."""
    samples = np.asarray(samples)
    with pcm16_writer(path, 1 if samples.ndim == 1 else samples.shape[1], sample_rate) as write:
        write(samples)


@contextmanager
def pcm16_writer(path: Path, channels: int, sample_rate: int) -> Iterator[Callable[[np.ndarray], None]]:
    """A 16-bit WAV written a stretch at a time: the context gives a function that appends float samples (frames, or
    frames x ``channels``); the file appears whole when the context ends, or not at all if it fails."""
    with atomic_path(Path(path)) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        # the header's length is written once, when the file closes
        yield lambda samples: wav.writeframesraw(pcm16(samples).tobytes())


class Pcm16Reader:
    """A 16-bit WAV read a stretch of frames at a time, as (frames, channels) floats: a sound as long as an episode
    is never read whole."""

    def __init__(self, wav: wave.Wave_read) -> None:
        self._wav = wav
        self.frames, self.channels, self.sample_rate = wav.getnframes(), wav.getnchannels(), wav.getframerate()

    def read(self, first: int, last: int) -> np.ndarray:
        """Frames ``first`` to ``last`` (within the file) as float32, the same values read_pcm16_channels gives."""
        self._wav.setpos(first)
        pcm = np.frombuffer(self._wav.readframes(last - first), dtype="<i2")
        return pcm.reshape(-1, self.channels).astype(np.float32) / 32768.0

    def close(self) -> None:
        self._wav.close()


def open_pcm16(path: Path, sample_rate: int | None = None) -> Pcm16Reader | None:
    """A reader for a 16-bit WAV (at ``sample_rate`` when given), or None for any other file."""
    try:
        wav = wave.open(str(path), "rb")
    except (wave.Error, EOFError):
        return None
    if wav.getsampwidth() != 2 or (sample_rate is not None and wav.getframerate() != sample_rate):
        wav.close()
        return None
    return Pcm16Reader(wav)


def read_pcm16(path: Path, sample_rate: int | None = None) -> np.ndarray | None:
    """Float samples of a 16-bit mono WAV (at ``sample_rate`` when given), or None for any other file."""
    samples = read_pcm16_channels(path, sample_rate, channels=1)
    return samples[:, 0] if samples is not None else None


def read_pcm16_channels(path: Path, sample_rate: int | None = None, *, channels: int | None = None) -> np.ndarray | None:
    """Float samples of a 16-bit WAV as (frames, channels), at ``sample_rate`` and with ``channels`` when given; None
    for any other file."""
    reader = open_pcm16(path, sample_rate)
    if reader is None:
        return None
    if channels is not None and reader.channels != channels:
        reader.close()
        return None
    try:
        return reader.read(0, reader.frames)
    except (wave.Error, EOFError):
        return None
    finally:
        reader.close()

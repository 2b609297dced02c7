"""A spoken line as the edit takes it, whoever spoke it: decoded to 48 kHz mono, mastered, its loudness per frame."""

from __future__ import annotations

import math
import struct
import subprocess
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .errors import RenderError

__all__ = ["EDIT_SAMPLE_RATE", "decode_line", "frame_block_powers", "integrated_loudness", "loudness_envelope", "master_line", "normalising_gain", "WeightedEnergy", "weighted_frame_energy", "write_float_wav"]

EDIT_SAMPLE_RATE = 48000
PEAK_DBFS = -3.0
EDGE_SECONDS = 0.05
# Anything this far under the line's peak counts as silence when the edges are trimmed.
_SILENCE_BELOW_PEAK_DB = 45.0
_CHUNK = 1 << 16
"""Samples filtered and framed at a time by the loudness measures (even, so the filters' nudge keeps its phase)."""


def decode_line(path: Path, what: str = "a line") -> np.ndarray:
    """Any audio file a voice gave (WAV, MP3, float WAV ...) as mono float samples at the edit's 48 kHz."""
    samples = _read_edit_wav(Path(path))
    if samples is not None:
        return samples
    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path),
        "-f", "f32le", "-ac", "1", "-ar", str(EDIT_SAMPLE_RATE), "pipe:1",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise RenderError(what, f"FFmpeg cannot decode {Path(path).name}", stderr=result.stderr.decode("utf-8", "replace"))
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def _read_edit_wav(path: Path) -> np.ndarray | None:
    """A WAV already in the edit's form (mono, 48 kHz, 32-bit float or 16-bit PCM) read as FFmpeg would decode it;
    None for anything else (FFmpeg decodes that). The draft voices write such files: no process start per line."""
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        return None
    fmt, at = None, 12
    while at + 8 <= len(blob):
        name, size = blob[at:at + 4], struct.unpack_from("<I", blob, at + 4)[0]
        body = at + 8
        if name == b"fmt " and size >= 16:
            fmt = struct.unpack_from("<HHIIHH", blob, body)
        elif name == b"data":
            if fmt is None or body + size > len(blob):
                return None
            tag, channels, rate, _, _, bits = fmt
            if channels != 1 or rate != EDIT_SAMPLE_RATE:
                return None
            if tag == 3 and bits == 32:
                return np.frombuffer(blob, "<f4", size // 4, body).astype(np.float32)
            if tag == 1 and bits == 16:
                return np.frombuffer(blob, "<i2", size // 2, body).astype(np.float32) / 32768.0
            return None
        at = body + size + (size & 1)
    return None


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


def _k_weighting(sample_rate: int) -> np.ndarray:
    """BS.1770's K-weighting (a +4 dB shelf from 1.5 kHz, a high pass at 38 Hz) as second-order sections for ``sample_rate``."""
    gain_db, q_shelf, f_shelf = 4.0, 1 / math.sqrt(2), 1500.0
    amp = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * f_shelf / sample_rate
    alpha = math.sin(w0) / (2 * q_shelf)
    cos0, root = math.cos(w0), 2 * math.sqrt(amp) * alpha
    shelf_b = (amp * ((amp + 1) + (amp - 1) * cos0 + root), -2 * amp * ((amp - 1) + (amp + 1) * cos0),
               amp * ((amp + 1) + (amp - 1) * cos0 - root))
    shelf_a = ((amp + 1) - (amp - 1) * cos0 + root, 2 * ((amp - 1) - (amp + 1) * cos0), (amp + 1) - (amp - 1) * cos0 - root)
    w0 = 2 * math.pi * 38.0 / sample_rate
    alpha, cos0 = math.sin(w0) / (2 * 0.5), math.cos(w0)
    pass_b = ((1 + cos0) / 2, -(1 + cos0), (1 + cos0) / 2)
    pass_a = (1 + alpha, -2 * cos0, 1 - alpha)
    return np.array([[*(np.array(b) / a[0]), 1.0, a[1] / a[0], a[2] / a[0]]
                     for b, a in ((shelf_b, shelf_a), (pass_b, pass_a))])


def integrated_loudness(samples: np.ndarray, sample_rate: int = EDIT_SAMPLE_RATE) -> float:
    """Integrated loudness of a mono signal in LUFS (ITU-R BS.1770-4: K-weighted, 400 ms blocks every 100 ms,
    gated at -70 LUFS and 10 LU under the ungated mean); -inf for silence or under one block."""
    return gated_loudness(block_powers(samples, sample_rate)[0])


def block_powers(samples: np.ndarray, sample_rate: int = EDIT_SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    """The mean square of the K-weighted signal in each 400 ms block (every 100 ms), and each block's first sample.

    The K-weighting runs as its two biquads (scipy's sosfilt): the same figure as FFmpeg's ebur128 to a
    few hundredths of a LU, in a fraction of the time, with no subprocess. The signal is filtered in
    chunks, the filters' state carried across, so an episode's mix never lives in memory as doubles
    (a fresh worker pays for every new page it touches: whole-signal copies cost more than the filter)."""
    from scipy.signal import sosfilt

    signal = np.asarray(samples)
    block, hop = round(0.4 * sample_rate), round(0.1 * sample_rate)
    if len(signal) < block:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    starts = np.arange(0, len(signal) - block + 1, hop)
    # the running sum of the weighted signal's energy, kept only at the samples where a block starts or ends
    marks = np.unique(np.concatenate((starts, starts + block)))
    running = np.zeros(len(marks))
    sos = _k_weighting(sample_rate)
    state = np.zeros((len(sos), 2))
    # a signal at the Nyquist frequency far under any audible level keeps the filters' state out of the
    # subnormal floats they would otherwise decay into over digital silence, where every sample costs ~10x
    keep_normal = np.full(_CHUNK + 1, 1e-20)
    keep_normal[1::2] = -1e-20
    total = 0.0
    for a in range(0, len(signal), _CHUNK):
        b = min(len(signal), a + _CHUNK)
        piece = signal[a:b].astype(np.float64) + keep_normal[a % 2 : a % 2 + b - a]
        weighted, state = sosfilt(sos, piece, zi=state)
        energy = np.cumsum(weighted * weighted)
        energy += total
        lo, hi = np.searchsorted(marks, (a + 1, b + 1))
        running[lo:hi] = energy[marks[lo:hi] - a - 1]
        total = float(energy[-1])
    begin, end = np.searchsorted(marks, starts), np.searchsorted(marks, starts + block)
    return (running[end] - running[begin]) / block, starts


def weighted_frame_energy(samples: np.ndarray, sample_rate: int = EDIT_SAMPLE_RATE, frame: int | None = None) -> np.ndarray:
    """The energy of the K-weighted signal in each ``frame``-sample stretch (10 ms unless told), the last stretch
    padded with silence: what block_powers sums, kept at a finer grain, so a gain that holds over a frame can be
    applied to the measure without filtering the signal again."""
    return WeightedEnergy(sample_rate, frame).feed(np.asarray(samples))


class WeightedEnergy:
    """weighted_frame_energy over a signal handed over a stretch at a time, in order: the filters' state carries
    across, so the frames are the ones the whole signal gives. Every stretch but the last is whole frames."""

    def __init__(self, sample_rate: int = EDIT_SAMPLE_RATE, frame: int | None = None) -> None:
        self.frame = frame or sample_rate // 100
        self._sos = _k_weighting(sample_rate)
        self._state = np.zeros((len(self._sos), 2))
        self._at = 0
        # whole frames, and even (see keep_normal)
        self._chunk = max(2, (_CHUNK // (2 * self.frame)) * 2 * self.frame)
        # a signal at the Nyquist frequency far under any audible level keeps the filters' state out of the
        # subnormal floats they would otherwise decay into over digital silence, where every sample costs ~10x
        self._keep_normal = np.full(self._chunk + 1, 1e-20)
        self._keep_normal[1::2] = -1e-20

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """The energies of the frames ``samples`` (the signal's next stretch) fill; a part frame at its end is padded
        with silence, so only the signal's last stretch may end in one."""
        from scipy.signal import sosfilt

        if self._at % self.frame:
            raise ValueError("only the signal's last stretch may end part way through a frame")
        frame, parity = self.frame, self._at % 2
        energy = np.zeros(-(-len(samples) // frame))
        for a in range(0, len(samples), self._chunk):
            b = min(len(samples), a + self._chunk)
            piece = samples[a:b].astype(np.float64) + self._keep_normal[parity : parity + b - a]
            weighted, self._state = sosfilt(self._sos, piece, zi=self._state)
            squared = weighted * weighted
            if len(squared) % frame:
                squared = np.concatenate((squared, np.zeros(frame - len(squared) % frame)))
            energy[a // frame : a // frame + len(squared) // frame] = squared.reshape(-1, frame).sum(axis=1)
        self._at += len(samples)
        return energy


def frame_block_powers(energy: np.ndarray, frame: int, sample_rate: int = EDIT_SAMPLE_RATE, *, whole: int | None = None) -> np.ndarray:
    """BS.1770's block powers (400 ms every 100 ms) from weighted_frame_energy's frames; ``whole`` is how many
    frames lie wholly inside the signal (blocks end there, as block_powers' do)."""
    per_block, per_hop = round(0.4 * sample_rate / frame), round(0.1 * sample_rate / frame)
    whole = len(energy) if whole is None else whole
    if whole < per_block:
        return np.zeros(0)
    running = np.concatenate(([0.0], np.cumsum(energy[:whole])))
    starts = np.arange(0, whole - per_block + 1, per_hop)
    return (running[starts + per_block] - running[starts]) / (per_block * frame)


def gated_loudness(power: np.ndarray) -> float:
    """BS.1770's gating over block powers: -70 LUFS absolute, then 10 LU under the mean of what passed."""
    if not len(power) or not np.any(power > 0):
        return float("-inf")
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(power)
    gated = power[loudness > -70.0]
    if not len(gated):
        return float("-inf")
    relative = -0.691 + 10 * math.log10(gated.mean()) - 10.0
    kept = power[(loudness > -70.0) & (loudness > relative)]
    return -0.691 + 10 * math.log10(kept.mean())


def normalising_gain(samples: np.ndarray, target: float, ceiling_db: float, sample_rate: int = EDIT_SAMPLE_RATE,
                     *, max_gain_db: float = 30.0) -> float | None:
    """The gain in dB that brings ``samples`` to ``target`` LUFS once a peak limiter holds them under ``ceiling_db``;
    None for silence.

    The limiter takes loudness away where it bends peaks down, so the gain is found in a few rounds: each
    applies the gain, a 5 ms-frame model of the limiter, and measures again (the K-weighted block powers
    are scaled by each block's share of energy the limiter kept, so no round filters again)."""
    signal = np.asarray(samples)
    power, starts = block_powers(signal, sample_rate)
    loudness = gated_loudness(power)
    if not math.isfinite(loudness):
        return None
    block = round(0.4 * sample_rate)
    frame = max(1, round(0.005 * sample_rate))
    frames = -(-len(signal) // frame)
    # the limiter's model holds a frame at one gain, so what it keeps of a block is a sum over whole frames
    # (a block and its hop are whole frames at 48 kHz; elsewhere the block's frames are rounded to the nearest)
    frame_peaks, frame_energy = np.zeros(frames), np.zeros(frames)
    step = max(1, _CHUNK // frame)
    for a in range(0, frames, step):
        b = min(frames, a + step)
        piece = signal[a * frame : b * frame].astype(np.float64)
        if len(piece) < (b - a) * frame:  # the last frame, padded with silence
            piece = np.concatenate((piece, np.zeros((b - a) * frame - len(piece))))
        framed = piece.reshape(b - a, frame)
        frame_peaks[a:b] = np.abs(framed).max(axis=1)
        frame_energy[a:b] = np.einsum("ij,ij->i", framed, framed)
    first = np.rint(starts / frame).astype(np.int64)
    last = np.minimum(first + round(block / frame), frames)
    before = np.concatenate(([0.0], np.cumsum(frame_energy)))
    before_blocks = np.maximum(before[last] - before[first], 1e-30)
    ceiling = 10 ** (ceiling_db / 20)
    gain = target - loudness
    for _ in range(4):
        scale = 10 ** (min(gain, max_gain_db) / 20)
        held = np.minimum(1.0, ceiling / np.maximum(frame_peaks * scale, 1e-12))
        after = np.concatenate(([0.0], np.cumsum(frame_energy * held * held)))
        share = (after[last] - after[first]) / before_blocks
        reached = gated_loudness(power * share * scale * scale)
        if abs(target - reached) < 0.05:
            break
        gain += target - reached
    return min(gain, max_gain_db)

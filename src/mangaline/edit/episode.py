"""The episode: shot segments joined by stream copy, with the dialogue mix as loudness-normalised AAC."""

from __future__ import annotations

import math
import tempfile
import wave
from pathlib import Path

import numpy as np

from mangaline.errors import RenderError

from ..atomic import atomic_path
from ..audio import EDIT_SAMPLE_RATE, decode_line, normalising_gain
from ..ffmpeg import MediaInfo, audio_levels, count_frames, probe, run_ffmpeg
from ..wavfile import read_pcm16

__all__ = ["render_episode", "LOUDNESS_TARGET"]

LOUDNESS_TARGET = -16.0
"""Integrated loudness in LUFS: what phone platforms normalise short video to."""
TRUE_PEAK_CEILING = -1.5
"""dBFS no peak of the episode's dialogue goes past once the gain is applied."""
MAX_GAIN_DB = 30.0
"""The most a quiet mix is raised: a whisper of a mix is not turned into noise."""
_SILENT_DB = -80.0


def _peak_db(wav_path: Path) -> float:
    """Peak level of a WAV in dBFS, read directly (16-bit PCM from the mix), else measured by FFmpeg."""
    try:
        with wave.open(str(wav_path), "rb") as wav:
            if wav.getsampwidth() == 2:
                samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
                peak = int(np.abs(samples.astype(np.int32)).max(initial=0))
                return 20 * math.log10(peak / 32768) if peak else -120.0
    except wave.Error:
        pass
    return audio_levels(wav_path, 0.0, max(probe(wav_path).duration, 0.01))


def _normalise(dialogue_wav: Path) -> str:
    """The filters that bring the mix to LOUDNESS_TARGET: one gain for the whole episode, measured here
    (BS.1770, allowing for what the limiter takes), then a look-ahead limiter that holds peaks under
    TRUE_PEAK_CEILING.

    One gain keeps the dialogue's dynamics as the voices were mastered (FFmpeg's one-pass loudnorm rides
    the gain line by line, and resamples to 192 kHz to do it, the slowest part of an episode's edit);
    the limiter only touches the few peaks the gain pushes past the ceiling. Silence is left as it is."""
    samples = read_pcm16(dialogue_wav, EDIT_SAMPLE_RATE)
    if samples is None:  # not the mix's own 16-bit WAV: measure what FFmpeg decodes
        if _peak_db(dialogue_wav) < _SILENT_DB:
            return ""
        samples = decode_line(dialogue_wav, "the dialogue mix")
    if not len(samples) or 20 * math.log10(max(float(np.abs(samples).max()), 1e-12)) < _SILENT_DB:
        return ""
    # the limiter works on samples; AAC's reconstruction overshoots them a little, so it holds half a dB under
    limit_db = TRUE_PEAK_CEILING - 0.5
    gain = normalising_gain(samples, LOUDNESS_TARGET, limit_db, EDIT_SAMPLE_RATE, max_gain_db=MAX_GAIN_DB)
    if gain is None:
        return ""
    ceiling = 10 ** (limit_db / 20)
    return f"volume={gain:.3f}dB:precision=double,alimiter=limit={ceiling:.5f}:attack=5:release=50:level=0:latency=1,"


def _concat_path(path: Path) -> str:
    # The concat list quotes paths in single quotes; a quote inside is written as '\''.
    return "'" + str(path.resolve()).replace("'", "'\\''") + "'"


def render_episode(
    segments: list[Path], dialogue_wav: Path, out_mp4: Path, *, fps: int, frame_counts: list[int] | None = None
) -> MediaInfo:
    """Join ``segments`` (same encoder settings) without re-encoding, add the dialogue as AAC, write ``out_mp4``.

    The episode lasts exactly the sum of the segments' frames; the dialogue is padded or cut to it.
    ``frame_counts``, when the caller knows them (the edit does), saves reading every segment.
    The dialogue mix is mono, so it is encoded as mono AAC; stereo comes with music and effects.
    """
    out_mp4 = Path(out_mp4)
    what = f"render_episode {out_mp4.name}"
    if not segments:
        raise RenderError(what, "no segments to join")
    if not Path(dialogue_wav).is_file():
        raise RenderError(what, f"missing dialogue mix {dialogue_wav}")
    if frame_counts is not None and len(frame_counts) != len(segments):
        raise RenderError(what, f"{len(frame_counts)} frame counts for {len(segments)} segments")
    frames = 0
    entries = []
    for i, segment in enumerate(map(Path, segments)):
        if not segment.is_file():
            raise RenderError(what, f"missing segment {segment}")
        count = frame_counts[i] if frame_counts is not None else count_frames(segment)
        frames += count
        # An explicit duration pins each segment to its frame count, so B-frame edit lists
        # cannot nudge the cuts.
        entries.append(f"file {_concat_path(segment)}\nduration {count / fps:.6f}\n")
    total = frames / fps

    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mangaline-episode-") as tmp:
        listing = Path(tmp) / "segments.txt"
        listing.write_text("ffconcat version 1.0\n" + "".join(entries), encoding="utf-8")
        audio_filter = f"{_normalise(Path(dialogue_wav))}aresample=48000,apad=whole_dur={total:.6f},atrim=end={total:.6f}"
        args = [
            "-y", "-loglevel", "error",
            "-f", "concat", "-safe", "0", "-i", str(listing),
            "-i", str(dialogue_wav),
            "-map", "0:v:0", "-map", "1:a:0",
            "-c:v", "copy",
            "-af", audio_filter, "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "1",
            "-frames:v", str(frames), "-t", f"{total:.6f}",
            "-movflags", "+faststart", "-f", "mp4",
        ]  # fmt: skip
        with atomic_path(out_mp4) as written:
            run_ffmpeg([*args, str(written)], what)
    return probe(out_mp4)

"""The episode's sound: the dialogue mix, and the stereo mix of dialogue, music and effects with its stems.

Dialogue is centred, effects panned, music and effects ducked under the lines; one gain and a true-peak
limiter bring the whole to the loudness asked for, and each stem gets the same, so the stems sum to the mix."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from mangaline.errors import RenderError
from mangaline.wavfile import pcm16, read_pcm16, read_pcm16_channels, write_pcm16

from ..audio import (block_powers, decode_line, frame_block_powers, gated_loudness, integrated_loudness,
                     weighted_frame_energy)

from ..ffmpeg import FedFFmpeg, ffmpeg_exe, run_ffmpeg
from .timeline import AudioPlacement

__all__ = ["EpisodeMix", "mix_dialogue", "mix_episode", "soft_limit", "speech_gain", "true_peak", "LIMIT_KNEE", "LIMIT_CEILING"]

LIMIT_KNEE = 0.89
"""Where the limiter starts to bend (about -1 dBFS): overlapping lines squash instead of clipping."""


LIMIT_CEILING = 0.98
"""No sample goes past this (about -0.2 dBFS), however loud the overlap."""
MAX_GAIN_DB = 30.0
"""The most a quiet mix is raised: a whisper of a mix is not turned into noise."""


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


MUSIC_UNDER_DIALOGUE_LU = 10.0
"""How far under the dialogue's loudness the music bed sits where no one speaks."""
EFFECT_UNDER_DIALOGUE_LU = 4.0
"""How far under the dialogue a one-off effect (a horn, a door) sits: heard, not louder than a line."""
AMBIENCE_UNDER_DIALOGUE_LU = 16.0
"""How far under the dialogue a bed of rain or wind sits."""
MUSIC_DUCK_DB = 14.0
"""How much further the music drops while a line plays: with the bed's own 10 LU, well past 12 dB under speech
(the example's quietest line is 15 dB over the music by plain RMS, 16 LU by BS.1770)."""
EFFECTS_DUCK_DB = 8.0
"""How much the effects drop while a line plays."""
SPEECH_GATE_DBFS = -45.0
"""A 10 ms window of the dialogue louder than this is speech (lines are mastered to peak at -3 dBFS)."""
DUCK_AROUND_S, DUCK_RAMP_S = 0.5, 0.2
"""The ducking is fully down this long before a word and after one, and ramps over this long: computed from the
whole dialogue stem at once, so it looks ahead and is down before the first syllable."""
MUSIC_FADE_IN_S, MUSIC_FADE_OUT_S, AMBIENCE_FADE_S = 0.5, 1.0, 0.3
AAC_BITRATE = "192k"
"""The episode's stereo mix as AAC."""
AAC_ARGS = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", AAC_BITRATE]
"""FFmpeg's AAC encoder as the line uses it. Its "fast" coder: at a rate this high it sounds as good as the default
"twoloop" (it was FFmpeg's own default for years, for that reason) and takes a third less time, which an edit's
rebuild waits for in full (the whole episode's mix is encoded again)."""
TRUE_PEAK_LIMIT_DBTP = -2.0
"""Where the limiter holds the mix's 4x-oversampled peaks; AAC's reconstruction overshoots by a few tenths,
so the delivered episode stays under -1 dBTP."""
_OVERSAMPLE = 4
_LIMITER_WINDOW_S = 0.01
_REFERENCE_LUFS = -23.0
"""The level music and effects are set against when an episode has no dialogue at all."""


def _stereo_loudness(x: np.ndarray, sample_rate: int) -> float:
    """BS.1770 integrated loudness of a stereo signal (frames x 2): the channels' K-weighted powers summed."""
    return gated_loudness(block_powers(x[:, 0], sample_rate)[0] + block_powers(x[:, 1], sample_rate)[0])


_INTERPOLATOR_HALF = 10 * _OVERSAMPLE
"""Half the taps of the oversampling filter: scipy's resample_poly's own design (a Kaiser-windowed sinc)."""
_PEAK_CHUNK = 1 << 16
"""Samples oversampled at a time: a whole episode at once is gigabytes of float64 to sweep through memory."""
_REACH = _INTERPOLATOR_HALF // _OVERSAMPLE + 2
"""Input samples either side of a chunk the oversampling filter reaches."""


@cache
def _interpolator() -> np.ndarray:
    from scipy.signal import firwin

    return firwin(2 * _INTERPOLATOR_HALF + 1, 1 / _OVERSAMPLE, window=("kaiser", 5.0)) * _OVERSAMPLE


def true_peak(x: np.ndarray, sample_rate: int = 48000) -> np.ndarray:
    """Each sample's true peak (BS.1770 annex 2: the signal 4x oversampled), the largest over its channels.

    Each channel is oversampled a chunk at a time (with the filter's reach of neighbours either side, so the
    result is the whole signal's, sample for sample); the same filter and alignment as resample_poly."""
    x = np.atleast_2d(np.asarray(x, np.float64).T).T
    peaks = np.zeros(len(x))
    for channel in range(x.shape[1]):  # elementwise: numpy reduces a short axis slowly
        np.maximum(peaks, np.abs(x[:, channel]), out=peaks)
    for first in range(0, len(x), _PEAK_CHUNK):
        _oversampled_peaks(x, first, min(len(x), first + _PEAK_CHUNK), peaks)
    return peaks


def _oversampled_peaks(x: np.ndarray, first: int, last: int, peaks: np.ndarray) -> None:
    """Raise ``peaks[first:last]`` to the true peaks of ``x`` (frames x channels) there.

    Oversampling by the interpolator is four interleaved convolutions, one per phase (every fourth tap): the
    signal upsampled and filtered (upfirdn) has at 4n + p the phase-p filter's output at n. Each phase is
    convolved on its own, a third of the time of upfirdn's one pass and the interleaved result it writes."""
    taps = _interpolator()
    lo, hi = max(0, first - _REACH), min(len(x), last + _REACH)
    # the phase filters' outputs are delayed by half the filter, in input samples
    offset = first - lo + _INTERPOLATOR_HALF // _OVERSAMPLE
    target = peaks[first:last]
    for channel in range(x.shape[1]):
        signal = np.ascontiguousarray(x[lo:hi, channel])
        for phase in range(_OVERSAMPLE):
            out = np.convolve(signal, taps[phase::_OVERSAMPLE])
            np.maximum(target, np.abs(out[offset : offset + last - first], out=out[offset : offset + last - first]),
                       out=target)


@cache
def _spread() -> float:
    """Σ|h|·(distance + 1) over the oversampling filter's taps, in input samples: how far a gain that changes by
    at most one unit a sample can move an interpolated value, per unit of the signal's level."""
    taps = _interpolator()
    return float(np.sum(np.abs(taps) * (np.abs(np.arange(len(taps)) - _INTERPOLATOR_HALF) / _OVERSAMPLE + 1)))


_CANDIDATE_CHUNK = 4096
"""Samples the largest true peak of a gained mix is looked for in at a time: small, since only the few stretches
near the limit whose gain moves there need oversampling again."""
_BOUND_BLOCK = 64
"""Candidate chunks whose bounds are worked out at a time."""


def _largest_true_peak(mixed: np.ndarray, gain: np.ndarray, peaks: np.ndarray) -> float:
    """The largest true peak of ``mixed * gain``, given ``peaks``, the true peaks of ``mixed``: true_peak's figure,
    oversampling again only the stretches that could hold it.

    Where the gain is flat over the filter's reach, a sample's true peak is its peak in ``mixed`` times the gain;
    where it moves by at most L a sample there, that product is off by at most L · max|mixed| · _spread() (both
    over the reach). Each sample's product, so widened, bounds its true peak; the stretches are visited largest
    bound first, and the search ends at the first whose bound is under the largest peak found."""
    from scipy.ndimage import maximum_filter1d

    mixed = np.atleast_2d(np.asarray(mixed, np.float64).T).T
    count = len(mixed)
    if not count:
        return 0.0
    reach = 2 * _REACH + 1
    bounds = np.empty(-(-count // _CANDIDATE_CHUNK))
    # a block of the mix at a time, with the filters' reach of neighbours either side (so each sample's bound is the
    # one the whole mix gives it): a full-length array of the mix is ~40 MB
    block, margin = _CANDIDATE_CHUNK * _BOUND_BLOCK, reach + 2
    for first in range(0, count, block):
        last = min(count, first + block)
        lo, hi = max(0, first - margin), min(count, last + margin)
        # in place where it can be (the filters read a line into a buffer first)
        level = np.abs(mixed[lo:hi, 0])
        slope = np.zeros(hi - lo)
        for channel in range(1, mixed.shape[1]):  # elementwise: numpy reduces a short axis slowly
            np.maximum(level, np.abs(mixed[lo:hi, channel], out=slope), out=level)
        slope[0] = 0.0
        # the step into each sample (none into the mix's first); the filter below takes the one out too
        step = max(lo, 1)
        np.abs(np.subtract(gain[step:hi], gain[step - 1 : hi - 1], out=slope[step - lo :]), out=slope[step - lo :])
        bound = maximum_filter1d(slope, size=reach + 2, output=slope)
        bound *= maximum_filter1d(level, size=reach, output=level)
        bound *= _spread()
        bound += np.multiply(peaks[lo:hi], gain[lo:hi], out=level)
        bounds[first // _CANDIDATE_CHUNK : -(-last // _CANDIDATE_CHUNK)] = np.maximum.reduceat(
            bound[first - lo : last - lo], np.arange(0, last - first, _CANDIDATE_CHUNK))
    best = 0.0
    for index in np.argsort(-bounds, kind="stable"):
        if bounds[index] <= best:
            break
        first = int(index) * _CANDIDATE_CHUNK
        last = min(count, first + _CANDIDATE_CHUNK)
        lo, hi = max(0, first - _REACH), min(count, last + _REACH)
        region = mixed[lo:hi] * gain[lo:hi, None]
        local = np.zeros(hi - lo)
        local[first - lo : last - lo] = np.abs(region[first - lo : last - lo]).max(axis=1)
        _oversampled_peaks(region, first - lo, last - lo, local)
        best = max(best, float(local.max()))
    return best


def _read(path: Path, channels: int, sample_rate: int, cache: dict) -> np.ndarray:
    """A sound file as (frames x channels) floats, read once per mix."""
    key = (Path(path), channels)
    if key not in cache:
        if not Path(path).is_file():
            raise RenderError("mix", f"missing sound {path}")
        samples = read_pcm16_channels(path, sample_rate)
        if samples is None or samples.shape[1] not in (1, channels):
            mono = decode_line(Path(path), f"the sound {Path(path).name}")[:, None]
            samples = mono if channels == 1 else np.repeat(mono, channels, axis=1)
        if samples.shape[1] != channels:
            samples = np.repeat(samples[:, :1], channels, axis=1) if channels > 1 else samples.mean(axis=1, keepdims=True)
        cache[key] = samples.astype(np.float64)
    return cache[key]


def _lay_loop(target: np.ndarray, first: int, source: np.ndarray, phase: int, count: int, factor: np.ndarray | float,
              fades: tuple[int, int]) -> None:
    """Add ``count`` frames of ``source`` looped, starting ``phase`` frames into it, faded in and out linearly over
    ``fades`` (frames in, frames out) and scaled by ``factor``, to ``target`` from frame ``first``.

    A loop of the source at a time: a bed the length of an episode is never held whole (~80 MB a copy)."""
    up, down = fades
    ramp_in, ramp_out = np.linspace(0.0, 1.0, up), np.linspace(1.0, 0.0, down)
    done = 0
    while done < count:
        start = (phase + done) % len(source)
        block = source[start : start + count - done].copy()
        # where this block meets the fades: the same ramps over the same frames as over the whole piece
        lo, hi = done, done + len(block)
        if lo < up:
            block[: min(hi, up) - lo] *= ramp_in[lo : min(hi, up), None]
        if hi > count - down:
            at = max(lo, count - down)
            block[at - lo :] *= ramp_out[at - (count - down) : hi - (count - down), None]
        target[first + lo : first + hi] += block * factor
        done = hi


def _joined(placements: list[AudioPlacement]) -> list[AudioPlacement]:
    """The placements with each run of looped clips of one file that follow on without a gap joined into one,
    so rain over three shots (or one bed over two scenes of a mood) plays on across the cuts, with no fade at them."""
    joined: list[AudioPlacement] = []
    for placed in sorted(placements, key=lambda p: (p.role, str(p.path), p.start)):
        before = joined[-1] if joined else None
        if (before is not None and placed.loop and before.loop and before.role == placed.role and before.path == placed.path
                and before.pan == placed.pan and abs(before.start + before.duration - placed.start) < 0.05):
            joined[-1] = replace(before, duration=placed.start + placed.duration - before.start)
        else:
            joined.append(placed)
    return joined


def speech_gain(dialogue: np.ndarray, depth_db: float, sample_rate: int) -> np.ndarray:
    """The gain (per sample, 0..1) that ducks a stem ``depth_db`` under every stretch of speech in ``dialogue`` (mono).

    Sidechain ducking done offline: speech is where the dialogue's 10 ms RMS passes SPEECH_GATE_DBFS; the
    duck is fully down DUCK_AROUND_S either side of it and ramps over DUCK_RAMP_S outside that, so the full
    depth holds for every sample of speech."""
    presence, hop = _speech_presence(dialogue, sample_rate)
    return np.repeat(_duck_gain(presence, depth_db), hop)[: len(dialogue)]


def _speech_presence(dialogue: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """How much of the duck each 10 ms hop of ``dialogue`` gets (0..1, 1 in and around speech; see speech_gain), and
    the hop in samples."""
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    hop = sample_rate // 100
    count = -(-len(dialogue) // hop)
    padded = np.zeros(count * hop)
    padded[: len(dialogue)] = dialogue
    rms = np.sqrt(np.mean(padded.reshape(count, hop) ** 2, axis=1))
    speech = (rms > 10 ** (SPEECH_GATE_DBFS / 20)).astype(float)
    around, ramp = max(1, round(DUCK_AROUND_S * 100)), max(1, round(DUCK_RAMP_S * 100))
    widened = maximum_filter1d(speech, size=2 * around + 1)
    # the ramp (odd, centred) reaches at most half its width into the widened stretch: speech keeps the full depth
    smooth = uniform_filter1d(widened, size=ramp | 1, mode="nearest")
    return np.clip(smooth, 0, 1), hop


def _duck_gain(presence: np.ndarray, depth_db: float) -> np.ndarray:
    floor = 10 ** (-depth_db / 20)
    return 1.0 - (1.0 - floor) * presence


def _duck(stem: np.ndarray, presence: np.ndarray, hop: int, depth_db: float) -> None:
    """Duck ``stem`` (frames x channels) in place by speech_gain's gain, a hop at a time: the same factor on every
    sample as the gain repeated out to the samples, without that array (~40 MB an episode)."""
    gain = _duck_gain(presence, depth_db)
    whole = len(stem) // hop
    stem[: whole * hop].reshape(whole, hop, stem.shape[1])[...] *= gain[:whole, None, None]
    if len(stem) > whole * hop:
        stem[whole * hop :] *= gain[whole]


@dataclass(frozen=True)
class EpisodeMix:
    """The mix an episode is encoded from, and its stems (each the mix's share, so they sum to it), with what was measured."""

    mix: Path
    stems: dict[str, Path]
    loudness: float
    """integrated loudness of the mix, LUFS (BS.1770)"""
    true_peak: float
    """its 4x-oversampled peak, dBTP"""
    encoded: Path | None = None
    """the mix as the episode carries it (stereo AAC in MP4), once encoded (render_mix in edit/episode.py)"""


def mix_episode(placements: Iterable[AudioPlacement], duration: float, out_dir: Path, *, loudness: float,
                sample_rate: int = 48000, encode_to: Path | None = None) -> EpisodeMix:
    """Mix dialogue (centred), music and effects (panned) in stereo, duck music and effects under the lines,
    bring the mix to ``loudness`` LUFS with its true peaks under TRUE_PEAK_LIMIT_DBTP, and write mix.wav and the
    stems dialogue.wav, music.wav and effects.wav (16-bit stereo, ``duration`` long) into ``out_dir``. With
    ``encode_to`` the mix is encoded there instead (stereo AAC in MP4, AAC_BITRATE), by FFmpeg reading it from a
    pipe while the stems are written; no mix.wav is written.

    ``placements`` are the timeline's audio clips: dialogue and one-off effects play
    their file once from their start, music and ambience loop for their duration. Levels are set against the
    dialogue's own loudness (MUSIC_UNDER_DIALOGUE_LU ...), then one gain and a look-ahead limiter, the same for
    every stem, bring the whole to the target."""
    if duration <= 0:
        raise RenderError("mix", f"duration must be positive, got {duration}")
    ffmpeg_exe()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    placements = list(placements)
    total = round(duration * sample_rate)
    cache: dict = {}
    dialogue = np.zeros(total)
    for placed in (p for p in placements if p.role == "dialogue"):
        voice = _read(placed.path, 1, sample_rate, cache)[:, 0]
        first = round(placed.start * sample_rate)
        if first < total:
            voice = voice[: total - first]
            dialogue[first : first + len(voice)] += voice
    dialogue = soft_limit(dialogue)
    reference = integrated_loudness_of(dialogue, sample_rate)
    music = np.zeros((total, 2))
    effects = np.zeros((total, 2))
    levels: dict[Path, float] = {}
    for placed in _joined([p for p in placements if p.role in ("music", "effects")]):
        source = _read(placed.path, 2 if placed.role == "music" else 1, sample_rate, cache)
        if placed.path not in levels:
            level = _stereo_loudness(np.repeat(source, 2 // source.shape[1], axis=1), sample_rate)
            if not np.isfinite(level):  # a short click has no gated loudness: use its RMS
                level = 10 * np.log10(max(float(np.mean(source**2)) * 2, 1e-12)) - 0.691
            levels[placed.path] = level
        under = MUSIC_UNDER_DIALOGUE_LU if placed.role == "music" else AMBIENCE_UNDER_DIALOGUE_LU if placed.loop else EFFECT_UNDER_DIALOGUE_LU
        gain = 10 ** ((reference - under - levels[placed.path]) / 20)
        first = round(placed.start * sample_rate)
        if first >= total:
            continue
        # a mono effect is panned by constant power; the pan and the level are one factor, applied as it is laid
        if source.shape[1] == 1:
            angle = (placed.pan + 1) * np.pi / 4
            factor = np.array([np.cos(angle), np.sin(angle)]) * (np.sqrt(2) * gain)
        else:
            factor = gain
        target = music if placed.role == "music" else effects
        if placed.loop:
            count = min(total - first, round(placed.duration * sample_rate))
            # looped beds keep the episode's clock as their phase, so rain over two shots runs on across the cut
            phase = 0 if placed.role == "music" else first % len(source)
            fade_in, fade_out = (MUSIC_FADE_IN_S, MUSIC_FADE_OUT_S) if placed.role == "music" else (AMBIENCE_FADE_S, AMBIENCE_FADE_S)
            fades = (min(count // 2, int(fade_in * sample_rate)), min(count // 2, int(fade_out * sample_rate)))
            _lay_loop(target, first, source, phase, count, factor, fades)
        else:
            piece = source[: total - first]  # the decoded sound itself: not to be changed
            target[first : first + len(piece)] += piece * factor
    cache.clear()  # the decoded sounds: up to an episode's length each, needed no more
    target = None
    presence, hop = _speech_presence(dialogue, sample_rate)
    _duck(music, presence, hop, MUSIC_DUCK_DB)
    _duck(effects, presence, hop, EFFECTS_DUCK_DB)
    # The stems are only written from here, gained and as 16-bit samples: single precision holds them to well under
    # a 16-bit step, and frees half their memory before the true-peak search (the mix itself stays in doubles).
    stems = {"dialogue": dialogue[:, None].astype(np.float32), "music": music.astype(np.float32),
             "effects": effects.astype(np.float32)}
    # the mix is summed in the music's own buffer (an episode's stereo doubles are ~80 MB), dialogue first: the same
    # sums as dialogue + music + effects, sample for sample, for adding two numbers does not depend on their order;
    # the dialogue stays one channel until it is written: centred, both channels are the same
    mixed = music
    mixed += dialogue[:, None]
    del dialogue, music
    mixed += effects
    del effects
    curve, reached, peaks = _loudness_curve(mixed, loudness, sample_rate)
    peak = _largest_true_peak(mixed, curve[:, 0], peaks) if total else 0.0
    del peaks
    mixed *= curve  # in place: an episode's stereo mix is ~80 MB of doubles a copy
    encoder = None
    if encode_to is not None:
        # the encoder reads the mix from a pipe while the stems are written
        encoder = FedFFmpeg(["-f", "s16le", "-ar", str(sample_rate), "-ac", "2", "-i", "pipe:0", *AAC_ARGS,
                             "-f", "mp4", "-y", "-loglevel", "error", str(encode_to)],
                            f"mix {Path(encode_to).name}")
        encoder.feed(memoryview(pcm16(mixed)).cast("B"))  # the samples' own buffer: no 20 MB copy into bytes
    else:
        write_pcm16(out_dir / "mix.wav", mixed, sample_rate)
    shape = mixed.shape
    del mixed  # written, or handed to the encoder as 16-bit samples
    try:
        paths = {}
        for name, stem in stems.items():
            paths[name] = out_dir / f"{name}.wav"
            write_pcm16(paths[name], np.broadcast_to(stem * curve, shape), sample_rate)
    except BaseException:
        if encoder is not None:
            encoder.abandon()
        raise
    if encoder is not None:
        encoder.finish()
    return EpisodeMix(mix=Path(encode_to) if encode_to is not None else out_dir / "mix.wav", stems=paths,
                      loudness=reached, true_peak=20 * np.log10(max(peak, 1e-12)), encoded=encode_to)


def integrated_loudness_of(mono: np.ndarray, sample_rate: int) -> float:
    """The loudness a mono stem has once centred in stereo (both channels), or _REFERENCE_LUFS for silence."""
    level = integrated_loudness(mono, sample_rate)
    return level + 10 * np.log10(2) if np.isfinite(level) else _REFERENCE_LUFS


def _limiter(peaks: np.ndarray, scale: float, ceiling: float, window: int) -> list[tuple[int, np.ndarray]]:
    """Where the limiter pulls the mix gained by ``scale`` under ``ceiling``: (first sample, gain there, 0..1) for each
    stretch; the gain is 1 everywhere else.

    A sample's gain is what it needs (``ceiling`` over its gained true peak, at most 1), held at the least needed
    within ``window`` samples either side and ramped over ``window`` (a minimum filter, then a moving mean): so it
    is under 1 only within ``window`` and half a ramp of a sample that needs limiting. Each stretch is worked out
    over those samples alone, and exactly as over the whole mix: what the filters read past its ends needs no
    limiting there either."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ramp = window + 1 - window % 2
    reach = window + ramp // 2
    over = np.flatnonzero(peaks > ceiling / scale)
    if not over.size:
        return []
    # neighbours closer than twice the reach share a stretch, so no two stretches' reaches meet
    breaks = np.flatnonzero(np.diff(over) > 2 * reach)
    stretches = []
    for first, last in zip(over[np.r_[0, breaks + 1]], over[np.r_[breaks, len(over) - 1]]):
        lo, hi = max(0, int(first) - reach), min(len(peaks), int(last) + reach + 1)
        needed = np.minimum(1.0, ceiling / np.maximum(peaks[lo:hi] * scale, 1e-12))
        held = uniform_filter1d(minimum_filter1d(needed, size=2 * window + 1), size=ramp)
        stretches.append((lo, np.minimum(held, needed)))
    return stretches


def _frame_mean_square(count: int, frame: int, stretches: list[tuple[int, np.ndarray]]) -> np.ndarray:
    """The mean square over each ``frame`` samples (the last frame's over what it has) of a gain that is 1 but in the
    ``stretches`` (first sample, gain there)."""
    frames = -(-count // frame)
    sums = np.full(frames, float(frame))
    sums[-1] = count - (frames - 1) * frame
    lengths = sums.copy()
    for first, gain in stretches:
        index = np.arange(first, first + len(gain)) // frame
        sums[index[0] : index[-1] + 1] += np.bincount(index - index[0], weights=gain * gain - 1.0)
    return sums / lengths


def _loudness_curve(mixed: np.ndarray, target: float, sample_rate: int) -> tuple[np.ndarray, float, np.ndarray]:
    """Per-sample gain (frames x 1) that brings ``mixed`` to ``target`` LUFS with its true peaks held under the limit:
    one gain, then a limiter whose every gain change is ramped over _LIMITER_WINDOW_S, found in a few rounds (the
    limiter takes a little loudness, the next round gives it back); the loudness the gained mix has; and the
    ungained mix's true peak per sample.

    The signal is K-weighted once: each round scales the weighted energy of every 10 ms frame by the mean square
    of the gain over it (exact where the gain holds over a frame, as it does everywhere but the limiter's ramps).
    A round works only where the limiter acts (``_limiter``); the whole curve is written out once, at the end."""
    frame = max(1, sample_rate // 100)
    energy = sum(weighted_frame_energy(mixed[:, channel], sample_rate, frame) for channel in range(mixed.shape[1]))
    whole = len(mixed) // frame
    level = gated_loudness(frame_block_powers(energy, frame, sample_rate, whole=whole))
    peaks = true_peak(mixed, sample_rate)
    if not np.isfinite(level) or not len(mixed):
        return np.ones((len(mixed), 1)), level, peaks
    ceiling = 10 ** (TRUE_PEAK_LIMIT_DBTP / 20)
    window = max(1, int(_LIMITER_WINDOW_S * sample_rate))
    gain_db = target - level
    for _ in range(4):
        scale = 10 ** (min(gain_db, MAX_GAIN_DB) / 20)
        stretches = _limiter(peaks, scale, ceiling, window)
        square = _frame_mean_square(len(mixed), frame, stretches) * (scale * scale)
        reached = gated_loudness(frame_block_powers(energy * square, frame, sample_rate, whole=whole))
        if abs(target - reached) < 0.05:
            break
        gain_db += target - reached
    curve = np.full(len(mixed), scale)
    for first, gain in stretches:
        curve[first : first + len(gain)] = gain * scale
    return curve[:, None], reached, peaks

"""The episode's sound: the dialogue mix, and the stereo mix of dialogue, music and effects with its stems.

Dialogue is centred, effects panned, music and effects ducked under the lines; one gain and a true-peak
limiter bring the whole to the loudness asked for, and each stem gets the same, so the stems sum to the mix."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from mangaline.errors import RenderError
from mangaline.wavfile import open_pcm16, pcm16, pcm16_writer, read_pcm16, write_pcm16

from ..audio import WeightedEnergy, block_powers, decode_line, frame_block_powers, gated_loudness

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
    return _region_peaks(x, 0, len(x))


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


def _region_peaks(x: np.ndarray, first: int, last: int) -> np.ndarray:
    """The true peaks of ``x`` (frames x channels) at ``first``..``last``, oversampling a chunk at a time; ``x`` holds
    the filter's reach of neighbours either side (or the signal's ends), so they are the whole signal's."""
    peaks = np.zeros(len(x))
    for channel in range(x.shape[1]):  # elementwise: numpy reduces a short axis slowly
        np.maximum(peaks[first:last], np.abs(x[first:last, channel]), out=peaks[first:last])
    for a in range(first, last, _PEAK_CHUNK):
        _oversampled_peaks(x, a, min(last, a + _PEAK_CHUNK), peaks)
    return peaks[first:last]


def _runs(indices: np.ndarray) -> list[np.ndarray]:
    """Sorted indices split into runs of neighbours (3, 4, 5 | 9 | 11, 12)."""
    indices = np.asarray(indices, dtype=np.int64)
    return np.split(indices, np.flatnonzero(np.diff(indices) > 1) + 1) if indices.size else []


def _peaks_between(mixed: Callable[[int, int], np.ndarray], count: int, first: int, last: int,
                   gain: Callable[[int, int], np.ndarray] | None = None) -> np.ndarray:
    """The true peaks at samples ``first``..``last`` of a mix of ``count`` samples that ``mixed(lo, hi)`` gives over any
    stretch, times ``gain(lo, hi)`` when given: worked out from the stretch with the filter's reach either side."""
    lo, hi = max(0, first - _REACH), min(count, last + _REACH)
    region = mixed(lo, hi) if gain is None else mixed(lo, hi) * gain(lo, hi)[:, None]
    return _region_peaks(region, first - lo, last - lo)


_BLOCK_HOPS = 1000
"""10 ms hops of the mix worked out at a time (10 s): the mix is made a block at a time, in three passes, and never
held whole (an episode's stereo mix is ~46 MB of doubles a minute, and a mix held whole grew with the episode)."""


@dataclass(frozen=True)
class _Laid:
    """A sound as the mix lays it: ``count`` samples from sample ``first`` of the episode, scaled by ``factor``
    (a level, or a level per channel: the pan); a loop starts ``phase`` samples into its sound, with linear fades
    in and out over ``fades`` samples."""

    path: Path
    channels: int
    first: int
    count: int
    factor: np.ndarray | float = 1.0
    loop: bool = False
    phase: int = 0
    fades: tuple[int, int] = (0, 0)


class _Sounds:
    """The sound files a mix lays, read a stretch at a time: a 16-bit WAV at the mix's rate (what the voice and sound
    departments write) straight from its file, anything else decoded once by FFmpeg into a file of floats in
    ``scratch``; so no sound is held whole, however long. No file is held open between reads (an episode may lay
    more sounds than a process may open files)."""

    def __init__(self, scratch: Path, sample_rate: int) -> None:
        self._scratch, self._rate = scratch, sample_rate
        # (path, channels asked for) -> (file to read, its frames, its channels; 0 for a file of mono floats)
        self._known: dict[tuple[Path, int], tuple[Path, int, int]] = {}

    def _source(self, path: Path, channels: int) -> tuple[Path, int, int]:
        key = (Path(path), channels)
        if key not in self._known:
            if not key[0].is_file():
                raise RenderError("mix", f"missing sound {path}")
            reader = open_pcm16(key[0], self._rate)
            if reader is not None:
                reader.close()
            if reader is not None and reader.channels in (1, channels):
                self._known[key] = (key[0], reader.frames, reader.channels)
            else:
                mono = decode_line(key[0], f"the sound {key[0].name}")
                raw = self._scratch / f"{len(self._known)}.f32"
                mono.astype("<f4").tofile(raw)
                self._known[key] = (raw, len(mono), 0)
        return self._known[key]

    def frames(self, path: Path, channels: int) -> int:
        return self._source(path, channels)[1]

    def read(self, path: Path, channels: int, first: int, last: int) -> np.ndarray:
        """Samples ``first``..``last`` of the sound as (frames x ``channels``) doubles; a mono sound asked for in
        stereo is the same in both channels."""
        source, _, kind = self._source(path, channels)
        if kind:
            reader = open_pcm16(source, self._rate)
            if reader is None:
                raise RenderError("mix", f"the sound {source} changed while the mix read it")
            try:
                samples = reader.read(first, last)
            finally:
                reader.close()
        else:
            samples = np.fromfile(source, "<f4", count=last - first, offset=4 * first)[:, None]
        if samples.shape[1] != channels:
            samples = np.repeat(samples, channels, axis=1)
        return samples.astype(np.float64)


class _EpisodeSound:
    """The episode's dialogue, music and effects as laid sounds, worked out for any stretch of samples when asked."""

    def __init__(self, sounds: _Sounds, count: int, hop: int) -> None:
        self.sounds, self.count, self.hop = sounds, count, hop
        self.dialogue: list[_Laid] = []
        self.music: list[_Laid] = []
        self.effects: list[_Laid] = []
        self.music_gain = self.effects_gain = np.ones(-(-count // hop))

    def _lay(self, target: np.ndarray, lo: int, laid: _Laid) -> None:
        """Add the part of ``laid`` that falls in ``target`` (samples from ``lo``) to it."""
        a, b = max(lo, laid.first), min(lo + len(target), laid.first + laid.count)
        if a >= b:
            return
        a, b = a - laid.first, b - laid.first
        piece = self._loop(laid, a, b) if laid.loop else self.sounds.read(laid.path, laid.channels, a, b)
        target[laid.first + a - lo : laid.first + b - lo] += piece * laid.factor

    def _loop(self, laid: _Laid, a: int, b: int) -> np.ndarray:
        """Samples ``a``..``b`` of a looped sound as laid: its sound from ``phase`` on, round and round, faded."""
        length = self.sounds.frames(laid.path, laid.channels)
        out = np.empty((b - a, laid.channels))
        done = a
        while done < b:
            start = (laid.phase + done) % length
            step = min(b - done, length - start)
            out[done - a : done - a + step] = self.sounds.read(laid.path, laid.channels, start, start + step)
            done += step
        up, down = laid.fades
        if a < up:
            out[: min(b, up) - a] *= np.linspace(0.0, 1.0, up)[a : min(b, up), None]
        fade_from = laid.count - down
        if b > fade_from:
            at = max(a, fade_from)
            out[at - a :] *= np.linspace(1.0, 0.0, down)[at - fade_from : b - fade_from, None]
        return out

    def speech(self, lo: int, hi: int) -> np.ndarray:
        """The dialogue stem over samples ``lo``..``hi`` (mono: it is centred), the lines squashed where they overlap."""
        speech = np.zeros((hi - lo, 1))
        for laid in self.dialogue:
            self._lay(speech, lo, laid)
        return soft_limit(speech[:, 0])

    def stems(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Dialogue (mono), music and effects (stereo, ducked under the lines) over samples ``lo``..``hi``."""
        music, effects = np.zeros((hi - lo, 2)), np.zeros((hi - lo, 2))
        for laid in self.music:
            self._lay(music, lo, laid)
        for laid in self.effects:
            self._lay(effects, lo, laid)
        hops = np.arange(lo, hi) // self.hop
        music *= self.music_gain[hops][:, None]
        effects *= self.effects_gain[hops][:, None]
        return self.speech(lo, hi), music, effects

    def mixed(self, lo: int, hi: int) -> np.ndarray:
        """The stereo mix, before its loudness gain, over samples ``lo``..``hi``."""
        return _summed(*self.stems(lo, hi))


def _summed(dialogue: np.ndarray, music: np.ndarray, effects: np.ndarray) -> np.ndarray:
    """The stems (as ``_EpisodeSound.stems`` gives them) summed into the mix, in music's own buffer: dialogue onto
    music, then effects, the same sums in the same order wherever the mix is made."""
    music += dialogue[:, None]
    music += effects
    return music


class _Peaks:
    """Each sample's true peak of a mix before its gain: kept as the largest in each frame, and worked out again
    sample by sample only for the frames asked about (where the limiter acts), from ``exact(first, last)``."""

    def __init__(self, frame_peaks: np.ndarray, frame: int, count: int, exact: Callable[[int, int], np.ndarray]) -> None:
        self.frame_peaks, self.frame, self.count, self._exact = frame_peaks, frame, count, exact
        self._known: dict[int, np.ndarray] = {}

    @classmethod
    def of(cls, peaks: np.ndarray, frame: int) -> _Peaks:
        """Peaks already known sample by sample."""
        largest = np.maximum.reduceat(peaks, np.arange(0, len(peaks), frame)) if len(peaks) else np.zeros(0)
        return cls(largest, frame, len(peaks), lambda first, last: peaks[first:last])

    def __len__(self) -> int:
        return self.count

    def _fill(self, frames: Iterable[int]) -> None:
        """Work out the frames not yet known, a run of neighbours at a time."""
        for run in _runs(sorted(set(frames) - self._known.keys())):
            first, last = int(run[0]) * self.frame, min(self.count, (int(run[-1]) + 1) * self.frame)
            values = self._exact(first, last)
            for index in run:
                self._known[int(index)] = values[int(index) * self.frame - first : (int(index) + 1) * self.frame - first]

    def over(self, level: float) -> np.ndarray:
        """The samples whose peak is over ``level``, in order."""
        frames = np.flatnonzero(self.frame_peaks > level)
        self._fill(frames)
        found = [int(f) * self.frame + np.flatnonzero(self._known[int(f)] > level) for f in frames]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def __getitem__(self, span: slice) -> np.ndarray:
        first, last = span.start, span.stop
        frames = range(first // self.frame, -(-last // self.frame))
        self._fill(frames)
        joined = np.concatenate([self._known[f] for f in frames])
        return joined[first - frames[0] * self.frame : last - frames[0] * self.frame]


def _measure(mixed: Callable[[int, int], np.ndarray], count: int, frame: int, sample_rate: int) -> tuple[np.ndarray, _Peaks]:
    """A stereo mix's K-weighted energy per ``frame`` samples (both channels) and its true peaks, worked out a block at a
    time from ``mixed(lo, hi)``, the mix over any stretch of its ``count`` samples."""
    meters = [WeightedEnergy(sample_rate, frame) for _ in range(2)]
    energy, frame_peaks = np.zeros(-(-count // frame)), np.zeros(-(-count // frame))
    block = frame * _BLOCK_HOPS
    for lo in range(0, count, block):
        hi = min(count, lo + block)
        xlo, xhi = max(0, lo - _REACH), min(count, hi + _REACH)
        x = mixed(xlo, xhi)
        inner = x[lo - xlo : hi - xlo]
        energy[lo // frame : -(-hi // frame)] = meters[0].feed(inner[:, 0]) + meters[1].feed(inner[:, 1])
        peaks = _region_peaks(x, lo - xlo, hi - xlo)
        frame_peaks[lo // frame : -(-hi // frame)] = np.maximum.reduceat(peaks, np.arange(0, hi - lo, frame))

    return energy, _Peaks(frame_peaks, frame, count, lambda first, last: _peaks_between(mixed, count, first, last))


def _curve(lo: int, hi: int, scale: float, stretches: list[tuple[int, np.ndarray]]) -> np.ndarray:
    """The mix's gain over samples ``lo``..``hi``: ``scale``, times the limiter's gain in its stretches."""
    curve = np.full(hi - lo, scale)
    for first, gain in stretches:
        a, b = max(lo, first), min(hi, first + len(gain))
        if a < b:
            curve[a - lo : b - lo] = gain[a - first : b - first] * scale
    return curve


def _largest_true_peak(mixed: Callable[[int, int], np.ndarray], peaks: _Peaks, scale: float,
                       stretches: list[tuple[int, np.ndarray]]) -> float:
    """The largest true peak of the mix (``mixed(lo, hi)`` gives it over any stretch) once gained: true_peak's figure
    over the gained mix, oversampling again only where it could be.

    Where the limiter's gain reaches (its stretches, and the filter's reach around them) the gained mix is oversampled
    again there. Everywhere else the gain is ``scale`` alone, so a frame's peak is at most its peak before the gain
    times ``scale`` (to rounding): frames are oversampled again, gained, largest first, until none can be larger."""
    frame, count = peaks.frame, peaks.count
    if not count:
        return 0.0
    near = np.zeros(len(peaks.frame_peaks), dtype=bool)
    for first, gain in stretches:
        near[max(0, first - _REACH) // frame : (min(count, first + len(gain) + _REACH) - 1) // frame + 1] = True

    def gained_peak(first: int, last: int) -> float:
        return float(_peaks_between(mixed, count, first, last, lambda lo, hi: _curve(lo, hi, scale, stretches)).max())

    best = 0.0
    for run in _runs(np.flatnonzero(near)):
        best = max(best, gained_peak(int(run[0]) * frame, min(count, (int(run[-1]) + 1) * frame)))
    rest = np.flatnonzero(~near)
    for index in rest[np.argsort(-peaks.frame_peaks[rest], kind="stable")]:
        if peaks.frame_peaks[index] * scale * (1 + 1e-9) <= best:
            break
        best = max(best, gained_peak(int(index) * frame, min(count, (int(index) + 1) * frame)))
    return best


def _loudness_curve(energy: np.ndarray, peaks: _Peaks, target: float, sample_rate: int
                    ) -> tuple[float, list[tuple[int, np.ndarray]], float]:
    """The gain that brings a mix to ``target`` LUFS with its true peaks held under the limit: one gain (``scale``),
    then a limiter whose every gain change is ramped over _LIMITER_WINDOW_S (its ``stretches``: first sample, gain
    there), found in a few rounds (the limiter takes a little loudness, the next round gives it back); and the loudness
    the gained mix has. From the mix's K-weighted energy per frame (``peaks.frame`` samples) and its true peaks.

    The signal was K-weighted once: each round scales the weighted energy of every frame by the mean square of the
    gain over it (exact where the gain holds over a frame, as it does everywhere but the limiter's ramps). A round
    works only where the limiter acts (``_limiter``)."""
    frame, count = peaks.frame, peaks.count
    whole = count // frame
    level = gated_loudness(frame_block_powers(energy, frame, sample_rate, whole=whole))
    if not np.isfinite(level) or not count:
        return 1.0, [], level
    ceiling = 10 ** (TRUE_PEAK_LIMIT_DBTP / 20)
    window = max(1, int(_LIMITER_WINDOW_S * sample_rate))
    gain_db = target - level
    for _ in range(4):
        scale = 10 ** (min(gain_db, MAX_GAIN_DB) / 20)
        stretches = _limiter(peaks, scale, ceiling, window)
        square = _frame_mean_square(count, frame, stretches) * (scale * scale)
        reached = gated_loudness(frame_block_powers(energy * square, frame, sample_rate, whole=whole))
        if abs(target - reached) < 0.05:
            break
        gain_db += target - reached
    return scale, stretches, reached


def _limiter(peaks: _Peaks, scale: float, ceiling: float, window: int) -> list[tuple[int, np.ndarray]]:
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
    over = peaks.over(ceiling / scale)
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
    hop = sample_rate // 100
    presence = _speech_presence(_hop_rms(np.asarray(dialogue), hop))
    return np.repeat(_duck_gain(presence, depth_db), hop)[: len(dialogue)]


def _hop_rms(dialogue: np.ndarray, hop: int) -> np.ndarray:
    """The RMS of each ``hop`` samples of ``dialogue`` (the last hop padded with silence)."""
    count = -(-len(dialogue) // hop)
    padded = np.zeros(count * hop)
    padded[: len(dialogue)] = dialogue
    return np.sqrt(np.mean(padded.reshape(count, hop) ** 2, axis=1))


def _speech_presence(rms: np.ndarray) -> np.ndarray:
    """How much of the duck each 10 ms hop gets, from the dialogue's RMS over each (0..1, 1 in and around speech;
    see speech_gain)."""
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    speech = (rms > 10 ** (SPEECH_GATE_DBFS / 20)).astype(float)
    around, ramp = max(1, round(DUCK_AROUND_S * 100)), max(1, round(DUCK_RAMP_S * 100))
    widened = maximum_filter1d(speech, size=2 * around + 1)
    # the ramp (odd, centred) reaches at most half its width into the widened stretch: speech keeps the full depth
    smooth = uniform_filter1d(widened, size=ramp | 1, mode="nearest")
    return np.clip(smooth, 0, 1)


def _duck_gain(presence: np.ndarray, depth_db: float) -> np.ndarray:
    floor = 10 ** (-depth_db / 20)
    return 1.0 - (1.0 - floor) * presence


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
    every stem, bring the whole to the target.

    The mix is made a block of _BLOCK_HOPS at a time, in three passes over the episode: the dialogue (its loudness,
    which the other levels follow, and where the lines are, which the ducking follows), the whole mix (its loudness
    and true peaks, from which the gain), and the gained mix and stems, written as they come. Nothing the length of
    the episode is held but figures per 10 ms, so the memory a mix takes does not grow with the episode."""
    if duration <= 0:
        raise RenderError("mix", f"duration must be positive, got {duration}")
    ffmpeg_exe()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    placements = list(placements)
    count = round(duration * sample_rate)
    hop = sample_rate // 100
    block = hop * _BLOCK_HOPS
    with tempfile.TemporaryDirectory(prefix="mangaline-mix-") as scratch:
        sounds = _Sounds(Path(scratch), sample_rate)
        sound = _EpisodeSound(sounds, count, hop)
        for placed in (p for p in placements if p.role == "dialogue"):
            first = round(placed.start * sample_rate)
            if first < count:
                sound.dialogue.append(_Laid(placed.path, 1, first, min(count - first, sounds.frames(placed.path, 1))))
        # the dialogue's loudness (what the other levels are set against) and its level every hop (the ducking)
        meter, energy, rms = WeightedEnergy(sample_rate, hop), [], []
        for lo in range(0, count, block):
            speech = sound.speech(lo, min(count, lo + block))
            energy.append(meter.feed(speech))
            rms.append(_hop_rms(speech, hop))
        level = gated_loudness(frame_block_powers(np.concatenate([np.zeros(0), *energy]), hop, sample_rate, whole=count // hop))
        reference = level + 10 * np.log10(2) if np.isfinite(level) else _REFERENCE_LUFS  # centred: both channels
        presence = _speech_presence(np.concatenate([np.zeros(0), *rms]))
        sound.music_gain = _duck_gain(presence, MUSIC_DUCK_DB)
        sound.effects_gain = _duck_gain(presence, EFFECTS_DUCK_DB)
        _lay_beds(sound, placements, reference, sample_rate)
        energy, peaks = _measure(sound.mixed, count, hop, sample_rate)
        scale, stretches, reached = _loudness_curve(energy, peaks, loudness, sample_rate)
        peak = _largest_true_peak(sound.mixed, peaks, scale, stretches)
        paths = _write_mix(sound, scale, stretches, out_dir, sample_rate, encode_to)
    return EpisodeMix(mix=Path(encode_to) if encode_to is not None else out_dir / "mix.wav", stems=paths,
                      loudness=reached, true_peak=20 * np.log10(max(peak, 1e-12)), encoded=encode_to)


def _lay_beds(sound: _EpisodeSound, placements: list[AudioPlacement], reference: float, sample_rate: int) -> None:
    """Lay the music and effects, each at its level under the dialogue's ``reference`` loudness, effects panned."""
    levels: dict[Path, float] = {}
    count = sound.count
    for placed in _joined([p for p in placements if p.role in ("music", "effects")]):
        channels = 2 if placed.role == "music" else 1
        length = sound.sounds.frames(placed.path, channels)
        if placed.path not in levels:
            source = sound.sounds.read(placed.path, channels, 0, length)
            level = _stereo_loudness(np.repeat(source, 2 // source.shape[1], axis=1), sample_rate)
            if not np.isfinite(level):  # a short click has no gated loudness: use its RMS
                level = 10 * np.log10(max(float(np.mean(source**2)) * 2, 1e-12)) - 0.691
            levels[placed.path] = level
            del source
        under = MUSIC_UNDER_DIALOGUE_LU if placed.role == "music" else AMBIENCE_UNDER_DIALOGUE_LU if placed.loop else EFFECT_UNDER_DIALOGUE_LU
        gain = 10 ** ((reference - under - levels[placed.path]) / 20)
        first = round(placed.start * sample_rate)
        if first >= count or not length:
            continue
        # a mono effect is panned by constant power; the pan and the level are one factor, applied as it is laid
        if channels == 1:
            angle = (placed.pan + 1) * np.pi / 4
            factor = np.array([np.cos(angle), np.sin(angle)]) * (np.sqrt(2) * gain)
        else:
            factor = gain
        if placed.loop:
            laid_count = min(count - first, round(placed.duration * sample_rate))
            # looped beds keep the episode's clock as their phase, so rain over two shots runs on across the cut
            phase = 0 if placed.role == "music" else first % length
            fade_in, fade_out = (MUSIC_FADE_IN_S, MUSIC_FADE_OUT_S) if placed.role == "music" else (AMBIENCE_FADE_S, AMBIENCE_FADE_S)
            fades = (min(laid_count // 2, int(fade_in * sample_rate)), min(laid_count // 2, int(fade_out * sample_rate)))
            laid = _Laid(placed.path, channels, first, laid_count, factor, loop=True, phase=phase, fades=fades)
        else:
            laid = _Laid(placed.path, channels, first, min(count - first, length), factor)
        (sound.music if placed.role == "music" else sound.effects).append(laid)


def _write_mix(sound: _EpisodeSound, scale: float, stretches: list[tuple[int, np.ndarray]], out_dir: Path,
               sample_rate: int, encode_to: Path | None) -> dict[str, Path]:
    """Write the gained mix (to mix.wav, or to the AAC encoder for ``encode_to``) and its three stems, a block at a
    time; the stems' paths."""
    paths = {name: out_dir / f"{name}.wav" for name in ("dialogue", "music", "effects")}
    encoder = None
    if encode_to is not None:
        # the encoder reads the mix from a pipe while the stems are written
        encoder = FedFFmpeg(["-f", "s16le", "-ar", str(sample_rate), "-ac", "2", "-i", "pipe:0", *AAC_ARGS,
                             "-f", "mp4", "-y", "-loglevel", "error", str(encode_to)],
                            f"mix {Path(encode_to).name}")
    try:
        with ExitStack() as files:
            writers = {name: files.enter_context(pcm16_writer(path, 2, sample_rate)) for name, path in paths.items()}
            write_mix = files.enter_context(pcm16_writer(out_dir / "mix.wav", 2, sample_rate)) if encoder is None else None
            block = sound.hop * _BLOCK_HOPS
            for lo in range(0, sound.count, block):
                hi = min(sound.count, lo + block)
                dialogue, music, effects = sound.stems(lo, hi)
                curve = _curve(lo, hi, scale, stretches)[:, None]
                # the stems are written gained, as 16-bit samples: single precision holds them to well under a 16-bit step
                stems = {"dialogue": dialogue[:, None].astype(np.float32), "music": music.astype(np.float32),
                         "effects": effects.astype(np.float32)}
                mixed = _summed(dialogue, music, effects)
                mixed *= curve
                if encoder is not None:
                    encoder.send(pcm16(mixed).tobytes())
                else:
                    write_mix(mixed)
                for name, stem in stems.items():
                    writers[name](np.broadcast_to(stem * curve, mixed.shape))
    except BaseException:
        if encoder is not None:
            encoder.abandon()
        raise
    if encoder is not None:
        encoder.end()
        encoder.finish()
    return paths


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

"""The offline sounds: a music bed per mood and a handful of effects, synthesised in numpy, seeded and deterministic.

Nothing here is sampled: the bed is additive pads and a plucked arpeggio over a four-chord progression in the
mood's key; each effect is filtered noise and oscillators shaped by envelopes. Loops (the bed, rain, wind,
waves, crowd) are folded so their end runs into their start, and the edit tiles them without a seam.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EFFECTS", "MOOD_KEYS", "SAMPLE_RATE", "effect", "music_bed"]

SAMPLE_RATE = 48000
_PEAK = 10 ** (-6 / 20)
"""Every sound leaves here with its peak at -6 dBFS; the edit sets its level against the dialogue."""

MOOD_KEYS: dict[str, tuple[str, int, tuple[int, ...], tuple[tuple[int, ...], ...], float, float]] = {
    # mood: (key, root MIDI note, scale, chords as scale degrees, tempo in bpm, brightness in Hz)
    "calm": ("C major", 60, (0, 2, 4, 5, 7, 9, 11), ((0, 2, 4), (4, 6, 8), (5, 7, 9), (3, 5, 7)), 72.0, 3200.0),
    "warm": ("F major", 65, (0, 2, 4, 5, 7, 9, 11), ((0, 2, 4), (5, 7, 9), (3, 5, 7), (4, 6, 8)), 80.0, 3800.0),
    "tense": ("D minor", 62, (0, 2, 3, 5, 7, 8, 10), ((0, 2, 4), (5, 7, 9), (6, 8, 10), (4, 6, 8)), 96.0, 2400.0),
    "sad": ("A minor", 57, (0, 2, 3, 5, 7, 8, 10), ((0, 2, 4), (5, 7, 9), (2, 4, 6), (6, 8, 10)), 66.0, 2200.0),
    "mysterious": ("E minor", 64, (0, 1, 3, 5, 7, 8, 10), ((0, 2, 4), (5, 7, 9), (3, 5, 7), (1, 3, 5)), 70.0, 1800.0),
}
"""Each mood's key, scale, progression, tempo and how bright its pads are."""


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _note(scale: tuple[int, ...], root: int, degree: int) -> int:
    octave, step = divmod(degree, len(scale))
    return root + 12 * octave + scale[step]


def _filtered(x: np.ndarray, order: int, edges: float | tuple[float, float], kind: str) -> np.ndarray:
    # scipy.signal is imported here, by the steps that synthesise, not by every command that plans a build
    from scipy.signal import butter, sosfilt

    return sosfilt(butter(order, edges, kind, fs=SAMPLE_RATE, output="sos"), x, axis=0)


def _lowpass(x: np.ndarray, hz: float, order: int = 2) -> np.ndarray:
    return _filtered(x, order, min(hz, SAMPLE_RATE * 0.45), "low")


def _highpass(x: np.ndarray, hz: float, order: int = 2) -> np.ndarray:
    return _filtered(x, order, hz, "high")


def _bandpass(x: np.ndarray, low: float, high: float, order: int = 2) -> np.ndarray:
    return _filtered(x, order, (low, high), "band")


def _folded(x: np.ndarray, seconds: float) -> np.ndarray:
    """``x`` made into a seamless loop: its last ``seconds`` crossfaded into its start, then cut off."""
    fade = int(seconds * SAMPLE_RATE)
    body, tail = x[:-fade].copy(), x[-fade:]
    ramp = np.linspace(0.0, 1.0, fade)
    if x.ndim == 2:
        ramp = ramp[:, None]
    body[:fade] = body[:fade] * np.sqrt(ramp) + tail * np.sqrt(1 - ramp)
    return body


def _peaked(x: np.ndarray) -> np.ndarray:
    peak = float(np.abs(x).max()) if x.size else 0.0
    return (x * (_PEAK / peak) if peak > 0 else x).astype(np.float32)


_TABLE = 4096
_PAD = sum(np.sin(2 * np.pi * h * np.arange(_TABLE) / _TABLE) / h**1.6 for h in range(1, 6))
"""One period of the pad's tone (five soft harmonics), read at each note's pitch."""


def _span(start: float, seconds: float, total: int) -> slice:
    return slice(max(0, int(start * SAMPLE_RATE)), min(total, int((start + seconds) * SAMPLE_RATE)))


def music_bed(mood: str, seed: int) -> tuple[np.ndarray, str]:
    """A stereo loop (frames x 2) of the mood's progression, two bars a chord, and the key it is in."""
    key, root, scale, chords, tempo, brightness = MOOD_KEYS[mood]
    rng = np.random.default_rng(seed)
    beat = 60.0 / tempo
    chord_seconds = 8 * beat
    fold = 2.0
    total = int((len(chords) * chord_seconds + fold) * SAMPLE_RATE)
    out = np.zeros((total, 2))
    for index in range(len(chords) + 1):  # one chord more: the fold runs into the first again
        degrees = chords[index % len(chords)]
        start = index * chord_seconds
        # the pad: each chord tone, two voices detuned apart, swelling in and out
        span = _span(start, chord_seconds + 1.5, total)
        local = np.arange(span.stop - span.start) / SAMPLE_RATE
        swell = np.clip(local / 1.2, 0, 1) * np.clip((chord_seconds + 1.5 - local) / 1.5, 0, 1)
        notes = [_note(scale, root - 12, d) for d in degrees] + [_note(scale, root - 24, degrees[0])]
        for n, midi in enumerate(notes):
            for side, detune in ((0, -0.06), (1, 0.06)):
                cycles = _hz(midi + detune) * local + rng.uniform(0, 1)
                tone = _PAD[((cycles % 1.0) * _TABLE).astype(np.int64)]
                out[span, side] += 0.16 * swell * tone * (1.3 if n == len(notes) - 1 else 1.0)
        # the arpeggio: eighth notes up and down the chord, an octave up, plucked and quick to fade
        pattern = [0, 1, 2, 1, 0, 2, 1, 2] * 2
        for k, which in enumerate(pattern):
            span = _span(start + k * beat / 2, 1.2, total)
            f = _hz(_note(scale, root, degrees[which]))
            local = np.arange(span.stop - span.start) / SAMPLE_RATE
            pluck = np.exp(-local * 4.0) * (np.sin(2 * np.pi * f * local) + 0.3 * np.sin(4 * np.pi * f * local))
            pan = 0.5 + 0.25 * np.sin(k * 1.3)
            out[span, 0] += 0.09 * pluck * (1 - pan)
            out[span, 1] += 0.09 * pluck * pan
    out = _lowpass(out, brightness)
    return _peaked(_folded(out, fold)), key


def _env(n: int, attack: float, release: float) -> np.ndarray:
    a, r = max(1, int(attack * SAMPLE_RATE)), max(1, int(release * SAMPLE_RATE))
    env = np.ones(n)
    env[:a] = np.linspace(0, 1, a)[: n]
    env[-r:] *= np.linspace(1, 0, min(r, n))
    return env


def _decay(n: int, rate: float) -> np.ndarray:
    return np.exp(-np.arange(n) / SAMPLE_RATE * rate)


def _door(rng: np.random.Generator) -> np.ndarray:
    n = int(0.9 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    thud = np.sin(2 * np.pi * 68 * t) * _decay(n, 9)
    body = _lowpass(rng.standard_normal(n), 900) * _decay(n, 14)
    latch = _highpass(rng.standard_normal(n), 2500) * _decay(n, 120)
    return thud + 0.6 * body + 0.3 * latch


def _knock(rng: np.random.Generator) -> np.ndarray:
    n = int(1.0 * SAMPLE_RATE)
    out = np.zeros(n)
    for onset in (0.0, 0.22, 0.44):
        k = int(0.12 * SAMPLE_RATE)
        t = np.arange(k) / SAMPLE_RATE
        hit = _bandpass(rng.standard_normal(k), 250, 1600) * _decay(k, 45) + np.sin(2 * np.pi * 180 * t) * _decay(k, 35)
        start = int(onset * SAMPLE_RATE)
        out[start : start + k] += hit
    return out


def _footsteps(rng: np.random.Generator) -> np.ndarray:
    n = int(3.2 * SAMPLE_RATE)
    out = np.zeros(n)
    for step in range(6):
        k = int(0.15 * SAMPLE_RATE)
        t = np.arange(k) / SAMPLE_RATE
        hit = _lowpass(rng.standard_normal(k), 1200) * _decay(k, 40) + 0.5 * np.sin(2 * np.pi * 90 * t) * _decay(k, 30)
        start = int((step * 0.52 + rng.uniform(-0.02, 0.02) + 0.03) * SAMPLE_RATE)
        out[start : start + k] += hit * (0.8 + 0.2 * (step % 2))
    return out


def _rain(rng: np.random.Generator) -> np.ndarray:
    n = int(9.0 * SAMPLE_RATE)
    hiss = _lowpass(_highpass(rng.standard_normal(n), 900), 7000)
    drops = np.zeros(n)
    drops[rng.integers(0, n, 900)] = rng.uniform(0.5, 3.0, 900)
    drops = _bandpass(drops, 1500, 6000)
    return _folded(0.5 * hiss + drops, 1.0)


def _wind(rng: np.random.Generator) -> np.ndarray:
    n = int(9.0 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    noise = _bandpass(rng.standard_normal(n), 200, 900)
    gusts = 0.6 + 0.4 * np.sin(2 * np.pi * 0.17 * t + rng.uniform(0, 6)) * np.sin(2 * np.pi * 0.05 * t + 1)
    return _folded(noise * gusts, 1.0)


def _thunder(rng: np.random.Generator) -> np.ndarray:
    n = int(4.5 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    crack = _highpass(rng.standard_normal(n), 1500) * _decay(n, 25)
    rumble = _lowpass(np.cumsum(rng.standard_normal(n)) * 0.02, 180, 4)
    rumble = rumble / max(1e-9, float(np.abs(rumble).max()))
    roll = _decay(n, 0.9) * (0.7 + 0.3 * np.sin(2 * np.pi * 1.3 * t))
    return 0.4 * crack + rumble * roll * _env(n, 0.05, 1.0)


def _horn(rng: np.random.Generator) -> np.ndarray:
    n = int(2.6 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tone = sum(np.sin(2 * np.pi * f * h * t) / h for f in (110.0, 110.8) for h in range(1, 9))
    return _lowpass(tone, 1400) * _env(n, 0.12, 0.6)


def _whistle(rng: np.random.Generator) -> np.ndarray:
    n = int(1.3 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    pitch = 2300 + 60 * np.sin(2 * np.pi * 6.0 * t)
    tone = np.sin(2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE)
    breath = _bandpass(rng.standard_normal(n), 2000, 3000)
    return (tone + 0.15 * breath) * _env(n, 0.05, 0.25)


def _waves(rng: np.random.Generator) -> np.ndarray:
    n = int(9.0 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    wash = _lowpass(rng.standard_normal(n), 1100)
    swell = 0.25 + 0.75 * np.clip(np.sin(2 * np.pi * t / 4.5), 0, None) ** 2
    return _folded(wash * swell, 1.0)


def _crowd(rng: np.random.Generator) -> np.ndarray:
    n = int(9.0 * SAMPLE_RATE)
    out = np.zeros(n)
    t = np.arange(n) / SAMPLE_RATE
    for voice in range(8):
        centre = rng.uniform(350, 1400)
        babble = _bandpass(rng.standard_normal(n), centre * 0.7, centre * 1.4)
        syllables = np.clip(np.sin(2 * np.pi * rng.uniform(3, 5) * t + rng.uniform(0, 6)), 0, None)
        out += babble * syllables * rng.uniform(0.5, 1.0)
    return _folded(out, 1.0)


def _phone(rng: np.random.Generator) -> np.ndarray:
    n = int(3.0 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    trill = np.sin(2 * np.pi * 1000 * t) * (np.sin(2 * np.pi * 20 * t) > 0) + np.sin(2 * np.pi * 1300 * t) * (np.sin(2 * np.pi * 20 * t) <= 0)
    gate = ((t % 1.5) < 0.9).astype(float)
    return trill * _lowpass(gate, 60)


EFFECTS = {
    "door": _door, "knock": _knock, "footsteps": _footsteps, "rain": _rain, "wind": _wind, "thunder": _thunder,
    "horn": _horn, "whistle": _whistle, "waves": _waves, "crowd": _crowd, "phone": _phone,
}  # fmt: skip
"""The sounds the offline default makes, by the cue vocabulary's names."""


def effect(sound: str, seed: int) -> np.ndarray:
    """The offline default's ``sound`` as mono float samples at SAMPLE_RATE, peak at -6 dBFS."""
    return _peaked(EFFECTS[sound](np.random.default_rng(seed)))

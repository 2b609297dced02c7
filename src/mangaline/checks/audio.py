"""Checks of a take's sound: loud enough and not too loud, not clipped, and not silent where a line is spoken.

A take without an audio stream (every draft segment, most model clips) has nothing here to judge:
these checks answer None for it. The voice lines the edit lays under a silent clip are checked
where they are made, not here.
"""

from __future__ import annotations

import math

import numpy as np

from ..audio import integrated_loudness
from ..errors import ConfigError
from ..model.qc import Verdict
from .base import SAMPLE_RATE, Take, Truth
from .technical import MeasuredCheck, falloff, runs, spans_text

__all__ = ["ClippingCheck", "LoudnessCheck", "SilenceCheck"]


def _db(power: np.ndarray | float) -> np.ndarray | float:
    """Mean square to dBFS (-120 for silence)."""
    return 10 * np.log10(np.maximum(power, 1e-12))


class LoudnessCheck(MeasuredCheck):
    """The take's sound sits in a sane loudness range: a mix the edit can level without pumping up noise or crushing it."""

    name = "loudness"
    subjects = frozenset({"clip"})
    threshold = 0.5
    description = "integrated loudness (BS.1770, LUFS) of the take's sound within min_lufs..max_lufs"
    limits = {"min_lufs": (-70.0, 0.0), "max_lufs": (-70.0, 0.0), "margin": (0.1, 40.0)}
    min_lufs = -32.0  # scores 0.5 here: 16 LU under the edit's -16 LUFS, a voice the edit would pump up with its noise
    max_lufs = -8.0  # scores 0.5 here; louder is a mix crushed against full scale
    margin = 6.0  # LU inside the range for a full score, and outside it for 0.0

    def configure(self, options: dict) -> None:
        super().configure(options)
        if self.min_lufs >= self.max_lufs:
            raise ConfigError(f"[qc.checks.{self.name}] min_lufs ({self.min_lufs:g}) must be under max_lufs ({self.max_lufs:g})")

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        samples = take.audio
        if samples is None:
            return None
        loudness = integrated_loudness(samples, SAMPLE_RATE)
        if not math.isfinite(loudness):
            return None  # digital silence (or under 0.4 s): no sound to level; the silence check judges the lines
        inside = min(loudness - self.min_lufs, self.max_lufs - loudness)
        score = min(1.0, max(0.0, 0.5 + 0.5 * inside / self.margin))
        where = "quiet" if loudness - self.min_lufs < self.max_lufs - loudness else "loud"
        return self.verdict(
            score,
            f"the sound is too {where}: {loudness:.1f} LUFS, outside or near the edge of "
            f"{self.min_lufs:g}..{self.max_lufs:g} LUFS",
            f"{loudness:.1f} LUFS",
        )


class ClippingCheck(MeasuredCheck):
    """The take's sound is not clipped: samples pressed against full scale crackle in every speaker."""

    name = "clipping"
    subjects = frozenset({"clip"})
    threshold = 0.5
    description = "flat tops pressed against full scale, and the share of samples there"
    limits = {"level": (0.5, 2.0), "max_share": (0.0, 1.0), "rail": (0.5, 2.0), "flat_run": (2, 48),
              "max_flat_tops": (0.0, 1000.0), "plateau_db": (0.1, 6.0), "near_full_db": (-6.0, 0.0)}
    level = 0.98  # |sample| at or over this is clipped (-0.18 dBFS; a lossy codec rings around a flat top)
    max_share = 0.001  # share of samples clipped that scores 0.5: a few crackles in a line
    # the mastering rule: `flat_run` samples in a row at full scale, one of them on the rail, are a clip; a natural
    # peak that crests just under full scale stays off the rail
    rail = 0.999
    flat_run = 3
    max_flat_tops = 0.0  # clips allowed before the take fails
    # a clip a lossy codec has rounded off (or a fader turned down after it): few samples or none on the rail, but the
    # flattened tops pile up at one level. A voice peaks now and then: the loudest 1% of its loud samples (over a
    # tenth of the peak) lie 2.5 dB and more under a peak near full scale (`near_full_db`); a flattened voice's lie
    # within a dB of it. Scores 0.5 at `plateau_db` under the peak, 0.0 at the peak.
    plateau_db = 1.0
    near_full_db = -1.0

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        samples = take.audio
        if samples is None:
            return None
        if not len(samples):
            return self.verdict(1.0, "", "no sound")
        magnitude = np.abs(samples)
        peak = float(magnitude.max())
        on_the_rail = self._on_the_rail(magnitude, peak)
        rounded = self._rounded(magnitude, peak)
        # a few samples over the level where the codec rang, and the flattened tops under it: the one that fails
        return rounded if rounded is not None and on_the_rail.passed and not rounded.passed else on_the_rail

    def _on_the_rail(self, magnitude: np.ndarray, peak: float) -> Verdict:
        """The verdict of the samples at full scale: their share and their flat tops."""
        clipped = magnitude >= self.level
        if not clipped.any():
            return self.verdict(1.0, "", f"peak {20 * math.log10(max(peak, 1e-9)):.1f} dBFS, nothing clipped")
        share = float(clipped.mean())
        # a few clipped samples in a long take are a small share but a string of crackles: flat tops count on
        # their own, so a short line driven into clipping fails however long the shot around it is
        flat_tops = sum(1 for a, b in runs(clipped) if b - a >= int(self.flat_run) and magnitude[a:b].max() >= self.rail)
        window = SAMPLE_RATE // 10  # where, to the tenth of a second
        count = -(-len(clipped) // window)
        padded = np.zeros(count * window, bool)
        padded[: len(clipped)] = clipped
        spans = [(a / 10, b / 10) for a, b in runs(padded.reshape(count, window).any(axis=1))]
        why = (f"{share:.2%} of the samples are at full scale ({int(clipped.sum())} samples, {flat_tops} flat "
               f"top{'s' if flat_tops != 1 else ''} of {int(self.flat_run)} or more, in {spans_text(spans)})")
        score = min(falloff(share, self.max_share), falloff(flat_tops, self.max_flat_tops))
        return self.verdict(score, why, why)

    def _rounded(self, magnitude: np.ndarray, peak: float) -> Verdict | None:
        """The verdict of flat tops rounded off just under full scale: how far under a peak near full scale the loudest
        1% of the loud samples (over a tenth of the peak) lie; None for a quieter peak or under a tenth of a second of
        sound (no level to pile up at)."""
        peak_db = 20 * math.log10(max(peak, 1e-9))
        if peak_db < self.near_full_db:
            return None
        loud = magnitude[magnitude > peak / 10]
        if len(loud) < SAMPLE_RATE // 10:
            return None
        gap = 20 * math.log10(peak / max(float(np.percentile(loud, 99)), 1e-9))
        why = (f"the loudest 1% of the sound lies within {gap:.2f} dB of its {peak_db:.1f} dBFS peak: flat tops, "
               f"clipped and rounded off by the codec")
        return self.verdict(min(1.0, 0.5 * gap / self.plateau_db), why, why)


class SilenceCheck(MeasuredCheck):
    """Where the shot's lines are spoken, the take's sound is heard: a lip-synced clip that lost its voice fails here."""

    name = "silence"
    subjects = frozenset({"clip"})
    threshold = 0.8  # a line missing a fifth of its voiced frames has lost words; a whole take hears every one
    description = "share of each spoken line's voiced frames in which the take's sound is heard"
    limits = {"floor_db": (-120.0, 0.0), "over_noise_db": (0.0, 60.0), "voiced": (0.0, 1.0)}
    floor_db = -50.0  # a frame's RMS (dBFS) at or under this is silent
    over_noise_db = 10.0  # and so is one within this of the take's noise floor (its quietest frames outside the lines)
    voiced = 0.1  # a line's frames whose envelope is at least this are where the voice must be heard

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        from scipy.ndimage import maximum_filter1d

        samples = take.audio
        if samples is None or not truth.lines:
            return None
        fps = truth.fps
        size = round(SAMPLE_RATE / fps)
        count = len(samples) // size
        if count == 0:
            return self.verdict(0.0, f"the sound is {len(samples) / SAMPLE_RATE:.2f} s long; no line can be heard")
        level = _db((samples[: count * size].astype(np.float64) ** 2).reshape(count, size).mean(axis=1))
        # a voice a frame or two off the line's timing is still the line's voice
        near = maximum_filter1d(level, size=5, mode="nearest")
        spoken = np.zeros(count, bool)
        for line in truth.lines:
            spoken[int(line.start * fps): int(math.ceil(line.end * fps))] = True
        floor = self.floor_db
        if (~spoken).sum() >= 0.3 * fps:
            floor = max(floor, float(np.percentile(level[~spoken], 10)) + self.over_noise_db)
        judged = []  # (score, why) per line
        for number, line in enumerate(truth.lines, 1):
            first, last = int(line.start * fps), int(math.ceil(line.end * fps))
            if last <= first:
                continue
            # frames past the end of the sound are silent ones
            heard_level = np.full(last - first, -120.0)
            inside = near[first:last]
            heard_level[: len(inside)] = inside
            wanted = np.ones(last - first, bool)
            if line.envelope and max(line.envelope) > 0:
                # the envelope has a value per frame of the line; stretched onto the frames judged if it is off by a few
                envelope = np.interp(np.linspace(0, len(line.envelope) - 1, last - first),
                                     np.arange(len(line.envelope)), np.asarray(line.envelope, np.float64))
                wanted = envelope >= self.voiced * envelope.max()
            heard = heard_level[wanted] > floor
            score = float(heard.mean())
            why = (f"{heard.sum() / fps:.2f} s of {wanted.sum() / fps:.2f} s voiced heard "
                   f"(loudest {heard_level.max():.0f} dBFS, silence under {floor:.0f} dBFS)")
            said = f' "{line.text}"' if line.text else ""
            judged.append((score, f"line {number} ({line.character}, {line.start:.2f}-{line.end:.2f} s{said}): {why}"))
        if not judged:
            return None
        worst, why = min(judged, key=lambda found: found[0])
        return self.verdict(worst, f"silent where a line is spoken: {why}",
                            "heard: " + ", ".join(f"line {i} {score:.0%}" for i, (score, _) in enumerate(judged, 1)))

"""The offline sounds: every cue and mood has one, the same seed makes the same sound, and loops have no seam."""

from __future__ import annotations

import numpy as np
import pytest

from mangaline.sound import SOUNDS, effect, music_bed
from mangaline.sound.synth import EFFECTS, SAMPLE_RATE


def test_every_sound_of_the_vocabulary_is_made_offline() -> None:
    assert set(SOUNDS) == set(EFFECTS)
    for sound in SOUNDS:
        samples = effect(sound, 7)
        assert samples.ndim == 1 and 0.3 < len(samples) / SAMPLE_RATE <= 10
        assert np.abs(samples).max() == pytest.approx(10 ** (-6 / 20), rel=1e-3), sound
        assert np.array_equal(samples, effect(sound, 7)), f"{sound} is not deterministic"
    assert not np.array_equal(effect("rain", 1), effect("rain", 2))


def test_a_music_bed_is_in_its_moods_key_and_loops_without_a_seam() -> None:
    bed, key = music_bed("sad", 3)
    assert key == "A minor" and bed.ndim == 2 and bed.shape[1] == 2
    assert np.array_equal(bed, music_bed("sad", 3)[0])
    # the step from the last sample back to the first is no bigger than a step inside the loop
    steps = np.abs(np.diff(bed, axis=0)).max()
    assert np.abs(bed[0] - bed[-1]).max() <= steps

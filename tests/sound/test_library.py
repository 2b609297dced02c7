"""A user's sound library: real small audio files made by FFmpeg, matched to cues and moods by their names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from mangaline.engine import StepContext
from mangaline.errors import ConfigError, RenderError
from mangaline.model.sound import SceneMusic, ShotEffects
from mangaline.sound import Library
from mangaline.sound.steps import effects, music
from mangaline.ffmpeg import ffmpeg_exe
from mangaline.wavfile import read_pcm16_channels


def _make(path: Path, seconds: float, *, hz: int = 440, channels: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency={hz}:duration={seconds}",
                    "-ac", str(channels), "-ar", "44100", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("library")
    _make(root / "door-slam.ogg", 0.5)
    _make(root / "rain_loop.wav", 2.0, hz=3000)
    _make(root / "fx" / "Thunder Crack 01.flac", 1.0, hz=60)
    _make(root / "music" / "tense_night.wav", 3.0, hz=220, channels=2)
    _make(root / "music" / "tense_day.wav", 3.0, hz=330, channels=2)
    _make(root / "music" / "calm_morning.mp3", 3.0, hz=262, channels=2)
    (root / "notes.txt").write_text("not audio")
    return root


def test_effects_are_matched_by_the_words_of_their_names(library: Path) -> None:
    found = Library.scan(library)
    assert found.effect("door").path.name == "door-slam.ogg"
    assert found.effect("rain").path.name == "rain_loop.wav"
    assert found.effect("thunder").path.name == "Thunder Crack 01.flac"
    assert found.effect("horn") is None  # nothing named so: the offline default makes it
    assert all(f.path.suffix != ".txt" for f in found.files)


def test_music_is_matched_by_mood_and_then_time_of_day(library: Path) -> None:
    found = Library.scan(library)
    assert found.music("tense", "NIGHT").path.name == "tense_night.wav"
    assert found.music("tense", "DAY").path.name == "tense_day.wav"
    assert found.music("calm", "DAY").path.name == "calm_morning.mp3"
    assert found.music("sad", "NIGHT") is None
    # a music file is never taken for an effect, nor an effect for music
    assert found.effect("crowd") is None and found.music("rain", "DAY") is None


def test_a_library_folder_that_is_not_there_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere.*not a folder") as err:
        Library.scan(tmp_path / "nowhere")
    assert "mangaline.toml" in str(err.value.hint)


def _context(tmp_path: Path, params: dict, name: str) -> StepContext:
    work = tmp_path / name
    work.mkdir()
    return StepContext(step=name, entity="ep01_sc01_sh010", params=params, inputs={}, workdir=work, seed=0, model="")


def test_the_steps_use_the_library_file_when_one_matches(library: Path, tmp_path: Path) -> None:
    found = Library.scan(library)
    cues = [{"sound": "door", "word": "SLAMS", "at": 0.5}, {"sound": "horn", "word": "HORN", "at": 0.1}]
    out = effects(_context(tmp_path, {"cues": cues, "library": {"door": found.effect("door").param()}}, "fx"))
    made = ShotEffects.model_validate(out.data)
    assert [(c.sound, c.source) for c in made.cues] == [("door", "door-slam.ogg"), ("horn", "generated")]
    door = read_pcm16_channels(out.components["door.wav"], 48000)
    assert door.shape[1] == 1 and len(door) == pytest.approx(0.5 * 48000, abs=200)

    bed = music(_context(tmp_path, {"mood": "tense", "library": found.music("tense", "NIGHT").param()}, "music"))
    assert SceneMusic.model_validate(bed.data).source == "tense_night.wav"
    samples = read_pcm16_channels(bed.components["music.wav"], 48000)
    assert samples.shape[1] == 2 and len(samples) == pytest.approx(3 * 48000, abs=200)
    # a 220 Hz sine, resampled to the edit's 48 kHz
    spectrum = np.abs(np.fft.rfft(samples[:48000, 0]))
    assert abs(int(spectrum.argmax()) - 220) <= 1


def test_an_unreadable_library_file_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "lib" / "door_slam.wav"
    broken.parent.mkdir()
    broken.write_bytes(b"RIFF this is not a wav file at all")
    chosen = Library.scan(tmp_path / "lib").effect("door")
    with pytest.raises(RenderError, match="door_slam.wav") as err:
        effects(_context(tmp_path, {"cues": [{"sound": "door", "word": "SLAMS", "at": 0.0}],
                                    "library": {"door": chosen.param()}}, "fx"))
    assert "remove it from the library" in str(err.value.hint)

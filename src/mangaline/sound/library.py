"""A user's own sound library: a folder of audio files, matched to cues and moods by the words in their names.

A file's words are its path's words below the library folder, split at anything not a letter
("music/tense_night-02.wav" -> music, tense, night). A file under a folder called "music" (or with "music",
"bed" or "score" in its name) is music and is matched to a scene by its mood's words (and, for a tie, the
time of day); any other file is an effect, matched to a cue by the vocabulary's words for the sound
("door-slam.ogg" is a door). Ties go to the first name in sorted order, so the choice is stable.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, RenderError
from ..ffmpeg import ffmpeg_exe
from .cues import SOUNDS

__all__ = ["AUDIO_SUFFIXES", "Library", "LibraryFile", "decode_sound"]

AUDIO_SUFFIXES = (".wav", ".ogg", ".flac", ".mp3", ".m4a", ".aif", ".aiff", ".opus")
_MUSIC_WORDS = {"music", "bed", "score"}
_MOOD_WORDS = {
    "calm": {"calm", "peaceful", "gentle", "ambient", "soft"},
    "warm": {"warm", "happy", "hopeful", "bright", "uplifting"},
    "tense": {"tense", "tension", "suspense", "danger", "action", "dark"},
    "sad": {"sad", "melancholy", "melancholic", "sorrow", "somber"},
    "mysterious": {"mysterious", "mystery", "eerie", "mist", "noir"},
}
"""The words a music file's name uses for each mood (the mood's own name among them)."""
_NIGHT = {"NIGHT", "DUSK", "EVENING", "LATE NIGHT"}


@dataclass(frozen=True)
class LibraryFile:
    """One audio file of the library: where it is, what its name says, and its content's sha256 (for cache keys)."""

    path: Path
    words: frozenset[str]

    def sha256(self) -> str:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError as err:
            raise ConfigError(f"sound library: cannot read {self.path}: {err.strerror}",
                              hint="fix the file's permissions or remove it from the library") from err

    def param(self) -> dict[str, str]:
        """How a step's params name it: the file and its content, so a changed file is a new cache key."""
        return {"path": str(self.path), "sha256": self.sha256()}


@dataclass(frozen=True)
class Library:
    """The audio files of a library folder, read once."""

    root: Path
    files: tuple[LibraryFile, ...]

    @classmethod
    def scan(cls, root: Path) -> Library:
        """Every audio file under ``root``; a folder that is not there is a ConfigError saying what to do."""
        root = Path(root)
        if not root.is_dir():
            raise ConfigError(f"[sound] library: {root} is not a folder",
                              hint="create it and put audio files in it, or remove `library` from [sound] in mangaline.toml")
        files = []
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file()):
            words = frozenset(w for w in re.split(r"[^a-z]+", str(path.relative_to(root).with_suffix("")).lower()) if w)
            files.append(LibraryFile(path, words))
        return cls(root, tuple(files))

    def _music(self) -> list[LibraryFile]:
        return [f for f in self.files if f.words & _MUSIC_WORDS]

    def effect(self, sound: str) -> LibraryFile | None:
        """The first effect file whose name has one of the sound's words."""
        words = set(SOUNDS.get(sound, ())) | {sound}
        return next((f for f in self.files if not f.words & _MUSIC_WORDS and f.words & words), None)

    def music(self, mood: str, time_of_day: str) -> LibraryFile | None:
        """The music file whose name says the mood, the one that also says the time of day first; None for no match."""
        words = _MOOD_WORDS.get(mood, {mood})
        time = "night" if time_of_day.upper() in _NIGHT else "day"
        found = [f for f in self._music() if f.words & words]
        found.sort(key=lambda f: (time not in f.words, str(f.path)))
        return found[0] if found else None


def decode_sound(path: Path, channels: int, sample_rate: int, *, origin: str = "sound library") -> np.ndarray:
    """A library file (or a model's answer, ``origin`` naming the model) as float samples (frames x channels) at
    ``sample_rate``; a file FFmpeg cannot read is a RenderError naming it."""
    path = Path(path)
    library = origin == "sound library"
    if not path.is_file():
        raise RenderError(origin, f"{path} is gone", hint="put it back, or remove it from the library and build again"
                          if library else "build again: the model's answer is asked for again")
    result = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-vn", "-f", "f32le", "-ac", str(channels),
         "-ar", str(sample_rate), "pipe:1"],
        capture_output=True, check=False,
    )  # fmt: skip
    samples = np.frombuffer(result.stdout, dtype="<f4")
    if result.returncode != 0 or not len(samples):
        raise RenderError(origin, f"FFmpeg cannot read {path} as audio",
                          stderr=result.stderr.decode("utf-8", "replace"),
                          hint="replace the file with a WAV, FLAC, OGG or MP3, or remove it from the library" if library
                          else "the model's answer is not audio FFmpeg reads: build again, or route another model")
    return samples.reshape(-1, channels).astype(np.float32)

"""What the sound department hands the edit: a scene's music bed and a shot's effects, as take data.

A sound.music take's data holds a ``SceneMusic`` and a sound.effects take's data a ``ShotEffects``;
each names the take's WAV components it describes.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from .base import Record

__all__ = ["EffectCue", "SceneMusic", "ShotEffects"]


class _TakeData(Record):
    """A hand-off read from a take's data, which holds the take's own record beside it."""

    model_config = ConfigDict(extra="ignore")


class EffectCue(Record):
    """One sound the action calls for: what it is, the word that asked for it, and where it falls in the shot."""

    sound: str = Field(description="the vocabulary's name for it: door, horn, rain ...")
    word: str = Field(description="the word of the action text that asked for it, as written")
    at: float = Field(ge=0.0, le=1.0, description="where the word stands in the action text, 0..1: where in the shot it is heard")
    ambience: bool = Field(default=False, description="a bed under the whole shot (rain, wind) rather than one event")
    file: str | None = Field(default=None, description="the take's WAV component that holds it")
    pan: float = Field(default=0.0, ge=-1.0, le=1.0, description="-1 left .. 1 right")
    source: str = Field(default="generated", description="'generated', or the library file it came from")


class ShotEffects(_TakeData):
    """A shot's effects, in the order the action names them."""

    cues: list[EffectCue] = Field(default_factory=list)


class SceneMusic(_TakeData):
    """A scene's music bed: a stereo WAV the edit loops under the scene, ducked under the lines."""

    mood: str
    key: str = Field(description="the key it is played in, e.g. 'A minor' (a library file's is unknown: '')")
    file: str = "music.wav"
    seconds: float = Field(gt=0, description="length of the bed; the edit loops it with a crossfade")
    source: str = Field(default="generated", description="'generated', or the library file it came from")

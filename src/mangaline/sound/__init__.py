"""The sound department: music beds and sound effects read from the script, from a user's library or made offline."""

from .cues import AMBIENCE, MOODS, SOUNDS, effect_cues, scene_cues, scene_mood
from .library import Library, LibraryFile, decode_sound
from .briefs import effect_request
from .steps import EFFECT, EFFECTS, MUSIC, subject_pan
from .synth import MOOD_KEYS, effect, music_bed

__all__ = [
    "AMBIENCE",
    "EFFECT",
    "EFFECTS",
    "MOODS",
    "MOOD_KEYS",
    "MUSIC",
    "SOUNDS",
    "Library",
    "LibraryFile",
    "decode_sound",
    "effect",
    "effect_cues",
    "effect_request",
    "music_bed",
    "scene_cues",
    "scene_mood",
    "subject_pan",
]

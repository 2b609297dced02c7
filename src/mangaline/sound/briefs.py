"""What a sound model is asked for: each cue's and each mood's description in words, and how many seconds of it.

The lengths are the offline synth's (a one-shot as long as the synth's, a loop of 8 s, a bed of 30 s), so a paid sound
takes the place of a made one in the mix unchanged. A loop is asked for ``FOLD`` seconds longer and folded, its
end crossfaded into its start, exactly as the synth folds its own.
"""

from __future__ import annotations

from .cues import AMBIENCE
from .synth import MOOD_KEYS

__all__ = ["EFFECT_PROMPTS", "MUSIC_SECONDS", "effect_brief", "effect_request", "effect_seconds", "music_brief", "requested_seconds"]

MUSIC_SECONDS = 30.0
"""A bed's length; the edit loops it under the scene."""
AMBIENCE_SECONDS = 8.0
FOLD = {"music": 2.0, "ambience": 1.0}
"""Seconds a loop is asked for beyond its length, to crossfade its end into its start."""

EFFECT_PROMPTS: dict[str, tuple[str, float]] = {
    # sound: (what it is, in the words a sound-effects model reads; its length in seconds, the synth's)
    "door": ("a wooden door slams shut in a room, one hard knock of the frame", 1.0),
    "knock": ("three firm knocks on a wooden door", 1.0),
    "footsteps": ("footsteps on a hard floor, six steady steps", 3.2),
    "rain": ("steady rain on a window and a roof, no thunder", AMBIENCE_SECONDS),
    "wind": ("wind gusting outside, low and even", AMBIENCE_SECONDS),
    "thunder": ("a clap of thunder that rolls away into the distance", 4.5),
    "horn": ("a car horn blares once, long", 2.6),
    "whistle": ("a short sharp whistle", 1.3),
    "waves": ("sea waves washing onto a shore", AMBIENCE_SECONDS),
    "crowd": ("the murmur of a crowd indoors, no words made out", AMBIENCE_SECONDS),
    "phone": ("a telephone ringing twice", 3.0),
}
"""Every sound of the cue vocabulary, as a model is asked for it."""

_MOOD_WORDS = {
    "calm": "calm, gentle", "warm": "warm, hopeful", "tense": "tense, suspenseful", "sad": "sad, melancholic",
    "mysterious": "mysterious, eerie",
}


def effect_seconds(sound: str) -> float:
    """How long the sound is in the mix (a loop: how long before it repeats)."""
    return EFFECT_PROMPTS[sound][1]


def requested_seconds(sound: str | None) -> float:
    """The seconds a model is asked for: a music bed (None) or an effect, a loop with its fold."""
    if sound is None:
        return MUSIC_SECONDS + FOLD["music"]
    return effect_seconds(sound) + (FOLD["ambience"] if sound in AMBIENCE else 0.0)


def effect_request(sound: str, word: str) -> str:
    """One effect a model is asked for, as the plan and the graph name it: the sound and the script's word for it.
    Every shot that asks for the same sound in the same word shares the one request, so it is bought once."""
    return f"{sound}:{word.lower()}"


def effect_brief(sound: str, word: str) -> str:
    """The words for one effect: the vocabulary's description and the script's own word for it."""
    description = EFFECT_PROMPTS[sound][0]
    return f"{description} ({word.lower()}), a clean recording for a film's sound effects track, no music, no voices"


def music_brief(mood: str) -> str:
    """The words for a scene's bed: the mood, and the key and tempo the synth would play it in."""
    key, _root, _scale, _chords, tempo, _brightness = MOOD_KEYS[mood]
    return (f"{_MOOD_WORDS.get(mood, mood)} instrumental underscore for a drama scene, in {key} at {tempo:g} bpm: "
            "soft pads and a light plucked arpeggio, quiet and even so dialogue sits over it, no vocals, no drums")

"""Reading sound from the script: the effects an action line calls for, and the mood a scene's music plays.

The rule for effects (screenplay convention writes a sound in capitals in the action):

1. A word written in capitals (three letters or more) is a cue when the vocabulary below knows it as a sound
   noun or a sound verb: "A horn BLARES." -> horn, "THUNDER rolls" -> thunder, "the door SLAMS" -> door.
   The sound is the vocabulary's entry for the noun when the sentence names one beside the verb ("the car HORN
   BLARES" is one horn), else the verb's own ("SLAMS" alone is a door).
2. Capitals that are not in the vocabulary are never sounds: character introductions ("JUNE (30s)"), names,
   shouted words, "CUT TO:". A capitalised word directly followed by an age or a parenthesis, and any of
   ``names`` (the cast's names), is skipped even when it is in the vocabulary (a character called STORM).
   A sentence written all in capitals ("THE END") marks nothing.
3. Ambience is heard without capitals: a weather or place word in lower case (rain, wind, waves, crowd ...)
   in the action lays that bed under the shot, and ``scene_cues`` under every shot of its scene. Nothing else
   in lower case is a cue.
4. Each sound is cued once per shot, at the first word that asks for it.

The music's character comes from the scene: mood words in its heading and action (tense, sad, warm,
mysterious), else the time of day (night: mysterious; day: calm).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model.script import Scene
from ..model.sound import EffectCue

__all__ = ["AMBIENCE", "MOODS", "SOUNDS", "effect_cues", "scene_cues", "scene_mood"]

SOUNDS: dict[str, tuple[str, ...]] = {
    "door": ("door", "doors", "slam", "slams", "slammed", "slamming", "creak", "creaks", "creaking"),
    "knock": ("knock", "knocks", "knocking", "knocked", "bang", "bangs", "banging", "pounds", "pounding"),
    "footsteps": ("footsteps", "footstep", "steps", "stomp", "stomps", "clatter", "clatters"),
    "rain": ("rain", "rains", "raining", "downpour", "drizzle"),
    "wind": ("wind", "winds", "howl", "howls", "howling", "gust", "gusts", "gale"),
    "thunder": ("thunder", "thunders", "thunderclap", "rumble", "rumbles", "boom", "booms", "storm"),
    "horn": ("horn", "horns", "honk", "honks", "blare", "blares", "blaring", "hoot", "hoots", "foghorn", "siren"),
    "whistle": ("whistle", "whistles", "whistling"),
    "waves": ("waves", "wave", "surf", "splash", "splashes", "sea", "tide"),
    "crowd": ("crowd", "crowds", "murmur", "murmurs", "chatter", "applause", "cheers", "cheering"),
    "phone": ("phone", "phones", "ring", "rings", "ringing", "rang", "buzz", "buzzes", "vibrates", "ringtone"),
}
"""Each sound the line knows, with the English sound nouns and verbs that ask for it (in capitals)."""

AMBIENCE: dict[str, tuple[str, ...]] = {
    "rain": ("rain", "raining", "downpour", "drizzle"),
    "wind": ("wind", "gale"),
    "waves": ("waves", "surf"),
    "crowd": ("crowd", "crowds"),
}
"""Sounds heard under a whole shot, and the lower-case words that lay them (rule 3)."""

_NOUNS = {"door", "horn", "phone", "thunder", "rain", "wind", "waves", "crowd", "whistle", "footsteps"}
"""Sounds that are things: when a sentence names one, a verb beside it sounds as that thing."""

MOODS: dict[str, tuple[str, ...]] = {
    "tense": ("tense", "danger", "chase", "runs", "run", "gun", "knife", "blood", "scream", "screams", "panic",
              "fight", "late", "hurry", "shaking", "storm", "rough"),
    "sad": ("sad", "tears", "cries", "crying", "weeps", "grief", "funeral", "grave", "alone", "lonely", "goodbye"),
    "warm": ("smile", "smiles", "laugh", "laughs", "hug", "home", "sunny", "morning", "wedding", "hope", "lights"),
    "mysterious": ("fog", "mist", "shadow", "shadows", "whisper", "whispers", "moon", "dark", "strange", "lighthouse"),
}
"""Words that give a scene's music its character; a scene with none takes it from the time of day."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_INTRO_AFTER = re.compile(r"\s*(\(|,\s*(\d|an?\s|the\s|early|late|mid))", re.IGNORECASE)
"""What follows a character's introduction: "JUNE (30s)", "ODA, 60s", "MAYA, a woman ..."."""


def _sound_of(word: str) -> str | None:
    lowered = word.lower()
    return next((sound for sound, words in SOUNDS.items() if lowered in words), None)


def effect_cues(action: str, names: Iterable[str] = ()) -> list[EffectCue]:
    """The sounds ``action`` calls for, by the rule in this module's docstring, in the order they are named."""
    skipped = {name.upper() for full in names for name in (full, *full.split())}
    found: dict[str, EffectCue] = {}
    length = max(1, len(action))
    for sentence in _SENTENCE.finditer(action):
        words = list(_WORD.finditer(sentence.group()))
        nouns = [s for w in words if (s := _sound_of(w.group())) in _NOUNS]
        for match in words:
            word = match.group()
            at = round((sentence.start() + match.start()) / length, 3)
            if len(word) >= 3 and word.isupper():
                sound = _sound_of(word)
                if sound is None or word in skipped or _INTRO_AFTER.match(sentence.group(), match.end()):
                    continue
                if sound not in _NOUNS and nouns:
                    sound = nouns[0]
                if sound not in found:
                    found[sound] = EffectCue(sound=sound, word=word, at=min(at, 1.0), ambience=sound in AMBIENCE)
            elif word.islower():
                sound = next((s for s, ws in AMBIENCE.items() if word in ws), None)
                if sound is not None and sound not in found:
                    found[sound] = EffectCue(sound=sound, word=word, at=0.0, ambience=True)
    return list(found.values())


def scene_mood(heading: str, action: str, time_of_day: str) -> str:
    """The music's character for a scene: the mood its words name most, else night -> mysterious, day -> calm."""
    words = [w.lower() for w in _WORD.findall(f"{heading} {action}")]
    counts = {mood: sum(words.count(w) for w in vocabulary) for mood, vocabulary in MOODS.items()}
    best = max(counts, key=lambda mood: (counts[mood], -list(MOODS).index(mood)))
    if counts[best]:
        return best
    return "mysterious" if time_of_day.upper() in ("NIGHT", "DUSK", "EVENING", "LATE NIGHT") else "calm"


def scene_cues(scene: Scene, names: Iterable[str] = ()) -> dict[str, list[EffectCue]]:
    """Each shot's cues (by shot code): its own events, and every ambience any shot of the scene lays (rule 3 of the
    module's docstring), since rain that falls in one shot falls in the whole scene."""
    names = list(names)
    found = {shot.code: effect_cues(shot.action, names) for shot in scene.shots}
    ambience: dict[str, EffectCue] = {}
    for cues in found.values():
        for cue in cues:
            if cue.ambience:
                ambience.setdefault(cue.sound, cue.model_copy(update={"at": 0.0}))
    return {code: [c for c in cues if not c.ambience] + list(ambience.values()) for code, cues in found.items()}

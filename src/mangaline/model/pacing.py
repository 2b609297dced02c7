"""How long text takes to say: the estimate the shot planner times shots by before any voice exists."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CJK_LANGUAGES", "SHOT_SECONDS_MAX", "SHOT_SECONDS_MIN", "is_cjk", "language_code", "spoken_seconds"]

# Languages written without spaces between words: their pace is counted in characters.
CJK_LANGUAGES = frozenset({"zh", "ja", "ko", "yue", "cmn"})

MINIMUM_SECONDS = 0.6

# What any shot may last, whoever planned it. Half a second is a flash cut (12 frames at 24 fps);
# five minutes is longer than a vertical episode, so anything beyond is a typo, not a choice.
SHOT_SECONDS_MIN = 0.5
SHOT_SECONDS_MAX = 300.0

# A reader breathes at commas and stops at full stops; these are the pauses added for them.
_SHORT_PAUSE = 0.15
_LONG_PAUSE = 0.3
_SHORT_MARKS = set(",;:、，；：")
_LONG_MARKS = set(".!?。！？…—")

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def language_code(language: str) -> str:
    """The primary subtag, lower-case: 'en-US' -> 'en', 'zh_Hans' -> 'zh', 'cmn' -> 'zh'."""
    code = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    return "zh" if code == "cmn" else code


def is_cjk(char: str) -> bool:
    """True for Han, kana and Hangul, the characters that are each about one spoken syllable."""
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL"))


def _is_spoken_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN"


def _pauses(text: str) -> float:
    # Runs of marks ("?!", "...") count once; the mark that ends the line adds nothing.
    body = text.rstrip().rstrip("".join(_SHORT_MARKS | _LONG_MARKS) + "\"'”」』) ")
    total = 0.0
    previous = ""
    for char in body:
        if char in _LONG_MARKS and previous not in _LONG_MARKS:
            total += _LONG_PAUSE
        elif char in _SHORT_MARKS and previous not in _SHORT_MARKS:
            total += _SHORT_PAUSE
        previous = char
    return total


def spoken_seconds(
    text: str,
    language: str,
    *,
    words_per_minute: float = 150,
    chars_per_second: float = 4.5,
) -> float:
    """Seconds a line takes to say: CJK by characters, other languages by words, plus pauses.

    Never less than 0.6 s, so that even "Oh." gets a readable beat on screen.
    """
    if words_per_minute <= 0 or chars_per_second <= 0:
        raise ValueError("words_per_minute and chars_per_second must be positive")
    if language_code(language) in CJK_LANGUAGES:
        spoken = sum(1 for char in text if _is_spoken_char(char))
        seconds = spoken / chars_per_second
    else:
        words = len(_WORD.findall(text))
        seconds = words * 60.0 / words_per_minute
    return max(MINIMUM_SECONDS, seconds + _pauses(text))

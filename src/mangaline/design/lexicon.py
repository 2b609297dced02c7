"""The language tables turned into one lookup: text in, tagged vocabulary matches out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from .words import TABLES

__all__ = ["Lexicon", "Match", "lexicon_for", "BARRIERS"]

# Punctuation that ends a phrase: a colour never reaches across it to a noun.
BARRIERS = frozenset(",.;:!?()[]\"，。；：！？、（）「」『』—…")

_LATIN_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)?|\d+|[^\sA-Za-z\u00c0-\u024f\d]")
_CJK_TOKEN = re.compile(r"[A-Za-z]+|\d+|\S")


@dataclass(frozen=True)
class Match:
    """A vocabulary word found in a text: token positions [start, end) and what it means."""

    start: int
    end: int
    word: str
    tags: tuple[tuple, ...]

    def roles(self, role: str) -> list[tuple]:
        return [tag for tag in self.tags if tag[0] == role]


def _plural_forms(word: str) -> list[str]:
    last = word.split(" ")[-1]
    head = word[: len(word) - len(last)]
    if last.endswith(("s", "x", "ch", "sh")):
        forms = [last + "es"]
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        forms = [last[:-1] + "ies"]
    elif last.endswith("f"):
        forms = [last + "s", last[:-1] + "ves"]
    else:
        forms = [last + "s"]
    return [head + form for form in forms]


class Lexicon:
    """Every word of one language's tables, with the roles it plays (colour, wear, element ...)."""

    def __init__(self, language: str, table: ModuleType) -> None:
        self.language = language
        self.table = table
        self.cjk = table.JOINER == ""
        entries: dict[tuple[str, ...], list[tuple]] = {}

        def add(word: str, tag: tuple | None, plural: bool = False) -> None:
            forms = [word] + (_plural_forms(word) if plural and not self.cjk else [])
            for form in forms:
                key = tuple(self.tokens(form))
                bucket = entries.setdefault(key, [])
                if tag is not None and tag not in bucket:
                    bucket.append(tag)

        for word, value in table.COLOURS.items():
            name, slot = (value, None) if isinstance(value, str) else value
            add(word, ("colour", name, slot))
        for word, how in table.SHADES.items():
            add(word, ("shade", how))
        for word, (slot, garment) in table.WEAR.items():
            add(word, ("wear", slot, garment), plural=True)
        for word, (slot, garment) in table.WEAR_ADJACENT.items():
            add(word, ("wear_adjacent", slot, garment))
        for word, style in table.HAIR_STYLES.items():
            add(word, ("hair_style", style))
        for word, style in table.HAIR_LENGTHS.items():
            add(word, ("hair_length", style))
        for word, age in table.AGES.items():
            add(word, ("age", age))
        for word, gender in table.GENDER_WORDS.items():
            add(word, ("gender", gender))
        for word, gender in table.PRONOUNS.items():
            add(word, ("pronoun", gender))
        for word, feature in table.FEATURES.items():
            add(word, ("feature", feature))
        for word, build in table.BUILDS.items():
            add(word, ("build", build))
        for word, delta in table.HEIGHTS.items():
            add(word, ("height", delta))
        for word, shape in table.EYE_SHAPES.items():
            add(word, ("eye_shape", shape))
        for word, tone in table.SKINS.items():
            add(word, ("skin", tone))
        for word, (kind, name) in table.ELEMENTS.items():
            add(word, ("element", kind, name), plural=True)
        for word, kind in table.LIGHTS.items():
            add(word, ("light", kind), plural=True)
        for word, place in table.PLACES.items():
            add(word, ("place", place))
        for word, time in table.TIMES.items():
            add(word, ("time", time))
        for word, count in table.NUMBERS.items():
            add(word, ("number", count))
        for word in table.IN_WORDS:
            add(word, ("in",))
        for word in table.BLOCKED:
            add(word, None)
        self._entries = {key: tuple(tags) for key, tags in entries.items() if key}
        self._longest = max(len(key) for key in self._entries)

    def tokens(self, text: str) -> list[str]:
        """Lower-case words and punctuation (Latin) or single characters (CJK)."""
        pattern = _CJK_TOKEN if self.cjk else _LATIN_TOKEN
        return [token.lower() for token in pattern.findall(text)]

    def scan(self, text: str) -> tuple[list[str], list[Match]]:
        """The tokens of the text and the vocabulary words in it, longest match first, left to right."""
        tokens = self.tokens(text)
        found: list[Match] = []
        i = 0
        while i < len(tokens):
            for length in range(min(self._longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + length])
                tags = self._entries.get(key)
                if tags is not None:
                    if tags:
                        found.append(Match(i, i + length, self.table.JOINER.join(key), tags))
                    i += length
                    break
            else:
                i += 1
        return tokens, found

    def gap(self, tokens: list[str], a: int, b: int) -> int | None:
        """Words between positions a and b, or None when punctuation separates them."""
        between = tokens[a:b]
        if any(token in BARRIERS for token in between):
            return None
        return sum(1 for token in between if token not in ("-", "§"))


@lru_cache(maxsize=None)
def lexicon_for(language: str) -> Lexicon:
    """The lexicon of 'en', 'zh' or 'ja'; KeyError for anything else (callers say which file)."""
    return Lexicon(language, TABLES[language])

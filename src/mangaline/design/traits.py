"""Reading a character's looks out of the action text: colours, clothes, hair, age, gender, build."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Script
from ..colour import NAMED, tone
from .lexicon import Lexicon, Match

__all__ = ["Traits", "Cast", "read_cast", "sentences", "mask_names"]

_ABBREVIATIONS = ("mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.")
_TITLE_WORDS = {"old", "young", "little", "big", "mr", "mrs", "ms", "dr", "miss", "the", "sir", "madam"}
_CJK_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass
class Traits:
    """What the text says about one character; None where it says nothing (a seeded default fills it)."""

    colours: dict[str, str] = field(default_factory=dict)  # slot (hair, eyes, top, bottom, accessory) -> hex
    garments: dict[str, str] = field(default_factory=dict)  # slot (top, bottom, accessory) -> garment
    hair_style: str | None = None
    age: str | None = None
    gender_votes: dict[str, float] = field(default_factory=dict)
    build: str | None = None
    height_delta: float | None = None
    eye_shape: str | None = None
    skin: int | None = None
    features: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)

    @property
    def gender(self) -> str | None:
        female, male = self.gender_votes.get("female", 0.0), self.gender_votes.get("male", 0.0)
        if female == male:
            return None
        return "female" if female > male else "male"

    def vote(self, gender: str, weight: float) -> None:
        self.gender_votes[gender] = self.gender_votes.get(gender, 0.0) + weight


@dataclass
class Cast:
    """The speaking roles of a script in order of first line, with their spoken names and traits."""

    order: list[str]
    names: dict[str, list[str]]
    traits: dict[str, Traits]


def sentences(text: str, cjk: bool) -> list[str]:
    """Split action text into sentences; 'Mrs. Chen' stays in one piece."""
    if cjk:
        return [s for s in re.split(r"(?<=[。！？!?])|\n", text) if s.strip()]
    pieces = [p for p in re.split(r"(?<=[.!?])\s+|\n+", text) if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and merged[-1].lower().endswith(_ABBREVIATIONS):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _mention_patterns(names: dict[str, list[str]], cjk: bool) -> list[tuple[re.Pattern[str], str]]:
    """How each character is named in action text: every spoken form, plus unshared words of Latin names."""
    patterns: list[tuple[str, str]] = []
    word_owners: dict[str, set[str]] = {}
    for char_id, spoken in names.items():
        for name in spoken:
            patterns.append((name, char_id))
            if not cjk:
                for word in re.findall(r"[A-Za-z\u00c0-\u024f']+", name):
                    if len(word) >= 3 and word.lower() not in _TITLE_WORDS:
                        word_owners.setdefault(word.lower(), set()).add(char_id)
    for word, owners in word_owners.items():
        if len(owners) == 1:
            patterns.append((word, next(iter(owners))))
    patterns.sort(key=lambda item: -len(item[0]))
    compiled = []
    for text, char_id in patterns:
        body = re.escape(text)
        regex = body if cjk else rf"(?<![A-Za-z\u00c0-\u024f]){body}(?![A-Za-z\u00c0-\u024f])"
        compiled.append((re.compile(regex, 0 if cjk else re.IGNORECASE), char_id))
    return compiled


def _mentions(sentence: str, patterns: list[tuple[re.Pattern[str], str]]) -> list[tuple[int, int, str]]:
    taken: list[tuple[int, int, str]] = []
    for regex, char_id in patterns:
        for found in regex.finditer(sentence):
            if all(found.end() <= s or found.start() >= e for s, e, _ in taken):
                taken.append((found.start(), found.end(), char_id))
    return sorted(taken)


def mask_names(text: str, patterns: list[tuple[re.Pattern[str], str]]) -> str:
    """Names out of the way, so 'Rose' or 白雪 is not read as a colour."""
    for regex, _ in patterns:
        text = regex.sub("§", text)
    return text


def _years(value: str, how: str) -> int:
    if how.startswith("cjk"):
        tens, _, units = value.partition("十")
        number = (_CJK_NUMERALS.get(tens, 1) if tens else 1) * 10 + _CJK_NUMERALS.get(units, 0)
    else:
        number = int(value)
    return number * 10 + 5 if how.endswith("decade") else number


def _age_group(years: int) -> str:
    if years < 13:
        return "child"
    if years < 20:
        return "teen"
    return "adult" if years < 60 else "elder"


def _read_segment(segment: str, lexicon: Lexicon, traits: Traits, weight: float) -> None:
    """Add what one piece of text says about a character; the first thing said about a slot wins."""
    table = lexicon.table
    if traits.age is None:
        for pattern, how in table.AGE_PATTERNS:
            found = re.search(pattern, segment, re.IGNORECASE)
            if found:
                traits.age = _age_group(_years(found.group(1), how))
                break
    tokens, matches = lexicon.scan(segment)
    used_wear: set[int] = set()
    for index, match in enumerate(matches):
        for tag in match.tags:
            role = tag[0]
            if role == "colour":
                _attach_colour(index, matches, tokens, lexicon, traits, used_wear)
            elif role == "wear" and tag[1] in ("top", "bottom", "accessory"):
                traits.garments.setdefault(tag[1], tag[2])
                if tag[1] == "accessory" and traits.garments["accessory"] != tag[2] and tag[2] not in traits.features:
                    traits.features.append(tag[2])
            elif role == "hair_style" and traits.hair_style is None:
                traits.hair_style = tag[1]
            elif role == "hair_length" and traits.hair_style is None:
                if any(m.roles("wear") and m.roles("wear")[0][1] == "hair" and lexicon.gap(tokens, match.end, m.start) is not None
                       and lexicon.gap(tokens, match.end, m.start) <= 2 for m in matches[index + 1 : index + 4]):
                    traits.hair_style = tag[1]
            elif role == "age" and traits.age is None:
                traits.age = tag[1]
            elif role == "gender":
                traits.vote(tag[1], 3 * weight)
            elif role == "pronoun":
                # "her red scarf", "他的灰外套": a possessive before clothes is the character's own
                nearby = matches[index + 1 : index + 3]
                if any((m.roles("wear") or m.roles("colour")) and (lexicon.gap(tokens, match.end, m.start) or 0) <= 3
                       and lexicon.gap(tokens, match.end, m.start) is not None for m in nearby):
                    traits.vote(tag[1], 2 * weight)
            elif role == "feature" and tag[1] not in traits.features:
                traits.features.append(tag[1])
            elif role == "build" and traits.build is None:
                traits.build = tag[1]
            elif role == "height" and traits.height_delta is None:
                traits.height_delta = tag[1]
            elif role == "eye_shape" and traits.eye_shape is None:
                traits.eye_shape = tag[1]
            elif role == "skin" and traits.skin is None:
                traits.skin = tag[1]


def _attach_colour(index: int, matches: list[Match], tokens: list[str], lexicon: Lexicon, traits: Traits,
                   used_wear: set[int]) -> None:
    """Give the colour at matches[index] to the noun it describes: after it, else before it, else its default."""
    colour_tag = matches[index].roles("colour")[0]
    value = NAMED[colour_tag[1]]
    here = matches[index]
    if index > 0 and matches[index - 1].roles("shade") and matches[index - 1].end == here.start:
        value = tone(value, matches[index - 1].roles("shade")[0][1])
    window = lexicon.table.ATTACH_WINDOW

    def assign(slot: str, garment: str | None, at: int | None) -> None:
        if at is not None:
            used_wear.add(at)
        if slot not in traits.colours:
            traits.colours[slot] = value
            if garment and slot in ("top", "bottom", "accessory"):
                traits.garments.setdefault(slot, garment)

    for later in range(index + 1, len(matches)):
        other = matches[later]
        gap = lexicon.gap(tokens, here.end, other.start)
        if gap is None or gap > window or other.roles("colour"):
            break
        adjacent = other.roles("wear_adjacent")
        if adjacent and gap == 0:
            assign(adjacent[0][1], adjacent[0][2], later)
            return
        wear = other.roles("wear")
        if wear:
            assign(wear[0][1], wear[0][2], later)
            return
    for earlier in range(index - 1, -1, -1):
        other = matches[earlier]
        gap = lexicon.gap(tokens, other.end, here.start)
        if gap is None or gap > 3 or other.roles("colour"):
            break
        wear = other.roles("wear")
        if wear and earlier not in used_wear:
            assign(wear[0][1], wear[0][2], earlier)
            return
    if colour_tag[2]:
        assign(colour_tag[2], None, None)
        return
    for earlier in range(index - 1, max(-1, index - 3), -1):
        other = matches[earlier]
        gap = lexicon.gap(tokens, other.end, here.start)
        if gap is not None and gap <= 1 and other.roles("in"):
            assign("top", None, None)
            return


def read_cast(script: Script, lexicon: Lexicon) -> Cast:
    """Every speaking role, in order of first line, with what the action text says about each."""
    order: list[str] = []
    names: dict[str, list[str]] = {}
    for line in script.lines():
        if line.character not in names:
            order.append(line.character)
            names[line.character] = []
        if line.speaker not in names[line.character]:
            names[line.character].append(line.speaker)
    traits = {char_id: Traits() for char_id in order}
    patterns = _mention_patterns(names, lexicon.cjk)
    for char_id, spoken in names.items():
        for name in spoken:
            _read_name(name, lexicon, traits[char_id])
    for shot in script.shots():
        last_alone: str | None = None
        for sentence in sentences(shot.action, lexicon.cjk):
            mentions = _mentions(sentence, patterns)
            if not mentions:
                pronoun = _leading_pronoun(sentence, lexicon) if last_alone else None
                if last_alone and pronoun:
                    traits[last_alone].vote(pronoun, 2.0)
                    _read_segment(mask_names(sentence, patterns), lexicon, traits[last_alone], 1.0)
                    traits[last_alone].description.append(sentence.strip())
                continue
            owners = {char_id for _, _, char_id in mentions}
            last_alone = mentions[-1][2]
            for k, (start, _end, char_id) in enumerate(mentions):
                begin = 0 if k == 0 else start
                stop = next((s for s, _, other in mentions[k + 1 :] if other != char_id), len(sentence))
                if k > 0 and mentions[k - 1][2] == char_id:
                    continue
                segment = sentence if len(owners) == 1 else sentence[begin:stop]
                _read_segment(mask_names(segment, patterns), lexicon, traits[char_id], 1.0)
                if sentence.strip() not in traits[char_id].description:
                    traits[char_id].description.append(sentence.strip())
    return Cast(order=order, names=names, traits=traits)


def _read_name(name: str, lexicon: Lexicon, traits: Traits) -> None:
    """'OLD TOM', 'MRS. CHEN', 老王: a name can say age and gender."""
    for prefix, age in lexicon.table.NAME_PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            traits.age = traits.age or age
    _, matches = lexicon.scan(name)
    for match in matches:
        for tag in match.tags:
            if tag[0] == "gender":
                traits.vote(tag[1], 4.0)
            elif tag[0] == "age" and traits.age is None:
                traits.age = tag[1]


def _leading_pronoun(sentence: str, lexicon: Lexicon) -> str | None:
    """'She ...' / '她……' / '彼女は……' right after a sentence about one character is about that character."""
    _, matches = lexicon.scan(sentence.strip())
    if matches and matches[0].start == 0 and matches[0].roles("pronoun"):
        return matches[0].roles("pronoun")[0][1]
    return None

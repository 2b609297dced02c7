"""Designing the cast: one Character per speaking role, from what the text says plus distinct seeded defaults."""

from __future__ import annotations

from ..model import Build, Character, CharacterDesign, HairStyle, Outfit, Palette, Script, Voice
from ..colour import delta_e, from_hsl, hue_of
from .lexicon import Lexicon
from .seed import seeded
from .traits import Cast, Traits, read_cast

__all__ = ["design_characters", "KOKORO_FEMALE", "KOKORO_MALE", "MIN_OUTFIT_DISTANCE", "MIN_HAIR_DISTANCE"]

# Below these Lab distances two characters read as wearing the same colour / having the same hair.
MIN_OUTFIT_DISTANCE = 25.0
MIN_HAIR_DISTANCE = 15.0

# Hair colours a default may use, most common first; grey and white are left to the text or to elders.
HAIR_NATURAL: list[str] = ["#1c1c1f", "#3b2618", "#6b4428", "#8a3b22", "#e3c27a", "#2b2f4a", "#5a3a2a", "#b07a45"]
HAIR_ELDER: list[str] = ["#8c8c8c", "#c0c4c8", "#e6e6e0", "#6e6e6e"]

SKIN_TONES: list[str] = ["#f6dcc6", "#efcfb0", "#e5bb95", "#d1a27a", "#b07e58", "#8a5a3c"]

KOKORO_FEMALE = ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro"]
KOKORO_MALE = ["jm_kumo"]

_EYES = ["#3b2618", "#5a3a22", "#2f4f6f", "#3f6a4a", "#1c1c1f", "#6b4a2a"]
_BOTTOMS = ["#2b2b33", "#3a3f55", "#5b4a3a", "#d9d2c0", "#1f1f22", "#4a4f44"]
_TOPS = {
    "female": ["coat", "jacket", "dress", "sweater", "blouse"],
    "male": ["jacket", "coat", "shirt", "sweater"],
    "unspecified": ["jacket", "coat", "sweater", "shirt"],
    "child": ["hoodie", "t-shirt", "sweater"],
    "elder": ["coat", "cardigan", "jacket"],
}
_STYLES = {
    "female": [HairStyle.LONG, HairStyle.PONYTAIL, HairStyle.BOB, HairStyle.BUN, HairStyle.SHORT],
    "male": [HairStyle.SHORT, HairStyle.CROPPED, HairStyle.SPIKY],
    "unspecified": [HairStyle.SHORT, HairStyle.BOB, HairStyle.PONYTAIL, HairStyle.CROPPED, HairStyle.LONG],
}
_HEIGHT = {"child": 1.25, "teen": 1.62, "female": 1.63, "male": 1.76, "unspecified": 1.70}
_PITCH = {"female": 3.0, "male": -3.0, "unspecified": 0.0}
# Nearest first: a character keeps close to its type's voice and steps away only to stay unique.
_PITCH_STEPS = [0.0, 1.0, -1.0, 2.0, -2.0, 1.5, -1.5, 3.0, -3.0]
_RATE_STEPS = [1.0, 1.06, 0.94, 1.12, 0.9]


def _pretty_name(spoken: str, cjk: bool) -> str:
    return spoken if cjk or not spoken.isupper() else spoken.title()


def _pick_distinct(candidates: list[str], taken: list[str], minimum: float) -> str:
    """The first candidate far enough from every colour taken, else the one farthest from them."""
    if not taken:
        return candidates[0]
    best, best_distance = candidates[0], -1.0
    for colour in candidates:
        nearest = min(delta_e(colour, other) for other in taken)
        if nearest >= minimum:
            return colour
        if nearest > best_distance:
            best, best_distance = colour, nearest
    return best


def _outfit_candidates(char_id: str) -> list[str]:
    rng = seeded(char_id, "outfit")
    start = rng.random()
    lightness = [0.38, 0.52, 0.3]
    rng.shuffle(lightness)
    return [from_hsl(start + step / 12.0, 0.55, light) for light in lightness for step in range(12)]


class _CastDesigner:
    """Keeps what the cast already uses, so each new character's defaults stay apart from the others'."""

    def __init__(self, existing: dict[str, Character]) -> None:
        self.hairs = [c.design.palette.hair for c in existing.values()]
        self.outfits = [c.design.palette.outfit for c in existing.values()]
        self.looks = {(c.design.hair_style, c.design.gender) for c in existing.values()}
        self.voices = {(c.voice.pitch, c.voice.rate) for c in existing.values()}
        self.kokoro = {c.voice.voice for c in existing.values() if c.voice.voice}

    def reserve_text_colours(self, traits: Traits) -> None:
        """What the text says is fixed; defaults must keep away from it too."""
        if "hair" in traits.colours:
            self.hairs.append(traits.colours["hair"])
        if "top" in traits.colours:
            self.outfits.append(traits.colours["top"])

    def design(self, char_id: str, spoken: list[str], traits: Traits, language: str, cjk: bool) -> Character:
        rng = seeded(char_id, "character")
        age = traits.age or "adult"
        gender = traits.gender or rng.choice(["female", "male"])
        kind = "child" if age == "child" else gender

        hair = traits.colours.get("hair")
        if hair is None:
            pool = list(HAIR_ELDER if age == "elder" else HAIR_NATURAL)
            seeded(char_id, "hair").shuffle(pool)
            hair = _pick_distinct(pool, self.hairs, MIN_HAIR_DISTANCE)
            self.hairs.append(hair)

        style = HairStyle(traits.hair_style) if traits.hair_style else None
        if style is None:
            styles = list(_STYLES.get(gender, _STYLES["unspecified"]))
            if age == "elder" and gender == "male":
                styles = [HairStyle.SHORT, HairStyle.CROPPED] + ([] if "hair" in traits.colours else [HairStyle.BALD])
            seeded(char_id, "hair_style").shuffle(styles)
            style = next((s for s in styles if (s, gender) not in self.looks), styles[0])
        self.looks.add((style, gender))

        outfit_colour = traits.colours.get("top")
        if outfit_colour is None:
            outfit_colour = _pick_distinct(_outfit_candidates(char_id), self.outfits + [hair], MIN_OUTFIT_DISTANCE)
            self.outfits.append(outfit_colour)

        tops = _TOPS["elder" if age == "elder" else kind] if kind in _TOPS else _TOPS["unspecified"]
        top = traits.garments.get("top") or rng.choice(tops)
        bottom = traits.garments.get("bottom") or ("skirt" if gender == "female" and rng.random() < 0.4 else "trousers")
        accessory = traits.garments.get("accessory")
        accent = traits.colours.get("accessory") or from_hsl(hue_of(outfit_colour) + 0.5, 0.6, 0.5)
        palette = Palette(
            skin=SKIN_TONES[traits.skin] if traits.skin is not None else rng.choice(SKIN_TONES[:5]),
            hair=hair,
            eyes=traits.colours.get("eyes") or rng.choice(_EYES),
            outfit=outfit_colour,
            outfit_secondary=traits.colours.get("bottom") or rng.choice(_BOTTOMS),
            accent=accent,
        )
        outfit = Outfit(
            top=top,
            bottom=bottom,
            accessory=accessory,
            top_colour=palette.outfit,
            bottom_colour=palette.outfit_secondary,
            accessory_colour=(traits.colours.get("accessory") or accent) if accessory else None,
        )
        build = Build(traits.build) if traits.build else (Build.CHILD if age == "child" else rng.choice(
            [Build.SLIM, Build.AVERAGE, Build.AVERAGE, Build.BROAD] if gender == "male" else [Build.SLIM, Build.AVERAGE]))
        if age == "child":
            build = Build.CHILD
        height = _HEIGHT.get(age if age in ("child", "teen") else gender, 1.70)
        height += (traits.height_delta or 0.0) + (-0.04 if age == "elder" else 0.0) + rng.uniform(-0.04, 0.04)
        design = CharacterDesign(
            palette=palette,
            hair_style=style,
            build=build,
            height=round(min(2.1, max(0.9, height)), 2),
            eye_shape=traits.eye_shape or rng.choice(["round", "narrow", "droopy", "sharp"]),
            age=age,
            gender=gender,
            outfits={"default": outfit},
            features=list(traits.features),
        )
        separator = "" if cjk else " "
        return Character(
            id=char_id,
            name=_pretty_name(spoken[0], cjk),
            aliases=list(spoken),
            description=separator.join(traits.description[:2]),
            design=design,
            voice=self._voice(char_id, gender, age, language),
        )

    def _voice(self, char_id: str, gender: str, age: str, language: str) -> Voice:
        base = 6.0 if age == "child" else _PITCH.get(gender, 0.0) + (1.0 if age == "teen" else 0.0)
        base_rate = 0.92 if age == "elder" else 1.0
        rng = seeded(char_id, "voice")
        # nearest steps first; the seed only decides whether a character goes up or down
        first, rest = [0.0], []
        for size in sorted({abs(step) for step in _PITCH_STEPS if step}):
            pair = [size, -size]
            rng.shuffle(pair)
            rest.extend(pair)
        pitch, rate = base, base_rate
        for step_rate in _RATE_STEPS:
            found = next(
                ((round(base + step, 1), round(base_rate * step_rate, 2)) for step in first + rest
                 if (round(base + step, 1), round(base_rate * step_rate, 2)) not in self.voices),
                None,
            )
            if found:
                pitch, rate = found
                break
        self.voices.add((pitch, rate))
        name = None
        if language == "ja":
            pool = list(KOKORO_MALE if gender == "male" else KOKORO_FEMALE)
            rng.shuffle(pool)
            name = next((v for v in pool if v not in self.kokoro), pool[0])
            self.kokoro.add(name)
        return Voice(voice=name, pitch=max(-12.0, min(12.0, pitch)), rate=rate)


def design_characters(script: Script, lexicon: Lexicon, existing: dict[str, Character]) -> dict[str, Character]:
    """The whole cast in order of first line: existing characters as they are, new ones designed."""
    cast: Cast = read_cast(script, lexicon)
    designer = _CastDesigner(existing)
    for char_id in cast.order:
        if char_id not in existing:
            designer.reserve_text_colours(cast.traits[char_id])
    result: dict[str, Character] = {}
    for char_id in cast.order:
        if char_id in existing:
            result[char_id] = existing[char_id]
        else:
            result[char_id] = designer.design(char_id, cast.names[char_id], cast.traits[char_id], script.language, lexicon.cjk)
    for char_id, character in existing.items():
        result.setdefault(char_id, character)
    return result

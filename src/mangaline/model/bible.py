"""The bible: characters, locations with their sets, and props, as editable design data."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum

from pydantic import Field, field_validator

from .base import SCHEMA_VERSION, Record, SafeId, SchemaVersion

_HEX_DIGITS = set("0123456789abcdefABCDEF")


def check_hex(value: str) -> str:
    """A colour is '#rrggbb'; anything else is refused with the value shown."""
    if not (isinstance(value, str) and len(value) == 7 and value[0] == "#" and set(value[1:]) <= _HEX_DIGITS):
        raise ValueError(f"colour {value!r} is not of the form '#rrggbb'")
    return value.lower()


class HairStyle(StrEnum):
    SHORT = "short"
    CROPPED = "cropped"
    BOB = "bob"
    LONG = "long"
    PONYTAIL = "ponytail"
    BUN = "bun"
    SPIKY = "spiky"
    BALD = "bald"


class Build(StrEnum):
    SLIM = "slim"
    AVERAGE = "average"
    BROAD = "broad"
    CHILD = "child"


class Palette(Record):
    """A character's colours; every drawing of the character uses exactly these."""

    skin: str
    hair: str
    eyes: str
    outfit: str
    outfit_secondary: str
    accent: str

    _hex = field_validator("*")(classmethod(lambda cls, v: check_hex(v)))


class Outfit(Record):
    """One look of a character; shots choose it through the casting's variant."""

    top: str = Field(description="garment: shirt, jacket, coat, dress, hoodie, kimono, uniform ...")
    bottom: str = Field(default="trousers", description="trousers, skirt, shorts (hidden under a dress or coat)")
    accessory: str | None = Field(default=None, description="scarf, glasses, hat, tie, apron, earrings ...")
    top_colour: str | None = None
    bottom_colour: str | None = None
    accessory_colour: str | None = None

    @field_validator("top_colour", "bottom_colour", "accessory_colour")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        return None if value is None else check_hex(value)


class Voice(Record):
    """How a character sounds: an engine voice plus a pitch and pace that make it theirs."""

    engine: str = Field(default="auto", description="auto picks by language: piper (en), kokoro (ja), espeak (zh)")
    voice: str | None = Field(default=None, description="the engine's voice name; None picks by the character")
    pitch: float = Field(default=0.0, ge=-12, le=12, description="semitones")
    rate: float = Field(default=1.0, gt=0.4, lt=2.5, description="speaking pace, 1.0 = the engine's own")
    cast: dict[str, str] = Field(
        default_factory=dict,
        description="the voice id at each paid speech provider (or model id), e.g. {openai: nova}; cast once, kept for the series",
    )


class CharacterDesign(Record):
    """Everything the renderer needs to draw the character the same way in every shot."""

    palette: Palette
    hair_style: HairStyle
    build: Build
    height: float = Field(default=1.70, gt=0.8, lt=2.3, description="metres")
    eye_shape: str = Field(default="round", description="round, narrow, droopy, sharp")
    age: str = Field(default="adult", description="child, teen, adult, elder")
    gender: str = Field(default="unspecified", description="female, male, unspecified; guides voice and silhouette")
    outfits: dict[str, Outfit] = Field(default_factory=dict)
    features: list[str] = Field(default_factory=list, description="beard, glasses, freckles, scar ...")


TURNAROUND_VIEWS = ("front", "right", "side_right", "back", "left")
"""A turnaround sheet's row of views, left to right: front, three-quarter, profile, back, the other three-quarter."""
TURNAROUND_EXPRESSIONS = ("neutral", "talking", "blink")
"""The strip of head close-ups under the views."""
TURNAROUND_PANEL = 0.42
"""Each view's width, as a share of the views' height."""
TURNAROUND_STRIP = 0.36
"""The expressions' strip height, as a share of the views' height."""


class Character(Record):
    """A speaking role: its canonical description, design and voice."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    id: SafeId
    name: str
    aliases: list[str] = Field(default_factory=list)
    description: str = ""
    design: CharacterDesign
    voice: Voice = Field(default_factory=Voice)
    version: int = 1
    approved: bool = False


class ElementKind(StrEnum):
    WINDOW = "window"
    DOOR = "door"
    PILLAR = "pillar"
    TABLE = "table"
    COUNTER = "counter"
    CHAIR = "chair"
    SOFA = "sofa"
    BED = "bed"
    SHELF = "shelf"
    LAMP = "lamp"
    PLANT = "plant"
    PICTURE = "picture"
    SCREEN = "screen"
    RAIL = "rail"
    TREE = "tree"
    BUILDING = "building"
    STREETLIGHT = "streetlight"
    SIGN = "sign"
    FRIDGE = "fridge"
    STOVE = "stove"
    DESK = "desk"
    CLOCK = "clock"


class Wall(StrEnum):
    NORTH = "north"
    EAST = "east"
    SOUTH = "south"
    WEST = "west"


class SetElement(Record):
    """One object in the set, placed in metres on the floor plan (x east, y north, z up)."""

    name: str
    kind: ElementKind
    x: float
    y: float
    width: float = Field(gt=0)
    depth: float = Field(default=0.1, gt=0)
    height: float = Field(gt=0)
    elevation: float = Field(default=0.0, ge=0, description="height of its base above the floor")
    wall: Wall | None = Field(default=None, description="the wall it stands against or is cut into")
    colour: str

    _hex = field_validator("colour")(classmethod(lambda cls, v: check_hex(v)))


class Light(Record):
    """A light in the set; shading and highlights come from where it is."""

    name: str
    kind: str = Field(description="window, lamp, ceiling, sun, moon, neon, street")
    x: float
    y: float
    z: float
    colour: str
    intensity: float = Field(default=1.0, ge=0, le=4)

    _hex = field_validator("colour")(classmethod(lambda cls, v: check_hex(v)))


class Mark(Record):
    """A named place where a character stands."""

    name: str
    x: float
    y: float


class CameraSpot(Record):
    """A place the set lets a camera stand, in set metres; shots record the spot nearest their camera."""

    name: str
    x: float
    y: float
    z: float = Field(default=1.5, gt=0)


class SetDesign(Record):
    """A location's set: a rectangular floor plan in metres with walls, elements, lights and marks."""

    width: float = Field(gt=0, description="metres along x (west to east)")
    depth: float = Field(gt=0, description="metres along y (south to north)")
    height: float = Field(default=2.8, gt=0)
    wall_colour: str
    floor_colour: str
    ceiling_colour: str
    accent_colour: str
    elements: list[SetElement] = Field(default_factory=list)
    lights: list[Light] = Field(default_factory=list)
    marks: list[Mark] = Field(default_factory=list)
    cameras: list[CameraSpot] = Field(default_factory=list, description="allowed camera positions; none listed allows any")

    _hex = field_validator("wall_colour", "floor_colour", "ceiling_colour", "accent_colour")(
        classmethod(lambda cls, v: check_hex(v))
    )


class Location(Record):
    """A place in the scene headings; all times of day share one set."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    id: SafeId
    name: str
    aliases: list[str] = Field(default_factory=list)
    interior: bool = True
    description: str = ""
    set: SetDesign
    version: int = 1
    approved: bool = False


class Prop(Record):
    """An object the story needs to keep the same between shots."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    id: SafeId
    name: str
    description: str = ""
    colour: str = "#888888"

    _hex = field_validator("colour")(classmethod(lambda cls, v: check_hex(v)))


class Bible(Record):
    """Characters, locations and props by id."""

    characters: dict[SafeId, Character] = Field(default_factory=dict)
    locations: dict[SafeId, Location] = Field(default_factory=dict)
    props: dict[SafeId, Prop] = Field(default_factory=dict)


def design_fingerprint(character: Character) -> str:
    """sha256 of a character's design and its version: what an approval locks (name, voice and notes stay editable)."""
    body = {"design": character.design.model_dump(mode="json"), "version": character.version}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()

"""A character's resolved look: body proportions in metres and the exact palette colours of one outfit.

Layout frames a figure by these proportions, the draft renderer draws them, and QC looks for
these colours in a picture, so all three agree on one figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..colour import RGB, hex_rgb
from .bible import Build, Character, HairStyle, Outfit

__all__ = ["HEADS", "SHOULDERS", "Figure", "figure_for"]

HEADS = {"child": 4.6, "teen": 6.0, "adult": 6.6, "elder": 6.4}
"""Head lengths per body height, by age."""
SHOULDERS = {Build.SLIM: 0.92, Build.AVERAGE: 1.02, Build.BROAD: 1.22, Build.CHILD: 0.82}
"""Shoulder width per build, in head lengths (a woman's a tenth narrower)."""


@dataclass(frozen=True)
class Figure:
    """A character's resolved look: proportions in metres and the exact palette colours."""

    height: float
    head: float
    skin: RGB
    hair: RGB
    eyes: RGB
    top: RGB
    bottom: RGB
    accent: RGB
    secondary: RGB
    hair_style: HairStyle
    build: Build
    eye_shape: str
    gender: str
    age: str
    top_kind: str
    bottom_kind: str
    accessory: str | None
    features: tuple[str, ...]

    @property
    def head_width(self) -> float:
        return self.head * 0.8

    @property
    def shoulder(self) -> float:
        factor = SHOULDERS.get(self.build, 1.0) * (0.9 if self.gender == "female" else 1.0)
        return self.head * factor

    @property
    def face_height(self) -> float:
        """Height above the floor of the middle of the face (between eyes and mouth)."""
        return self.height - self.head * 0.62

    def half_width(self) -> float:
        return max(self.shoulder + self.head * 0.4, self.head_width * 0.9, self.head * 1.2) + self.head * 0.1

    def bounds(self, face_u: float, face_v: float, ppm: float) -> list[float]:
        """Frame-pixel bounds (u0, v0, u1, v1) of the figure drawn with its face at (u, v), ``ppm`` pixels per metre."""
        half = self.half_width()
        foot_v = face_v + self.face_height * ppm
        top = foot_v - (self.height + self.head * 0.5) * ppm
        return [face_u - half * ppm, top, face_u + half * ppm, foot_v + self.head * 0.08 * ppm]


def figure_for(character: Character, variant: str = "default") -> Figure:
    """Resolve a character's design and outfit variant into drawing proportions and colours."""
    design = character.design
    outfit = design.outfits.get(variant) or design.outfits.get("default") or (
        next(iter(design.outfits.values())) if design.outfits else Outfit(top="shirt")
    )
    pal = design.palette
    age = "child" if design.build == Build.CHILD else design.age if design.age in HEADS else "adult"
    return Figure(
        height=design.height,
        head=design.height / HEADS[age],
        skin=hex_rgb(pal.skin),
        hair=hex_rgb(pal.hair),
        eyes=hex_rgb(pal.eyes),
        top=hex_rgb(outfit.top_colour or pal.outfit),
        bottom=hex_rgb(outfit.bottom_colour or pal.outfit_secondary),
        accent=hex_rgb(outfit.accessory_colour or pal.accent),
        secondary=hex_rgb(pal.outfit_secondary),
        hair_style=HairStyle(design.hair_style),
        build=Build(design.build),
        eye_shape=design.eye_shape,
        gender=design.gender,
        age=age,
        top_kind=outfit.top.lower(),
        bottom_kind=outfit.bottom.lower(),
        accessory=(outfit.accessory or "").lower() or None,
        features=tuple(f.lower() for f in design.features),
    )

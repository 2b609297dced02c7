"""Project settings: the frame, the pace, the language and the limits every department obeys."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from .base import SCHEMA_VERSION, Record, SchemaVersion
from .pacing import SHOT_SECONDS_MAX, SHOT_SECONDS_MIN

# H.264 in 4:2:0 needs whole chroma samples, so even sides; past 4096 a side many players and hardware decoders refuse it.
FRAME_MIN = 64
FRAME_MAX = 4096


class Tier(StrEnum):
    """How much a task may cost: the offline draft models, or paid models at two levels of quality."""

    DRAFT = "draft"
    STANDARD = "standard"
    PREMIUM = "premium"


TIERS: tuple[str, ...] = tuple(tier.value for tier in Tier)
"""The tiers from cheapest to best: a tier's index is its rank."""


class Project(Record):
    """What mangaline.toml's [project] table holds."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    name: str
    language: str = Field(default="en", description="en, zh or ja")
    fps: int = Field(default=24, ge=1, le=120)
    width: int = Field(default=1080, ge=FRAME_MIN, le=FRAME_MAX, description="pixels, even")
    height: int = Field(default=1920, ge=FRAME_MIN, le=FRAME_MAX, description="pixels, even")
    style: str = "flat-manga"
    tier: Tier = Field(default=Tier.DRAFT, description="draft, standard or premium")
    budget: float = Field(default=0.0, ge=0, description="spend limit in the project's currency; 0 = offline only")
    currency: str = "USD"
    max_retakes: int = Field(default=2, ge=0, le=20)
    fallback: str = Field(
        default="none",
        description="when a paid model fails for good (down, key refused): 'draft' makes that shot with the draft models, flagged; 'none' stops it",
    )
    words_per_minute: float = Field(default=150.0, gt=20, lt=600, description="English speaking pace for planning")
    chars_per_second: float = Field(default=4.5, gt=0.5, lt=20, description="CJK speaking pace for planning")
    episode_seconds_min: float = Field(default=60.0, gt=0, description="shortest episode the prose breakdown aims for")
    episode_seconds_max: float = Field(default=120.0, gt=0, description="longest episode the prose breakdown cuts")
    max_shots_per_minute: float = Field(default=40.0, gt=0, description="pacing cap: the planner drops reaction shots above it")
    min_shot_seconds: float = Field(
        default=1.5, ge=SHOT_SECONDS_MIN, le=SHOT_SECONDS_MAX, description="no planned shot is shorter"
    )
    max_shot_seconds: float = Field(
        default=8.0, ge=SHOT_SECONDS_MIN, le=SHOT_SECONDS_MAX, description="no planned shot without dialogue is longer"
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("en", "zh", "ja"):
            raise ValueError(f"language {value!r} is not one of en, zh, ja")
        return value

    @model_validator(mode="after")
    def _pacing(self) -> Project:
        if self.episode_seconds_min > self.episode_seconds_max:
            raise ValueError(
                f"episode_seconds_min ({self.episode_seconds_min}) is over episode_seconds_max ({self.episode_seconds_max})"
            )
        if self.min_shot_seconds > self.max_shot_seconds:
            raise ValueError(f"min_shot_seconds ({self.min_shot_seconds}) is over max_shot_seconds ({self.max_shot_seconds})")
        return self

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError(f"{value} is odd; H.264 needs even frame sizes (try {value - 1} or {value + 1})")
        return value

    @field_validator("fallback")
    @classmethod
    def _fallback(cls, value: str) -> str:
        if value not in ("none", "draft"):
            raise ValueError(f"fallback {value!r} is not one of none, draft")
        return value

    @property
    def aspect(self) -> str:
        from math import gcd

        g = gcd(self.width, self.height)
        return f"{self.width // g}:{self.height // g}"

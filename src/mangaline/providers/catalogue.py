"""The model catalogue: models, capabilities, prices and limits read from catalogue.toml, and what a take costs."""

from __future__ import annotations

import math
import threading
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ConfigError, invalid_value, invalid_values
from ..model import TIERS, Tier
from .protocols import Modality, Usage

__all__ = [
    "CATALOGUE_OVERRIDE",
    "CATALOGUE_PATH",
    "Capabilities",
    "Catalogue",
    "ExchangeRates",
    "Limits",
    "ModelEntry",
    "Price",
    "Quote",
    "VoiceOption",
    "dimensions",
    "load_catalogue",
    "short_side",
    "project_catalogue",
]

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")
PriceUnit = Literal["free", "second", "image", "megapixel", "1k_characters", "1m_tokens", "credit"]

# short side in pixels for each resolution label the catalogue uses
_SHORT_SIDE = {"480p": 480, "540p": 540, "720p": 720, "768p": 768, "1080p": 1080, "2k": 1440, "4k": 2160}


def short_side(resolution: str) -> int:
    """The short side in pixels of a resolution label (720p -> 720)."""
    short = _SHORT_SIDE.get(resolution.lower())
    if short is None:
        raise ConfigError(f"unknown resolution {resolution!r}; known: {', '.join(_SHORT_SIDE)}")
    return short


def dimensions(resolution: str, aspect: str) -> tuple[int, int]:
    """Width and height for a resolution label and an aspect such as "9:16" (720p 9:16 -> 720x1280)."""
    short = _SHORT_SIDE.get(resolution.lower())
    if short is None:
        raise ConfigError(f"unknown resolution {resolution!r}; known: {', '.join(_SHORT_SIDE)}")
    try:
        a, b = (int(x) for x in aspect.split(":"))
    except ValueError:
        raise ConfigError(f"aspect {aspect!r} is not of the form W:H") from None
    # whole even pixels: video is 4:2:0, so 480p 9:16 is 480x854
    if a <= b:
        return short, 2 * round(short * b / a / 2)
    return 2 * round(short * a / b / 2), short


def _ratio(aspect: str) -> float:
    a, b = (float(x) for x in aspect.split(":"))
    return a / b


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Capabilities(_Frozen):
    """What a model can take and make; the router filters on these."""

    first_frame: bool = False
    first_last_frame: bool = False
    reference_images: int = Field(default=0, ge=0, description="most reference images one request takes")
    min_duration: float = 0.0
    max_duration: float = 0.0
    durations: list[float] = Field(default_factory=list, description="the only lengths it makes; empty: any in range")
    resolutions: list[str] = Field(default_factory=list)
    aspect_ratios: list[str] = Field(default_factory=list, description="'any' when the size is free")
    native_audio: bool = False
    languages: list[str] = Field(default_factory=list, description="empty: any")
    json_schema: bool = False
    vision: bool = Field(default=False, description="a text model that reads images in its messages (a QC judge)")
    output_fps: int = 24
    control_images: bool = Field(default=False, description="takes guide maps (depth, edges, pose) as control images")
    references_with_frames: bool = Field(
        default=False, description="takes reference images in the same request as a first (and last) frame"
    )
    own_videos_only: bool = Field(default=False, description="lip sync: only videos this provider made itself")
    reframe: bool = Field(
        default=False, description="takes a made clip as a reference video and makes the shot again in another frame"
    )

    def billed_seconds(self, seconds: float) -> float | None:
        """The length the model makes (and bills) for a clip of ``seconds``; None when it cannot."""
        if self.max_duration and seconds > self.max_duration + 1e-9:
            return None
        if self.durations:
            longer = [d for d in sorted(self.durations) if d >= seconds - 1e-9]
            return longer[0] if longer else None
        return max(seconds, self.min_duration)

    def makes_aspect(self, aspect: str) -> bool:
        return not self.aspect_ratios or "any" in self.aspect_ratios or aspect in self.aspect_ratios

    def resolution_for(self, needed: str) -> str | None:
        """The resolution it makes for a task that needs ``needed``: that one, else the smallest larger one (the edit
        scales every picture to the frame); None when it makes only smaller ones."""
        if not self.resolutions or needed in self.resolutions:
            return needed
        larger = [r for r in self.resolutions if short_side(r) >= short_side(needed)]
        return min(larger, key=short_side) if larger else None

    def cover_aspect(self, aspect: str, keep: float = 0.8) -> str | None:
        """The aspect this model makes whose centre crop to ``aspect`` keeps the most of the picture (at least ``keep``).

        An image can be made at 2:3 and cropped to 9:16 (84% kept); a clip cannot, its motion would be cut.
        """
        if self.makes_aspect(aspect):
            return aspect
        target = _ratio(aspect)
        kept = [(min(_ratio(a), target) / max(_ratio(a), target), a) for a in self.aspect_ratios]
        best = max(kept, default=(0.0, ""))
        return best[1] if best[0] >= keep else None


class Price(_Frozen):
    """A price in the provider's own unit and currency, with when and where it was read."""

    unit: PriceUnit
    amount: float = Field(ge=0, description="per unit; for 1m_tokens text: per million input tokens")
    currency: str = "USD"
    read_on: date
    source: str
    output_amount: float | None = Field(default=None, ge=0, description="1m_tokens text: per million output tokens")
    input_amount: float | None = Field(default=None, ge=0, description="megapixel: per input megapixel")
    credits_per_second: float | None = Field(default=None, gt=0)
    credits_per_image: float | None = Field(default=None, gt=0)
    note: str = ""

    @model_validator(mode="after")
    def _credits(self) -> Price:
        if self.unit == "credit" and self.credits_per_second is None and self.credits_per_image is None:
            raise ValueError("a credit price needs credits_per_second or credits_per_image")
        return self

    def describe(self) -> str:
        if self.unit == "free":
            return "free"
        unit = {"1m_tokens": "M tokens", "1k_characters": "1k chars"}.get(self.unit, self.unit)
        text = f"{self.amount:g} {self.currency}/{unit}"
        if self.output_amount is not None:
            text += f" in, {self.output_amount:g} out"
        if self.input_amount is not None:
            text += f" (+{self.input_amount:g}/input MP)"
        return text


class VoiceOption(_Frozen):
    """One voice a speech model offers, so the design can cast each character once and keep it."""

    id: str
    gender: Literal["female", "male", "any"] = "any"
    languages: list[str] = Field(default_factory=list, description="empty: every language the model speaks")


class Limits(_Frozen):
    concurrency: int = Field(default=4, ge=1)
    requests_per_minute: int | None = Field(default=None, ge=1)


class ModelEntry(_Frozen):
    """One model the router may pick."""

    id: str
    provider: str
    modality: Modality
    tiers: list[Tier]
    quality: float = Field(ge=0, le=1, description="editorial ranking used by the budget downgrade")
    capabilities: Capabilities = Capabilities()
    price: Price
    limits: Limits = Limits()
    voices: list[VoiceOption] = Field(default_factory=list, description="speech: the voices it offers")

    @property
    def free(self) -> bool:
        return self.price.unit == "free" or self.price.amount == 0


class ExchangeRates(_Frozen):
    read_on: date
    source: str
    usd_per_unit: dict[str, float]


@dataclass(frozen=True)
class Quote:
    """What one take costs: the quantity in the provider's unit, the cost in the asked currency, and how."""

    quantity: float
    unit: str
    cost: float
    currency: str
    formula: str


class Catalogue(_Frozen):
    """Every model with its price and limits, plus the exchange rates prices are converted with."""

    schema_version: int = 1
    exchange_rates: ExchangeRates
    models: list[ModelEntry]

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        seen: set[str] = set()
        for entry in self.models:
            if entry.id in seen:
                raise ValueError(f"model {entry.id!r} is listed twice")
            seen.add(entry.id)
            if entry.price.currency not in self.exchange_rates.usd_per_unit:
                raise ValueError(f"model {entry.id!r} is priced in {entry.price.currency}, which has no exchange rate")
        return self

    def model(self, model_id: str) -> ModelEntry:
        for entry in self.models:
            if entry.id == model_id:
                return entry
        raise ConfigError(f"model {model_id!r} is not in the catalogue", hint="`mangaline models DIR` lists them")

    def of(self, modality: Modality | str) -> list[ModelEntry]:
        return [m for m in self.models if m.modality == Modality(modality)]

    def convert(self, amount: float, source: str, target: str) -> float:
        rates = self.exchange_rates.usd_per_unit
        for code in (source, target):
            if code not in rates:
                raise ConfigError(
                    f"no exchange rate for {code} in the catalogue (read {self.exchange_rates.read_on})",
                    hint="add it to [exchange_rates] usd_per_unit",
                )
        return amount if source == target else amount * rates[source] / rates[target]

    def quote(
        self,
        model: ModelEntry | str,
        *,
        currency: str = "USD",
        seconds: float = 0.0,
        width: int = 0,
        height: int = 0,
        images: int = 1,
        characters: int = 0,
        input_tokens: int = 0,
        output_tokens: int = 0,
        input_megapixels: float = 0.0,
    ) -> Quote:
        """The cost of one take in ``currency``, from the catalogue price (before any usage is known)."""
        entry = self.model(model) if isinstance(model, str) else model
        price = entry.price
        fps = entry.capabilities.output_fps
        if price.unit == "free":
            return Quote(0.0, "free", 0.0, currency, "built-in: free")
        if price.unit == "second":
            quantity, formula = seconds, f"{seconds:g} s x {price.amount:g} {price.currency}/s"
            native = seconds * price.amount
        elif price.unit == "image":
            quantity, formula = float(images), f"{images} image(s) x {price.amount:g} {price.currency}"
            native = images * price.amount
        elif price.unit == "megapixel":
            out_mp = images * width * height / 1_000_000
            quantity = out_mp
            native = out_mp * price.amount + input_megapixels * (price.input_amount or 0.0)
            formula = f"{out_mp:.2f} MP x {price.amount:g}"
            if input_megapixels and price.input_amount:
                formula += f" + {input_megapixels:.2f} input MP x {price.input_amount:g}"
            formula += f" {price.currency}"
        elif price.unit == "1k_characters":
            quantity = float(characters)
            native = characters / 1000 * price.amount
            formula = f"{characters} chars / 1000 x {price.amount:g} {price.currency}"
        elif price.unit == "1m_tokens":
            if entry.modality == Modality.VIDEO:
                # Seedance bills tokens = seconds * W * H * fps / 1024 (providers.md, stated as official)
                tokens = math.ceil(seconds * width * height * fps / 1024)
                native = tokens / 1_000_000 * price.amount
                formula = f"{seconds:g} s x {width}x{height} x {fps} fps / 1024 = {tokens} tokens x {price.amount:g} {price.currency}/M"
            else:
                tokens = input_tokens + output_tokens
                out_rate = price.output_amount if price.output_amount is not None else price.amount
                native = (input_tokens * price.amount + output_tokens * out_rate) / 1_000_000
                formula = f"{input_tokens} in x {price.amount:g} + {output_tokens} out x {out_rate:g} {price.currency}/M"
            quantity = float(tokens)
        else:  # credit
            if price.credits_per_second is not None:
                credits = seconds * price.credits_per_second
                formula = f"{seconds:g} s x {price.credits_per_second:g} credits/s x {price.amount:g} {price.currency}"
            else:
                credits = images * (price.credits_per_image or 0.0)
                formula = f"{images} image(s) x {price.credits_per_image:g} credits x {price.amount:g} {price.currency}"
            quantity, native = credits, credits * price.amount
        cost = self.convert(native, price.currency, currency)
        if price.currency != currency:
            formula += f" -> {cost:.4f} {currency}"
        return Quote(quantity, price.unit, cost, currency, formula)

    def usage_cost(self, model: ModelEntry | str, usage: Usage, currency: str = "USD") -> float:
        """Turn the provider's own usage figure into a cost: its stated cost if it gave one, else price x quantity."""
        entry = self.model(model) if isinstance(model, str) else model
        if usage.cost is not None:
            return self.convert(usage.cost, usage.currency or entry.price.currency, currency)
        price = entry.price
        per_unit = {
            "1m_tokens": price.amount / 1_000_000,
            "1k_characters": price.amount / 1000,
            "credit": price.amount,
        }.get(price.unit, price.amount)
        if price.unit == "1m_tokens" and entry.modality == Modality.TEXT and price.output_amount is not None:
            # text usage without an in/out split is billed at the output rate: the dearer, so never under-counted
            per_unit = price.output_amount / 1_000_000
        if price.unit == "free":
            per_unit = 0.0
        return self.convert(usage.quantity * per_unit, price.currency, currency)


CATALOGUE_OVERRIDE = "catalogue.toml"
"""A project's own catalogue entries (DIR/catalogue.toml), merged over the built-in catalogue by model id."""

_catalogue_lock = threading.Lock()
_catalogues: dict[tuple[str, float], Catalogue] = {}


def project_catalogue(root: Path | None) -> Catalogue:
    """The built-in catalogue with DIR/catalogue.toml merged over it; errors name the file and the entry."""
    if root is None:
        return load_catalogue()
    path = Path(root) / CATALOGUE_OVERRIDE
    if not path.is_file():
        return load_catalogue()
    stamp = (str(path.resolve()), path.stat().st_mtime)
    with _catalogue_lock:
        if stamp in _catalogues:
            return _catalogues[stamp]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    base = load_catalogue().model_dump(mode="json")
    models = {entry["id"]: entry for entry in base["models"]}
    for index, entry in enumerate(raw.get("models", [])):
        if not isinstance(entry, dict) or "id" not in entry:
            raise ConfigError(f"{path}: [[models]] #{index + 1} has no id")
        models[entry["id"]] = entry
    rates = base["exchange_rates"]
    if "exchange_rates" in raw:
        rates = {**rates, **raw["exchange_rates"], "usd_per_unit": {**rates["usd_per_unit"], **raw["exchange_rates"].get("usd_per_unit", {})}}
    try:
        catalogue = Catalogue.model_validate({"schema_version": base["schema_version"], "exchange_rates": rates, "models": list(models.values())})
    except ValidationError as err:
        problems = invalid_values(err, limit=10)
        raise ConfigError(f"{path}: {problems}", hint="each [[models]] table needs the fields of providers/catalogue.toml") from None
    with _catalogue_lock:
        _catalogues[stamp] = catalogue
    return catalogue


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate a catalogue file (the bundled one by default); errors name the file and the entry."""
    path = Path(path) if path is not None else CATALOGUE_PATH
    if path == CATALOGUE_PATH:
        return _bundled()
    return _read(path)


@lru_cache(maxsize=1)
def _bundled() -> Catalogue:
    return _read(CATALOGUE_PATH)


def _read(path: Path) -> Catalogue:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: catalogue not found") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as err:
        problems = []
        for e in err.errors(include_url=False):
            loc = list(e["loc"])
            if len(loc) >= 2 and loc[0] == "models" and isinstance(loc[1], int):
                models = raw.get("models", [])
                name = models[loc[1]].get("id", f"#{loc[1]}") if loc[1] < len(models) else f"#{loc[1]}"
                loc = [f"models[{name}]", *loc[2:]]
            problems.append(f"[{'.'.join(str(p) for p in loc)}] {invalid_value(e)[1]}")
        raise ConfigError(f"{path}: {'; '.join(problems)}") from None

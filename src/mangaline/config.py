"""Typed, frozen project settings read from mangaline.toml."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .model import Project

TIERS = ("draft", "standard", "premium")

__all__ = [
    "BuildSettings",
    "LlmSettings",
    "ProviderSettings",
    "RoutingSettings",
    "Settings",
    "load_settings",
    "write_settings",
]


class BuildSettings(BaseModel):
    """How the local executor runs a build."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workers: int = Field(default=2, ge=1, le=64, description="processes for rendering")


class LlmSettings(BaseModel):
    """The language model that breaks prose down: any OpenAI-compatible chat-completions endpoint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(description="the endpoint, e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1")
    model: str = Field(description="the model id the endpoint knows")
    api_key_env: str = Field(
        default="OPENAI_API_KEY",
        description="environment variable holding the key (never the key itself); empty for a local server with none",
    )
    provider: str = Field(default="openai_compat", description="the name errors and the ledger give this endpoint")
    json_schema: bool = Field(default=False, description="the endpoint supports strict structured outputs")
    json_object: bool = Field(default=True, description="the endpoint supports JSON mode (response_format json_object)")
    thinking: Literal["enabled", "disabled"] | None = Field(
        default=None, description="send thinking={type: ...} for models with a reasoning switch"
    )
    temperature: float | None = Field(default=None, ge=0, le=2, description="sampling temperature; unset: the model's own")
    max_tokens: int | None = Field(default=None, ge=1, description="cap on the tokens of one reply")
    max_chunk_chars: int = Field(default=6000, ge=200, description="characters of story per request")
    overlap_chars: int = Field(default=500, ge=0, description="characters repeated between chunks for context")
    max_calls: int = Field(default=40, ge=1, description="hard cap on requests for one breakdown")
    max_retries: int = Field(default=3, ge=0, le=10, description="retries of one request on 429, 5xx or timeouts")
    backoff: float = Field(default=1.0, ge=0, description="first wait in seconds before retrying a 5xx; doubles")
    max_retry_wait: float = Field(default=60.0, ge=0, description="longest Retry-After honoured, in seconds")
    timeout: float = Field(default=120.0, gt=0, description="seconds to wait for one reply")


class ProviderSettings(BaseModel):
    """One [providers.<id>] table: where the provider lives and which variable holds its key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = Field(default=None, description="the API root; unset: the provider's documented default")
    api_key_env: str = Field(
        default="", description="environment variable holding the key (never the key itself); empty for none"
    )
    enabled: bool = Field(default=True, description="false keeps the router away from this provider's models")
    concurrency: int | None = Field(default=None, ge=1, description="jobs in flight at once; unset: the catalogue's")
    requests_per_minute: int | None = Field(default=None, ge=1, description="request rate; unset: the catalogue's")
    timeout: float = Field(default=120.0, gt=0, description="seconds to wait for one call")
    options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="provider-specific settings (region, app id, cluster ...)"
    )

    def api_key(self) -> str | None:
        """The key, read from the environment at call time so it is never stored or written."""
        if not self.api_key_env:
            return None
        return os.environ.get(self.api_key_env) or None


class RoutingSettings(BaseModel):
    """How the router spends: per-episode budget, per-shot tiers, the prior on pass rates, failover."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    episode_budget: float = Field(default=0.0, ge=0, description="spend limit per episode; 0 = only the project budget")
    shot_tiers: dict[str, str] = Field(
        default_factory=dict, description="tier per shot code or shot kind, e.g. {establishing = 'draft'}"
    )
    prior_passes: float = Field(default=4.0, gt=0, description="Beta prior on a model's QC pass rate: passes")
    prior_failures: float = Field(default=1.0, gt=0, description="Beta prior on a model's QC pass rate: failures")
    failover_after: int = Field(default=3, ge=1, description="consecutive failures before the next model takes over")
    downgrade_floor: str = Field(
        default="standard", description="the lowest tier a budget downgrade may fall to (draft, standard, premium)"
    )
    poll_seconds: float = Field(
        default=2.0, gt=0, le=600, description="first wait between polls of a remote video job; grows as the job ages"
    )
    stills: list[str] = Field(
        default_factory=lambda: ["establishing"],
        description="shot kinds whose clip is a still with a camera move over the painted keyframe, even at a paid tier",
    )
    clip_resolution: dict[str, str] = Field(
        default_factory=lambda: {"standard": "480p", "premium": "720p"},
        description="the resolution paid clips are made at, per tier; the edit scales every clip to the frame",
    )

    @field_validator("shot_tiers")
    @classmethod
    def _tiers(cls, value: dict[str, str]) -> dict[str, str]:
        for key, tier in value.items():
            if tier not in TIERS:
                raise ValueError(f"shot_tiers.{key}: {tier!r} is not one of {', '.join(TIERS)}")
        return value

    @field_validator("clip_resolution")
    @classmethod
    def _resolution(cls, value: dict[str, str]) -> dict[str, str]:
        for tier, resolution in value.items():
            if tier not in TIERS or resolution not in ("480p", "540p", "720p", "768p", "1080p"):
                raise ValueError(f"clip_resolution.{tier}: {resolution!r} is not one of 480p, 540p, 720p, 768p, 1080p "
                                 f"for a tier ({', '.join(TIERS)})")
        return value

    @field_validator("downgrade_floor")
    @classmethod
    def _floor(cls, value: str) -> str:
        if value not in TIERS:
            raise ValueError(f"downgrade_floor {value!r} is not one of {', '.join(TIERS)}")
        return value


class Settings(BaseModel):
    """Everything mangaline.toml holds; saved beside what it produced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: Project
    build: BuildSettings = BuildSettings()
    llm: LlmSettings | None = None
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    routing: RoutingSettings = RoutingSettings()


def load_settings(path: Path) -> Settings:
    """Read and validate mangaline.toml; any problem names the file and the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found", hint="create a project with `mangaline new DIR --from FILE`") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not UTF-8 text ({err.reason})") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    try:
        return Settings.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(
            f"[{'.'.join(str(p) for p in e['loc'])}] {e['msg']}" for e in err.errors(include_url=False)
        )
        raise ConfigError(f"{path}: {problems}") from None


def write_settings(path: Path, settings: Settings) -> None:
    """Write mangaline.toml with a comment on every key, keeping a person's edits when it exists."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    if not path.exists():
        doc.add(tomlkit.comment("mangaline project settings; edit freely, `mangaline build` reads them."))
    tables: list[tuple[str, BaseModel]] = [("project", settings.project), ("build", settings.build)]
    if settings.llm is not None:
        tables.append(("llm", settings.llm))
    for table_name, model in tables:
        table = doc.get(table_name)
        if table is None:
            table = tomlkit.table()
            doc[table_name] = table
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if value is None:
                # TOML has no null: an unset key is left out, and every nullable setting defaults to None
                table.pop(name, None)
                continue
            if name in table:
                table[name] = value
                continue
            table[name] = value
            if field.description:
                # item(), not [name]: tomlkit hands plain Python values back for booleans
                table.item(name).comment(field.description)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(path)

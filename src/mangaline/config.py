"""Typed, frozen project settings read from mangaline.toml."""

from __future__ import annotations

import os
import re
import tomllib
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .atomic import write_text_atomic
from .errors import ConfigError, invalid_value
from .model import TIERS, Project
from .userdirs import user_cache

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_KEY = re.compile(r"(^|_)(api_?key|key|secret|token|password|passwd|credentials?)$", re.IGNORECASE)
"""Keys that would hold a secret itself; a secret lives in the environment and the file names its variable."""

__all__ = [
    "ENVIRONMENT_OVERRIDES",
    "BuildSettings",
    "JudgeSettings",
    "LlmSettings",
    "ProviderSettings",
    "QcSettings",
    "RoutingSettings",
    "Settings",
    "SoundSettings",
    "StateSettings",
    "StorageSettings",
    "load_settings",
    "user_cache",
    "write_settings",
]

ENVIRONMENT_OVERRIDES = {
    "MANGALINE_STATE_URL": ("state", "url"),
    "MANGALINE_STORAGE_URL": ("storage", "url"),
    "MANGALINE_STORAGE_ENDPOINT": ("storage", "endpoint_url"),
    "MANGALINE_EXECUTOR": ("build", "executor"),
    "MANGALINE_RAY_ADDRESS": ("build", "ray_address"),
}
"""Environment variables that replace a key of mangaline.toml for one process: operations point a project
at another server or cluster without editing the file. Unlike the file, MANGALINE_STATE_URL may carry a
password."""

_URL_SCHEMES = {
    ("state", "url"): (("postgresql", "postgres", "postgresql+psycopg"), "a postgresql://user@host:port/db URL"),
    ("storage", "url"): (("s3",), "an s3://bucket/prefix URL"),
    ("storage", "endpoint_url"): (("http", "https"), "an http:// or https:// URL"),
}
_URL_CREDENTIALS = {
    "state": "put it in PGPASSWORD or ~/.pgpass (libpq reads both), or give the whole URL in MANGALINE_STATE_URL",
    "storage": "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (or use ~/.aws/credentials)",
}


class BuildSettings(BaseModel):
    """Where and how wide a build runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workers: int = Field(default=2, ge=1, le=64, description="processes for rendering (a private Ray: its CPUs)")
    executor: Literal["local", "ray"] = Field(
        default="local", description="local: processes on this machine; ray: Ray tasks (pip install 'mangaline[cluster]')"
    )
    ray_address: str | None = Field(
        default=None,
        description="an existing Ray cluster (ray://head:10001, or auto); unset: a private Ray on this machine",
    )


class StateSettings(BaseModel):
    """Where the state database (runs, takes, the journal, the ledger) lives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = Field(
        default=None,
        description="the state database: unset = DIR/.mangaline/state.db (SQLite); postgresql://user@host:port/db "
        "for a server every worker reaches, one database per project (its password in PGPASSWORD or ~/.pgpass)",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _check_url(value, ("state", "url"))


class StorageSettings(BaseModel):
    """Where the content-addressed objects (every take's files) live."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = Field(
        default=None,
        description="where content-addressed objects live: unset = DIR/.mangaline/objects; "
        "s3://bucket/prefix for an S3-compatible store",
    )
    endpoint_url: str | None = Field(
        default=None, description="the S3 API of a server other than AWS (MinIO, Ceph ...), e.g. http://minio:9000"
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _check_url(value, ("storage", "url"))

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return _check_url(value, ("storage", "endpoint_url"))


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

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return _check_env_name(value)
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

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return _check_env_name(value)

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


class JudgeSettings(BaseModel):
    """[qc.judge]: a vision model asked about each model take (prompt adherence, anatomy, artefacts).

    ``model`` is a text model of the catalogue that reads images (``vision = true``), reached through its
    provider's table in [providers] like every paid model: its key, its price in the ledger, its limits.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(description="a catalogue text model that reads images, e.g. gpt-4o-mini")
    threshold: float = Field(default=0.6, ge=0, le=1, description="the judge's score under which a take fails")
    frames: int = Field(default=3, ge=1, le=8, description="frames of a clip shown to the judge")
    detail: Literal["low", "high", "auto"] = Field(
        default="low", description="the image detail asked for: low is a fixed small price per frame")
    width: int = Field(default=512, ge=64, le=2048, description="px a frame is scaled to before it is sent")


class QcSettings(BaseModel):
    """[qc]: how takes are judged, and how many are bought to choose from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    best_of: int = Field(
        default=1, ge=1, le=8,
        description="takes bought per paid shot while the budget allows, the best kept (1: the first that passes)",
    )
    checks: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="per check: [qc.checks.<name>] threshold = 0..1, enabled = false, and the check's own options",
    )
    judge: JudgeSettings | None = None

    @field_validator("checks")
    @classmethod
    def _check_tables(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, table in value.items():
            if "threshold" in table and not (
                isinstance(table["threshold"], (int, float)) and not isinstance(table["threshold"], bool)
                and 0 <= table["threshold"] <= 1
            ):
                raise ValueError(f"checks.{name}.threshold must be a number from 0 to 1, not {table['threshold']!r}")
            if "enabled" in table and not isinstance(table["enabled"], bool):
                raise ValueError(f"checks.{name}.enabled must be true or false, not {table['enabled']!r}")
        return value


class SoundSettings(BaseModel):
    """[sound]: where music and effects come from, and how loud the episode is delivered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    library: str | None = Field(
        default=None,
        description="a folder of your own audio files (music/tense_night.wav, door-slam.ogg ...), matched by name; "
        "relative to the project; unset: music and effects are made offline",
    )
    loudness: float = Field(
        default=-14.0, ge=-31.0, le=-9.0,
        description="integrated loudness of the episode's mix in LUFS (EBU R128): -14 for short-video platforms, -23 for broadcast",
    )


class Settings(BaseModel):
    """Everything mangaline.toml holds; saved beside what it produced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: Project
    build: BuildSettings = BuildSettings()
    llm: LlmSettings | None = None
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    routing: RoutingSettings = RoutingSettings()
    state: StateSettings = StateSettings()
    storage: StorageSettings = StorageSettings()
    qc: QcSettings = QcSettings()
    sound: SoundSettings = SoundSettings()


def _check_url(value: str | None, key: tuple[str, str], *, credentials: bool = False) -> str | None:
    """A URL setting as its key takes it; never echoed, since what was written may hold a password."""
    if value is None:
        return None
    schemes, shape = _URL_SCHEMES[key]
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise ValueError(f"is not {shape}" + (f" (it starts {parts.scheme}://)" if parts.scheme else ""))
    if not credentials and _credentials_in(value):
        raise ValueError(f"holds a password: passwords never go in files; {_URL_CREDENTIALS[key[0]]}")
    return value


def _credentials_in(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.password) or "password" in parse_qs(parts.query)


def _check_env_name(value: str) -> str:
    if value and not _ENV_NAME.match(value):
        # never echoed: what was written here may be the key itself
        raise ValueError("names an environment variable (like OPENAI_API_KEY), not the key itself; "
                         "keys never go in files")
    return value


def load_settings(path: Path) -> Settings:
    """Read and validate mangaline.toml; any problem names the file, its line, the table and the key.

    Refused besides bad values: keys no table has, a [providers.<id>] table for a provider that is not
    installed (the known ones are listed), and a secret written into the file (``api_key = ...``): keys
    never go in files, ``api_key_env`` names the environment variable that holds one; nor do passwords in
    a URL (``[state] url``), which libpq reads from PGPASSWORD or ~/.pgpass.

    Then the ENVIRONMENT_OVERRIDES set in the environment replace the file's values.
    """
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found", hint="create a project with `mangaline new DIR --from FILE`") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not UTF-8 text ({err.reason})") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    problems = list(_secrets(raw)) + list(_unknown_providers(raw)) + list(_url_credentials(raw))
    if not problems:
        try:
            return _overridden(Settings.model_validate(raw))
        except ValidationError as err:
            problems = [_problem(e) for e in err.errors(include_url=False)]
    lines = _key_lines(text)
    said = [(f"{path}:{_line_of(lines, loc)}" if _line_of(lines, loc) else str(path), what, hint)
            for loc, what, hint in problems]
    if len(said) == 1:
        where, what, hint = said[0]
        raise ConfigError(f"{where}: {what}", hint=hint)
    raise ConfigError("; ".join(f"{where}: {what}" + (f" ({hint})" if hint else "") for where, what, hint in said))


_Problem = tuple[tuple[str | int, ...], str, str | None]
"""Where in the document (table and key), what is wrong, and what to do."""


def _secrets(raw: dict[str, Any], at: tuple[str, ...] = ()) -> Iterator[_Problem]:
    for key, value in raw.items():
        if isinstance(value, dict):
            yield from _secrets(value, at + (key,))
        elif _SECRET_KEY.search(key) and not key.lower().endswith("_env"):
            variable = "api_key_env" if key.lower() in ("api_key", "apikey", "key", "token") else f"{key}_env"
            name = at[1] if len(at) > 1 and at[0] == "providers" else (at[0] if at else "provider")
            suggested = re.sub(r"[^A-Z0-9_]", "_", f"{name}_{'API_KEY' if variable == 'api_key_env' else key}".upper())
            yield (
                at + (key,),
                f"{_table(at)}{key} holds a secret in the file: keys never go in files",
                f'remove it, write {variable} = "{suggested}" in its place and set {suggested} in the environment',
            )


def _url_credentials(raw: dict[str, Any]) -> Iterator[_Problem]:
    for table, key in _URL_SCHEMES:
        value = raw.get(table, {}).get(key) if isinstance(raw.get(table), dict) else None
        if isinstance(value, str) and _credentials_in(value):
            yield (
                (table, key),
                f"[{table}] {key} holds a password: passwords never go in files",
                f"remove it from the URL and {_URL_CREDENTIALS[table]}",
            )


def _overridden(settings: Settings) -> Settings:
    """``settings`` with each of the ENVIRONMENT_OVERRIDES that is set in its place; the one place they are read."""
    for variable, (table, key) in ENVIRONMENT_OVERRIDES.items():
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        section = getattr(settings, table)
        try:
            if (table, key) in _URL_SCHEMES:
                _check_url(value, (table, key), credentials=True)
            else:
                type(section).model_validate({**section.model_dump(), key: value})
        except (ValueError, ValidationError) as err:
            reason = err.errors()[0]["msg"] if isinstance(err, ValidationError) else str(err)
            raise ConfigError(f"{variable} {reason}", hint=f"unset it to use [{table}] {key} of mangaline.toml") from None
        section = section.model_copy(update={key: value})
        settings = settings.model_copy(update={table: section})
    return settings


def _unknown_providers(raw: dict[str, Any]) -> Iterator[_Problem]:
    providers = raw.get("providers")
    if not isinstance(providers, dict):
        return
    from .providers.registry import available  # the registry reads this module: imported when needed

    known = available()
    for name in providers:
        if name not in known:
            yield (
                ("providers", name),
                f"[providers.{name}] names no provider installed here",
                f"known providers: {', '.join(known)}; a plugin's provider needs its package installed",
            )


def _problem(error: Any) -> _Problem:
    loc = tuple(error["loc"])
    at, key = tuple(str(p) for p in loc[:-1]), loc[-1] if loc else ""
    if error["type"] == "extra_forbidden":
        known = _known_keys(at)
        return loc, f"{_table(at)}unknown key {key!r}", f"known keys: {', '.join(known)}" if known else None
    if error["type"] == "missing":
        return loc, f"{_table(at)}{key} is missing", None
    # never the value of api_key_env (a pasted key would be printed back), nor a URL's (it may hold a password)
    _field, what = invalid_value(error, show_input=key not in ("api_key_env", "url", "endpoint_url"))
    return loc, f"{_table(at)}{key}: {what}", None


def _table(at: tuple[str, ...]) -> str:
    return f"[{'.'.join(at)}] " if at else ""


def _known_keys(at: tuple[str, ...]) -> list[str]:
    """The keys the table at ``at`` may hold, found by walking the settings models."""
    model: Any = Settings
    parts = list(at)
    while parts:
        field = model.model_fields.get(parts.pop(0)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        kind = _unwrap(field.annotation)
        if typing.get_origin(kind) is dict:
            if not parts:
                return []
            parts.pop(0)  # the table's own name: [providers.<id>]
            kind = _unwrap(typing.get_args(kind)[1])
        model = kind
    return sorted(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _unwrap(kind: Any) -> Any:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kinds = [k for k in typing.get_args(kind) if k is not type(None)]
        return kinds[0] if len(kinds) == 1 else kind
    return kind


_KEY_PART = re.compile(r"""\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*""")


def _dotted(text: str, start: int = 0) -> tuple[tuple[str, ...], int] | None:
    """A TOML key (bare, quoted or dotted) at ``start``, and where it ends."""
    parts: list[str] = []
    at = start
    while True:
        match = _KEY_PART.match(text, at)
        if match is None or match.end() == at:
            return None
        parts.append(next(g for g in match.groups() if g is not None))
        at = match.end()
        if text[at:at + 1] != ".":
            return tuple(parts), at
        at += 1


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line of every table header and key in the document (tomllib keeps no positions)."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        stripped = line.strip()
        if stripped.startswith("["):
            header = _dotted(stripped, 2 if stripped.startswith("[[") else 1)
            if header is not None:
                table = header[0]
                found.setdefault(table, number)
            continue
        key = _dotted(line)
        if key is None or line[key[1]:key[1] + 1] != "=":
            continue
        for end in range(1, len(key[0]) + 1):  # a dotted key spells out its tables too
            found.setdefault(table + key[0][:end], number)
        rest = line[key[1] + 1:]
        for quotes in ('"""', "'''"):
            if rest.count(quotes) % 2 == 1:
                in_string = quotes
    return found


def _line_of(lines: dict[tuple[str, ...], int], loc: tuple[str | int, ...]) -> int | None:
    """The line of the longest part of ``loc`` the document spells out: the key, else its table."""
    parts = tuple(str(p) for p in loc)
    for end in range(len(parts), 0, -1):
        if parts[:end] in lines:
            return lines[parts[:end]]
    return None


def write_settings(path: Path, settings: Settings) -> None:
    """Write mangaline.toml with a comment on every key, keeping a person's edits when it exists."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    if not path.exists():
        doc.add(tomlkit.comment("mangaline project settings; edit freely, `mangaline build` reads them."))
    tables: list[tuple[str, BaseModel]] = [("project", settings.project), ("build", settings.build)]
    if settings.llm is not None:
        tables.append(("llm", settings.llm))
    # written once set: a project keeps its state and objects in its own folder unless told otherwise
    tables += [(name, model) for name, model in (("state", settings.state), ("storage", settings.storage))
               if model != type(model)()]
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
            if (table_name, name) in _URL_SCHEMES and _credentials_in(value):
                # only MANGALINE_STATE_URL may carry one, and it is never written down
                raise ConfigError(f"{path}: [{table_name}] {name} holds a password, which never goes in files")
            if name in table:
                table[name] = value
                continue
            table[name] = value
            if field.description:
                # item(), not [name]: tomlkit hands plain Python values back for booleans
                table.item(name).comment(field.description)
    write_text_atomic(path, tomlkit.dumps(doc))

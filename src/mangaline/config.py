"""Typed, frozen project settings read from mangaline.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError
from .model import Project

__all__ = ["BuildSettings", "Settings", "load_settings", "write_settings"]


class BuildSettings(BaseModel):
    """How the local executor runs a build."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workers: int = Field(default=2, ge=1, le=64, description="processes for rendering")


class Settings(BaseModel):
    """Everything mangaline.toml holds; saved beside what it produced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: Project
    build: BuildSettings = BuildSettings()


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
    for table_name, model in (("project", settings.project), ("build", settings.build)):
        table = doc.get(table_name)
        if table is None:
            table = tomlkit.table()
            doc[table_name] = table
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if name in table:
                table[name] = value
                continue
            table[name] = value
            if field.description:
                table[name].comment(field.description)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(path)

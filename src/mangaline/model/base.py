"""The base class of every production-model record, the schema version, and the rule for ids that name files."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

__all__ = [
    "ID_MAX_BYTES",
    "ID_MAX_CHARS",
    "SCHEMA_VERSION",
    "Record",
    "SafeId",
    "SchemaVersion",
    "id_problem",
    "slug_id",
]

SCHEMA_VERSION = 1

# An id becomes a file name with a suffix and, while it is written, a temporary prefix and suffix
# (".ep01.yaml.x1y2z3.tmp"): 200 bytes leaves room under the 255 bytes every file system allows.
ID_MAX_CHARS = 100
ID_MAX_BYTES = 200

# Names Windows keeps for devices, with or without an extension: "con.yaml" cannot be made there.
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(10))})

# Derived ids stay well under the limit, so a suffix ("_2") or a composite name ("char-june-mouth.png") still fits.
_SLUG_MAX_CHARS = 48
_SLUG_MAX_BYTES = 96


def _allowed(char: str, first: bool) -> bool:
    category = unicodedata.category(char)[0]
    if first:
        return category in "LN"
    return category in "LNM" or char in "_-."


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be the name of a file on Linux, macOS and Windows, or None when it can.

    Letters and digits of any script (林月, ミカ) are allowed, with ``_ - .`` after the first
    character: so no separators, no ``.`` or ``..``, no control characters, no hidden files.
    """
    if not value:
        return "is empty"
    if len(value) > ID_MAX_CHARS or len(value.encode("utf-8")) > ID_MAX_BYTES:
        return f"is longer than {ID_MAX_CHARS} characters ({ID_MAX_BYTES} bytes of UTF-8)"
    if not _allowed(value[0], first=True):
        return f"starts with {_shown(value[0])}; an id starts with a letter or a digit"
    bad = next((char for char in value if not _allowed(char, first=False)), None)
    if bad is not None:
        return f"holds {_shown(bad)}; an id holds letters, digits and _ - . only"
    if value.endswith("."):
        return "ends with a dot"
    if value.split(".", 1)[0].upper() in _RESERVED:
        return "is a device name on Windows"
    return None


def _shown(char: str) -> str:
    if unicodedata.category(char)[0] in "CZ":
        return f"the character U+{ord(char):04X}"
    return repr(char)


def _safe_id(value: str) -> str:
    problem = id_problem(value)
    if problem is not None:
        raise PydanticCustomError("unsafe_id", "id {value} cannot name a file: it {problem}", {"value": repr(value), "problem": problem})
    return value


SafeId = Annotated[str, AfterValidator(_safe_id)]
"""An id that becomes a file name (an episode, scene, shot, line, character, location, prop or take)."""


def _known_version(value: int) -> int:
    if value > SCHEMA_VERSION:
        raise PydanticCustomError(
            "schema_version_newer",
            "schema_version {found} is newer than this mangaline reads (version {known})",
            {"found": value, "known": SCHEMA_VERSION},
        )
    if value < 1:
        raise PydanticCustomError("schema_version", "schema_version {found} is not a version (they start at 1)", {"found": value})
    return value


SchemaVersion = Annotated[int, AfterValidator(_known_version)]
"""The version of the model a file was written with; a newer one than this code knows is refused, not guessed at."""


def slug_id(name: str, *, fallback: str = "unnamed") -> str:
    """A safe id from any name: its letters and digits, lower-case, joined by ``_`` ("Mr. Li" -> "mr_li").

    A name with no letters or digits ("...", "?"), a long one or one Windows reserves keeps
    a short digest of the name, so two different names never share an id.
    """
    parts: list[str] = []
    for char in name.strip().lower():
        category = unicodedata.category(char)[0]
        if category in "LN" or (category == "M" and parts and parts[-1] != "_"):
            parts.append(char)
        elif parts and parts[-1] != "_":
            parts.append("_")
    slug = "".join(parts).strip("_")
    digest = hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:8]
    if not slug:
        return f"{fallback}_{digest}"
    if len(slug) > _SLUG_MAX_CHARS or len(slug.encode("utf-8")) > _SLUG_MAX_BYTES:
        cut = slug[: _SLUG_MAX_CHARS - 9]
        while len(cut.encode("utf-8")) > _SLUG_MAX_BYTES - 9:
            cut = cut[:-1]
        return f"{cut.rstrip('_')}_{digest}"
    if id_problem(slug) is not None:
        return f"{slug}_{digest}"
    return slug


class Record(BaseModel):
    """Plain data: validated on assignment, unknown keys refused so typos in YAML are caught."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)

"""The breakdown department: source text in, Script out (Fountain screenplays; prose comes later)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..model import Project, Script
from .fountain import FountainDocument, parse_fountain
from .screenplay import script_from_fountain
from .textio import SourceText, detect_language, read_source

__all__ = [
    "Breakdown",
    "FountainDocument",
    "SourceText",
    "breakdown_source",
    "detect_language",
    "parse_fountain",
    "read_source",
    "script_from_fountain",
]


@dataclass(frozen=True)
class Breakdown:
    """What a breakdown gives: the project settings it chose and the Script."""

    project: Project
    script: Script
    source: SourceText


def breakdown_source(path: Path, *, language: str | None = None, name: str | None = None) -> Breakdown:
    """Read a screenplay file and break it down; errors name the file and line."""
    source = read_source(path)
    language = language or detect_language(source.text)
    project_name = name or re.sub(r"[-_]+", " ", path.stem.split(".")[0]).strip() or "untitled"
    project = Project(name=project_name, language=language)
    document = parse_fountain(source.text, path=str(path))
    script = script_from_fountain(
        document, source=f"story/{path.name}", source_sha256=source.sha256, project=project, where=str(path)
    )
    return Breakdown(project=project, script=script, source=source)

"""The breakdown department: source text in, Script out (Fountain and Final Draft screenplays, prose by the offline rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import LlmSettings
from ..model import Project, Script
from .chapters import ChapterText, split_chapters
from .episodes import script_from_story
from .fountain import FountainDocument, parse_fountain
from .prose import Cast, ProseReader, story_chapters
from .readers import (
    PROSE_MAX_BYTES,
    ProseSource,
    SourceLine,
    open_prose,
    read_fdx,
    source_kind,
)
from .screenplay import script_from_fountain
from .story import Chapter, StoryScene
from .textio import SourceText, detect_language, read_source

if TYPE_CHECKING:
    from ..providers.runtime import Runtime

__all__ = [
    "PROSE_MAX_BYTES",
    "Breakdown",
    "Cast",
    "Chapter",
    "ChapterText",
    "FountainDocument",
    "LlmBreakdown",
    "ProseReader",
    "ProseSource",
    "SourceLine",
    "SourceText",
    "StoryScene",
    "breakdown_source",
    "breakdown_with_llm",
    "chunk_text",
    "detect_language",
    "open_prose",
    "parse_fountain",
    "read_fdx",
    "read_source",
    "script_from_fountain",
    "script_from_story",
    "source_kind",
    "split_chapters",
    "story_chapters",
]


_LAZY = {"LlmBreakdown", "breakdown_with_llm", "chunk_text"}


def __getattr__(name: str) -> Any:
    # the LLM path pulls in the provider runtime: import it only when it is used
    if name in _LAZY:
        from . import llm

        return getattr(llm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Breakdown:
    """What a breakdown gives: the project settings it chose and the Script.

    ``source`` is the decoded screenplay for Fountain input, the streamed file for prose, and
    None for Final Draft (whose elements are read straight from the XML).
    """

    project: Project
    script: Script
    source: SourceText | ProseSource | None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    """Every exchange with the language model, when one broke the story down."""
    charges: list[Any] = field(default_factory=list)
    """What the language model's calls cost, as its runtime booked them (providers.ledger.Charge)."""
    warnings: list[str] = field(default_factory=list)
    """What the breakdown read as plain text or set aside, one ``file:line: ...`` line each."""


def breakdown_source(
    path: Path,
    *,
    language: str | None = None,
    name: str | None = None,
    llm: LlmSettings | None = None,
    runtime: Runtime | None = None,
    prose_max_bytes: int = PROSE_MAX_BYTES,
) -> Breakdown:
    """Read a screenplay (.fountain, .fdx) or a story (.txt, .md, .docx, .epub) and break it down.

    Errors name the file and line. Prose streams chapter by chapter, so a whole novel is read in
    bounded memory; its size cap is ``prose_max_bytes`` (PROSE_MAX_BYTES: what makes a project
    within a minute) rather than the screenplay's. With ``llm`` set, prose is broken down by that
    model instead of the offline rules (screenplays never are: their structure is already explicit),
    every call made through ``runtime`` (a providers.runtime.Runtime: its journal, ledger and limits).
    """
    path = Path(path)
    project_name = name or re.sub(r"[-_]+", " ", path.stem.split(".")[0]).strip() or "untitled"
    kind = source_kind(path)
    if kind == "prose" and llm is not None:
        if runtime is None:
            raise ValueError("an LLM breakdown makes its calls through a provider runtime: pass runtime=")
        prose = open_prose(path, max_bytes=prose_max_bytes)
        project = Project(name=project_name, language=language or prose.language)
        from .llm import breakdown_with_llm  # the provider runtime loads only when a model is asked for

        text = "\n".join(line.text for line in prose.lines())
        result = breakdown_with_llm(text, source=f"story/{path.name}", language=project.language, settings=llm,
                                    runtime=runtime)
        known = {
            beat.line.speaker: beat.line.character
            for chapter in result.chapters
            for scene in chapter.scenes
            for beat in scene.beats
            if beat.line is not None
        }
        script = script_from_story(
            result.chapters,
            project=project,
            source=f"story/{path.name}",
            source_sha256=prose.sha256,
            title=project_name.title() if project.language == "en" else project_name,
            known=known,
            where=str(path),
        )
        return Breakdown(project=project, script=script, source=prose, transcript=result.transcript,
                         charges=result.charges)
    if kind == "prose":
        prose = open_prose(path, max_bytes=prose_max_bytes)
        project = Project(name=project_name, language=language or prose.language)
        reader = ProseReader(project.language, source=f"story/{path.name}")
        script = script_from_story(
            story_chapters(prose.lines(), language=project.language, source=reader.source, reader=reader),
            project=project,
            source=reader.source,
            source_sha256=prose.sha256,
            title=project_name.title() if project.language == "en" else project_name,
            known=reader.cast.known,
            where=str(path),
        )
        return Breakdown(project=project, script=script, source=prose)
    if kind == "fdx":
        document, sha256 = read_fdx(path)
        sample = " ".join(element.text for element in document.elements[:400])
        project = Project(name=project_name, language=language or detect_language(sample))
        warnings: list[str] = []
        script = script_from_fountain(document, source=f"story/{path.name}", source_sha256=sha256, project=project, where=str(path),
                                      warnings=warnings)
        return Breakdown(project=project, script=script, source=None, warnings=warnings)
    source = read_source(path)
    language = language or detect_language(source.text)
    project = Project(name=project_name, language=language)
    document = parse_fountain(source.text, path=str(path))
    warnings = list(document.warnings)
    script = script_from_fountain(
        document, source=f"story/{path.name}", source_sha256=source.sha256, project=project, where=str(path), warnings=warnings
    )
    return Breakdown(project=project, script=script, source=source, warnings=warnings)

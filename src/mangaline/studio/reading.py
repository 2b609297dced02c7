"""The project folder as the studio reads it: the script and the bible parsed once, and again only when a file changes.

Parsing a 100-shot script's YAML takes most of a second; a page is asked for far more often than the script is
edited. Every read still looks at the files (name, inode, modification time and size of each), so an edit made in
a terminal, by the CLI or by hand shows on the next page; each caller gets a copy of its own to change as it likes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ..model import Bible, Script
from ..project import ProjectFolder

__all__ = ["StudioFolder"]

Parsed = TypeVar("Parsed", bound=BaseModel)
Stamp = tuple[tuple[str, int, int, int], ...]


def _stamp(folder: Path) -> Stamp:
    """Every YAML file under ``folder`` as (relative path, inode, mtime in ns, size): an atomic rename is a new inode."""
    found = []
    pending = [folder]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            elif entry.name.endswith(".yaml"):
                info = entry.stat()
                found.append((os.path.relpath(entry.path, folder), info.st_ino, info.st_mtime_ns, info.st_size))
    return tuple(sorted(found))


class StudioFolder(ProjectFolder):
    """A ProjectFolder whose script and bible are kept parsed while their files stay as they were."""

    def __init__(self, root: Path, *, state_url: str | None = None) -> None:
        super().__init__(root, state_url=state_url)
        self._parsed: dict[str, tuple[Stamp, BaseModel]] = {}
        self._guard = threading.Lock()

    def load_script(self) -> Script:
        return self._kept("script", self.script_dir, super().load_script)

    def load_bible(self) -> Bible:
        return self._kept("bible", self.bible_dir, super().load_bible)

    def _kept(self, name: str, where: Path, parse: Callable[[], Parsed]) -> Parsed:
        before = _stamp(where)
        with self._guard:
            held = self._parsed.get(name)
        if held is not None and held[0] == before:
            return held[1].model_copy(deep=True)  # type: ignore[return-value]
        parsed = parse()  # a broken file raises here, every time, as the plain folder would
        if _stamp(where) == before:  # not changed while it was read: what was read is what the files hold
            with self._guard:
                self._parsed[name] = (before, parsed.model_copy(deep=True))
        return parsed

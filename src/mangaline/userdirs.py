"""The user's own folders for mangaline, apart from any project: light, so a command can find them before it loads more."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["user_cache"]


def user_cache(name: str) -> Path:
    """A folder of the user's cache for mangaline ($XDG_CACHE_HOME, else ~/.cache): made files that can be made again."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mangaline" / name

"""Atomic file writes, the one way the line writes a file: absent or complete, never half-written, and on disk.

A writer gets a temp path beside the target (same folder, same file system, the target's suffix so
FFmpeg and Pillow pick the right format); when it is done the temp file is flushed to disk, renamed
over the target, and the folder's entry is flushed too, so a power cut leaves the old file or the new
one. On any failure, Ctrl-C included, the temp file is removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

__all__ = ["atomic_path", "fsync_dir", "scratch", "write_text_atomic"]

_SCRATCH: ContextVar[str | None] = ContextVar("mangaline_scratch", default=None)


@contextmanager
def scratch(folder: Path) -> Iterator[None]:
    """Within this block (in this thread), writes under ``folder`` are still atomic but not flushed to disk.

    For a step's work folder: what a step writes there is made durable as it moves into the object store
    (``ObjectStore.put_file`` flushes each file and the store's folder), so flushing it in the step as well
    only keeps a worker waiting on the disk, a few milliseconds a file.
    """
    token = _SCRATCH.set(os.path.join(os.path.abspath(folder), ""))
    try:
        yield
    finally:
        _SCRATCH.reset(token)


def _durable(path: Path) -> bool:
    folder = _SCRATCH.get()
    return folder is None or not os.path.abspath(path).startswith(folder)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success it replaces ``path`` durably, on failure it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem[:80]}.", suffix=f".partial{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    durable = _durable(path)
    try:
        yield tmp
        if durable:
            _fsync_file(tmp)
        # mkstemp makes a private file; the target gets the mode it had, or the one a plain write would give
        os.chmod(tmp, _mode_of(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text atomically, with Unix line ends on every system."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def _umask() -> int:
    mask = os.umask(0o022)  # read by setting: the process's umask, set back at once (at import, one thread)
    os.umask(mask)
    return mask


_UMASK = _umask()


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename itself is still atomic
    finally:
        os.close(fd)

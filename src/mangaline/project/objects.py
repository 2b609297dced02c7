"""Content-addressed blobs: files stored once under their sha256, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from ..atomic import fsync_dir
from ..errors import ProjectError

__all__ = ["ObjectStore"]

_CHUNK = 1 << 20
_TMP_PREFIX = ".tmp-"


class ObjectStore:
    """Blobs live at ``root/ab/cdef...``; a blob is either whole or absent, never partial."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ProjectError(f"{sha!r} is not a sha256 hex digest")
        return self.root / sha[:2] / sha[2:]

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def open(self, sha: str) -> BinaryIO:
        try:
            return self.path(sha).open("rb")
        except FileNotFoundError:
            raise ProjectError(f"object {sha} is missing from {self.root}") from None

    def put_bytes(self, payload: bytes) -> str:
        sha = hashlib.sha256(payload).hexdigest()
        if self.has(sha):
            return sha
        tmp = self._temp_file()
        try:
            with open(tmp, "wb") as out:
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
            self._install(tmp, sha)
        finally:
            tmp.unlink(missing_ok=True)
        return sha

    def put_file(self, path: Path) -> str:
        """Copy a file in, hashing while copying so a large render is never held in memory."""
        source = Path(path)
        tmp = self._temp_file()
        try:
            digest = hashlib.sha256()
            with source.open("rb") as src, open(tmp, "wb") as out:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            if not self.has(sha):
                self._install(tmp, sha)
        except FileNotFoundError:
            raise ProjectError(f"cannot store {source}: file not found") from None
        finally:
            tmp.unlink(missing_ok=True)
        return sha

    def clean_temp_files(self) -> int:
        """Remove temp files left by a process that died mid-write; returns how many."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for tmp in self.root.glob(f"{_TMP_PREFIX}*"):
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed

    def _temp_file(self) -> Path:
        # The temp file sits in the store's root, on the same filesystem, so os.replace is atomic.
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=self.root)
        os.close(fd)
        return Path(name)

    def _install(self, tmp: Path, sha: str) -> None:
        target = self.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
        fsync_dir(target.parent)


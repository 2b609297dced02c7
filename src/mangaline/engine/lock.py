"""The project's build lock: one build at a time, in a file that names its holder (PID, host, start time)."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ProjectBusy

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, as before
    fcntl = None  # type: ignore[assignment]

__all__ = ["BUILD_LOCK_NAME", "LockHolder", "build_lock", "lock_holder"]

BUILD_LOCK_NAME = "build.lock"


@dataclass(frozen=True)
class LockHolder:
    """Who holds a project's build lock, as its lock file says."""

    pid: int | None
    host: str
    started_at: str
    command: str

    def __str__(self) -> str:
        pid = f"pid {self.pid}" if self.pid is not None else "a process"
        since = f", since {self.started_at}" if self.started_at else ""
        doing = f": {self.command}" if self.command else ""
        return f"{pid} on {self.host or 'an unknown host'}{since}{doing}"


def lock_holder(path: Path) -> LockHolder:
    """What the lock file at ``path`` says about its holder (fields are empty while it is being written)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict):
        record = {}
    pid = record.get("pid")
    return LockHolder(
        pid=pid if isinstance(pid, int) else None,
        host=str(record.get("host", "")),
        started_at=str(record.get("started_at", "")),
        command=str(record.get("command", "")),
    )


@contextmanager
def build_lock(
    state_dir: Path, command: str, *, wait: bool = False, waiting: Callable[[LockHolder], None] | None = None
) -> Iterator[Path]:
    """Hold the project's build lock for the duration; a second build is refused with ProjectBusy naming the
    holder, or with ``wait`` waits for it (``waiting`` is told who it waits for).

    The lock is an flock on ``state_dir/build.lock``: the kernel lets go of it when its holder ends in
    any way (SIGKILL, a crash, a power cut on the next boot), so a lock left by a dead build is simply
    taken over; the file's text only says who holds it, for the message.
    """
    path = Path(state_dir) / BUILD_LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = lock_holder(path)
                if not wait:
                    raise ProjectBusy(path.parent.parent, str(holder)) from None
                if waiting is not None:
                    waiting(holder)
                fcntl.flock(fd, fcntl.LOCK_EX)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "command": command,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)
        yield path
    finally:
        # the text is left as it is: the next holder overwrites it, and without the flock it claims nothing
        os.close(fd)

"""Stopping on SIGINT and SIGTERM: the signal becomes an exception a command unwinds through, then the process leaves.

A build stopped this way marks its run interrupted on the way out (``Engine.run``), stops its
worker processes (``LocalExecutor.shutdown(now=True)``) and leaves with 128 + the signal's
number, as a shell expects: 130 for Ctrl-C, 143 for ``kill``. Everything already stored stays.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

__all__ = ["Interrupted", "STOP_SIGNALS", "held_off", "leave", "process_alive", "stop_on_signals"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_GRACE_SECONDS = 1.0
"""How long an interrupted process waits for its threads before it leaves without them."""


class Interrupted(SystemExit):
    """SIGINT or SIGTERM arrived; ``code`` is 128 + the signal's number.

    A SystemExit rather than an error, so nothing between the signal and the command mistakes it
    for one (``except Exception``, asyncio's callbacks and typer's own Ctrl-C handling let it
    through) while every ``finally`` and ``except BaseException`` clean-up still runs; uncaught, it
    ends the process with its code and no traceback. ``detail`` is what the command wants said:
    what was kept and how to go on.
    """

    def __init__(self, signum: int, detail: str = "") -> None:
        super().__init__(128 + signum)
        self.signum = signum
        self.detail = detail


def stop_on_signals() -> None:
    """From now on SIGINT and SIGTERM raise Interrupted in the main thread (call it from there)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)


class _Held:
    """How deep the main thread is in held_off() blocks, and the stop that waits for them to end."""

    depth = 0
    pending: int | None = None


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    # A second Ctrl-C (people press it twice) must not cut the clean-up short: the run is being
    # marked interrupted and the workers stopped. SIGKILL is still there for a stuck process.
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    if _Held.depth:
        _Held.pending = signum
        return
    raise Interrupted(signum)


@contextmanager
def held_off() -> Iterator[None]:
    """A stop that arrives inside the block waits for its end: what the block records is recorded whole
    (a take with its event, the end of a run). Signals reach only the main thread; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _Held.depth += 1
    try:
        yield
    finally:
        _Held.depth -= 1
        if _Held.depth == 0 and _Held.pending is not None:
            signum, _Held.pending = _Held.pending, None
            raise Interrupted(signum)


def leave(code: int) -> NoReturn:
    """End the process with ``code`` once an interrupted command has unwound.

    A step running in a thread (a paid call waiting on its provider) is not waited for: the call
    is journaled, and the next build looks it up instead of asking again. Exit handlers still run,
    so multiprocessing releases its semaphores and nothing is reported leaked.
    """
    deadline = time.monotonic() + _GRACE_SECONDS
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))  # idle pool threads are on their way out
    if not any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.current_thread()):
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    atexit._run_exitfuncs()
    os._exit(code)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one owned by another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

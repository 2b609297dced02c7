"""Warm workers: a pool of processes forked from the warm server (``mangaline.warm``), which has every module the
steps use imported and their models loaded, so a build's workers start in milliseconds instead of seconds.

The pool asks the server for each worker over its socket; the worker runs the same ``perform`` a process pool's
would and talks to the pool over a socket pair of its own, in pickles (``wire``'s framing).
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..wire import read_message, send_message

__all__ = ["WarmPool", "serve_worker"]


def serve_worker(sock: socket.socket) -> None:
    """A warm worker's life: run each (function, arguments) the pool sends and send back what it returned, until
    the pool closes its end. (Its start, ``executor._worker_started``, left Ctrl-C to the build.)"""
    while True:
        data = read_message(sock, raw=True)
        if data is None:
            return
        fn, args = pickle.loads(data)
        try:
            reply = pickle.dumps(("ok", fn(*args)))
        except Exception as err:  # noqa: BLE001 - the pool reports it on the step's future
            reply = pickle.dumps(("error", f"{type(err).__name__}: {err}"))
        send_message(sock, reply, raw=True)


class WarmPool:
    """``workers`` processes forked from the warm server at ``server``, each warmed with ``warm`` (Step.warm's
    names), behind the part of ProcessPoolExecutor's interface the local executor uses."""

    def __init__(self, server: str, workers: int, warm: tuple[str, ...] = ()) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future, Callable, tuple] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._broken: str | None = None
        self._shut = False
        self.pids: list[int] = []
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        for _ in range(workers):
            ours, theirs = socket.socketpair()
            try:
                pid = _fork_worker(server, theirs, warm)
            except BaseException:
                ours.close()
                raise
            finally:
                theirs.close()
            self.pids.append(pid)
            self._socks.append(ours)
            thread = threading.Thread(target=self._serve, args=(ours, pid), daemon=True, name=f"mangaline-warm-{pid}")
            thread.start()
            self._threads.append(thread)

    def submit(self, fn: Callable, *args: Any) -> Future:
        with self._lock:
            if self._broken is not None:
                raise BrokenProcessPool(self._broken)
            if self._shut:
                raise RuntimeError("cannot submit to a pool that was shut down")
            future: Future = Future()
            self._tasks.put((future, fn, args))
            return future

    def _serve(self, sock: socket.socket, pid: int) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                break
            future, fn, args = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                send_message(sock, pickle.dumps((fn, args)), raw=True)
                data = read_message(sock, raw=True)
            except OSError:
                data = None
            if data is None:
                self._break(f"the warm worker {pid} died", future)
                break
            kind, value = pickle.loads(data)
            if kind == "ok":
                future.set_result(value)
            else:
                future.set_exception(RuntimeError(value))
        sock.close()

    def _break(self, why: str, future: Future) -> None:
        """A worker died: its step and every queued one fail as a process pool's would, and the pool takes no more."""
        with self._lock:
            self._broken = why
        future.set_exception(BrokenProcessPool(why))
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is None:
                self._tasks.put(None)  # another worker's thread is told to stop as well
                break
            task[0].set_exception(BrokenProcessPool(why))
        self._kill()

    def _kill(self) -> None:
        for pid in self.pids:
            try:
                os.killpg(pid, signal.SIGTERM)  # the worker and the tools it runs (FFmpeg) lead their own group
            except (ProcessLookupError, PermissionError):
                pass

    def terminate_workers(self) -> None:
        """End the workers now (an interrupted build): queued steps are dropped, running ones stopped."""
        self._drop_queued()
        self._kill()

    def _drop_queued(self) -> None:
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                return
            if task is not None:
                task[0].cancel()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._shut:
                return
            self._shut = True
        if cancel_futures:
            self._drop_queued()
        for _ in self._threads:
            self._tasks.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
        for sock in self._socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # the worker reads the end and leaves
            except OSError:
                pass


def _fork_worker(server: str, theirs: socket.socket, warm: tuple[str, ...]) -> int:
    """Ask the server for a worker on ``theirs``, in this process's environment and folder; returns its pid."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(server)
        send_message(conn, {"op": "worker", "env": dict(os.environ), "cwd": os.getcwd(), "warm": list(warm)},
                     fds=[theirs.fileno()])
        reply = read_message(conn)
    if not reply or "pid" not in reply:
        raise BrokenProcessPool(f"the warm server at {server} gave no worker: {(reply or {}).get('error', 'it closed')}")
    return int(reply["pid"])

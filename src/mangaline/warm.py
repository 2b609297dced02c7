"""The warm server: one process that keeps the line loaded, so a small rebuild starts in milliseconds.

A cold `mangaline build` spends about a second importing the line (the model, the database layer, the
departments) and its workers as long again importing theirs and loading the voice model: on a one-line
edit that is most of the rebuild. `mangaline workers start` runs this server in the background with all of
that done once. While it runs, `mangaline build` and `mangaline season` hand themselves to it over a Unix
socket (only this user can open it): the server forks a build process that already has everything
loaded, gives it the command's own terminal (stdin, stdout and stderr travel over the socket), folder,
environment and arguments, and sends its exit status back. The build's workers are forked from the server
as well (``engine.warm_pool``). A build run this way is the same build: same steps, same files, same
messages, the same answer to Ctrl-C (the command passes its signals on).

The server only forks; it never opens a project, so no build inherits another's database or locks. It
serves only builds of the code it was started with: after an upgrade or an edit of the package it turns
the next build away (which then runs on its own) and leaves. It stops on `mangaline workers stop`, on
SIGTERM, or after ``idle`` seconds with nothing to do.
"""

from __future__ import annotations

import hashlib
import io
import os
import select
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .userdirs import user_cache
from .wire import read_message, send_message, set_active_server, socket_ok

__all__ = ["code_digest", "hand_over", "serve", "socket_path", "status", "stop"]

SOCKET_ENV = "MANGALINE_WORKERS_SOCKET"
"""Where the server listens, when set (the default is in the user's cache)."""
IDLE_SECONDS = 30 * 60
"""How long the server waits for a build before it leaves."""
_SOCKET_PATH_MAX = 100
"""A Unix socket's path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS)."""


def socket_path() -> Path:
    return Path(os.environ.get(SOCKET_ENV) or user_cache("workers") / "warm.sock")


def code_digest() -> str:
    """What code the server runs: the interpreter and every module of the package, by size and time of change."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{sys.executable}\0{sys.version}\0".encode())
    for folder, dirs, files in sorted(os.walk(package)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{os.path.relpath(folder, package)}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------- the client


def _connect(path: Path, timeout: float = 5.0) -> socket.socket | None:
    if not socket_ok(path):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def hand_over(argv: list[str]) -> int | None:
    """Run the command ``argv`` in the warm server and return its exit status; None where no server takes it
    (none runs, it turned the build away, or it went before it began): the caller runs it itself."""
    path = socket_path()
    sock = _connect(path)
    if sock is None:
        return None
    with sock:
        request = {"op": "build", "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": _umask(),
                   "digest": code_digest(), "encoding": [getattr(sys.stdout, "encoding", None) or "utf-8",
                                                         getattr(sys.stderr, "encoding", None) or "utf-8"]}
        try:
            send_message(sock, request, fds=[0, 1, 2])
            reply = read_message(sock)
        except OSError:
            return None
        if not reply:
            return None
        if "refused" in reply:
            print(f"note: the warm workers at {path} {reply['refused']}; this build runs on its own "
                  "(start them again: mangaline workers start)", file=sys.stderr)
            return None
        pid = int(reply["pid"])
        with _passing_signals(pid):
            sock.settimeout(None)
            done = read_message(sock)
    if not done:
        _outlive(pid)
        print(f"error: the warm workers at {path} stopped before the build's end could be told; run the command "
              "again (finished steps are kept)", file=sys.stderr)
        return 1
    return int(done["exit"])


def _outlive(pid: int) -> None:
    """Wait for the build the server forked to end (the server that would have said how went first), passing on
    the signals meanwhile, so the command never returns while its build still writes to the terminal."""
    from .stopping import process_alive

    with _passing_signals(pid):
        while process_alive(pid):
            time.sleep(0.1)


@contextmanager
def _passing_signals(pid: int) -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP sent to this command go on to the build ``pid`` instead, while the block runs."""

    def pass_on(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    before = {signum: signal.signal(signum, pass_on) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _ask(op: str, path: Path | None) -> dict[str, Any] | None:
    """The server's answer to ``op``, or None where none answers."""
    sock = _connect(path or socket_path())
    if sock is None:
        return None
    with sock:
        try:
            send_message(sock, {"op": op})
            return read_message(sock)
        except OSError:
            return None


def status(path: Path | None = None) -> dict[str, Any] | None:
    """The running server's account of itself (pid, code digest, builds served), or None where none answers."""
    return _ask("status", path)


def stop(path: Path | None = None) -> bool:
    """Ask the server to stop taking builds and leave once those running end; whether one answered."""
    return _ask("stop", path) is not None


# ---------------------------------------------------------------------------------------------- the server


def preload() -> None:
    """Import everything a build and its steps use, and do the steps' own warming (the voice model's session):
    what every process forked from here starts with."""
    from . import cli, production  # noqa: F401 - loaded to be inherited (production imports every step's module)
    from .engine.executor import _import_modules

    warm = sorted({name for step in production.RENDER_STEPS for name in step.warm})
    _import_modules(("sqlalchemy.dialects.sqlite", "scipy.ndimage", *warm))


class _Server:
    def __init__(self, path: Path, idle: float) -> None:
        self.path, self.idle = path, idle
        self.digest = code_digest()
        self.builds: dict[int, socket.socket] = {}
        self.gone: set[socket.socket] = set()  # the commands of builds that went away (their builds were stopped)
        self.served = 0
        self.forked_workers = 0
        self.started = time.time()
        self.last = time.monotonic()
        self.stopping = False

    def check(self) -> None:
        """Refuse a path no socket fits in, or one another server answers at."""
        if len(os.fsencode(str(self.path))) > _SOCKET_PATH_MAX:
            raise SystemExit(f"error: the socket path {self.path} is too long for a Unix socket; "
                             f"set {SOCKET_ENV} to a shorter one")
        if status(self.path) is not None:
            raise SystemExit(f"error: warm workers already run at {self.path}")

    def listen(self) -> socket.socket:
        self.check()  # again: another server may have started while this one loaded
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path.unlink(missing_ok=True)  # a server that died left its socket behind
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o077)  # the socket: this user only
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old)
        listener.listen(16)
        return listener

    def run(self, listener: socket.socket) -> None:
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop_signal)
        signal.signal(signal.SIGINT, self._stop_signal)
        self._fds = (wake_r, wake_w)
        self.last = time.monotonic()  # idle from now, not from before the preload
        try:
            while True:
                self._reap()
                if self.stopping and not self.builds:
                    return
                if not self.builds and time.monotonic() - self.last > self.idle:
                    return
                watch = [wake_r, *(s for s in self.builds.values() if s not in self.gone)]
                watch += [] if self.stopping else [listener]
                ready, _, _ = select.select(watch, [], [], 5.0)
                if wake_r in ready:
                    os.read(wake_r, 512)
                for sock in ready:
                    if sock is listener:
                        self._accept(listener)
                    elif isinstance(sock, socket.socket):
                        self._client_gone(sock)
                if self.stopping:
                    self._close(listener)
        finally:
            self._close(listener)

    def _close(self, listener: socket.socket) -> None:
        if listener.fileno() != -1:
            listener.close()
            if status(self.path) is None:  # not a newer server's socket by now
                self.path.unlink(missing_ok=True)

    def _stop_signal(self, _signum: int, _frame: object) -> None:
        self.stopping = True

    def _reap(self) -> None:
        while True:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            sock = self.builds.pop(pid, None)
            if sock is not None:
                self.gone.discard(sock)
                code = os.waitstatus_to_exitcode(wait_status)
                try:
                    send_message(sock, {"exit": code if code >= 0 else 128 - code})
                except OSError:
                    pass
                sock.close()
                self.last = time.monotonic()

    def _client_gone(self, sock: socket.socket) -> None:
        """The command that handed a build over went away (killed): the build stops as that command's would."""
        try:
            data = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            data = b""
        if data:
            sock.recv(1)  # nothing is sent on this way; drop it
            return
        self.gone.add(sock)
        for pid, held in list(self.builds.items()):
            if held is sock:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def _accept(self, listener: socket.socket) -> None:
        conn, _ = listener.accept()
        conn.settimeout(10)
        self.last = time.monotonic()
        try:
            request, fds = read_message(conn, with_fds=True)
        except (OSError, ValueError):
            conn.close()
            return
        try:
            self._answer(listener, conn, request or {}, fds)
        except OSError:
            conn.close()
        finally:
            for fd in fds:
                os.close(fd)

    def _answer(self, listener: socket.socket, conn: socket.socket, request: dict, fds: list[int]) -> None:
        op = request.get("op")
        if op == "status":
            send_message(conn, {"pid": os.getpid(), "digest": self.digest, "builds": self.served,
                                "workers": self.forked_workers,
                                "building": len(self.builds), "since": self.started, "socket": str(self.path)})
            conn.close()
        elif op == "stop":
            self.stopping = True
            send_message(conn, {"stopping": True})
            conn.close()
        elif op == "build" and len(fds) == 3:
            if request.get("digest") != self.digest:
                send_message(conn, {"refused": "were started from other code of mangaline, and stopped"})
                conn.close()
                self.stopping = True
                return
            pid = os.fork()
            if pid == 0:
                self._in_child(listener, conn)
                _run_build(str(self.path), request, fds)  # never returns
            self.served += 1
            self.builds[pid] = conn
            conn.settimeout(None)
            send_message(conn, {"pid": pid})
        elif op == "worker" and len(fds) == 1:
            pid = os.fork()
            if pid == 0:
                self._in_child(listener, conn)
                _run_worker(request, fds[0])  # never returns
            self.forked_workers += 1
            try:
                os.setpgid(pid, pid)  # as the worker does itself: whichever runs first
            except OSError:
                pass
            send_message(conn, {"pid": pid})
            conn.close()
        else:
            send_message(conn, {"error": f"not a request this server takes: {op!r}"})
            conn.close()

    def _in_child(self, listener: socket.socket, conn: socket.socket) -> None:
        """A forked child lets go of what is the server's: its signals, its socket, the other builds' commands."""
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        listener.close()
        for fd in self._fds:
            os.close(fd)
        for sock in self.builds.values():
            sock.close()
        conn.close()


def _run_build(server: str, request: dict, fds: list[int]) -> None:
    """The forked build: the command's terminal, folder, environment and arguments, then the CLI as if started."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.umask(int(request.get("umask", 0o022)))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        encodings = request.get("encoding") or ["utf-8", "utf-8"]
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=encodings[0])
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=encodings[0],
                                      line_buffering=os.isatty(1), write_through=False)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding=encodings[1],
                                      errors="backslashreplace", line_buffering=True)
        sys.argv = ["mangaline", *request["argv"]]
        set_active_server(server)
        from . import cli

        cli.new_consoles()  # the terminal's width and colours, from the command's environment
        cli.main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - the process ends here, whatever happened
        import traceback

        traceback.print_exc()
    _leave(code)


def _run_worker(request: dict, fd: int) -> None:
    """A forked worker for one build's pool: that build's environment, then steps until the build lets go."""
    code = 0
    try:
        os.setpgid(0, 0)  # its own group, so ending it ends the tools it runs
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        from .engine.executor import _worker_started
        from .engine.warm_pool import serve_worker

        _worker_started(tuple(request.get("warm") or ()))
        serve_worker(socket.socket(fileno=fd))
    except BaseException:  # noqa: BLE001
        code = 1
    _leave(code)


def _leave(code: int) -> None:
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def serve(path: Path, idle: float = IDLE_SECONDS) -> None:
    """Load the line, listen at ``path`` and serve builds until stopped or idle for ``idle`` seconds."""
    server = _Server(path, idle)
    server.check()
    preload()  # before it listens: a command that finds the socket finds a server ready to fork
    server.run(server.listen())


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="mangaline's warm server (start it with: mangaline workers start)")
    parser.add_argument("path", type=Path)
    parser.add_argument("--idle", type=float, default=IDLE_SECONDS)
    args = parser.parse_args()
    serve(args.path, args.idle)

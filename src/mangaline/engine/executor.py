"""Executors: one interface to run step functions; the local one uses processes for cpu and threads for io."""

from __future__ import annotations

import ctypes
import functools
import importlib
import multiprocessing
import signal
import threading
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from ..atomic import scratch
from ..errors import StepError, TransientStepError
from ..wire import active_server
from .steps import StepContext, StepOutput
from .warm_pool import WarmPool

__all__ = ["Executor", "LocalExecutor", "Outcome", "perform", "perform_in_worker"]

Kind = Literal["cpu", "io"]


@dataclass
class Outcome:
    """What came back from a worker: an output, or an error as text (exceptions do not always pickle)."""

    output: StepOutput | None = None
    error: str | None = None
    transient: bool = False
    stored: dict[str, str] | None = None
    """Components a remote worker already put into the object store, by sha (its output names none)."""


def perform(fn: Callable[[StepContext], StepOutput], ctx: StepContext) -> Outcome:
    """Run one step function where the executor put it; every failure becomes an Outcome."""
    try:
        ctx.workdir.mkdir(parents=True, exist_ok=True)
        with scratch(ctx.workdir):  # its files are made durable as they move into the object store
            output = fn(ctx)
        if not isinstance(output, StepOutput):
            return Outcome(error=f"the step returned {type(output).__name__}, not StepOutput")
        return Outcome(output=output)
    except (TransientStepError, OSError) as err:
        return Outcome(error=_describe(err), transient=True)
    except Exception as err:  # noqa: BLE001 - a step's failure must not take the build down
        return Outcome(error=_describe(err))


def perform_in_worker(fn: Callable[[StepContext], StepOutput], ctx: StepContext) -> Outcome:
    """``perform`` in a worker process that runs step after step, handing the memory the step freed back to the
    system before the next one: without it a worker keeps the high-water mark of every step it ran (a frame's
    layers, an episode's mix) while it waits on FFmpeg for the next, and the build's peak is two such workers plus
    two encoders."""
    outcome = perform(fn, ctx)
    release_freed_memory()
    return outcome


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (macOS, musl)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def release_freed_memory() -> None:
    """Return the heap's free pages to the system (milliseconds; a no-op off glibc). Python frees large blocks
    itself, but the many middling ones a step leaves (NumPy's temporaries, Pillow's tiles) stay mapped."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _describe(err: BaseException) -> str:
    if isinstance(err, StepError):
        text = str(err)
    else:
        text = f"{type(err).__name__}: {err}"
    frames = traceback.extract_tb(err.__traceback__)
    if frames and not isinstance(err, StepError):
        last = frames[-1]
        text += f" (at {last.filename}:{last.lineno})"
    return text


@runtime_checkable
class Executor(Protocol):
    """Runs step functions; the runner asks before submitting and awaits the returned futures."""

    def submit(
        self, fn: Callable[[StepContext], StepOutput], ctx: StepContext, kind: Kind, *, gpus: float = 0.0
    ) -> Future[Outcome]: ...

    def can_submit(self, kind: Kind) -> bool: ...

    def shutdown(self, *, now: bool = False) -> None:
        """Finish the steps in flight and stop; with ``now`` (an interrupted build), stop them too."""
        ...


def _worker_started(warm: tuple[str, ...] = ()) -> None:
    """A worker's start: Ctrl-C left to the runner, then what the build's steps warm (see Step.warm)."""
    # Ctrl-C in a terminal reaches every process of the group. A worker leaves stopping to the runner
    # (an idle worker hit by KeyboardInterrupt dies with a traceback and breaks the pool); a handler
    # rather than SIG_IGN, so the tools it starts (FFmpeg) still get the signal and stop at once.
    signal.signal(signal.SIGINT, _ignore)
    _import_modules(warm)


def _started() -> None:
    """A task that only makes the pool start a worker (which warms itself on the way)."""


def _ignore(_signum: int, _frame: object) -> None:
    return None


def _import_modules(names: tuple[str, ...]) -> None:
    """Import each module; a ``module:function`` entry is also called (a step's heavy set-up, such as a voice model)."""
    for name in names:
        module, _, function = name.partition(":")
        try:
            loaded = importlib.import_module(module)
            if function:
                getattr(loaded, function)()
        except Exception:  # noqa: BLE001 - warming is a head start only; the step itself reports what fails
            pass


class LocalExecutor:
    """A spawn-safe process pool for cpu steps and a thread pool for io steps, on this machine."""

    def __init__(self, workers: int = 2, io_workers: int = 8) -> None:
        if workers < 1 or io_workers < 1:
            raise ValueError("an executor needs at least one worker of each kind")
        self.workers = workers
        self.io_workers = io_workers
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {"cpu": 0, "io": 0}
        self._processes: ProcessPoolExecutor | WarmPool | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._warming = False  # the pool holds only warm-up work: nothing to wait for when it stops
        self._warm: tuple[str, ...] = ()  # what each worker loads as it starts

    def _pool(self, kind: Kind) -> ProcessPoolExecutor | WarmPool | ThreadPoolExecutor:
        if kind == "io":
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self.io_workers, thread_name_prefix="mangaline-io")
            return self._threads
        server = active_server()
        if self._processes is None and server is not None:
            # a build the warm server forked: its workers are forked from the server too, modules loaded
            try:
                self._processes = WarmPool(server, self.workers, self._warm)
            except (OSError, BrokenProcessPool):
                pass  # the server went away: workers of the build's own, started cold
        if self._processes is None:
            # spawn, not fork: a forked child would inherit the runner's threads and database handles
            self._processes = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_started,
                initargs=(self._warm,),
            )
        return self._processes

    def warm(self, modules: Iterable[str]) -> None:
        """Start the worker processes now and have each import ``modules``, without waiting for them.

        A worker's start (a new interpreter, then the steps' modules: NumPy, Pillow, FFmpeg bindings)
        costs about a second; called before the build graph is made, that second passes while the
        graph is built, so a small rebuild does not pay it step after step. Each worker warms as it
        starts, before its first task, so no step runs in a cold worker (nor in one started later to
        replace a worker that died)."""
        if self._processes is not None:
            return  # started already (warmed, or running steps): its workers have what they need or soon will
        self._warm = tuple(sorted(set(modules)))
        self._warming = True
        pool = self._pool("cpu")
        for _ in range(self.workers):
            pool.submit(_started)

    def can_submit(self, kind: Kind) -> bool:
        limit = self.workers if kind == "cpu" else self.io_workers
        with self._lock:
            return self._in_flight[kind] < limit

    def submit(
        self, fn: Callable[[StepContext], StepOutput], ctx: StepContext, kind: Kind, *, gpus: float = 0.0
    ) -> Future[Outcome]:
        """``gpus`` is not scheduled here: a step that uses one runs in a process like any other."""
        with self._lock:
            self._in_flight[kind] += 1
        if kind == "cpu":
            self._warming = False
        run = perform_in_worker if kind == "cpu" else perform  # io steps run in this process's threads
        try:
            future = self._pool(kind).submit(run, fn, ctx)
        except BrokenProcessPool:
            # a worker died (killed, out of memory); start a fresh pool and try once more
            self._processes = None
            future = self._pool(kind).submit(run, fn, ctx)
        except BaseException:
            with self._lock:
                self._in_flight[kind] -= 1
            raise

        def _release(_: Future[Outcome]) -> None:
            with self._lock:
                self._in_flight[kind] -= 1

        future.add_done_callback(_release)
        return future

    def reset_broken(self) -> None:
        """Forget a pool whose worker died, so the next submit starts a new one."""
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)
            self._processes = None

    def shutdown(self, *, now: bool = False) -> None:
        """Stop both pools; queued steps are dropped. Running steps are waited for, or with ``now`` the
        worker processes are ended at once and the io threads left to finish on their own: a stopped
        build stores nothing more, and a paid call in flight is journaled for the next build to find."""
        processes, self._processes = self._processes, None
        if processes is not None:
            if now or self._warming:  # a build that ran no step (all cached) does not wait for imports
                _end_workers(processes)
            # joined either way, so the pool's queues and semaphores are released, never leaked
            processes.shutdown(wait=True, cancel_futures=True)
        threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=not now, cancel_futures=True)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.shutdown(now=kind is not None)


def _end_workers(pool: ProcessPoolExecutor | WarmPool) -> None:
    """Terminate the pool's worker processes; the pool sees them gone and winds itself down."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    # before 3.14 the pool keeps its processes by pid in _processes, unchanged since 3.2
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()

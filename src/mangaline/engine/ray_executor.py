"""The Ray executor: the same steps on a Ray cluster, their files through the project's object store.

    RayExecutor(address=None)           a local Ray (``workers`` CPUs on this machine) or a cluster's
    executor.submit(fn, ctx, kind)       one Ray task: fetch the input takes' files from the store into
                                         the worker's cache, run the step in a scratch folder there,
                                         put every file it made into the store; only shas come back

A step never learns where it runs: it reads its params and input takes and writes into its work
folder, as on the local executor. Resources: a cpu step asks for one CPU (and the GPUs its Step
names), an io step for none, so steps waiting on providers never hold a CPU another step could use.
A worker that dies mid-step (killed, out of memory, its node lost) has its task run again on a live
worker by Ray, up to ``max_retries`` times; what the step paid for is found in the journal there.

On a cluster the workers on other machines must reach the project's objects and state: an S3
store ([storage] url) and a PostgreSQL database ([state] url). A folder or SQLite on one machine
serves a local Ray only, and the executor refuses a remote address without them.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ProjectError
from ..project.objects import StoreAddress
from .executor import Kind, Outcome, perform_in_worker
from .steps import StepContext, StepOutput, TakeView

__all__ = ["RayExecutor", "run_remote"]

NAMESPACE = "mangaline"


def run_remote(fn: Callable[[StepContext], StepOutput], ctx: StepContext, objects: StoreAddress) -> Outcome:
    """One step on a Ray worker: inputs fetched from the store, outputs put into it, a scratch folder of its own."""
    scratch = Path(tempfile.mkdtemp(prefix="mangaline-step-"))
    try:
        try:
            store = objects.open()
            inputs = {
                name: TakeView(view.take_id, view.data, {part: store.path(sha) for part, sha in view.shas.items()},
                               dict(view.shas))
                for name, view in ctx.inputs.items()
            }
        except ProjectError as err:  # the store could not be reached: another try may reach it
            return Outcome(error=str(err).splitlines()[0], transient=True)
        workdir = scratch / ctx.workdir.name
        outcome = perform_in_worker(fn, replace(ctx, inputs=inputs, workdir=workdir))
        if outcome.output is None:
            return outcome
        stored: dict[str, str] = {}
        for name, path in outcome.output.components.items():
            path = Path(path)
            if not path.is_absolute():
                path = workdir / path
            if not path.is_file():
                return Outcome(error=f"component {name!r} is not a file: {path}")
            try:
                # the scratch folder is removed next: its files move into the store's cache, not copied
                stored[name] = store.put_file(path, move=path.parent.resolve().is_relative_to(scratch.resolve()))
            except ProjectError as err:
                return Outcome(error=str(err).splitlines()[0], transient=True)
        outcome.output.components = {}
        outcome.stored = stored
        return outcome
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class RayExecutor:
    """Runs steps as Ray tasks; ``address`` None starts a private Ray on this machine with ``workers`` CPUs."""

    def __init__(
        self, *, address: str | None = None, workers: int = 2, io_workers: int = 8, max_retries: int = 3
    ) -> None:
        if workers < 1 or io_workers < 1:
            raise ValueError("an executor needs at least one worker of each kind")
        try:
            import ray
        except ImportError:
            raise ConfigError("the Ray executor needs Ray, which is not installed",
                              hint="pip install 'mangaline[cluster]'") from None
        self._ray = ray
        self.address = address
        self.io_workers = io_workers
        self.max_retries = max_retries
        self._started = False
        if not ray.is_initialized():
            self._init(ray, address, workers)
            self._started = True
        self.workers = max(1, int(ray.cluster_resources().get("CPU", workers)))
        self._remote = ray.remote(run_remote)
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {"cpu": 0, "io": 0}
        self._refs: set[Any] = set()

    @staticmethod
    def _init(ray: Any, address: str | None, workers: int) -> None:
        try:
            if address is None:
                # a Ray of our own on this machine: its workers find modules where this process does, as
                # a spawned process pool's do (a cluster's workers have mangaline installed instead)
                path = os.pathsep.join(entry for entry in sys.path if entry and Path(entry).is_dir())
                ray.init(num_cpus=workers, include_dashboard=False, namespace=NAMESPACE, log_to_driver=False,
                         configure_logging=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
            else:
                ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, configure_logging=False)
        except (ConnectionError, ValueError, RuntimeError, TimeoutError) as err:
            where = f"the Ray cluster at {address}" if address else "a Ray on this machine"
            hint = ("a ray:// address needs pip install 'ray[client]' (the cluster extra has it)"
                    if address and address.startswith("ray://") else "check that the cluster is up and reachable")
            raise ConfigError(f"cannot start {where}: {str(err).splitlines()[0] if str(err) else type(err).__name__}",
                              hint=hint) from None

    @staticmethod
    def check_reach(address: str | None, objects: StoreAddress, *, shared_state: bool) -> None:
        """Refuse a project whose objects or state a worker on another machine could not reach (before connecting)."""
        if address is None or (objects.shared and shared_state):
            return
        missing = [what for what, ok in (('[storage] url = "s3://..."', objects.shared),
                                         ('[state] url = "postgresql://..."', shared_state)) if not ok]
        raise ConfigError(
            f"the Ray cluster at {address} runs steps on other machines, which cannot reach this project's "
            f"{' or '.join(('objects', 'state')[i] for i, ok in enumerate((objects.shared, shared_state)) if not ok)} "
            "on this disk",
            hint="set " + " and ".join(missing) + " in mangaline.toml, or leave --address out for a Ray on this machine",
        )

    def can_submit(self, kind: Kind) -> bool:
        limit = self.workers if kind == "cpu" else self.io_workers
        with self._lock:
            return self._in_flight[kind] < limit

    def submit(
        self, fn: Callable[[StepContext], StepOutput], ctx: StepContext, kind: Kind, *, gpus: float = 0.0
    ) -> Future[Outcome]:
        options: dict[str, Any] = {
            "num_cpus": 1 if kind == "cpu" else 0,
            "max_retries": self.max_retries,
            "retry_exceptions": False,  # a step's own failure comes back as an Outcome; the runner decides
        }
        if gpus:
            options["num_gpus"] = gpus
        objects = ctx.resources.get("objects")
        if not isinstance(objects, StoreAddress):
            raise ConfigError("a step sent to Ray needs the project's object store among its resources",
                              hint="run it through Engine, which lends every step the store's address")
        ref = self._remote.options(**options).remote(fn, ctx, objects)
        with self._lock:
            self._in_flight[kind] += 1
            self._refs.add(ref)
        result: Future[Outcome] = Future()

        def _settled(ray_future: Future[Any]) -> None:
            with self._lock:
                self._in_flight[kind] -= 1
                self._refs.discard(ref)
            try:
                result.set_result(ray_future.result())
            except self._ray.exceptions.TaskCancelledError:
                result.set_result(Outcome(error="the step was stopped"))
            except (self._ray.exceptions.WorkerCrashedError, self._ray.exceptions.NodeDiedError,
                    self._ray.exceptions.OutOfMemoryError, self._ray.exceptions.LocalRayletDiedError) as err:
                text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                result.set_result(Outcome(error=f"the worker process died {self.max_retries + 1} times running it: {text}",
                                          transient=True))
            except Exception as err:  # noqa: BLE001 - e.g. a step whose function could not be unpickled there
                text = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
                result.set_result(Outcome(error=f"{type(err).__name__}: {text}"))

        ref.future().add_done_callback(_settled)
        return result

    def shutdown(self, *, now: bool = False) -> None:
        """Wait for the tasks in flight, or with ``now`` cancel them (their workers are ended)."""
        ray = self._ray
        with self._lock:
            refs = list(self._refs)
        if now:
            for ref in refs:
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001 - a task that finished meanwhile cannot be cancelled
                    pass
        elif refs:
            ray.wait(refs, num_returns=len(refs))
        if self._started and ray.is_initialized():
            ray.shutdown()
            self._started = False

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.shutdown(now=kind is not None)

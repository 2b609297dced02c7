"""The runner: resolves the build graph, reuses cached takes, runs the rest, and records every take."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal

from ..errors import MangalineError, StepError
from ..model import Provenance, Take, Validation
from ..project.folder import ProjectFolder
from ..project.state import StepEvent
from ..stopping import held_off
from .cache import cache_key, canonical_json, data_version, params_sha256
from .executor import Executor, LocalExecutor, Outcome
from .steps import Invocation, NodeId, StepContext, StepOutput, TakeView

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: dead-run detection falls back to "never dead"
    fcntl = None  # type: ignore[assignment]

__all__ = ["Engine", "RunSummary", "Failure", "NodeStatus", "Freshness", "GraphError"]

_LOCK_NAME = ".lock"


class GraphError(MangalineError):
    """The invocations do not form a valid build graph (a cycle, or one node asked for twice differently)."""


class Freshness(StrEnum):
    MISSING = "missing"
    STALE = "stale"
    FRESH = "fresh"


@dataclass(frozen=True)
class NodeStatus:
    """Where one node stands without running anything, and why."""

    step: str
    entity: str
    state: Freshness
    cause: str = ""
    take_id: str | None = None

    def __str__(self) -> str:
        tail = f": {self.cause}" if self.cause else ""
        return f"{self.step} [{self.entity}] {self.state.value}{tail}"


@dataclass(frozen=True)
class Failure:
    step: str
    entity: str
    error: str
    attempts: int = 1


@dataclass
class RunSummary:
    """What a run did: counts overall and per step, the failures, and the take of every node that has one."""

    run_id: str
    ran: int = 0
    cached: int = 0
    failed: int = 0
    skipped: int = 0
    per_step: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    takes: dict[NodeId, Take] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.skipped == 0

    def count(self, step: str, event: str) -> None:
        setattr(self, event, getattr(self, event) + 1)
        row = self.per_step.setdefault(step, {"ran": 0, "cached": 0, "failed": 0, "skipped": 0})
        row[event] += 1

    def counts(self) -> dict[str, Any]:
        return {
            "ran": self.ran,
            "cached": self.cached,
            "failed": self.failed,
            "skipped": self.skipped,
            "per_step": self.per_step,
        }

    def __str__(self) -> str:
        width = max([len("step"), len("total")] + [len(s) for s in self.per_step])
        head = f"{'step':<{width}}  {'ran':>5}  {'cached':>6}  {'failed':>6}  {'skipped':>7}"
        lines = [head, "-" * len(head)]
        for step, row in self.per_step.items():
            lines.append(
                f"{step:<{width}}  {row['ran']:>5}  {row['cached']:>6}  {row['failed']:>6}  {row['skipped']:>7}"
            )
        lines.append("-" * len(head))
        lines.append(
            f"{'total':<{width}}  {self.ran:>5}  {self.cached:>6}  {self.failed:>6}  {self.skipped:>7}"
            f"   in {self.seconds:.1f} s"
        )
        for failure in self.failures:
            tries = f" after {failure.attempts} attempts" if failure.attempts > 1 else ""
            lines.append(f"FAILED {failure.step} [{failure.entity}]{tries}: {failure.error}")
        return "\n".join(lines)


def _graph(invocations: Sequence[Invocation]) -> list[Invocation]:
    """Every node reachable from the invocations, dependencies first; one invocation per node."""
    by_node: dict[NodeId, Invocation] = {}
    order: list[Invocation] = []
    visiting: set[NodeId] = set()

    def visit(inv: Invocation, path: tuple[str, ...]) -> None:
        node = inv.node
        known = by_node.get(node)
        if known is not None:
            if known is not inv and _signature(known) != _signature(inv):
                raise GraphError(f"{inv} is asked for twice with different params, inputs, model or seed")
            return
        if node in visiting:
            raise GraphError("the steps form a cycle: " + " -> ".join(path + (str(inv),)))
        visiting.add(node)
        for dep in inv.deps.values():
            visit(dep, path + (str(inv),))
        visiting.discard(node)
        by_node[node] = inv
        order.append(inv)

    for inv in invocations:
        visit(inv, ())
    return order


def step_modules(invocations: Sequence[Invocation]) -> set[str]:
    """The modules that hold the step functions of a graph, and what those steps warm: what a worker loads to run any of them."""
    steps = {inv.step for inv in _graph(invocations) if inv.step.kind == "cpu"}
    return {step.fn.__module__ for step in steps} | {name for step in steps for name in step.warm}


def _signature(inv: Invocation) -> str:
    return canonical_json(
        {
            "version": inv.step.version,
            "params": dict(inv.params),
            "deps": sorted((name, list(dep.node)) for name, dep in inv.deps.items()),
            "model": inv.model,
            "seed": inv.seed,
        }
    )


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]


class Engine:
    """Runs invocations against a project: cached takes are reused, the rest go to the executor."""

    def __init__(
        self,
        folder: ProjectFolder,
        executor: Executor | None = None,
        *,
        backoff: float = 0.5,
        progress_stream: IO[str] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        self.folder = folder
        self.resources = dict(resources or {})
        self._own_executor = executor is None
        self.executor: Executor = executor if executor is not None else LocalExecutor(workers=_default_workers(folder))
        self.backoff = backoff
        self._progress_stream = progress_stream
        self.last_run: RunSummary | None = None
        """The run in progress or the last one, also when it was interrupted: what it finished so far."""

    def close(self, *, now: bool = False) -> None:
        """Stop the worker processes, if this engine started them; ``now`` stops the steps in flight too."""
        if self._own_executor:
            self.executor.shutdown(now=now)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(now=kind is not None)

    # staleness ------------------------------------------------------------

    def status(self, invocations: Sequence[Invocation]) -> list[NodeStatus]:
        """MISSING / STALE (with its cause) / FRESH for every node, computed from the takes; nothing runs."""
        state = self.folder.state
        known: dict[NodeId, tuple[NodeStatus, Take | None]] = {}
        result: list[NodeStatus] = []
        for inv in _graph(invocations):
            step, entity = inv.node
            latest = state.latest_take(step, entity)
            upstream_problem = None
            versions: dict[str, str] = {}
            for name, dep in inv.deps.items():
                dep_status, dep_take = known[dep.node]
                if dep_status.state is not Freshness.FRESH or dep_take is None:
                    upstream_problem = f"upstream {dep.step.name} [{dep.entity}] is {dep_status.state.value}"
                    break
                versions[name] = dep_take.data_version
            if latest is None:
                status = NodeStatus(step, entity, Freshness.MISSING, "never built")
                take = None
            elif upstream_problem is not None:
                status = NodeStatus(step, entity, Freshness.STALE, upstream_problem, latest.id)
                take = None
            else:
                key = cache_key(inv.step, inv.params, versions, inv.model, inv.seed)
                take = state.take_for_key(key)
                if take is not None:
                    status = NodeStatus(step, entity, Freshness.FRESH, "", take.id)
                else:
                    status = NodeStatus(step, entity, Freshness.STALE, _stale_cause(inv, latest, versions), latest.id)
            known[inv.node] = (status, take)
            result.append(status)
        return result

    # running --------------------------------------------------------------

    def run(
        self,
        invocations: Sequence[Invocation],
        *,
        progress: bool | Literal["always"] = True,
        command: str = "build",
    ) -> RunSummary:
        """Build every node; failures are recorded and their dependents skipped, the rest carry on."""
        graph = _graph(invocations)
        warm = getattr(self.executor, "warm", None)
        if warm is not None:  # the workers start while the cached nodes are looked up
            warm(step_modules(graph))
        state = self.folder.state
        started = time.monotonic()
        status = "failed"
        summary = None
        try:
            # a run is begun and ended whole, so a stop never leaves one "running" that no process runs
            with held_off():
                summary = self.last_run = RunSummary(run_id=state.begin_run(command))
            with self._run_lock(summary.run_id) as run_dir:
                with self._progress(graph, progress) as advance:
                    asyncio.run(_Build(self, graph, summary, run_dir, advance).drive())
            status = "succeeded" if summary.ok else "failed"
        except BaseException:
            status = "interrupted"
            raise
        finally:
            if summary is not None:
                summary.seconds = time.monotonic() - started
                with held_off():
                    state.finish_run(summary.run_id, status, summary.counts())
        return summary

    @contextmanager
    def _run_lock(self, run_id: str) -> Iterator[Path]:
        """The run's scratch folder, locked while the run lives; folders of dead runs are removed first."""
        work = self.folder.work_dir
        work.mkdir(parents=True, exist_ok=True)
        others_alive = self._reap_dead_runs(work)
        if not others_alive:
            self.folder.objects.clean_temp_files()
        run_dir = work / run_id
        run_dir.mkdir()
        lock = open(run_dir / _LOCK_NAME, "w")  # noqa: SIM115 - held for the whole run
        try:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            lock.write(str(os.getpid()))
            lock.flush()
            yield run_dir
        except BaseException:
            # a stopped run: its workers may still be writing into the scratch folder (FFmpeg mid-segment);
            # they are ended before it is removed, or they would leave it behind
            self.executor.shutdown(now=True)
            raise
        finally:
            lock.close()
            shutil.rmtree(run_dir, ignore_errors=True)

    def _reap_dead_runs(self, work: Path) -> bool:
        """Remove work folders whose run no longer holds its lock (killed); returns whether any run is alive."""
        alive = False
        if fcntl is None:
            return True
        for run_dir in work.iterdir():
            if not run_dir.is_dir():
                continue
            lock_path = run_dir / _LOCK_NAME
            try:
                handle = open(lock_path, "a")  # noqa: SIM115
            except OSError:
                shutil.rmtree(run_dir, ignore_errors=True)
                continue
            with handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    alive = True
                    continue
                shutil.rmtree(run_dir, ignore_errors=True)
                self._mark_interrupted(run_dir.name)
        return alive

    def _mark_interrupted(self, run_id: str) -> None:
        state = self.folder.state
        for record in state.runs():
            if record.id == run_id and record.status == "running":
                state.finish_run(run_id, "interrupted", record.counts)

    @contextmanager
    def _progress(self, graph: list[Invocation], progress: bool | Literal["always"]) -> Iterator[Any]:
        stream = self._progress_stream or sys.stderr
        show = progress == "always" or (progress is True and hasattr(stream, "isatty") and stream.isatty())
        if not show:
            yield lambda step: None
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        totals: dict[str, int] = defaultdict(int)
        for inv in graph:
            totals[inv.step.name] += 1
        console = Console(file=stream, force_terminal=progress == "always" or None)
        with Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bars:
            tasks = {step: bars.add_task(step, total=total) for step, total in totals.items()}
            yield lambda step: bars.advance(tasks[step])


def _default_workers(folder: ProjectFolder) -> int:
    try:
        return folder.settings.build.workers
    except MangalineError:
        return 2


def _stale_cause(inv: Invocation, latest: Take, versions: Mapping[str, str]) -> str:
    prov = latest.provenance
    causes = []
    if prov.code_version != inv.step.version:
        causes.append(f"code version changed {prov.code_version} -> {inv.step.version}")
    if prov.params_sha256 != params_sha256(inv.params):
        causes.append("params changed")
    for name in sorted(set(versions) | set(prov.input_versions)):
        if versions.get(name) != prov.input_versions.get(name):
            causes.append(f"input {name} changed")
    if prov.seed != inv.seed:
        causes.append(f"seed changed {prov.seed} -> {inv.seed}")
    if not causes and prov.model != inv.model:
        # provenance keeps the model the provider reported, which may name the requested one differently
        causes.append(f"model changed {prov.model} -> {inv.model}")
    return "; ".join(causes) or "inputs changed"


class _Build:
    """One run's scheduling state, driven by an asyncio loop in the calling thread."""

    def __init__(
        self, engine: Engine, graph: list[Invocation], summary: RunSummary, run_dir: Path, advance: Any
    ) -> None:
        self.engine = engine
        self.state = engine.folder.state
        self.objects = engine.folder.objects
        self.executor = engine.executor
        self.graph = graph
        self.summary = summary
        self.run_dir = run_dir
        self.advance = advance
        self.dependents: dict[NodeId, list[Invocation]] = defaultdict(list)
        for inv in graph:
            for dep in inv.deps.values():
                self.dependents[dep.node].append(inv)
        # A step takes the highest priority of what it leads to: the steps that gate a prioritised one (the shots'
        # clips before an episode's mix) go ahead of the many ready steps that gate nothing urgent. The graph is in
        # dependency order, so one backward pass carries each priority to every step upstream of it.
        self.priority: dict[NodeId, int] = {inv.node: inv.step.priority for inv in graph}
        for inv in reversed(graph):
            for dep in inv.deps.values():
                self.priority[dep.node] = max(self.priority[dep.node], self.priority[inv.node])
        self.waiting: list[Invocation] = list(graph)
        self.ready: list[Invocation] = []
        self.done: dict[NodeId, Take] = {}
        self.finished: set[NodeId] = set()
        self.attempts: dict[NodeId, int] = defaultdict(int)
        self.started: dict[NodeId, float] = {}
        self.keys: dict[NodeId, tuple[str, dict[str, str]]] = {}
        self._events: list[StepEvent] | None = None  # a list while a wave's events are being gathered
        # where every step's input and output files live, for an executor whose workers are elsewhere
        self.resources = {**engine.resources, "objects": engine.folder.objects_address}

    async def drive(self) -> None:
        in_flight: dict[asyncio.Future[Any], tuple[Invocation, Future[Outcome] | None]] = {}
        while True:
            self._promote()
            self._resolve_cached()
            self._submit_ready(in_flight)
            if not in_flight:
                if self.ready or any(self._deps_settled(inv) for inv in self.waiting):
                    await asyncio.sleep(0.01)  # the executor is full of work submitted elsewhere
                    continue
                break
            done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            settle = [(fut, in_flight.pop(fut)[0]) for fut in done]
            # the workers just freed take the next ready steps before the finished ones' files are stored and
            # recorded: a worker never waits on the runner's own bookkeeping while there is work
            self._submit_ready(in_flight)
            for fut, inv in settle:
                if inv is None:
                    continue
                await self._settle(inv, fut, in_flight)
        for inv in self.waiting:  # unreachable in a valid graph; kept so nothing silently vanishes
            self._finish(inv, "skipped", error="never became ready")

    def _submit_ready(self, in_flight: dict[asyncio.Future[Any], tuple[Invocation | None, Future[Outcome] | None]]) -> None:
        """Submit ready steps, the highest priority first (in the order they became ready within one), while the
        executor takes them."""
        for inv in sorted(self.ready, key=lambda ready: -self.priority[ready.node]):
            if not self.executor.can_submit(inv.step.kind):
                continue
            self.ready.remove(inv)
            concurrent = self._submit(inv)
            if concurrent is None:
                continue
            in_flight[asyncio.wrap_future(concurrent)] = (inv, concurrent)

    def _deps_settled(self, inv: Invocation) -> bool:
        return all(dep.node in self.finished for dep in inv.deps.values())

    def _promote(self) -> None:
        """Move waiting nodes whose inputs are all settled to ready, or skip them if an input failed."""
        changed = True
        while changed:
            changed = False
            for inv in list(self.waiting):
                if not self._deps_settled(inv):
                    continue
                self.waiting.remove(inv)
                changed = True
                missing = [dep for dep in inv.deps.values() if dep.node not in self.done]
                if missing:
                    first = missing[0]
                    self._finish(inv, "skipped", error=f"input {first.step.name} [{first.entity}] did not finish")
                else:
                    self.ready.append(inv)

    def _resolve_cached(self) -> None:
        """Look up the key of every newly ready node; a cache hit settles it and may ready its dependents.

        The keys of a wave of ready nodes go to the state in one query: a rebuild of a season looks
        up thousands of keys, and a query each would cost more than the work left to do.
        """
        self._events = []
        try:
            while unresolved := [inv for inv in self.ready if inv.node not in self.keys]:
                for inv in unresolved:
                    versions = {name: self.done[dep.node].data_version for name, dep in inv.deps.items()}
                    self.keys[inv.node] = (cache_key(inv.step, inv.params, versions, inv.model, inv.seed), versions)
                found = self.state.takes_for_keys([self.keys[inv.node][0] for inv in unresolved])
                hits = [(inv, found[self.keys[inv.node][0]]) for inv in unresolved if self.keys[inv.node][0] in found]
                for inv, take in hits:
                    self._settle_cached(inv, take)
                if hits:
                    self._promote()
        finally:
            # the wave's events in one transaction
            events, self._events = self._events, None
            self.state.record_events(events)

    def _settle_cached(self, inv: Invocation, take: Take) -> None:
        self.ready.remove(inv)
        if take.validation is Validation.REJECTED:
            self._finish(
                inv,
                "failed",
                error=f"take {take.id} for these exact inputs was rejected; change the seed or params for a retake",
            )
            return
        self.done[inv.node] = take
        self.summary.takes[inv.node] = take
        self._finish(inv, "cached")

    def _submit(self, inv: Invocation) -> Future[Outcome] | None:
        node = inv.node
        self.attempts[node] += 1
        attempt = self.attempts[node]
        workdir = self.run_dir / self._workdir_name(inv)
        try:
            params = _json_roundtrip(dict(inv.params))
        except (TypeError, ValueError) as err:
            self._finish(inv, "failed", error=f"params are not JSON: {err}")
            return None
        ctx = StepContext(
            step=inv.step.name,
            entity=inv.entity,
            params=params,
            inputs={name: self._view(self.done[dep.node]) for name, dep in inv.deps.items()},
            workdir=workdir,
            seed=inv.seed,
            model=inv.model,
            attempt=attempt,
            resources=self.resources,
        )
        self.started.setdefault(node, time.monotonic())
        try:
            if inv.step.gpus:
                return self.executor.submit(inv.step.fn, ctx, inv.step.kind, gpus=inv.step.gpus)
            return self.executor.submit(inv.step.fn, ctx, inv.step.kind)
        except Exception as err:  # noqa: BLE001 - e.g. a function that cannot be pickled
            self._finish(inv, "failed", error=f"could not start: {type(err).__name__}: {err}")
            return None

    def _view(self, take: Take) -> TakeView:
        return TakeView(
            take_id=take.id,
            data=dict(take.data),
            components={name: self.objects.path(sha) for name, sha in take.components.items()},
            shas=dict(take.components),
        )

    async def _settle(self, inv: Invocation, fut: asyncio.Future[Any], in_flight: dict) -> None:
        node = inv.node
        try:
            outcome: Outcome = fut.result()
        except BrokenProcessPool:
            reset = getattr(self.executor, "reset_broken", None)
            if reset is not None:
                reset()
            outcome = Outcome(error="the worker process died", transient=True)
        except Exception as err:  # noqa: BLE001 - the executor itself failed for this node
            outcome = Outcome(error=f"{type(err).__name__}: {err}", transient=False)
        if outcome.output is not None:
            with held_off():  # a take and its event are recorded together: a stop counts what it kept
                try:
                    take = self._ingest(inv, outcome.output, outcome.stored)
                except MangalineError as err:
                    self._finish(inv, "failed", error=str(err))
                    return
                finally:
                    shutil.rmtree(self.run_dir / self._workdir_name(inv), ignore_errors=True)
                self.done[node] = take
                self.summary.takes[node] = take
                self._finish(inv, "ran")
            return
        shutil.rmtree(self.run_dir / self._workdir_name(inv), ignore_errors=True)
        if outcome.transient and self.attempts[node] <= inv.step.retries:
            # exponential backoff with jitter, so parallel retries against one resource spread out
            delay = self.engine.backoff * (2 ** (self.attempts[node] - 1)) * (1 + random.random() * 0.5)
            in_flight[asyncio.ensure_future(self._retry_later(inv, delay))] = (None, None)
            return
        self._finish(inv, "failed", error=outcome.error or "unknown error")

    async def _retry_later(self, inv: Invocation, delay: float) -> None:
        await asyncio.sleep(delay)
        self.ready.append(inv)

    def _workdir_name(self, inv: Invocation) -> str:
        # the entity's hash keeps two entities apart whose names read the same once made safe (老周 and 老王 both "_")
        tag = hashlib.sha256(inv.entity.encode("utf-8")).hexdigest()[:8]
        return f"{_safe_name(inv.step.name)}-{_safe_name(inv.entity)}-{tag}-{self.attempts[inv.node]}"

    def _ingest(self, inv: Invocation, output: StepOutput, stored: Mapping[str, str] | None = None) -> Take:
        """Blobs first, then the take row: a take is never visible before all its files are stored.

        ``stored`` are files a worker elsewhere already put into the store: they are checked, not copied."""
        step, entity = inv.node
        key, versions = self.keys[inv.node]
        workdir = self.run_dir / self._workdir_name(inv)
        components: dict[str, str] = {}
        for name, sha in (stored or {}).items():
            if not self.objects.has(sha):
                raise StepError(step, entity, f"component {name!r} ({sha[:12]}) is not in the object store")
            components[name] = sha
        for name, path in output.components.items():
            path = Path(path)
            if not path.is_absolute():
                path = workdir / path
            if not path.is_file():
                raise StepError(step, entity, f"component {name!r} is not a file: {path}")
            # the work folder is removed once the take is in: its files move into the store rather than being copied
            components[name] = self.objects.put_file(path, move=_within(path, workdir))
        try:
            data = _json_roundtrip(output.data)
        except (TypeError, ValueError) as err:
            raise StepError(step, entity, f"the step's data is not JSON: {err}") from None
        take = Take(
            id=uuid.uuid4().hex,
            step=step,
            entity=entity,
            cache_key=key,
            data_version=data_version(components, data),
            components=components,
            data=data,
            provenance=Provenance(
                step=step,
                code_version=inv.step.version,
                input_versions=versions,
                params_sha256=params_sha256(inv.params),
                provider=output.provider,
                model=output.model or inv.model,
                seed=inv.seed,
                prompt=output.prompt,
                cost=output.cost,
                warnings=list(output.warnings),
            ),
            created_at=datetime.now(UTC),
            run_id=self.summary.run_id,
        )
        return self.state.record_take(take)

    def _finish(self, inv: Invocation, event: str, *, error: str | None = None) -> None:
        node = inv.node
        seconds = time.monotonic() - self.started[node] if node in self.started else 0.0
        attempts = max(self.attempts.get(node, 0), 1)
        record = StepEvent(self.summary.run_id, node[0], node[1], event, seconds, error, attempts, datetime.now(UTC))
        if self._events is not None:
            self._events.append(record)
        else:
            self.state.record_events([record])
        self.finished.add(node)
        self.summary.count(node[0], event)
        if event == "failed":
            self.summary.failures.append(Failure(node[0], node[1], error or "", attempts))
        self.advance(node[0])


def _json_roundtrip(value: Any) -> Any:
    return json.loads(canonical_json(value))


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` (not following a final link) lies in ``folder``."""
    try:
        return path.parent.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False

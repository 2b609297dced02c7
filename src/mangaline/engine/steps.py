"""Steps and invocations: what the engine runs, and what a step function sees and returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import StepError, TransientStepError

__all__ = ["Step", "Invocation", "StepContext", "TakeView", "StepOutput", "NodeId"]

NodeId = tuple[str, str]
"""(step name, entity): one node of the build graph."""


@dataclass(frozen=True)
class TakeView:
    """A finished input take as a step sees it; component paths point into the object store (read-only)."""

    take_id: str
    data: dict[str, Any]
    components: dict[str, Path]
    shas: dict[str, str] = field(default_factory=dict)
    """Each component's sha256 in the object store: how a worker on another machine fetches it."""


@dataclass
class StepContext:
    """Everything a step function gets; picklable, so it can cross into a worker process.

    ``resources`` are what the build lends every step beyond its params and inputs, by address
    (where the project's state and results live, its settings and catalogue): never part of a
    cache key, so they must not change what a step makes, only where it may call and book.
    """

    step: str
    entity: str
    params: dict[str, Any]
    inputs: dict[str, TakeView]
    workdir: Path
    seed: int
    model: str
    attempt: int = 1
    resources: Mapping[str, Any] = field(default_factory=dict)

    def fail(self, message: str, *, transient: bool = False) -> StepError:
        """An error for this step and entity, ready to raise."""
        cls = TransientStepError if transient else StepError
        return cls(self.step, self.entity, message)


@dataclass
class StepOutput:
    """What a step returns: the files it wrote in its workdir, small JSON data and provenance extras."""

    components: dict[str, Path] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    provider: str = "draft"
    model: str | None = None
    prompt: str | None = None
    cost: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """A named function with a code version; bump the version whenever the output would change."""

    name: str
    version: str
    fn: Callable[[StepContext], StepOutput]
    kind: Literal["cpu", "io"] = "cpu"
    retries: int = 2
    gpus: float = 0.0
    """GPUs a run of this step holds on an executor that schedules them (Ray); the local one ignores it."""
    warm: tuple[str, ...] = ()
    """What a worker loads before this step's first run, beside the step's own module: modules the step imports
    late (``"scipy.signal"``) or ``"module:function"`` set-ups called with no arguments (a voice model)."""
    priority: int = 0
    """Ready nodes of a higher priority go to the workers first (those of one priority in the order they became
    ready): a long step near the end of the graph, such as an episode's mix, starts as soon as its inputs are
    there rather than behind the many short steps that became ready before it. The steps it needs inherit its
    priority while it waits on them."""

    def __post_init__(self) -> None:
        if self.kind not in ("cpu", "io"):
            raise ValueError(f"step {self.name}: kind must be 'cpu' or 'io', not {self.kind!r}")
        if self.gpus < 0:
            raise ValueError(f"step {self.name}: gpus cannot be negative")
        if not 0 <= self.retries <= 10:
            raise ValueError(f"step {self.name}: retries must be between 0 and 10, not {self.retries}")
        qualname = getattr(self.fn, "__qualname__", "")
        if self.kind == "cpu" and ("<locals>" in qualname or "<lambda>" in qualname):
            # a worker process finds the function by module and name; a closure cannot travel there
            raise ValueError(f"step {self.name}: a cpu step's function must be defined at module level, not {qualname}")


@dataclass(frozen=True, eq=False)
class Invocation:
    """One node of the build graph: a step applied to one entity with its params and its inputs."""

    step: Step
    entity: str
    params: Mapping[str, Any] = field(default_factory=dict)
    deps: Mapping[str, Invocation] = field(default_factory=dict)
    model: str = "draft"
    seed: int = 0
    label: str = ""

    @property
    def node(self) -> NodeId:
        return (self.step.name, self.entity)

    def __str__(self) -> str:
        return self.label or f"{self.step.name} [{self.entity}]"

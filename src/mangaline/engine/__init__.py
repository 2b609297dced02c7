"""The engine: steps, cache keys, runs, staleness and executors (DESIGN.md §4)."""

from .cache import cache_key, canonical_json, data_version, params_sha256
from .executor import Executor, LocalExecutor, Outcome
from .runner import Engine, Failure, Freshness, GraphError, NodeStatus, RunSummary
from .steps import Invocation, NodeId, Step, StepContext, StepOutput, TakeView

__all__ = [
    "Engine",
    "Executor",
    "Failure",
    "Freshness",
    "GraphError",
    "Invocation",
    "LocalExecutor",
    "NodeId",
    "NodeStatus",
    "Outcome",
    "RunSummary",
    "Step",
    "StepContext",
    "StepOutput",
    "TakeView",
    "cache_key",
    "canonical_json",
    "data_version",
    "params_sha256",
]

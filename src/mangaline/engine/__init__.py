"""The engine: steps, cache keys, runs, staleness and executors (DESIGN.md §4)."""

from .cache import cache_key, canonical_json, data_version, params_sha256
from .executor import Executor, LocalExecutor, Outcome
from .lock import BUILD_LOCK_NAME, LockHolder, build_lock, lock_holder
from .runner import Engine, Failure, Freshness, GraphError, NodeStatus, RunSummary
from .steps import Invocation, NodeId, Step, StepContext, StepOutput, TakeView

__all__ = [
    "BUILD_LOCK_NAME",
    "Engine",
    "Executor",
    "Failure",
    "Freshness",
    "GraphError",
    "Invocation",
    "LocalExecutor",
    "LockHolder",
    "NodeId",
    "NodeStatus",
    "Outcome",
    "RunSummary",
    "Step",
    "StepContext",
    "StepOutput",
    "TakeView",
    "build_lock",
    "cache_key",
    "canonical_json",
    "data_version",
    "lock_holder",
    "params_sha256",
]

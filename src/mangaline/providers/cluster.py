"""Provider limits and the budget held across every worker of a Ray cluster.

    GatesAddress(name).open()   in any worker: the ClusterGates of one project, backed by one named
                                Ray actor (the gate keeper) that every worker of the cluster asks
    gates.get(provider, ...)    a gate like the runtime's own (a slot per job in flight, a token bucket
                                on requests per minute), counted once for the whole cluster
    gates.budget_hold()         the money priced but not yet booked by jobs in flight anywhere

The keeper notes which worker process holds each slot; a worker that dies holding one (killed,
out of memory) has its slots given back when the keeper sees the process gone, so a lost worker
cannot shrink a provider's limit for the rest of the build.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..stopping import process_alive

__all__ = ["ClusterGates", "GatesAddress", "GateKeeper"]

NAMESPACE = "mangaline"


class GateKeeper:
    """The state of every gate of one project, in one Ray actor (async: a waiting acquire blocks nobody)."""

    def __init__(self) -> None:
        self.gates: dict[str, dict[str, Any]] = {}
        self.holders: dict[str, tuple[str, str, int]] = {}  # slot token -> (gate, node, pid)
        self.changed = asyncio.Condition()
        self.budget_owner: str | None = None
        self.reserved = 0.0
        self.node = _node_id()

    def _gate(self, name: str, concurrency: int, rpm: int | None) -> dict[str, Any]:
        gate = self.gates.get(name)
        if gate is None:
            capacity = max(1.0, (rpm or 0) / 6.0)
            gate = self.gates[name] = {
                "concurrency": concurrency, "rpm": rpm, "in_flight": 0, "peak": 0,
                "tokens": capacity, "capacity": capacity, "stamp": time.monotonic(),
                "busy": 0.0, "since": time.monotonic(), "first": None,
            }
        return gate

    def _account(self, gate: dict[str, Any]) -> None:
        now = time.monotonic()
        gate["busy"] += gate["in_flight"] * (now - gate["since"])
        gate["since"] = now

    async def acquire(self, name: str, concurrency: int, rpm: int | None, node: str, pid: int) -> str:
        gate = self._gate(name, concurrency, rpm)
        async with self.changed:
            while gate["in_flight"] >= gate["concurrency"]:
                if not self._reap():
                    try:
                        await asyncio.wait_for(self.changed.wait(), timeout=1.0)
                    except TimeoutError:
                        pass
            self._account(gate)
            gate["in_flight"] += 1
            gate["peak"] = max(gate["peak"], gate["in_flight"])
            if gate["first"] is None:
                gate["first"] = time.monotonic()
            token = uuid.uuid4().hex
            self.holders[token] = (name, node, pid)
            return token

    async def release(self, token: str) -> None:
        async with self.changed:
            self._free(token)
            self.changed.notify_all()

    def _free(self, token: str) -> None:
        held = self.holders.pop(token, None)
        if held is not None:
            gate = self.gates[held[0]]
            self._account(gate)
            gate["in_flight"] -= 1

    def _reap(self) -> bool:
        """Give back the slots of worker processes on this node that are gone; returns whether any was."""
        dead = [token for token, (_gate, node, pid) in self.holders.items() if node == self.node and not process_alive(pid)]
        for token in dead:
            self._free(token)
        return bool(dead)

    async def take(self, name: str, concurrency: int, rpm: int) -> float:
        """One request token: 0 when taken, else the seconds to wait before asking again."""
        gate = self._gate(name, concurrency, rpm)
        rate = rpm / 60.0
        now = time.monotonic()
        gate["tokens"] = min(gate["capacity"], gate["tokens"] + (now - gate["stamp"]) * rate)
        gate["stamp"] = now
        if gate["tokens"] >= 1.0:
            gate["tokens"] -= 1.0
            return 0.0
        return (1.0 - gate["tokens"]) / rate

    async def lock_budget(self, owner: str) -> None:
        async with self.changed:
            while self.budget_owner is not None and self.budget_owner != owner:
                await self.changed.wait()
            self.budget_owner = owner

    async def unlock_budget(self, owner: str) -> None:
        async with self.changed:
            if self.budget_owner == owner:
                self.budget_owner = None
                self.changed.notify_all()

    async def reserve(self, amount: float) -> float:
        self.reserved += amount
        return self.reserved

    async def reserved_amount(self) -> float:
        return self.reserved

    async def report(self) -> dict[str, dict[str, float]]:
        """Per gate: its limit, jobs in flight, the most at once, and the share of its slots kept busy since first use."""
        now = time.monotonic()
        rows = {}
        for name, gate in self.gates.items():
            self._account(gate)
            span = now - gate["first"] if gate["first"] is not None else 0.0
            rows[name] = {
                "concurrency": gate["concurrency"], "in_flight": gate["in_flight"], "peak": gate["peak"],
                "busy_share": gate["busy"] / (gate["concurrency"] * span) if span > 0 else 0.0,
            }
        return rows


def _node_id() -> str:
    try:
        import ray

        return ray.get_runtime_context().get_node_id()
    except Exception:  # noqa: BLE001 - outside Ray: one machine
        return "local"


@dataclass(frozen=True)
class GatesAddress:
    """One project's gates on the Ray cluster this process is part of: plain data a step's resources carry."""

    name: str

    def open(self) -> ClusterGates:
        with _opened_lock:
            gates = _opened.get(self.name)
            if gates is None:
                gates = _opened[self.name] = ClusterGates(self.name)
            return gates


_opened_lock = threading.Lock()
_opened: dict[str, ClusterGates] = {}


@dataclass
class ClusterGates:
    """The runtime's Gates interface over the project's gate keeper actor (created by the first to ask)."""

    name: str
    _keeper: Any = field(default=None, repr=False)
    _gates: dict[str, ClusterGate] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def keeper(self) -> Any:
        with self._lock:
            if self._keeper is None:
                try:
                    import ray
                except ImportError:
                    raise ConfigError("limits across a cluster need Ray, which is not installed",
                                      hint="pip install 'mangaline[cluster]'") from None
                actor = ray.remote(num_cpus=0, max_concurrency=1000)(GateKeeper)
                self._keeper = actor.options(name=self.name, namespace=NAMESPACE, get_if_exists=True,
                                             lifetime="detached").remote()
            return self._keeper

    def get(self, name: str, concurrency: int, requests_per_minute: int | None) -> ClusterGate:
        with self._lock:
            gate = self._gates.get(name)
            if gate is None:
                gate = self._gates[name] = ClusterGate(self, name, concurrency, requests_per_minute)
            return gate

    def budget_hold(self) -> ClusterBudget:
        return ClusterBudget(self)

    def report(self) -> dict[str, dict[str, float]]:
        import ray

        return ray.get(self.keeper.report.remote())

    def close(self) -> None:
        """End the keeper (the build is over); the next build starts with fresh gates."""
        import ray

        with self._lock:
            keeper, self._keeper = self._keeper, None
        try:
            ray.kill(keeper if keeper is not None else ray.get_actor(self.name, namespace=NAMESPACE))
        except ValueError:
            pass  # never started
        with _opened_lock:
            _opened.pop(self.name, None)


@dataclass
class ClusterGate:
    """One provider's (or model's) slots and request rate, shared by every worker of the cluster."""

    gates: ClusterGates
    name: str
    concurrency: int
    requests_per_minute: int | None
    _in_flight: int = 0

    @property
    def in_flight(self) -> int:
        """Jobs in flight from this process (the cluster's figure is in the keeper's report)."""
        return self._in_flight

    @contextmanager
    def slot(self) -> Iterator[None]:
        import ray

        keeper = self.gates.keeper
        token = ray.get(keeper.acquire.remote(self.name, self.concurrency, self.requests_per_minute,
                                              _node_id(), os.getpid()))
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            ray.get(keeper.release.remote(token))

    def request(self, sleep: Callable[[float], None] = time.sleep) -> None:
        if not self.requests_per_minute:
            return
        import ray

        keeper = self.gates.keeper
        while (wait := ray.get(keeper.take.remote(self.name, self.concurrency, self.requests_per_minute))) > 0:
            sleep(wait)


@dataclass
class ClusterBudget:
    """The budget's lock and what is held by jobs in flight, for every worker of the cluster."""

    gates: ClusterGates

    @contextmanager
    def lock(self) -> Iterator[None]:
        import ray

        keeper = self.gates.keeper
        owner = uuid.uuid4().hex
        ray.get(keeper.lock_budget.remote(owner))
        try:
            yield
        finally:
            ray.get(keeper.unlock_budget.remote(owner))

    @property
    def reserved(self) -> float:
        import ray

        return ray.get(self.gates.keeper.reserved_amount.remote())

    def add(self, amount: float) -> None:
        import ray

        ray.get(self.gates.keeper.reserve.remote(amount))

"""Provider limits and the budget across the worker processes of a real (local) Ray."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest

ray = pytest.importorskip("ray")

from mangaline.providers.cluster import GatesAddress  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=4, include_dashboard=False, namespace="mangaline", log_to_driver=False,
                 configure_logging=False, runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(
                     p for p in __import__("sys").path if p and os.path.isdir(p))}})
    yield
    if started:
        ray.shutdown()


def hold_a_slot(address: GatesAddress, seconds: float) -> tuple[float, float, float, int]:
    gate = address.open().get("ark", 2, None)
    arrived = time.monotonic()
    with gate.slot():
        began = time.monotonic()
        time.sleep(seconds)
        return arrived, began, time.monotonic(), os.getpid()


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_provider_limit_holds_across_workers_and_is_reached(cluster: None) -> None:
    address = GatesAddress(f"gates-{uuid.uuid4().hex[:8]}")
    task = ray.remote(num_cpus=1)(hold_a_slot)
    # four worker processes up first, each having found the gates once: how long Ray takes to start a worker
    # or to look an actor up is not the gate's doing
    assert len(set(ray.get([ray.remote(num_cpus=1)(_pid_after).remote(1.0) for _ in range(4)]))) == 4
    ray.get([task.remote(address, 0.0) for _ in range(8)])
    spans = ray.get([task.remote(address, 0.4) for _ in range(8)])
    assert len({pid for *_, pid in spans}) > 1, "the calls ran in several worker processes"
    # the most calls holding a slot at once, on this machine's clock: the limit is reached (both slots used
    # together), never passed; how full the slots were kept depends on how fast Ray schedules, so it is not judged
    moments = sorted([(b, 1) for _, b, _, _ in spans] + [(e, -1) for _, _, e, _ in spans])
    running = peak = 0
    for _, step in moments:
        running += step
        peak = max(peak, running)
    assert peak == 2
    report = address.open().report()["ark"]
    assert report["peak"] == 2 and report["in_flight"] == 0
    # every call that arrived while both slots were taken got one only when another call gave its slot back
    for arrived, began, _, _ in spans:
        busy = sum(1 for _, b, e, _ in spans if b <= arrived < e)
        if busy >= 2:
            assert any(arrived <= e <= began for _, _, e, _ in spans), "a call got a slot while two were held"
    address.open().close()


def die_holding_a_slot(address: GatesAddress) -> None:
    gate = address.open().get("kling", 1, None)
    with gate.slot():
        os._exit(9)


def test_a_worker_killed_holding_a_slot_gives_it_back(cluster: None) -> None:
    address = GatesAddress(f"gates-{uuid.uuid4().hex[:8]}")
    with pytest.raises(ray.exceptions.WorkerCrashedError):
        ray.get(ray.remote(max_retries=0)(die_holding_a_slot).remote(address))
    gate = address.open().get("kling", 1, None)
    began = time.monotonic()
    with gate.slot():  # waits only until the keeper sees the holder gone
        pass
    assert time.monotonic() - began < 30
    address.open().close()


def take_requests(address: GatesAddress, n: int) -> list[float]:
    gate = address.open().get("bfl", 5, 60)
    stamps = []
    for _ in range(n):
        gate.request()
        stamps.append(time.time())
    return stamps


def test_the_request_rate_is_one_bucket_for_the_whole_cluster(cluster: None) -> None:
    address = GatesAddress(f"gates-{uuid.uuid4().hex[:8]}")
    task = ray.remote(num_cpus=1)(take_requests)
    stamps = sorted(s for batch in ray.get([task.remote(address, 7) for _ in range(2)]) for s in batch)
    # 60 a minute with a burst of 10: 14 requests take at least 4 s, whichever workers ask
    assert stamps[-1] - stamps[0] >= 3.5
    address.open().close()


def reserve_under_budget(address: GatesAddress, spent: list[float], price: float, budget: float) -> bool:
    hold = address.open().budget_hold()
    with hold.lock():
        if sum(spent) + hold.reserved + price > budget:
            return False
        hold.add(price)
    return True


def test_money_in_flight_is_counted_once_for_every_worker(cluster: None) -> None:
    address = GatesAddress(f"gates-{uuid.uuid4().hex[:8]}")
    task = ray.remote(num_cpus=1)(reserve_under_budget)
    granted = ray.get([task.remote(address, [1.0], 1.0, 5.0) for _ in range(10)])
    assert sum(granted) == 4
    assert address.open().budget_hold().reserved == pytest.approx(4.0)
    address.open().close()

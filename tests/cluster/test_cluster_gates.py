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


def hold_a_slot(address: GatesAddress, seconds: float) -> tuple[float, float, int]:
    gate = address.open().get("ark", 2, None)
    with gate.slot():
        began = time.monotonic()
        time.sleep(seconds)
        return began, time.monotonic(), os.getpid()


def test_a_provider_limit_holds_across_workers_and_is_kept_full(cluster: None) -> None:
    address = GatesAddress(f"gates-{uuid.uuid4().hex[:8]}")
    task = ray.remote(num_cpus=1)(hold_a_slot)
    spans = ray.get([task.remote(address, 0.4) for _ in range(8)])
    assert len({pid for _, _, pid in spans}) > 1, "the calls ran in several worker processes"
    moments = sorted([(b, 1) for b, _, _ in spans] + [(e, -1) for _, e, _ in spans])
    running = peak = 0
    for _, step in moments:
        running += step
        peak = max(peak, running)
    assert peak == 2
    report = address.open().report()["ark"]
    assert report["peak"] == 2 and report["in_flight"] == 0
    assert report["busy_share"] > 0.8
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

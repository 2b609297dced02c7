"""A Ray worker killed in the middle of a paid step: the step runs again elsewhere and pays nothing twice.

Real parts: a local Ray with several worker processes, the project's state in PostgreSQL, its objects
in moto's S3 server, the fake video provider on 127.0.0.1 (jobs of a fixed latency, a concurrency
limit it enforces with 429s), the runtime's journal and ledger, the cluster's gates."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from mangaline.config import Settings, StorageSettings
from mangaline.engine import Engine, Invocation
from mangaline.engine.ray_executor import RayExecutor
from mangaline.model import Project
from mangaline.project import ProjectFolder
from mangaline.providers.cluster import GatesAddress
from mangaline.providers.ledger import Ledger
from tests.providers.fake_video import FakeVideoServer

from tests.s3 import S3Server
from .steps import PAID_CLIP

pytest.importorskip("ray")

LIMIT = 3


@pytest.fixture
def folder(tmp_path: Path, postgres_url: str, s3: S3Server) -> Iterator[ProjectFolder]:
    settings = Settings(project=Project(name="kill"),
                        storage=StorageSettings(url=s3.bucket() + "/objects", endpoint_url=s3.endpoint_url))
    project = ProjectFolder.create(tmp_path / "kill", settings=settings, state_url=postgres_url)
    yield project
    project.close()


def _workers_running(name: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if cmdline and cmdline[0].startswith(f"ray::{name}"):
            found.append(process)
    return found


def test_a_worker_killed_mid_step_is_run_again_elsewhere_and_pays_nothing_twice(
    folder: ProjectFolder, postgres_url: str, s3: S3Server
) -> None:
    killed: list[int] = []

    def kill_one_worker_mid_job(server: FakeVideoServer) -> None:
        # wait until a job is in flight at the provider, then SIGKILL a worker running a step
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            if server.jobs:
                for process in _workers_running("run_remote"):
                    process.kill()
                    killed.append(process.pid)
                    return
            time.sleep(0.05)

    with FakeVideoServer(latency=1.5, concurrency=LIMIT).serving() as server:
        gates = GatesAddress(f"test-{uuid.uuid4().hex[:8]}")
        params = {"url": server.url, "limit": LIMIT, "state": postgres_url, "results": str(folder.state_dir / "results")}
        nodes = [Invocation(PAID_CLIP, f"sh{n:03d}", {**params, "seed": n}) for n in range(6)]
        killer = threading.Thread(target=kill_one_worker_mid_job, args=(server,))
        with RayExecutor(workers=2, io_workers=6, max_retries=2) as executor:
            killer.start()
            summary = Engine(folder, executor, resources={"gates": gates}).run(nodes, progress=False)
            killer.join()
            report = gates.open().report()
            gates.open().close()
        assert killed, "a worker was killed mid-step"
        assert summary.ok, str(summary)
        # every request made one job at the provider: the rerun found the killed step's job in the journal
        assert len(server.submits) == len(nodes)
        # the cluster never held more slots than the limit; the killed worker's job ran on at the provider
        # after its slot was given back, so at most that one submit met a full provider (a 429, retried)
        assert report["fake"]["peak"] <= LIMIT and server.rejected_busy <= len(killed)
        charges = Ledger(folder.state).entries()
        assert len(charges) == len(nodes) and len({c.charge.cache_key for c in charges}) == len(nodes)
    # the clips are in the bucket, and read back whole from it on a machine with an empty cache
    for node in nodes:
        take = summary.takes[node.node]
        sha = take.components["clip"]
        assert any(key.endswith(sha[2:]) for key in s3.keys(folder.objects_address.url))
        again = folder.objects_address.__class__(folder.objects_address.url, cache=str(folder.root / "elsewhere"),
                                                 endpoint_url=s3.endpoint_url).open()
        assert hashlib.sha256(again.path(sha).read_bytes()).hexdigest() == sha

"""How busy the runtime keeps a provider's concurrency limit: a fake provider on 127.0.0.1 with a fixed job latency.

Share busy = the job-seconds the provider ran / (limit x the wall time from the first submit
until the last result was saved). Target: >= 95%. Run: .venv/bin/python benchmarks/concurrency_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake provider lives with the tests

from mangaline.project.state import StateDB, sqlite_url
from mangaline.providers.runtime import Gates, PollPolicy, Runtime
from tests.providers.fake_video import (
    REQUEST,
    FakeVideoModel,
    FakeVideoServer,
    fake_catalogue,
)

LIMIT = 4
LATENCY = 2.0
JOBS = 24
WORKERS = 12  # more step threads than slots, as in a build with many shots waiting


def main() -> int:
    catalogue = fake_catalogue({"id": "fake-clip", "price": 0.1, "limits": {"concurrency": LIMIT}})
    with tempfile.TemporaryDirectory() as tmp, FakeVideoServer(latency=LATENCY, concurrency=LIMIT).serving() as server:
        db = StateDB(sqlite_url(Path(tmp) / "state.db"))
        runtime = Runtime(db, Path(tmp) / "results", catalogue=catalogue, gates=Gates(), poll=PollPolicy(first=0.05))
        queue = list(range(JOBS))
        lock = threading.Lock()
        failures: list[str] = []

        def worker() -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    seed = queue.pop()
                request = REQUEST.__class__(**{**REQUEST.__dict__, "seed": seed})
                try:
                    runtime.video("fake", "fake-clip", FakeVideoModel(server.url), request, entity=f"sh{seed:03d}")
                except Exception as err:  # noqa: BLE001 - counted and printed
                    failures.append(str(err))

        start = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - start
        first_submit = min(j["start"] for j in server.jobs.values())
        span = start + wall - first_submit
        share = server.busy_seconds() / (LIMIT * span)
        ideal = JOBS / LIMIT * LATENCY
        print(f"{JOBS} jobs of {LATENCY:g} s through a limit of {LIMIT}, {WORKERS} worker threads")
        print(f"wall {wall:.2f} s (ideal {ideal:.2f} s); polls {len(server.polls)}; 429s for busy {server.rejected_busy}")
        print(f"share of the limit kept busy: {share:.1%} (target >= 95%)")
        if failures:
            print(f"{len(failures)} job(s) failed, first: {failures[0]}")
        runtime.close()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The studio's fixtures: the example project made and built once per test session, and a studio serving it."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import EXAMPLES, ROOT, mangaline

pytest.importorskip("fastapi", reason="the studio extra is not installed: pip install -e '.[studio]'")

ARTEFACTS = ROOT / "test-artefacts" / "studio"
"""Screenshots of every page (gitignored): what the browser tests saw."""


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/last-ferry.fountain made into a project and built at the draft tier, once per session."""
    root = tmp_path_factory.mktemp("studio") / "last-ferry"
    mangaline("new", root, "--from", EXAMPLES / "last-ferry.fountain")
    mangaline("build", root, "--no-progress")
    return root


class Served:
    """A real uvicorn serving the studio on 127.0.0.1, in a thread of the test process."""

    def __init__(self, root: Path, token: str | None = None) -> None:
        import uvicorn

        from mangaline.studio import create_app

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.app = create_app(root, token=token)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the studio did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        studio = self.app.state.studio
        if studio.building():  # a build the studio started: let it end, it holds the project's lock
            studio.build.wait(timeout=300)
        studio.close()


@pytest.fixture(scope="session")
def served(example: Path) -> Iterator[Served]:
    with Served(example) as running:
        yield running


@pytest.fixture(scope="session")
def artefacts() -> Path:
    shutil.rmtree(ARTEFACTS, ignore_errors=True)
    ARTEFACTS.mkdir(parents=True)
    return ARTEFACTS

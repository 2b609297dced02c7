"""Shared fixtures: run the real `mangaline` command, and a small screenplay for fast builds."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import pytest

from mangaline.model import Bible, Project, Scene

from .pg import PostgresServer, postgres_server
from .s3 import S3Server, s3_server
from .storyboard.cafe_sample import make_bible, make_scene

ROOT = Path(__file__).resolve().parents[1]

CLUSTER = os.environ.get("MANGALINE_TEST_CLUSTER") == "1"
"""Run the tests as on a cluster: every project `mangaline new` makes keeps its state in a PostgreSQL database
of its own and its objects in an S3 bucket of its own, and builds on Ray (`make test` runs the build tests
so too)."""
EXAMPLES = ROOT / "examples"

# Builds in the tests run in their own processes, even where the person running them has warm workers up
# (`mangaline workers start`); tests/test_warm.py starts its own.
os.environ["MANGALINE_WORKERS_SOCKET"] = str(Path(__file__).parent / "no-warm-workers.sock")

SMALL_SCRIPT = """Title: Small Hours
Author: mangaline tests

INT. NIGHT KITCHEN - NIGHT

A narrow kitchen. A lamp over the counter, a window with rain on it.

JUNE, 20s, short black hair and a yellow raincoat, stands at the counter.

JUNE
You came back.

ODA (O.S.)
The door was open.

ODA, an old man with grey hair and a brown coat, steps in.

ODA
I only want my umbrella.

JUNE
(quietly)
It is by the window. Take it and go.
"""


def mangaline(*args: str | os.PathLike, check: bool = True, cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the CLI as a user would, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-m", "mangaline.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"mangaline {' '.join(map(str, args))} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    if CLUSTER and result.returncode == 0 and args and str(args[0]) == "new":
        _on_the_cluster(Path(cwd or ".") / Path(args[1]))
    return result


def model_take_filter(frames: int, width: int, height: int, *, push: float = 0.03) -> str:
    """The FFmpeg filter with which a stand-in video model makes a take of its first frame: the camera pushes in by
    ``push`` over the take, from a little closer than the still, and pans across what that leaves at the sides, so
    the picture moves as a real model's take does. (A still that only pushes in about its middle while someone
    speaks is how QC knows a model's freeze.)"""
    return (f"scale={2 * width}:{2 * height},zoompan=z='1.03+{push}*on/{frames}':x='(iw-iw/zoom)*on/{frames}'"
            f":y='ih/2-ih/zoom/2':d={frames}:s={width}x{height}:fps=24")


def copy_project(source: Path, target: Path) -> None:
    """A copy of a project folder, safe while this process has the project's state database open.

    The database is copied by SQLite's backup, never read as a plain file: closing any file this process opened on
    it drops every lock SQLite holds on it here (POSIX locks belong to the process), and the next process to close
    its last connection then thinks it is alone and deletes the -wal and -shm files the open connections still use
    (a later query fails with "disk I/O error")."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("state.db", "state.db-wal", "state.db-shm"))
    for db in source.rglob("state.db"):
        copy = target / db.relative_to(source)
        with closing(sqlite3.connect(db)) as read, closing(sqlite3.connect(copy)) as written:
            read.backup(written)


@pytest.fixture
def small_script(tmp_path: Path) -> Path:
    path = tmp_path / "small-hours.fountain"
    path.write_text(SMALL_SCRIPT, encoding="utf-8")
    return path


# The café sample (tests/storyboard/cafe_sample.py): a two-hander in one set, shared by the
# layout, render and storyboard tests.
@pytest.fixture
def bible() -> Bible:
    return make_bible()


@pytest.fixture
def scene() -> Scene:
    return make_scene()


@pytest.fixture
def small_project() -> Project:
    return Project(name="test", width=270, height=480)


# A throwaway PostgreSQL server (tests/pg.py), started once for the session by the first test that asks.
@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    """A new empty database on the test server, as a postgresql:// URL."""
    return postgres.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A state database URL on each backend the line supports: a SQLite file, a PostgreSQL database."""
    if request.param == "sqlite":
        from mangaline.project import sqlite_url

        return sqlite_url(tmp_path / "state.db")
    return request.getfixturevalue("postgres_url")


# moto's S3 server on 127.0.0.1 (tests/s3.py), started once for the session by the first test that asks.
@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CLUSTER:
        skip = pytest.mark.skip(reason="reads the project's own SQLite file or copies its folder (and so its database)")
        for item in items:
            if item.get_closest_marker("own_state"):
                item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def cluster_servers() -> Iterator[None]:
    """The servers MANGALINE_TEST_CLUSTER=1 points new projects at, stopped when the session ends."""
    yield
    _CLUSTER_SERVERS.close()


_CLUSTER_SERVERS = ExitStack()
_cluster: dict[str, Any] = {}


def _on_the_cluster(project: Path) -> None:
    """Point a project `mangaline new` just made at a database and a bucket of its own, and at Ray."""
    if not _cluster:
        _cluster["postgres"] = _CLUSTER_SERVERS.enter_context(postgres_server())
        _cluster["s3"] = _CLUSTER_SERVERS.enter_context(s3_server())
    config = project / "mangaline.toml"
    text = re.sub(r'(?m)^executor = "local"', 'executor = "ray"', config.read_text(encoding="utf-8"))
    assert 'executor = "ray"' in text, f"{config} names no [build] executor to turn to Ray"
    text += (f'\n[state]\nurl = "{_cluster["postgres"].new_database()}"\n\n'
             f'[storage]\nurl = "{_cluster["s3"].bucket()}"\nendpoint_url = "{_cluster["s3"].endpoint_url}"\n')
    config.write_text(text, encoding="utf-8")

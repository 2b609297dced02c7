"""Ctrl-C and SIGTERM during `new` and `build`: one line, the run marked interrupted at once, the workers gone,
nothing lost, and the resumed build finishes the very same episode without redoing a finished step."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from mangaline.ffmpeg import ffmpeg_exe
from mangaline.engine import build_lock
from mangaline.project import ProjectFolder

from .conftest import SMALL_SCRIPT, mangaline

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
CLI = [sys.executable, "-m", "mangaline.cli"]


def _start(*args: str | os.PathLike) -> subprocess.Popen:
    # a session of its own, as a terminal's foreground job is: Ctrl-C goes to the whole group
    return subprocess.Popen([*CLI, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV, start_new_session=True)


def _stop(child: subprocess.Popen, signum: int) -> tuple[int, str, str]:
    """Ctrl-C as a terminal sends it (to the process group); SIGTERM as `kill PID` does (to the process)."""
    if signum == signal.SIGINT:
        os.killpg(child.pid, signum)
    else:
        os.kill(child.pid, signum)
    out, err = child.communicate(timeout=60)
    return child.returncode, out, err


def _wait_for(ready: Callable[[], bool], child: subprocess.Popen, what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if child.poll() is not None:
            raise AssertionError(f"the command ended before {what}: {child.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {timeout} s")
        time.sleep(0.01)


def _db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{root / '.mangaline' / 'state.db'}?mode=ro", uri=True, timeout=30)


def _takes(root: Path) -> int:
    if not (root / ".mangaline" / "state.db").exists():
        return 0
    with _db(root) as db:
        return db.execute("SELECT count(*) FROM takes").fetchone()[0]


def _runs(root: Path) -> list[tuple[str, dict]]:
    with _db(root) as db:
        return [(status, json.loads(counts)) for status, counts in
                db.execute("SELECT status, counts FROM runs ORDER BY started_at")]


def _fresh(root: Path) -> int:
    return json.loads(mangaline("status", root, "--json").stdout)["counts"].get("FRESH", 0)


def _frames(video: Path) -> list[str]:
    """Each decoded frame's checksum: two episodes that match here look the same, frame for frame."""
    done = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video), "-map", "0:v", "-f", "framemd5", "-"],
                          capture_output=True, text=True, check=True)
    return [row for row in done.stdout.splitlines() if not row.startswith("#")]


def _workers(child: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(child.pid).children(recursive=True)


def _all_gone(processes: list[psutil.Process]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.05)
    return False


def _said_stop(stderr: str, root: Path, *, starting: bool = False) -> int:
    """The one line an interrupted build ends with; returns the count of steps it says were kept.

    ``starting``: the stop may come before the build command itself began (on a loaded machine the CLI can
    still be reading its arguments half a second in); then the line is a bare "interrupted" and nothing is kept."""
    assert "Traceback" not in stderr and "leaked" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    if starting and last == "interrupted":
        return 0
    said = re.fullmatch(rf"interrupted; (\d+) finished steps? kept; run `mangaline build {re.escape(str(root))}` to go on", last)
    assert said, stderr
    return int(said.group(1))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[str]]:
    """The small screenplay built once without a stop: its node count and its episode's frames."""
    base = tmp_path_factory.mktemp("reference")
    source = base / "small-hours.fountain"
    source.write_text(SMALL_SCRIPT, encoding="utf-8")
    root = base / "drama"
    mangaline("new", root, "--from", source)
    mangaline("build", root, "--no-progress")
    [(status, counts)] = _runs(root)
    assert status == "succeeded" and counts["cached"] == 0
    return counts["ran"], _frames(root / "renders" / "ep01.mp4")


def test_a_build_stopped_again_and_again_ends_with_the_same_episode(
    reference: tuple[int, list[str]], tmp_path: Path, small_script: Path
) -> None:
    nodes, frames = reference
    root = tmp_path / "drama"
    mangaline("new", root, "--from", small_script)

    # Ctrl-C while the build starts up: nothing made yet, and nothing said but the one line
    child = _start("build", root)
    time.sleep(0.5)
    code, out, err = _stop(child, signal.SIGINT)
    assert code == 130 and out == ""
    kept = _said_stop(err, root, starting=True)
    assert kept == _takes(root)
    assert all(status == "interrupted" for status, _ in _runs(root)), "no run is left running"

    # Ctrl-C half-way: first `status` answers and a second build is turned away, naming this one
    child = _start("build", root)
    _wait_for(lambda: _takes(root) >= 10, child, "ten takes")
    assert _fresh(root) >= 10, "status works while a build runs"
    second = mangaline("build", root, check=False)
    assert second.returncode == 2 and f"another build is running (pid {child.pid} on " in second.stderr
    workers = _workers(child)
    assert workers, "the build renders in worker processes"
    code, out, err = _stop(child, signal.SIGINT)
    assert code == 130
    kept = _said_stop(err, root)
    status, counts = _runs(root)[-1]
    assert status == "interrupted" and counts["ran"] == kept >= 1
    assert _all_gone(workers), "every worker process ends with the build"
    assert list((root / ".mangaline" / "work").iterdir()) == [], "the run's scratch folder is removed"

    # SIGTERM later on, as a service manager stops a job: what was finished is found, not made again
    fresh = _fresh(root)
    child = _start("build", root)
    _wait_for(lambda: _takes(root) >= fresh + 6, child, "six more takes")
    workers = _workers(child)
    code, out, err = _stop(child, signal.SIGTERM)
    assert code == 143
    kept = _said_stop(err, root)
    status, counts = _runs(root)[-1]
    assert status == "interrupted" and counts["ran"] == kept >= 6 and counts["cached"] == fresh
    assert _all_gone(workers)

    # and the build that goes on makes only what is missing, into the same episode, frame for frame
    fresh = _fresh(root)
    assert fresh < nodes
    done = mangaline("build", root, "--no-progress")
    assert f"episode ep01: {root / 'renders' / 'ep01.mp4'}" in done.stdout
    status, counts = _runs(root)[-1]
    assert status == "succeeded" and counts["cached"] == fresh and counts["ran"] == nodes - fresh
    assert _fresh(root) == nodes
    assert _frames(root / "renders" / "ep01.mp4") == frames
    with _db(root) as db:
        made = Counter(db.execute("SELECT step, entity FROM step_events WHERE event = 'ran'").fetchall())
    assert len(made) == nodes and set(made.values()) == {1}, "every step made once, none twice"
    assert sum(counts["ran"] for _, counts in _runs(root)) == nodes, "each stop counted every take it kept"
    statuses = [status for status, _ in _runs(root)]
    assert statuses[-1] == "succeeded" and set(statuses[:-1]) == {"interrupted"} and len(statuses) in (3, 4)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_new_stopped_half_way_leaves_nothing(tmp_path: Path, small_script: Path, signum: int) -> None:
    caught = 0
    for attempt in range(5):
        target = tmp_path / f"drama{attempt}"
        child = _start("new", target, "--from", small_script)
        # the project is being made in a hidden folder beside the one asked for: stop it there
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(f".{target.name}.partial-") for p in tmp_path.iterdir()):
            if child.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.001)
        if child.poll() is not None:
            child.communicate()
            continue  # it finished before the stop could land; try again
        code, _out, err = _stop(child, signum)
        assert code == 128 + signum and "Traceback" not in err
        line = err.strip().splitlines()[-1]
        if line == f"interrupted; {target} was not created":
            caught += 1
            assert not target.exists()
        else:
            assert line == f"interrupted; {target} was made whole before the stop", err
            assert ProjectFolder.is_project(target)
        assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name], "the hidden folder is removed"
    assert caught, "the stop never landed while the project was being made"


def test_new_killed_outright_leaves_a_hidden_folder_the_next_new_sweeps(tmp_path: Path, small_script: Path) -> None:
    """SIGKILL gives `new` no chance to clean up: what it leaves is hidden, and the next `new` beside it removes it."""
    target = tmp_path / "drama"
    for _ in range(5):
        child = _start("new", target, "--from", small_script)
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".drama.partial-") for p in tmp_path.iterdir()):
            if child.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.001)
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            if not target.exists():
                break
        else:
            child.communicate()
        shutil.rmtree(target, ignore_errors=True)
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".drama.partial-")]
    assert left and not target.exists(), "the kill never landed while the project was being made"
    mangaline("new", target, "--from", small_script)
    assert ProjectFolder.is_project(target)
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name], "the dead `new`'s folder is swept"


def test_a_build_waiting_for_another_can_be_stopped(tmp_path: Path, small_script: Path) -> None:
    root = tmp_path / "drama"
    mangaline("new", root, "--from", small_script)
    with build_lock(root / ".mangaline", "build elsewhere"):
        child = _start("build", root, "--wait")
        assert child.stderr is not None
        ready, _, _ = select.select([child.stderr], [], [], 120)
        assert ready, "nothing said while waiting"
        waiting = child.stderr.readline()
        assert f"waiting for the build running in {root} (pid {os.getpid()} on " in waiting
        time.sleep(0.3)
        assert child.poll() is None, "it waits"
        code, _out, err = _stop(child, signal.SIGINT)
    assert code == 130
    assert _said_stop(err, root) == 0
    with _db(root) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0, "a build that never started records no run"


STOPPABLE = '''
import os
import sys
import time
from pathlib import Path

from mangaline.engine import Engine, Invocation, LocalExecutor, Step, StepContext, StepOutput
from mangaline.project import ProjectFolder
from mangaline.stopping import Interrupted, leave, stop_on_signals


def wait(ctx: StepContext) -> StepOutput:
    """A step that takes its time: a paid call waiting on its provider (io), a long local render (cpu)."""
    (Path(ctx.params["marks"]) / ctx.entity).write_text(str(os.getpid()))
    time.sleep(600)
    return StepOutput(data={{}})


CALL = Step("stop.call", "1", wait, kind="io")
RENDER = Step("stop.render", "1", wait, kind="cpu")

if __name__ == "__main__":  # spawned workers import this file again; only the parent builds
    stop_on_signals()
    folder = ProjectFolder.open({root!r})
    marks = {{"marks": {marks!r}}}
    try:
        with LocalExecutor(workers=1) as executor, Engine(folder, executor) as engine:
            engine.run([Invocation(CALL, "call", marks), Invocation(RENDER, "render", marks)], progress=False)
    except Interrupted as stop:
        print("interrupted", flush=True)
        leave(stop.code)
'''


def test_a_stop_does_not_wait_for_steps_in_flight(tmp_path: Path) -> None:
    folder = ProjectFolder.create(tmp_path / "drama")
    marks = tmp_path / "marks"
    marks.mkdir()
    script = tmp_path / "stoppable.py"
    script.write_text(STOPPABLE.format(root=str(folder.root), marks=str(marks)), encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=ENV, start_new_session=True)
    _wait_for(lambda: (marks / "call").exists() and (marks / "render").exists(), child, "both steps started")
    worker = psutil.Process(int((marks / "render").read_text()))
    assert worker.pid != child.pid and int((marks / "call").read_text()) == child.pid
    started = time.monotonic()
    code, out, err = _stop(child, signal.SIGTERM)
    assert time.monotonic() - started < 20, "neither the thread nor the worker was waited for"
    assert code == 143 and out == "interrupted\n"
    assert "Traceback" not in err and "leaked" not in err, err
    assert _all_gone([worker])
    assert [r.status for r in folder.state.runs()] == ["interrupted"]
    folder.close()

"""Warm workers: before a step's first run, each worker has imported its module and called what the step warms."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mangaline.engine import Engine, Invocation, LocalExecutor, Step, StepContext, StepOutput
from mangaline.engine.executor import _import_modules
from mangaline.engine.runner import step_modules
from mangaline.project import ProjectFolder

MARKS = "MANGALINE_TEST_WARM_MARKS"


def mark_warm() -> None:
    """A step's set-up (a voice model, say): leaves a mark naming the process that ran it."""
    Path(os.environ[MARKS], str(os.getpid())).touch()


def report_warmth(ctx: StepContext) -> StepOutput:
    return StepOutput(data={"pid": os.getpid(), "warm": Path(os.environ[MARKS], str(os.getpid())).exists()})


WARMED = Step("test.warmed", "1", report_warmth, warm=("scipy.signal", f"{__name__}:mark_warm"))


def test_a_graph_warms_its_steps_modules_and_set_ups() -> None:
    graph = [Invocation(WARMED, "a")]
    assert step_modules(graph) == {__name__, "scipy.signal", f"{__name__}:mark_warm"}


def test_a_warm_entry_that_fails_is_left_to_the_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MARKS, str(tmp_path))
    _import_modules(("no.such.module", f"{__name__}:no_such_function", f"{__name__}:mark_warm"))
    assert (tmp_path / str(os.getpid())).exists()  # the bad entries before it did not stop it


def test_every_step_runs_in_a_worker_that_was_warmed_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv(MARKS, str(marks))  # spawned workers inherit it
    folder = ProjectFolder.create(tmp_path / "project")
    executor = LocalExecutor(workers=2)
    try:
        summary = Engine(folder, executor).run([Invocation(WARMED, f"shot{i}") for i in range(6)], progress=False)
    finally:
        executor.shutdown()
        folder.close()
    assert summary.ran == 6
    pids = {take.data["pid"] for take in summary.takes.values()}
    assert pids and all(take.data["warm"] for take in summary.takes.values())
    assert pids <= {int(p.name) for p in marks.iterdir()}

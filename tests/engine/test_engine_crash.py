"""SIGKILL in the middle of a build: the next build resumes without redoing finished work."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mangaline.engine import Engine, Invocation, LocalExecutor, Step, StepContext, StepOutput
from mangaline.project import ProjectFolder

HERE = Path(__file__).resolve().parent


def slow_square(ctx: StepContext) -> StepOutput:
    # written in pieces with pauses, so a kill is likely to land in the middle of a file
    out = ctx.workdir / "square.txt"
    with out.open("w") as handle:
        for _ in range(4):
            handle.write(str(ctx.params["n"] ** 2) + "\n")
            handle.flush()
            time.sleep(0.08)
    return StepOutput(components={"square": out}, data={"n": ctx.params["n"]})


def total(ctx: StepContext) -> StepOutput:
    value = sum(int(v.components["square"].read_text().split()[0]) for v in ctx.inputs.values())
    out = ctx.workdir / "total.txt"
    out.write_text(f"{value}\n")
    return StepOutput(components={"total": out}, data={"total": value})


SQUARE = Step("crash.square", "1", slow_square)
TOTAL = Step("crash.total", "1", total)


def build() -> list[Invocation]:
    squares = {f"n{i}": Invocation(SQUARE, f"n{i}", {"n": i}) for i in range(10)}
    return [Invocation(TOTAL, "all", deps=squares)]


CHILD = """
import sys
sys.path.insert(0, {here!r})
from test_engine_crash import build
from mangaline.engine import Engine, LocalExecutor
from mangaline.project import ProjectFolder

if __name__ == "__main__":  # spawned workers import this file again; only the parent builds
    folder = ProjectFolder.open({root!r})
    Engine(folder, LocalExecutor(workers=2)).run(build(), progress=False)
"""


def _outputs(folder: ProjectFolder) -> dict[tuple[str, str], str]:
    return {(t.step, t.entity): t.data_version for t in folder.state.takes()}


def test_a_build_killed_part_way_resumes_without_redoing_finished_steps(tmp_path: Path) -> None:
    clean = ProjectFolder.create(tmp_path / "clean")
    killed = ProjectFolder.create(tmp_path / "killed")
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(here=str(HERE), root=str(killed.root)))
    child = subprocess.Popen([sys.executable, str(script)], start_new_session=True, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None and len(killed.state.takes()) < 3:
            time.sleep(0.02)
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else "child ended early"
    finally:
        # the whole process group, workers included, as a crash or an OOM kill would
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    done_before = set(_outputs(killed))
    assert 3 <= len(done_before) < 11
    assert [r.status for r in killed.state.runs()] == ["running"]
    assert any(killed.work_dir.iterdir()), "the killed run left its scratch folder behind"

    executor = LocalExecutor(workers=2)
    try:
        resumed = Engine(killed, executor).run(build(), progress=False)
        reference = Engine(clean, executor).run(build(), progress=False)
    finally:
        executor.shutdown()

    events = killed.state.events(resumed.run_id)
    rerun = {(e.step, e.entity) for e in events if e.event == "ran"}
    assert not rerun & done_before
    assert {(e.step, e.entity) for e in events if e.event == "cached"} == done_before
    assert resumed.failed == 0 and resumed.ran + resumed.cached == 11

    assert _outputs(killed) == _outputs(clean)
    assert resumed.takes[("crash.total", "all")].data == reference.takes[("crash.total", "all")].data == {"total": 285}
    for take in killed.state.takes():
        for sha in take.components.values():
            assert hashlib.sha256(killed.objects.path(sha).read_bytes()).hexdigest() == sha
    assert not list(killed.objects_dir.glob(".tmp-*"))
    assert list(killed.work_dir.iterdir()) == []
    assert [r.status for r in killed.state.runs()] == ["interrupted", "succeeded"]
    killed.close()
    clean.close()

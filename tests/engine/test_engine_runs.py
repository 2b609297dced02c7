"""The engine on tiny real steps: caching, staleness, failures, retries, with real processes and SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mangaline.engine import Engine, Executor, Freshness, GraphError, Invocation, LocalExecutor, Step, StepContext, StepOutput
from mangaline.project import ProjectFolder


def write_number(ctx: StepContext) -> StepOutput:
    out = ctx.workdir / "number.txt"
    out.write_text(str(ctx.params["n"]))
    return StepOutput(components={"number": out}, data={"n": ctx.params["n"]})


def add_inputs(ctx: StepContext) -> StepOutput:
    total = sum(int(view.components["number"].read_text()) for view in ctx.inputs.values())
    out = ctx.workdir / "number.txt"
    out.write_text(str(total))
    return StepOutput(components={"number": out}, data={"n": total})


def count_attempt_then(ctx: StepContext) -> StepOutput:
    """Appends a line per attempt to a log outside the project, then fails transiently until told to pass."""
    log = Path(ctx.params["log"])
    with log.open("a") as handle:
        handle.write(f"{ctx.attempt}\n")
    if ctx.attempt < ctx.params["pass_on"]:
        raise ctx.fail("the voice server is busy", transient=True)
    return StepOutput(data={"attempt": ctx.attempt})


def explode(ctx: StepContext) -> StepOutput:
    log = Path(ctx.params["log"])
    with log.open("a") as handle:
        handle.write("x\n")
    raise ValueError(f"no such character {ctx.entity}")


NUMBER = Step("test.number", "1", write_number)
SUM = Step("test.sum", "1", add_inputs)
FLAKY = Step("test.flaky", "1", count_attempt_then, kind="io", retries=2)
BROKEN = Step("test.broken", "1", explode, kind="io")


@pytest.fixture(scope="module", params=["local", "ray"])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    """Every test runs on both executors: one process pool, or one local Ray, for the module (starting
    workers is the slow part on small machines)."""
    if request.param == "local":
        pool: Executor = LocalExecutor(workers=2)
    else:
        from mangaline.engine.ray_executor import RayExecutor

        pool = RayExecutor(workers=2, max_retries=1)
    yield pool
    pool.shutdown()


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[ProjectFolder]:
    project = ProjectFolder.create(tmp_path / "drama")
    yield project
    project.close()


def graph(a: int = 1, b: int = 2, c: int = 3, sum_step: Step = SUM) -> list[Invocation]:
    leaves = {name: Invocation(NUMBER, name, {"n": n}) for name, n in (("a", a), ("b", b), ("c", c))}
    ab = Invocation(sum_step, "ab", deps={"x": leaves["a"], "y": leaves["b"]})
    total = Invocation(sum_step, "abc", deps={"ab": ab, "c": leaves["c"]})
    return [total]


def ran(folder: ProjectFolder, run_id: str) -> set[tuple[str, str]]:
    return {(e.step, e.entity) for e in folder.state.events(run_id, event="ran")}


def test_a_build_runs_every_node_and_stores_its_files(folder: ProjectFolder, executor: LocalExecutor) -> None:
    summary = Engine(folder, executor).run(graph(), progress=False)
    assert (summary.ran, summary.cached, summary.failed, summary.skipped) == (5, 0, 0, 0)
    take = summary.takes[("test.sum", "abc")]
    assert take.data == {"n": 6}
    assert folder.objects.path(take.components["number"]).read_text() == "6"
    assert take.provenance.code_version == "1" and set(take.provenance.input_versions) == {"ab", "c"}
    assert folder.state.runs()[-1].status == "succeeded"
    assert list(folder.work_dir.iterdir()) == []
    assert "test.sum" in str(summary) and "total" in str(summary)


def test_a_second_build_is_all_cache_hits(folder: ProjectFolder, executor: LocalExecutor) -> None:
    engine = Engine(folder, executor)
    first = engine.run(graph(), progress=False)
    second = engine.run(graph(), progress=False)
    assert (second.ran, second.cached) == (0, 5)
    assert ran(folder, second.run_id) == set()
    assert second.takes[("test.sum", "abc")].id == first.takes[("test.sum", "abc")].id


def test_changing_one_param_reruns_only_that_node_and_its_dependents(
    folder: ProjectFolder, executor: LocalExecutor
) -> None:
    engine = Engine(folder, executor)
    engine.run(graph(), progress=False)
    summary = engine.run(graph(b=20), progress=False)
    assert ran(folder, summary.run_id) == {("test.number", "b"), ("test.sum", "ab"), ("test.sum", "abc")}
    assert summary.cached == 2
    assert summary.takes[("test.sum", "abc")].data == {"n": 24}


def test_status_reports_missing_stale_with_cause_and_fresh(folder: ProjectFolder, executor: LocalExecutor) -> None:
    engine = Engine(folder, executor)
    before = {(s.step, s.entity): s for s in engine.status(graph())}
    assert {s.state for s in before.values()} == {Freshness.MISSING}

    engine.run(graph(), progress=False)
    assert {s.state for s in engine.status(graph())} == {Freshness.FRESH}

    bumped = Step("test.sum", "2", add_inputs)
    after = {(s.step, s.entity): s for s in engine.status(graph(sum_step=bumped))}
    assert after[("test.number", "a")].state is Freshness.FRESH
    assert after[("test.sum", "ab")].state is Freshness.STALE
    assert after[("test.sum", "ab")].cause == "code version changed 1 -> 2"
    assert after[("test.sum", "abc")].cause == "upstream test.sum [ab] is stale"

    edited = {(s.step, s.entity): s for s in engine.status(graph(c=30))}
    assert edited[("test.number", "c")].cause == "params changed"
    assert edited[("test.sum", "abc")].cause == "upstream test.number [c] is stale"
    assert edited[("test.sum", "ab")].state is Freshness.FRESH
    assert ran(folder, folder.state.runs()[-1].id) == {(s.step, s.entity) for s in before.values()}


def test_status_names_the_changed_input_when_an_upstream_was_rebuilt(
    folder: ProjectFolder, executor: LocalExecutor
) -> None:
    engine = Engine(folder, executor)
    engine.run(graph(), progress=False)
    engine.run([Invocation(NUMBER, "c", {"n": 30})], progress=False)
    states = {(s.step, s.entity): s for s in engine.status(graph(c=30))}
    assert states[("test.number", "c")].state is Freshness.FRESH
    assert states[("test.sum", "abc")].state is Freshness.STALE
    assert states[("test.sum", "abc")].cause == "input c changed"


def test_a_failure_skips_its_dependents_and_the_rest_carry_on(
    folder: ProjectFolder, executor: LocalExecutor, tmp_path: Path
) -> None:
    log = tmp_path / "broken.log"
    bad = Invocation(BROKEN, "zed", {"log": str(log)})
    after_bad = Invocation(SUM, "bad-sum", deps={"x": bad})
    summary = Engine(folder, executor).run([after_bad, *graph()], progress=False)
    assert (summary.ran, summary.failed, summary.skipped) == (5, 1, 1)
    [failure] = summary.failures
    assert (failure.step, failure.entity) == ("test.broken", "zed")
    assert "ValueError: no such character zed" in failure.error
    assert log.read_text() == "x\n", "a plain error is not retried"
    events = {(e.step, e.entity): e for e in folder.state.events(summary.run_id)}
    assert events[("test.sum", "bad-sum")].event == "skipped"
    assert "test.broken [zed]" in events[("test.sum", "bad-sum")].error
    assert "FAILED test.broken [zed]" in str(summary)
    assert folder.state.runs()[-1].status == "failed"


def test_transient_errors_are_retried_a_bounded_number_of_times(
    folder: ProjectFolder, executor: LocalExecutor, tmp_path: Path
) -> None:
    passes = Invocation(FLAKY, "passes", {"log": str(tmp_path / "passes.log"), "pass_on": 2})
    never = Invocation(FLAKY, "never", {"log": str(tmp_path / "never.log"), "pass_on": 99})
    summary = Engine(folder, executor, backoff=0.01).run([passes, never], progress=False)
    assert (tmp_path / "passes.log").read_text().split() == ["1", "2"]
    assert (tmp_path / "never.log").read_text().split() == ["1", "2", "3"]
    assert summary.takes[("test.flaky", "passes")].data == {"attempt": 2}
    [failure] = summary.failures
    assert failure.entity == "never" and failure.attempts == 3
    assert "the voice server is busy" in failure.error


def test_same_node_asked_for_twice_differently_is_refused(folder: ProjectFolder, executor: LocalExecutor) -> None:
    with pytest.raises(GraphError, match=r"test.number \[a\]"):
        Engine(folder, executor).run(
            [Invocation(NUMBER, "a", {"n": 1}), Invocation(NUMBER, "a", {"n": 2})], progress=False
        )


def test_a_run_records_its_counts(folder: ProjectFolder, executor: LocalExecutor) -> None:
    summary = Engine(folder, executor).run(graph(), progress=False, command="build test")
    record = folder.state.runs()[-1]
    assert record.command == "build test" and record.finished_at is not None
    assert record.counts["ran"] == 5 and record.counts["per_step"]["test.sum"]["ran"] == 2
    assert json.loads(json.dumps(summary.counts())) == record.counts


def test_progress_bars_draw_one_bar_per_step(folder: ProjectFolder, executor: LocalExecutor, tmp_path: Path) -> None:
    import io

    stream = io.StringIO()
    Engine(folder, executor, progress_stream=stream).run(graph(), progress="always")
    text = stream.getvalue()
    assert "test.number" in text and "test.sum" in text and "3/3" in text and "2/2" in text


def die_hard(ctx: StepContext) -> StepOutput:
    import os

    os._exit(9)  # a segfaulting renderer or the OOM killer, as far as the runner can tell


def forget_the_file(ctx: StepContext) -> StepOutput:
    return StepOutput(components={"clip": ctx.workdir / "never-written.mp4"})


def test_a_dying_worker_fails_its_node_after_retries_and_the_pool_recovers(
    folder: ProjectFolder, executor: LocalExecutor
) -> None:
    dies = Invocation(Step("test.dies", "1", die_hard, retries=1), "sh010")
    summary = Engine(folder, executor, backoff=0.01).run([dies], progress=False)
    [failure] = summary.failures
    assert failure.attempts == 2 and "worker process died" in failure.error
    after = Engine(folder, executor).run(graph(), progress=False)
    assert after.ran == 5 and after.failed == 0


def test_a_component_the_step_did_not_write_fails_the_node(folder: ProjectFolder, executor: LocalExecutor) -> None:
    summary = Engine(folder, executor).run([Invocation(Step("test.forgets", "1", forget_the_file), "sh020")], progress=False)
    [failure] = summary.failures
    assert "component 'clip' is not a file" in failure.error
    assert folder.state.takes() == []


def test_a_cpu_step_must_be_a_module_level_function() -> None:
    with pytest.raises(ValueError, match="module level"):
        Step("test.closure", "1", lambda ctx: StepOutput())


def slow_write(ctx: StepContext) -> StepOutput:
    """Writes its entity's name, waits so a twin can run beside it, then hands the file in."""
    import time

    out = ctx.workdir / "name.txt"
    out.write_text(ctx.params["name"], encoding="utf-8")
    time.sleep(0.3)
    return StepOutput(components={"name": out})


SLOW = Step("test.slow", "1", slow_write, kind="io")


def test_entities_whose_names_read_alike_once_made_safe_never_share_a_work_folder(folder: ProjectFolder) -> None:
    with Engine(folder, executor=LocalExecutor(workers=1, io_workers=4)) as engine:
        summary = engine.run([Invocation(SLOW, name, {"name": name}) for name in ("老周", "老王", "阿香")], progress=False)
    assert summary.ok, str(summary)
    for name in ("老周", "老王", "阿香"):
        take = folder.state.latest_take("test.slow", name)
        assert folder.objects.path(take.components["name"]).read_text(encoding="utf-8") == name


class _OneAtATime:
    """An executor with one worker that runs each step on submit, in this thread, and records the order."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def submit(self, fn, ctx, kind, *, gpus: float = 0.0):
        from concurrent.futures import Future

        from mangaline.engine.executor import perform

        self.order.append(ctx.entity)
        future: Future = Future()
        future.set_result(perform(fn, ctx))
        return future

    def can_submit(self, kind) -> bool:
        return True

    def shutdown(self, *, now: bool = False) -> None:
        return None


def test_a_ready_step_of_higher_priority_goes_to_the_workers_first(folder: ProjectFolder) -> None:
    # the long mix-like step becomes ready with the short ones before it; it is handed out first
    urgent = Step("test.urgent", "1", write_number, priority=1)
    shorts = [Invocation(NUMBER, f"short{i}", {"n": i}) for i in range(4)]
    long = Invocation(urgent, "long", {"n": 9})
    end = Invocation(SUM, "end", deps={**{s.entity: s for s in shorts}, "long": long})
    recorder = _OneAtATime()
    summary = Engine(folder, recorder).run([end], progress=False)
    assert summary.ran == 6 and summary.takes[("test.sum", "end")].data == {"n": 15}
    assert recorder.order == ["long", "short0", "short1", "short2", "short3", "end"]


def test_a_step_that_gates_a_higher_priority_one_inherits_its_priority(folder: ProjectFolder) -> None:
    # the urgent step waits on a short one that became ready last, behind four others: it is handed out first
    urgent = Step("test.urgent", "1", write_number, priority=1)
    shorts = [Invocation(NUMBER, f"short{i}", {"n": i}) for i in range(4)]
    gate = Invocation(NUMBER, "gate", {"n": 5})
    long = Invocation(urgent, "long", {"n": 9}, deps={"gate": gate})
    end = Invocation(SUM, "end", deps={**{s.entity: s for s in shorts}, "long": long})
    recorder = _OneAtATime()
    summary = Engine(folder, recorder).run([end], progress=False)
    assert summary.ran == 7
    assert recorder.order == ["gate", "short0", "short1", "short2", "short3", "long", "end"]

"""A worker process hands back the memory a step freed before it runs the next (the build's peak memory)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mangaline.engine import LocalExecutor, StepContext, StepOutput
from mangaline.engine.executor import _malloc_trim

KEPT: list[bytearray] = []


def _resident() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def churn(ctx: StepContext) -> StepOutput:
    """Takes 160 MB in middling blocks (as NumPy's temporaries and Pillow's tiles are), keeps one small block made
    after them, so the heap cannot shrink from its top, and frees the rest."""
    blocks = [bytearray(16 * 1024) for _ in range(10_000)]
    KEPT.append(bytearray(4096))
    held = _resident()
    del blocks
    return StepOutput(data={"held": held})


def resident(ctx: StepContext) -> StepOutput:
    return StepOutput(data={"resident": _resident(), "pid": os.getpid()})


@pytest.mark.skipif(not Path("/proc/self/statm").exists() or _malloc_trim() is None,
                    reason="resident memory read from /proc, trimmed by glibc")
def test_a_worker_returns_what_a_step_freed_before_the_next_step(tmp_path):
    def ctx(step: str) -> StepContext:
        return StepContext(step, "e", {}, {}, tmp_path / step, 0, "draft")

    with LocalExecutor(workers=1) as pool:
        before = pool.submit(resident, ctx("before"), "cpu").result().output.data
        held = pool.submit(churn, ctx("churn"), "cpu").result().output.data["held"]
        after = pool.submit(resident, ctx("after"), "cpu").result().output.data
    assert before["pid"] == after["pid"], "the three steps ran in one worker"
    assert held - before["resident"] > 150 * 2**20, "the step took its memory"
    assert after["resident"] - before["resident"] < 40 * 2**20, (
        f"the worker kept {(after['resident'] - before['resident']) / 2**20:.0f} MiB the step had freed")

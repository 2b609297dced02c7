"""Input caps: what `mangaline new` costs for a story and a screenplay at the size limits, against a minute.

PROSE_MAX_BYTES and DEFAULT_MAX_BYTES are chosen so the largest accepted input makes its project
well within a minute. Each input is built from the test samples, repeated up to its cap (a
dialogue-heavy text, the slow case: every line becomes a shot), then broken down, designed and
saved as `new` does; the share of the minute it took is printed beside a tenth of the cap, so the
growth can be seen to be linear.

    .venv/bin/python benchmarks/input_limits.py
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mangaline.breakdown import PROSE_MAX_BYTES, breakdown_source
from mangaline.breakdown.textio import DEFAULT_MAX_BYTES
from mangaline.design import design_bible
from mangaline.project import ProjectFolder

ROOT = Path(__file__).resolve().parent.parent
MINUTE = 60.0


def _repeated(part: Callable[[int], str], size: int, head: str = "") -> str:
    """``head`` then ``part(1)``, ``part(2)``, ... as many as fit in ``size`` bytes."""
    parts, total, number = [head], 0, 0
    while True:
        number += 1
        piece = part(number)
        if total + len(piece.encode()) > size:
            return "".join(parts)
        parts.append(piece)
        total += len(piece.encode())


def _story(size: int) -> str:
    body = re.sub(r"^Chapter One.*\n", "", (ROOT / "tests" / "breakdown" / "samples" / "harbour.en.txt").read_text("utf-8"))
    return _repeated(lambda n: f"Chapter {n}: The Ferry Office\n\n{body}\n", size)


def _screenplay(size: int) -> str:
    head, _, body = (ROOT / "examples" / "last-ferry.fountain").read_text("utf-8").partition("\n\n")
    return _repeated(lambda n: f"# Episode {n}\n\n{body}\n\n", size, head=head + "\n\n")


def _new(text: str, suffix: str, work: Path) -> tuple[float, int]:
    """Seconds to break down, design and save a project from ``text``, and the shots it made."""
    source = work / f"input{suffix}"
    source.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    result = breakdown_source(source)
    bible = design_bible(result.script)
    folder = ProjectFolder.create(work / f"project-{len(text)}{suffix}")
    folder.save_script(result.script)
    folder.save_bible(bible)
    folder.close()
    return time.perf_counter() - start, len(result.script.shots())


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        for what, make, suffix, cap in (("story", _story, ".txt", PROSE_MAX_BYTES), ("screenplay", _screenplay, ".fountain", DEFAULT_MAX_BYTES)):
            for size in (cap // 10, cap):
                seconds, shots = _new(make(size), suffix, work)
                print(f"{what:10} {size / 1_000_000:5.2f} MB  {shots:6} shots  {seconds:6.1f} s  {seconds / MINUTE:5.2f} of a minute")


if __name__ == "__main__":
    main()

"""Hostile and careless input, generated: whatever goes in, the line makes a project or says why in a line.

For every screenplay, story, YAML or TOML edit hypothesis makes up, and for bytes that are not text
at all, the command must end with exit 0 or a short error (exit 2), never a traceback; it must write
nothing outside the project folder; and a failed command leaves the episode already rendered as it was.
The CLI runs in this process (its `main`, as the console script calls it), so hundreds of inputs fit
in a test run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mangaline.cli import main

from .conftest import SMALL_SCRIPT, mangaline

pytestmark = pytest.mark.slow

QUICK = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
"""Derandomized: the same inputs every run, so a failure here is a failure in CI too (and can be replayed)."""


def run(*args: str | os.PathLike) -> tuple[int, str, str]:
    """The CLI as the console script runs it, in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    argv, sys.argv = sys.argv, ["mangaline", *map(str, args)]
    code: int = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.argv = argv
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return code, out.getvalue(), err.getvalue()


def tree(root: Path, *, skip: Path | None = None) -> dict[str, str]:
    """Every file under ``root`` (but ``skip``) by relative path, with a digest of its bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_short_error(code: int, out: str, err: str, what: str) -> None:
    said = out + err
    assert code in (0, 2), f"{what}: exit {code}\n{said[-3000:]}"
    assert "Traceback" not in said, f"{what}: a traceback\n{said[-3000:]}"
    if code == 2:
        lines = [line for line in err.strip().splitlines() if line.strip()]
        assert 1 <= len(lines) <= 4, f"{what}: an error of {len(lines)} lines\n{err[-3000:]}"


@contextlib.contextmanager
def sandbox() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="mangaline-fuzz-") as name:
        yield Path(name)


# -- screenplays and stories ---------------------------------------------------------------------

NAMES = st.sampled_from(["JUNE", "ODA", "老周", "花子", "MARÍA", ".", "..", "CON", "NUL", "../../OUT", "A/B", "JUNE (V.O.)",
                         "@mcCLANE", "X" * 300, "名" * 120, "JUNE^", "A\\B", " ", "-", "JUNE:"])
HEADINGS = st.one_of(
    st.sampled_from(["INT. KITCHEN - NIGHT", "EXT. ROOF - DAY", "INT./EXT. CAR - DAY", ".FLASHBACK", "INT. ../../ETC - NIGHT",
                     "EXT. " + "LONG " * 120 + "- DAY", "int. con - night", "INT. 厨房 - 夜", "INT. - ", "INT.", "EST. X"]),
    st.text(max_size=40).map(lambda t: f"INT. {t} - DAY"),
)
WORDS = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["You came back.", "(quietly)", "……", "「帰って」", "\x00\x01", "\ufeff", "\u202e", "a" * 5000,
                     "*bold* _under_ **x**", "[[note]]", "/* boneyard", "*/", "> CENTRED <", "~lyric", "!FORCED"]),
)
BLOCKS = st.one_of(
    HEADINGS,
    st.tuples(NAMES, st.lists(WORDS, min_size=1, max_size=3)).map(lambda cue: "\n".join([cue[0], *cue[1]])),
    WORDS,
    st.sampled_from(["FADE OUT.", "> THE END", "CUT TO:", "===", "Title: Fuzz\nAuthor: nobody", "title:\n\tA\n\tB",
                     "# ACT ONE", "= synopsis", "JUNE ^\nMe too."]),
)
SCREENPLAYS = st.lists(BLOCKS, max_size=14).map("\n\n".join)
PROSE = st.lists(st.one_of(WORDS, NAMES.map(lambda n: f'{n} said, "{n}?"'), st.just("第一章"), st.just("Chapter 1")),
                 max_size=20).map("\n\n".join)


def _new_from(source: Path, sandbox_root: Path) -> None:
    before = tree(sandbox_root)
    project = sandbox_root / "project"
    code, out, err = run("new", project, "--from", source)
    event(f"new exit {code}")
    assert_short_error(code, out, err, f"new --from {source.name}")
    if code == 0:
        assert (project / "mangaline.toml").is_file()
        status, out, err = run("status", project)
        assert_short_error(status, out, err, "status of a new project")
    else:
        assert not project.exists(), "a failed `new` left a half-made project"
    after = tree(sandbox_root, skip=project)
    assert after == before, f"written outside the project: {sorted(set(after) - set(before))}"


@QUICK
@given(text=SCREENPLAYS)
def test_any_screenplay_makes_a_project_or_a_one_line_error(text: str) -> None:
    with sandbox() as root:
        source = root / "script.fountain"
        source.write_text(text, encoding="utf-8")
        _new_from(source, root)


@QUICK
@given(text=PROSE, suffix=st.sampled_from([".txt", ".md"]))
def test_any_story_makes_a_project_or_a_one_line_error(text: str, suffix: str) -> None:
    with sandbox() as root:
        source = root / f"story{suffix}"
        source.write_text(text, encoding="utf-8")
        _new_from(source, root)


@QUICK
@given(blob=st.binary(max_size=4000), suffix=st.sampled_from([".fountain", ".txt", ".docx", ".epub", ".md"]))
def test_bytes_that_are_not_a_story_get_a_one_line_error(blob: bytes, suffix: str) -> None:
    with sandbox() as root:
        source = root / f"noise{suffix}"
        source.write_bytes(blob)
        _new_from(source, root)


# -- hand edits to a built project ----------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project, built once at the draft tier: every edit below starts from a copy of it."""
    base = tmp_path_factory.mktemp("built")
    source = base / "small-hours.fountain"
    source.write_text(SMALL_SCRIPT, encoding="utf-8")
    mangaline("new", base / "project", "--from", source)
    mangaline("build", base / "project", "--no-progress")
    return base / "project"


EDITABLE = ["mangaline.toml", "script/script.yaml", "script/ep01.yaml", "bible/characters/june.yaml",
            "bible/characters/oda.yaml"]
NASTY = st.sampled_from(["../../outside", "..", "/etc/passwd", "", "null", "~", "-1", "0", "1e9", "1000000", "NaN", "[]", "{}",
                         "*x", "&x [*x, *x, *x]", "!!python/object:os.system ls", "'unterminated", '"\\x00"', "CON",
                         "x" * 5000, "老周", "true", "[1, [2, [3, [4]]]]", "\t- a", "9999-99-99"])


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, str]:
    """A file of the project and what a careless or hostile hand makes of one of its lines."""
    name = draw(st.sampled_from(EDITABLE))
    how = draw(st.sampled_from(["value", "line", "insert", "truncate", "bomb"]))
    return name, how + ":" + draw(NASTY | st.text(max_size=60)) + ":" + str(draw(st.integers(0, 10_000)))


def _apply(path: Path, edit: str) -> None:
    how, text, where = edit.split(":", 1)[0], edit.split(":", 1)[1].rsplit(":", 1)[0], int(edit.rsplit(":", 1)[1])
    lines = path.read_text(encoding="utf-8").splitlines()
    at = where % max(1, len(lines))
    if how == "value" and lines:
        key, sep, _ = lines[at].partition(":" if path.suffix == ".yaml" else "=")
        lines[at] = f"{key}{sep or ':'} {text}"
    elif how == "line" and lines:
        lines[at] = text
    elif how == "insert":
        lines.insert(at, text)
    elif how == "truncate":
        path.write_text("\n".join(lines)[: where % max(1, len("\n".join(lines)))], encoding="utf-8")
        return
    elif how == "bomb" and path.suffix == ".yaml":
        bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        bomb += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                 f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(8)]
        lines = bomb + lines
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _edited_copy(built: Path, root: Path, name: str, edit: str) -> Path:
    project = root / "project"
    shutil.copytree(built, project, symlinks=True)
    _apply(project / name, edit)
    return project


@QUICK
@given(edit=edits())
def test_a_hand_edit_gives_status_or_a_one_line_error(built: Path, edit: tuple[str, str]) -> None:
    with sandbox() as root:
        project = _edited_copy(built, root, *edit)
        before = tree(root, skip=project)
        code, out, err = run("status", project)
        event(f"status exit {code}")
        assert_short_error(code, out, err, f"status after {edit}")
        assert tree(root, skip=project) == before


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(edit=edits())
def test_a_hand_edit_builds_or_leaves_the_rendered_episode_as_it_was(built: Path, edit: tuple[str, str]) -> None:
    with sandbox() as root:
        project = _edited_copy(built, root, *edit)
        renders = tree(project / "renders")
        before = tree(root, skip=project)
        code, out, err = run("build", project, "--no-progress")
        event(f"build exit {code}")
        assert code in (0, 1, 2) and "Traceback" not in out + err, f"build after {edit}: exit {code}\n{(out + err)[-3000:]}"
        if code != 0:
            assert tree(project / "renders") == renders, f"a failed build after {edit} changed the renders"
        assert tree(root, skip=project) == before, f"build after {edit} wrote outside the project"

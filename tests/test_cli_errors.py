"""Hostile input at the command line: a usage slip, a bad path, a full or read-only disk, a pipe, a bug.

Each ends in one line on stderr saying what, where and what to do (exit status 2), never a
traceback; a bug's traceback goes to a log file the line names. `new` leaves nothing behind.
"""

from __future__ import annotations

import json
from collections import Counter
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from mangaline.design import design_bible
from mangaline.engine import StepContext, build_lock
from mangaline.errors import StepError
from mangaline.production import build_graph
from mangaline.project import ProjectFolder

from .conftest import mangaline

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "80"}


def _one_line(result: subprocess.CompletedProcess, code: int = 2) -> str:
    """The single error line of a refused command."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    said = result.stderr.strip().splitlines()
    assert len(said) == 1, result.stderr
    assert said[0].startswith("error: "), said[0]
    return said[0]


def _nothing_left(parent: Path, *keep: str) -> None:
    assert sorted(p.name for p in parent.iterdir()) == sorted(keep)


@pytest.fixture
def project(tmp_path: Path, small_script: Path) -> Path:
    root = tmp_path / "project"
    mangaline("new", root, "--from", small_script)
    return root


# ------------------------------------------------------------------------------------------ usage


@pytest.mark.parametrize(
    "args, said",
    [
        (["bogus"], "mangaline: no such command 'bogus'; see `mangaline --help`"),
        (["build"], "mangaline build: missing argument"),
        (["new", "somewhere"], "mangaline new: missing option '--from'; see `mangaline new --help`"),
        (["status", "{project}", "--nope"], "mangaline status: no such option: --nope"),
        (["status", "{project}", "--json", "extra"], "mangaline status: got unexpected extra argument"),
        (["build", "{project}", "--progress=maybe"], "option '--progress' does not take a value"),
    ],
)
def test_a_usage_slip_is_one_line_with_where_to_look(tmp_path: Path, args: list[str], said: str) -> None:
    project = tmp_path / "p"
    project.mkdir()
    line = _one_line(mangaline(*(a.format(project=project) for a in args), check=False))
    assert said in line and "--help`" in line


def test_no_command_at_all_shows_the_help(tmp_path: Path) -> None:
    result = mangaline(check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    shown = result.stdout + result.stderr
    assert "Commands" in shown and "build" in shown and "status" in shown


# ------------------------------------------------------------------------------------------ paths


def test_a_missing_source_is_one_line_and_makes_nothing(tmp_path: Path) -> None:
    line = _one_line(mangaline("new", tmp_path / "p", "--from", tmp_path / "nowhere.fountain", check=False))
    assert str(tmp_path / "nowhere.fountain") in line and "does not exist" in line
    _nothing_left(tmp_path)


def test_a_pipe_as_the_source_is_refused_before_it_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "story.fountain"
    os.mkfifo(fifo)  # nobody writes it: reading it would hang, so the refusal must come from its kind
    line = _one_line(mangaline("new", tmp_path / "p", "--from", fifo, check=False, timeout=60))
    assert f"{fifo}: is a pipe or a device, not a file" in line and "save the text to a file" in line
    _nothing_left(tmp_path, "story.fountain")


def test_a_folder_as_the_source_is_refused(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    line = _one_line(mangaline("new", tmp_path / "p", "--from", tmp_path / "drafts", check=False))
    assert "is a folder, not a file" in line
    _nothing_left(tmp_path, "drafts")


def test_a_name_too_long_for_the_disk_is_one_line(tmp_path: Path, small_script: Path) -> None:
    target = tmp_path / ("drama-" * 50)
    line = _one_line(mangaline("new", target, "--from", small_script, check=False))
    assert "file name too long" in line.lower() and "shorter name" in line
    _nothing_left(tmp_path, small_script.name)


def test_new_in_a_folder_that_does_not_exist_yet_makes_it(tmp_path: Path, small_script: Path) -> None:
    target = tmp_path / "season" / "one" / "drama"
    mangaline("new", target, "--from", small_script)
    assert ProjectFolder.is_project(target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["drama"], "no hidden work folder is left"


def test_new_into_an_empty_folder_fills_it(tmp_path: Path, small_script: Path) -> None:
    target = tmp_path / "drama"
    target.mkdir()
    mangaline("new", target, "--from", small_script)
    assert ProjectFolder.is_project(target)
    _nothing_left(tmp_path, "drama", small_script.name)


# ------------------------------------------------------------------------------------------ disks


def _privileged() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


def _in_namespace(setup: str, command: list[str | os.PathLike], after: str = "") -> subprocess.CompletedProcess:
    """Run `command` in a private mount namespace after `setup` (mounts); `after` runs there too, its output
    after a line "---"."""
    script = f'{setup} || exit 99; "$@"; code=$?; echo ---; {after or "true"}; exit $code'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *map(str, command)],
                          capture_output=True, text=True, env=ENV, timeout=300)


CLI = [sys.executable, "-m", "mangaline.cli"]


def _read_only(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI on `project` as it is on a read-only disk (root: a read-only bind mount; else chmod)."""
    if os.geteuid() == 0:
        if not _privileged():
            pytest.skip("needs a private mount namespace (unshare -m) when the tests run as root")
        return _in_namespace(f'mount --bind -o ro "{project}" "{project}"', [*CLI, *args])
    modes = {p: p.stat().st_mode for p in [project, *project.rglob("*")]}
    try:
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        return subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, timeout=300)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def test_status_works_on_a_read_only_project(project: Path) -> None:
    result = _read_only(project, "status", str(project), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.split("\n---\n")[0])
    steps = Counter(node["step"] for node in report["nodes"])
    # every node is missing: 48 that make the picture, voices and edit (its mix too), 5 qc.cut, and the sound
    # department's
    assert report["counts"] == {"MISSING": 53 + steps["sound.music"] + steps["sound.effects"]}
    assert steps["sound.music"] >= 1 and steps["sound.effects"] >= 1


def test_a_read_only_project_older_than_this_mangaline_says_what_to_do(project: Path) -> None:
    from alembic import command

    from mangaline.project.state import alembic_config, sqlite_url

    command.downgrade(alembic_config(sqlite_url(project / ".mangaline" / "state.db")), "0001")
    line = _one_line(_read_only(project, "status", str(project)))
    assert "cannot be written, and its schema (0001) is older than 0004" in line
    assert "open the project once where it can be written" in line


def test_a_build_of_a_read_only_project_is_one_line(project: Path) -> None:
    line = _one_line(_read_only(project, "build", str(project)))
    assert f"cannot build in {project}" in line
    assert "read-only file system" in line or "permission denied" in line.lower()


@pytest.mark.skipif(not _privileged(), reason="needs root and a private mount namespace for a tiny disk")
def test_new_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path, small_script: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    result = _in_namespace(f'mount -t tmpfs -o size=64k tmpfs "{disk}"',
                           [*CLI, "new", disk / "drama", "--from", small_script], after=f'ls -A "{disk}"')
    assert result.returncode == 2, result.stderr
    assert result.stdout.split("---")[1].split() == [], "a full disk must not keep a half-made project"
    line = _one_line(subprocess.CompletedProcess(result.args, 2, "", result.stderr))
    assert f"cannot create {disk / 'drama'}" in line and "full" in line and "free some space" in line
    assert "partial" not in line and "[SQL" not in line


@pytest.mark.skipif(not _privileged(), reason="needs root and a private mount namespace for a tiny disk")
def test_a_build_that_fills_the_disk_is_one_line(tmp_path: Path, project: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    copy = disk / "drama"
    result = _in_namespace(f'mount -t tmpfs -o size=600k tmpfs "{disk}" && cp -r "{project}" "{copy}"',
                           [*CLI, "build", copy, "--no-progress"])
    assert "Traceback" not in result.stderr
    # the disk fills in the runner (one error line, status 2) or in the steps (the summary, status 1); either way
    # one line says the disk is full and what to do
    assert result.returncode in (1, 2), result.stderr
    said = [row for row in result.stderr.splitlines() if "free some space" in row]
    assert len(said) == 1 and ("full" in said[0] or "no space left" in said[0]), result.stderr
    if result.returncode == 2:
        assert said[0].startswith("error: ")


def test_results_on_a_full_stdout_are_one_line(project: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([*CLI, "status", str(project), "--json"], stdout=full, stderr=subprocess.PIPE,
                                text=True, env=ENV, timeout=300)
    line = _one_line(subprocess.CompletedProcess(result.args, result.returncode, "", result.stderr))
    assert "the standard output: no space left on device" in line


def test_a_reader_that_goes_away_ends_the_command_quietly(project: Path) -> None:
    reader = subprocess.Popen([*CLI, "breakdown", str(project), "--json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=ENV)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # gone before a byte was written, like `| true`: every write meets a closed pipe
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=120) == 1
    assert stderr == "", stderr


# ------------------------------------------------------------------------------------------ a bug


CRASH = """
import importlib
import sys
import mangaline.cli as cli

def boom(*args, **kwargs):
    raise RuntimeError("boom: nobody foresaw this")

module, _, name = "{name}".rpartition(".")
setattr(importlib.import_module(module), name, boom)
sys.argv = ["mangaline", *sys.argv[1:]]
cli.main()
"""


def _crashing(name: str, *args: str | os.PathLike, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CRASH.format(name=name), *map(str, args)], capture_output=True,
                          text=True, env=env or ENV, timeout=300)


def test_a_bug_in_a_project_logs_its_traceback_there_and_says_where(project: Path) -> None:
    line = _one_line(_crashing("mangaline.production.status", "status", project), code=1)
    assert "unexpected RuntimeError: boom: nobody foresaw this" in line
    logs = list((project / ".mangaline" / "logs").glob("crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in line
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: boom" in text and "status" in text


def test_a_bug_outside_any_project_logs_to_the_user_cache(tmp_path: Path, small_script: Path) -> None:
    cache = tmp_path / "cache"
    line = _one_line(_crashing("mangaline.cli._create", "new", tmp_path / "p", "--from", small_script,
                               env={**ENV, "XDG_CACHE_HOME": str(cache)}), code=1)
    logs = list((cache / "mangaline" / "logs").glob("crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in line
    assert "RuntimeError: boom" in logs[0].read_text(encoding="utf-8")
    assert not (tmp_path / "p").exists()


# ------------------------------------------------------------------------------------------ the build lock


def test_a_second_build_stops_at_once_naming_the_first(project: Path) -> None:
    folder = ProjectFolder.open(project)
    with build_lock(folder.state_dir, "build elsewhere"):
        line = _one_line(mangaline("build", project, check=False, timeout=120))
        assert f"another build is running (pid {os.getpid()} on {socket.gethostname()}, since " in line
        assert "--wait" in line and "mangaline status" in line
        assert mangaline("status", project, "--json").returncode == 0, "status works while a build runs"
        assert "another build is running" in mangaline("approve", project, "--character", "june", check=False).stderr
    folder.close()


def test_a_lock_left_by_a_killed_build_is_taken_over(project: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from mangaline.engine import build_lock; from pathlib import Path\n"
         "with build_lock(Path(sys.argv[1]), 'build'):\n    print('held', flush=True); time.sleep(600)",
         str(project / ".mangaline")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    lock = project / ".mangaline" / "build.lock"
    assert f'"pid": {holder.pid}' in lock.read_text(), "the dead holder's lock file is still there"
    with build_lock(project / ".mangaline", "build again") as path:
        assert f'"pid": {os.getpid()}' in path.read_text()


# ------------------------------------------------------------------------------------------ hints that work


def test_a_cast_member_who_never_speaks_gets_a_hint_that_works(project: Path) -> None:
    episode = project / "script" / "ep01.yaml"
    # a third character, cast by hand in the first shot without a line: the build designs only those who speak
    yaml = YAML()
    doc = yaml.load(episode)
    first = doc["scenes"][0]["shots"][0]
    assert first["code"] == "ep01_sc01_sh010"
    oda = next(i for i, cast in enumerate(first["casting"]) if cast["character"] == "oda")
    first["casting"].insert(oda, {"character": "mara", "variant": "default", "on_screen": True})
    yaml.dump(doc, episode)
    folder = ProjectFolder.open(project)

    def layout() -> tuple:
        script = folder.load_script()
        graph = build_graph(script, design_bible(script, existing=folder.load_bible()), folder.settings.project)
        node = next(n for n in graph.nodes if n.step.name == "layout.shot" and n.entity == "ep01_sc01_sh010")
        ctx = StepContext(step=node.step.name, entity=node.entity, params=dict(node.params), inputs={},
                          workdir=project / "scratch", seed=node.seed, model=node.model)
        return node, ctx

    node, ctx = layout()
    with pytest.raises(StepError) as refused:
        node.step.fn(ctx)
    hint = refused.value.hint or ""
    assert "again" not in hint, "building again would fail the same way"
    assert "copy bible/characters/june.yaml to bible/characters/mara.yaml and change its id and name" in hint
    assert "take mara out of the shot's casting in script/" in hint

    # doing what it says
    june = (project / "bible" / "characters" / "june.yaml").read_text(encoding="utf-8")
    (project / "bible" / "characters" / "mara.yaml").write_text(
        june.replace("id: june", "id: mara").replace("name: June", "name: Mara"), encoding="utf-8")
    node, ctx = layout()
    assert node.params["missing_characters"] == []
    assert "mara" in {c["id"] for c in node.step.fn(ctx).data["characters"]}
    folder.close()

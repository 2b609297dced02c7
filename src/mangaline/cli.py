"""The `mangaline` command: new, breakdown, build, status and export over a project folder.

Results (tables, JSON, the episodes a build published) go to stdout; progress, notes and errors go
to stderr, and every error a person can cause or meet is one line there. The departments are
imported inside the commands, after main() has taken over Ctrl-C and SIGTERM, so even a command
stopped while it starts up ends with one line, never a traceback.
"""

from __future__ import annotations

import errno
import glob
import importlib
import json
import os
import re
import shutil
import sqlite3
import stat
import sys
import tempfile
import traceback
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import __version__
from .errors import MangalineError, ProjectError, ScriptError, invalid_value
from .stopping import Interrupted, leave, process_alive, stop_on_signals

if TYPE_CHECKING:
    from .config import LlmSettings, Settings
    from .production import BuildResult, BuildRun
    from .project import ProjectFolder

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="mangaline: screenplay in, finished vertical episodes out.")


def _consoles() -> tuple[Console, Console]:
    """stderr's console and stdout's, as the environment says (width, colours)."""
    # a message is one line, however long its path; ":100:" stays text
    return Console(stderr=True, soft_wrap=True, emoji=False), Console(emoji=False)


err, out = _consoles()


def new_consoles() -> None:
    """Make the consoles again, as the environment now says (a build the warm server forked: the command's terminal)."""
    global err, out
    err, out = _consoles()


_where: dict[str, Path] = {}
"""The state folder of the project the running command opened: where a crash log goes."""


@app.command()
def new(
    directory: Annotated[Path, typer.Argument(help="the project folder to create")],
    from_: Annotated[Path, typer.Option("--from", help="a screenplay (.fountain) or story file")],
    language: Annotated[Optional[str], typer.Option(help="zh, ja or en; detected from the text when left out")] = None,
    llm_url: Annotated[Optional[str], typer.Option(help="break prose down with this OpenAI-compatible endpoint")] = None,
    llm_model: Annotated[Optional[str], typer.Option(help="the model id at --llm-url")] = None,
    llm_key_env: Annotated[str, typer.Option(help="environment variable holding the endpoint's key")] = "OPENAI_API_KEY",
) -> None:
    """Make a project from a screenplay or a story: story/, script/, bible/ and mangaline.toml."""
    from pydantic import ValidationError

    from .config import LlmSettings

    if language is not None and language not in ("zh", "ja", "en"):
        raise MangalineError(f"--language {language!r} is not one of zh, ja, en")
    if (llm_url is None) != (llm_model is None):
        raise MangalineError("--llm-url and --llm-model go together", hint="give both, or neither for the offline rules")
    try:
        llm = LlmSettings(base_url=llm_url, model=llm_model, api_key_env=llm_key_env) if llm_url and llm_model else None
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]  # never the input: it may be the key itself
        option = {"base_url": "--llm-url", "model": "--llm-model", "api_key_env": "--llm-key-env"}.get(str(problem["loc"][0]), "--llm-*")
        raise MangalineError(f"{option}: {invalid_value(problem, show_input=False)[1]}") from None
    _check_source(from_)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ProjectError(f"{directory}: exists and is not an empty folder", hint="choose a new folder name")
    try:
        result, bible = _create(directory, from_, language, llm)
    except Interrupted as stop:
        made = directory.is_dir() and (directory / "mangaline.toml").is_file()
        stop.detail = f"{directory} was made whole before the stop" if made else f"{directory} was not created"
        raise
    shots = len(result.script.shots())
    err.print(
        f"[green]created[/] {escape(str(directory))}: {len(result.script.episodes)} episode(s), {len(result.script.scenes())} scenes, "
        f"{shots} shots, {len(result.script.lines())} lines, {len(bible.characters)} characters, "
        f"{len(bible.locations)} locations ({result.project.language})"
    )
    for warning in result.warnings:
        err.print(f"[yellow]warning[/] {escape(warning)}")
    err.print(f"next: [bold]mangaline build {escape(str(directory))}[/]")


def _check_source(source: Path) -> None:
    """The source must be a file that stays: `new` keeps a copy of it in story/, under its name."""
    try:
        mode = source.stat().st_mode
    except FileNotFoundError:
        return  # the breakdown says so, naming the file
    if stat.S_ISDIR(mode):
        raise ScriptError(str(source), "is a folder, not a file", hint="give the screenplay or story file itself")
    if not stat.S_ISREG(mode):
        raise ScriptError(
            str(source), "is a pipe or a device, not a file: the project keeps a copy of its source",
            hint="save the text to a file first (e.g. story.fountain) and give its path",
        )


def _create(directory: Path, source: Path, language: str | None, llm: LlmSettings | None):
    """Break the source down, then make the project in a hidden sibling folder and rename it into place
    whole: stopped or failed half-way, `new` leaves nothing behind. Nothing in the project records where
    it lives (the state database is found beside mangaline.toml, takes name blobs by hash), so the
    rename moves a working project."""
    from .breakdown import breakdown_source
    from .config import Settings
    from .design import design_bible
    from .production import record_transcript, scratch_runtime
    from .project import ProjectFolder

    # break the text down before creating anything, so bad input leaves no half-made project (a model's
    # calls are booked in a scratch ledger meanwhile, and in the project's once it exists)
    with ExitStack() as stack:
        runtime = stack.enter_context(scratch_runtime(llm)) if llm is not None else None
        result = breakdown_source(source, language=language, name=directory.name, llm=llm, runtime=runtime)
    bible = design_bible(result.script)
    made = [p for p in (directory.absolute(), *directory.absolute().parents) if not p.exists()][1:]
    stem = f".{directory.name[:64]}.partial-"
    _sweep_partials(directory.parent, stem)
    partial = directory.parent / f"{stem}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        folder = ProjectFolder.create(partial, settings=Settings(project=result.project, llm=llm))
        try:
            shutil.copyfile(source, folder.story_dir / source.name)
            folder.save_script(result.script)
            folder.save_bible(bible)
            if result.transcript:
                record_transcript(folder, source.name, result.transcript, llm, charges=result.charges)
        finally:
            folder.close()
        partial.rename(directory)  # an empty folder at `directory` is replaced, as POSIX rename does
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        for parent in made:  # the folders `new` made on the way, innermost first
            try:
                parent.rmdir()
            except OSError:
                break
        if isinstance(error, OSError):
            raise _os_error(error, where=directory, doing="cannot create") from None
        if isinstance(error, MangalineError):
            problem: MangalineError | None = error
        else:
            problem = _database_error(error) if isinstance(error, Exception) else None
        if problem is not None and partial.name in str(problem):
            # the hidden folder's name means nothing to a person: say the one they asked for
            text = _message(problem).replace(str(partial.resolve()), str(directory)).replace(str(partial), str(directory))
            full = "disk is full" in text or "no space left" in text.lower()
            raise ProjectError(f"cannot create {directory}: {text}",
                               hint=problem.hint or (_OS_HINTS[errno.ENOSPC] if full else None)) from None
        raise
    return result, bible


def _sweep_partials(parent: Path, stem: str) -> None:
    """Remove what a `new` killed outright (SIGKILL, power loss) left of its hidden folder; one whose
    process still runs is another `new`, and is left alone."""
    if not parent.is_dir():
        return
    for left in parent.glob(f"{glob.escape(stem)}*"):
        pid = left.name.removeprefix(stem).split("-", 1)[0]
        if not pid.isdigit() or process_alive(int(pid)):
            continue
        shutil.rmtree(left, ignore_errors=True)


def _open(directory: Path) -> tuple[ProjectFolder, Settings]:
    from .project import ProjectFolder

    folder = ProjectFolder.open(directory)
    _where["state"] = folder.state_dir
    return folder, folder.settings


@contextmanager
def _building(folder: ProjectFolder, command: str, *, wait: bool = False) -> Iterator[None]:
    """Hold the project's build lock: a second build is refused at once, naming the one running, or waits."""
    from .engine import build_lock

    def waiting(holder: object) -> None:
        err.print(f"waiting for the build running in {escape(str(folder.root))} ({escape(str(holder))})")

    with ExitStack() as held:
        try:
            held.enter_context(build_lock(folder.state_dir, command, wait=wait, waiting=waiting))
        except OSError as error:  # a read-only or full disk: a build could not write anyway
            raise _os_error(error, where=folder.root, doing=f"cannot {command.split()[0]} in") from None
        held.enter_context(folder.state.exclusive(wait=wait))  # a shared database: builds on other machines too
        yield


@app.command()
def build(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    progress: Annotated[bool, typer.Option(help="show progress bars")] = True,
    wait: Annotated[bool, typer.Option("--wait", help="if the project is being built, wait for that build to end")] = False,
    executor: Annotated[Optional[Executors], typer.Option(help="where the steps run; unset: [build] executor")] = None,
    address: Annotated[Optional[str], typer.Option(help="a Ray cluster's address (ray://host:10001); unset: a Ray of its own")] = None,
) -> None:
    """Render every episode to renders/<episode>.mp4, with .srt, .ass and .otio in exports/.

    One build of a project runs at a time: a second one stops at once, naming the one running (or
    with --wait, starts when it ends). Ctrl-C or SIGTERM stops a build and says how many steps this
    run finished; they, and those of earlier runs, are kept, and the next build goes on from there.
    With --executor ray the same steps run as Ray tasks (docs/cluster.md)."""
    _build_command(directory, progress, wait, executor, address, episodes=None, command=f"build {directory}")


@app.command()
def season(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    episodes: Annotated[Optional[str], typer.Option(help="which episodes: 1-20, 3,5,8 or ep01,ep02; unset: all")] = None,
    progress: Annotated[bool, typer.Option(help="show progress bars")] = True,
    wait: Annotated[bool, typer.Option("--wait", help="if the project is being built, wait for that build to end")] = False,
    executor: Annotated[Optional[Executors], typer.Option(help="where the steps run; unset: [build] executor")] = None,
    address: Annotated[Optional[str], typer.Option(help="a Ray cluster's address (ray://host:10001); unset: a Ray of its own")] = None,
) -> None:
    """Build a season's episodes (all, or those --episodes names) as one run, and report each episode.

    Every step of every chosen episode is in one graph, so the workers stay busy across episodes; the
    line a finished episode prints says how long it is and what it cost."""
    _build_command(directory, progress, wait, executor, address, episodes=episodes, command=f"season {directory}")


def _build_command(directory: Path, progress: bool, wait: bool, executor: Executors | None, address: str | None, *,
                   episodes: str | None, command: str) -> None:
    run: BuildRun | None = None  # what the build finished so far, for the line an interrupted build ends with
    folder = None
    try:
        folder, settings = _open(directory)
        with _building(folder, command, wait=wait):
            from .production import BuildRun

            run = BuildRun()
            _build(folder, settings, directory, progress, run, executor=executor, address=address, episodes=episodes)
    except Interrupted as stop:
        kept = run.finished if run is not None else 0
        stop.detail = f"{_count(kept, 'finished step')} kept; run `mangaline build {directory}` to go on"
        raise
    finally:
        if folder is not None:
            folder.close()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _build(folder: ProjectFolder, settings: Settings, directory: Path, progress: bool, run: BuildRun, *,
           executor: Executors | None = None, address: str | None = None, episodes: str | None = None) -> None:
    from . import production

    # the workers start first, so they are ready (modules imported) by the time the graph is
    with production.open_workers(folder, settings, kind=executor.value if executor is not None else None,
                                 address=address) as workers:
        plan = production.prepare_build(folder, settings)
        chosen = _episode_ids(episodes, list(plan.graph.outputs)) if episodes is not None else None
        for note in plan.notes:
            err.print(f"[yellow]note[/] {escape(note)}")
        for key, reason in plan.fallbacks.items():
            err.print(f"[yellow]draft[/] {escape(key)}: {escape(reason)}")
        command = f"{'season' if episodes is not None else 'build'} {directory}"
        result = production.build(folder, settings, progress=progress, command=command, plan=plan, run=run,
                                  workers=workers, episodes=chosen)
    spent = _spent_by_episode(result, settings.project.currency) if episodes is not None else {}
    for episode in result.published:
        # the episode is the build's result: stdout, one line each, never wrapped
        cost = f", {spent[episode.episode]}" if episode.episode in spent else ""
        out.print(f"episode {episode.episode}: {episode.files['episode.mp4']}  ({episode.duration:.1f} s, {episode.shots} shots{cost})",
                  markup=False, highlight=False, soft_wrap=True)
    for warning, count in result.warnings.items():
        err.print(f"[yellow]warning[/] {escape(warning)}" + (f" (x{count})" if count > 1 else ""))
    err.print(str(result.summary), markup=False, highlight=False)
    if result.disk_full:
        err.print(f"the disk under {escape(str(folder.root))} is full: free some space, then run "
                  f"`mangaline build {escape(str(directory))}` again; finished steps are kept")
    if result.failed:
        raise typer.Exit(1)


class Executors(str, Enum):
    local = "local"
    ray = "ray"


def _episode_ids(text: str, known: list[str]) -> list[str]:
    """--episodes as ids: `1-20` and `3,5` count episodes in script order (1 is the first); `ep01,ep02` name them."""
    chosen: list[str] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        span = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if span is None:
            chosen.append(part)  # an id; production names the unknown ones
            continue
        first, last = int(span.group(1)), int(span.group(2) or span.group(1))
        if not 1 <= first <= last <= len(known):
            raise MangalineError(f"--episodes {part}: the script has episodes 1-{len(known)}",
                                 hint="count from 1, e.g. --episodes 1-3, or name them: --episodes " + ",".join(known[:2]))
        chosen += known[first - 1:last]
    if not chosen:
        raise MangalineError(f"--episodes {text!r} names no episode", hint="e.g. --episodes 1-3 or --episodes ep01,ep02")
    return chosen


def _spent_by_episode(result: BuildResult, currency: str) -> dict[str, str]:
    """What each published episode's own takes (its shots and lines, not the shared sheets) cost, where any was paid."""
    costs: dict[str, float] = {}
    for take in result.summary.takes.values():
        if take.provenance.cost:
            episode = take.entity.split("_", 1)[0]
            costs[episode] = costs.get(episode, 0.0) + take.provenance.cost
    return {episode: f"{cost:.2f} {currency} of takes" for episode, cost in costs.items()}


@app.command()
def approve(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    character: Annotated[Optional[str], typer.Option("--character", help="the character's id in bible/characters/")] = None,
    take: Annotated[Optional[str], typer.Option("--take", help="a shot's keyframe or clip take: approve it and use it")] = None,
    unapprove: Annotated[bool, typer.Option("--unapprove", help="take the approval back so the design can be edited")] = False,
    author: Annotated[str, typer.Option(help="who approves (with --take)")] = "cli",
) -> None:
    """Approve a character's turnaround (its design and version are locked, and every shot uses them), or a shot's take."""
    if (character is None) == (take is None):
        raise MangalineError("approve a --character or a --take", hint="e.g. --character maya, or --take <id from `mangaline qc`>")
    folder, settings = _open(directory)
    try:
        if take is not None:
            from . import production

            approved = production.approve_take(folder, take, author=author)
            err.print(f"[green]approved[/] {escape(approved.step)} take {approved.id[:12]} of {escape(approved.entity)}")
            return
        assert character is not None
        with _building(folder, f"approve {directory} --character {character}"):
            _approve(folder, settings, directory, character, unapprove)
    finally:
        folder.close()


def _approve(folder: ProjectFolder, settings: Settings, directory: Path, character: str, unapprove: bool) -> None:
    from . import production

    done = production.approve(folder, settings, character, unapprove=unapprove,
                              command=f"approve {directory} --character {character}")
    if not done.approved:
        err.print(f"[green]unapproved[/] {character} v{done.version} ({done.released} locked take(s) released)")
    else:
        assert done.take is not None
        err.print(f"[green]approved[/] {character} v{done.version}: design locked on take {done.take.id[:12]}")


@app.command()
def note(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    take: Annotated[str, typer.Argument(help="the take's id (the studio's shot page and `mangaline qc --json` show them)")],
    text: Annotated[str, typer.Argument(help="what the reviewer says")],
    author: Annotated[str, typer.Option(help="who says it")] = "cli",
) -> None:
    """Add a note to a take; notes are only ever added, so nobody's note is lost."""
    from . import production

    folder, _settings = _open(directory)
    try:
        production.add_note(folder, take, text, author=author)
    finally:
        folder.close()
    err.print(f"[green]noted[/] take {escape(take[:12])}")


@app.command()
def reject(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    take: Annotated[str, typer.Argument(help="the take's id")],
    note_text: Annotated[str, typer.Option("--note", help="why: kept as a note on the take")],
    author: Annotated[str, typer.Option(help="who rejects it")] = "cli",
) -> None:
    """Reject a take with a note: the build never uses it again; `mangaline retake` asks for another."""
    from . import production

    folder, _settings = _open(directory)
    try:
        production.reject_take(folder, take, note_text, author=author)
    finally:
        folder.close()
    err.print(f"[green]rejected[/] take {escape(take[:12])}; next: [bold]mangaline retake {escape(str(directory))} SHOT[/]")


class ReviewKinds(str, Enum):
    keyframe = "keyframe"
    clip = "clip"


@app.command(name="retake")
def retake_command(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    shot: Annotated[str, typer.Argument(help="the shot's code, e.g. ep01_sc01_sh010")],
    kind: Annotated[ReviewKinds, typer.Option("--of", help="what to make again")] = ReviewKinds.keyframe,
    prompt: Annotated[Optional[str], typer.Option(help="the prompt the new take is made from")] = None,
    model: Annotated[Optional[str], typer.Option(help="another model (`mangaline models DIR` lists them)")] = None,
    note_text: Annotated[Optional[str], typer.Option("--note", help="a note on the current take")] = None,
    author: Annotated[str, typer.Option(help="who asks")] = "cli",
) -> None:
    """Ask for a retake of a shot's keyframe or clip: a new seed, and an edited prompt or another model if given.
    The next `mangaline build` makes it."""
    from . import production

    folder, settings = _open(directory)
    try:
        direction = production.retake(folder, settings, shot, kind=kind.value, prompt=prompt, model=model,
                                      note=note_text, author=author)
    finally:
        folder.close()
    err.print(f"[green]retake[/] {escape(shot)} {direction.kind}: seed {direction.seed}"
              + (f", model {escape(direction.model)}" if direction.model else "")
              + (", prompt edited" if direction.prompt else "")
              + f"; next: [bold]mangaline build {escape(str(directory))}[/]")


@app.command()
def studio(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    host: Annotated[str, typer.Option(help="the address to listen on; anything but loopback needs --token")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="the port to listen on")] = 8765,
    token: Annotated[Optional[str], typer.Option(help="the token every request must carry (or MANGALINE_STUDIO_TOKEN)",
                                                 envvar="MANGALINE_STUDIO_TOKEN", show_envvar=False)] = None,
) -> None:
    """Open the studio, the review web app, over the project: storyboards, takes, notes, retakes, the episode."""
    try:
        from .studio import serve
    except ImportError as missing:
        raise MangalineError(f"the studio needs {missing.name or 'its web packages'}, which is not installed",
                             hint="pip install 'mangaline[studio]'") from None

    folder, _settings = _open(directory)
    folder.close()
    serve(folder.root, host=host, port=port, token=token, say=lambda line: err.print(line, markup=False, highlight=False))


@app.command()
def breakdown(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the script as JSON")] = False,
) -> None:
    """Print the script: episodes, scenes, shots and dialogue lines."""
    folder, _ = _open(directory)
    script = folder.load_script()
    if as_json:
        out.print_json(script.model_dump_json(), highlight=False) if sys.stdout.isatty() else print(script.model_dump_json(indent=2))
        return
    table = Table(title=f"{script.title} ({script.language})")
    for column in ("shot", "kind", "size", "move", "sec", "subject", "dialogue"):
        table.add_column(column)
    for shot in script.shots():
        said = " / ".join(f"{line.speaker}: {line.text}" for line in shot.dialogue)
        table.add_row(shot.code, shot.kind.value, shot.size.value, shot.move.value, f"{shot.duration:.1f}", shot.subject or "", said)
    out.print(table)


@app.command()
def status(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the status as JSON")] = False,
    formats: Annotated[Optional[str], typer.Option(
        help="the delivery frames to report too, any of 9:16,16:9,1:1; unset: those delivered before")] = None,
) -> None:
    """Say what is missing, stale, flagged (failed) or fresh, step by step; works while a build runs, and read-only.
    The deliveries' nodes (<shot>@16x9, edit.delivery) are listed for the frames delivered before, or --formats."""
    from dataclasses import asdict

    from . import production
    from .model.delivery import parse_aspects

    chosen_formats = parse_aspects(formats) if formats is not None else None  # refused before the project is opened
    folder, settings = _open(directory)
    try:
        rows = [asdict(report) for report in production.status(folder, settings, chosen_formats)]
    finally:
        folder.close()
    if as_json:
        counts = Counter(r["state"] for r in rows)
        print(json.dumps({"counts": dict(counts), "nodes": rows}, indent=2, ensure_ascii=False))
        return
    by_step: dict[str, Counter] = {}
    for row in rows:
        by_step.setdefault(row["step"], Counter())[row["state"]] += 1
    table = Table(title=f"status of {directory}")
    for column in ("step", "FRESH", "STALE", "MISSING", "FLAGGED"):
        table.add_column(column)
    for step, counts in by_step.items():
        table.add_row(step, *(str(counts.get(s, 0)) for s in ("FRESH", "STALE", "MISSING", "FLAGGED")))
    out.print(table)
    for row in rows:
        if row["state"] in ("STALE", "FLAGGED"):
            out.print(f"  {row['state'].lower():8} {row['step']} [{row['entity']}]: {row['cause']}", markup=False, highlight=False)


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    layout: Annotated[bool, typer.Option("--layout", help="write exports/layout/<shot>.json: camera, characters, elements")] = False,
    formats: Annotated[Optional[str], typer.Option(
        help="write exports/<episode>/ for an editor: any of otio,fcp7,fcpxml,edl,kdenlive,jianying")] = None,
    episodes: Annotated[Optional[str], typer.Option(help="with --formats, which episodes: 1-3, 2 or ep01,ep02; unset: all built")] = None,
) -> None:
    """Write exports a pipeline or an editor can read: with --layout, each shot's camera, blocking and set pieces as
    JSON; with --formats, each built episode's cut as OTIO, FCP 7 XML, FCPXML, EDL, a Kdenlive project or a JianYing
    draft, referencing the published shot segments and audio (docs/architecture.md, "Editor exports")."""
    if not layout and formats is None:
        raise MangalineError("nothing to export", hint="ask for what you want, e.g. --layout or --formats otio,fcp7,edl")
    if episodes is not None and formats is None:
        raise MangalineError("--episodes goes with --formats", hint="e.g. --formats fcp7 --episodes ep01")
    if formats is not None:
        from .edit.exports import parse_formats

        chosen_formats = parse_formats(formats)  # refused before the project is opened
    folder, settings = _open(directory)
    try:
        if layout:
            with _building(folder, f"export {directory} --layout"):
                from .production import export_layouts

                written = export_layouts(folder, settings, command=f"export {directory} --layout")
            err.print(f"[green]layout[/] {written.count} shots: {written.folder}")
        if formats is not None:
            from .production import export_editors

            chosen = _episode_ids(episodes, [e.id for e in folder.load_script().episodes]) if episodes is not None else None
            for result in export_editors(folder, chosen_formats, episodes=chosen):
                err.print(f"[green]editors[/] {escape(result.folder.name)}: {result.count} export(s) in {escape(str(result.folder))}")
                for path in result.files:
                    print(path)
    finally:
        folder.close()


@app.command()
def deliver(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    formats: Annotated[str, typer.Option(help="the frames to deliver, any of 9:16,16:9,1:1")] = "9:16",
    episodes: Annotated[Optional[str], typer.Option(help="which episodes: 1-3, 2 or ep01,ep02; unset: all")] = None,
    progress: Annotated[bool, typer.Option(help="show progress bars")] = True,
    wait: Annotated[bool, typer.Option("--wait", help="if the project is being built, wait for that build to end")] = False,
) -> None:
    """Write each built episode in each frame to deliveries/<episode>/: <episode>.16x9.mp4 (the same cut and mix,
    each shot solved again in its set for the frame), its .cover.png, .title.mp4 (a title card to put before it),
    .srt and .ass (docs/architecture.md, "Deliveries"). At a paid tier the frames' reframed clips and repainted
    stills are planned within the project's budget first (`mangaline cost DIR --formats ...` shows them): nothing
    is spent when they do not fit."""
    from .model.delivery import parse_aspects

    chosen_formats = parse_aspects(formats)  # refused before the project is opened
    folder, settings = _open(directory)
    try:
        with _building(folder, f"deliver {directory}", wait=wait):
            from . import production

            known = [e.id for e in folder.load_script().episodes]
            chosen = _episode_ids(episodes, known) if episodes is not None else None
            result = production.deliver(folder, settings, chosen_formats, episodes=chosen, progress=progress,
                                        command=f"deliver {directory}")
        for done in result.delivered:
            out.print(f"delivery {done.episode} {done.aspect}: {done.files['episode.mp4']}  ({done.duration:.1f} s, "
                      f"cover from {done.cover})", markup=False, highlight=False, soft_wrap=True)
        err.print(str(result.summary), markup=False, highlight=False)
        if result.failed:
            raise typer.Exit(1)
    finally:
        folder.close()


_PLAN_FORMATS = ("the delivery frames to plan too (their reframed clips and repainted stills), any of 9:16,16:9,1:1; "
                 "unset: those the project was delivered in before")


@app.command()
def models(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    formats: Annotated[Optional[str], typer.Option(help=_PLAN_FORMATS)] = None,
) -> None:
    """The model catalogue in the project's currency, and what the router would choose, with its reasons."""
    from .providers.catalogue import project_catalogue
    from .providers.reports import models_report, render_models

    chosen_formats = _plan_formats(formats)
    folder, settings = _open(directory)
    catalogue = project_catalogue(folder.root)
    work, problem = _plan(folder, settings, catalogue, chosen_formats)
    folder.close()
    report = models_report(directory, settings, catalogue=catalogue, work=work)
    if problem:
        report["estimate"] = {"error": problem}
    print(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render_models(report))


@app.command()
def qc(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """List each shot's takes with QC's scores, reasons and decisions, each cut's verdicts, and what is flagged; read-only."""
    from dataclasses import asdict

    from . import production

    folder, settings = _open(directory)
    try:
        view = production.qc_report(folder, settings)
    finally:
        folder.close()
    if as_json:
        print(json.dumps({"shots": [asdict(s) for s in view.shots], "cuts": [asdict(c) for c in view.cuts],
                          "check_rates": view.check_rates, "flagged": view.flagged}, indent=2, ensure_ascii=False))
        return
    counts = Counter(s.state for s in view.shots)
    table = Table(title=f"QC of {directory}")
    for column in ("shot", "state", "model", "takes", "score", "why"):
        table.add_column(column)
    for shot in view.shots:
        chosen = next((t for t in shot.takes if t.get("chosen")), None)
        score = f"{chosen['score']:.2f}" if chosen and "score" in chosen else ""
        why = shot.flagged or (chosen or {}).get("reason", "") if shot.state != "draft" else "drawn from its layout"
        table.add_row(shot.shot, shot.state, shot.model or "", str(len(shot.takes)), score, why)
    out.print(table)
    for shot in view.shots:
        for i, take in enumerate(shot.takes):
            if shot.state in ("draft", "missing", "stale"):
                break
            verdicts = ", ".join(f"{v['check']} {v['score']:.2f}{'' if v['passed'] else ' FAIL'}"
                                 for v in take.get("verdicts", []))
            mark = "*" if take.get("chosen") else " "
            out.print(f" {mark}{shot.shot} take {i + 1}: {take['model']} seed {take['seed']}: {verdicts or take['reason']}",
                      markup=False, highlight=False)
    flagged_cuts = [c for c in view.cuts if c.state == "flagged"]
    judged_cuts = [c for c in view.cuts if c.state in ("passed", "flagged")]
    out.print(f"cuts: {len(judged_cuts)} judged inside scenes, {len(flagged_cuts)} flagged", highlight=False)
    for cut in flagged_cuts:
        out.print(f"  flagged  {cut.flagged}", markup=False, highlight=False)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    out.print(f"shots: {summary or 'none'}; flagged for a person: {len(view.flagged)}", highlight=False)


@app.command()
def cost(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    formats: Annotated[Optional[str], typer.Option(help=_PLAN_FORMATS)] = None,
) -> None:
    """What was spent, by provider, model and step, and the estimate for what remains (the deliveries' reframes and
    repaints among it: the frames delivered before, or those --formats names)."""
    from .providers.catalogue import project_catalogue
    from .providers.reports import cost_report, render_cost

    chosen_formats = _plan_formats(formats)
    folder, settings = _open(directory)
    catalogue = project_catalogue(folder.root)
    work, problem = _plan(folder, settings, catalogue, chosen_formats)
    folder.close()
    report = cost_report(directory, catalogue=catalogue, work=work)
    if problem:
        report["remaining"] = {"tasks": 0, "error": problem}
    print(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render_cost(report))


def _plan_formats(formats: str | None) -> list[str] | None:
    """--formats of a command that plans, refused before the project is opened; None: the frames delivered before."""
    from .model.delivery import parse_aspects

    return parse_aspects(formats) if formats is not None else None


def _plan(folder: ProjectFolder, settings: Settings, catalogue, formats: list[str] | None = None):
    """The build's own plan of the script (the same code `build` routes with) with the deliveries' in ``formats``
    (None: the frames delivered before), or why there is none."""
    from .production import plan_project

    try:
        return plan_project(folder, settings, catalogue, formats=formats), None
    except MangalineError as error:
        return None, str(error).splitlines()[0]


# ------------------------------------------------------------------------------------------ warm workers

workers_app = typer.Typer(no_args_is_help=True, help="Warm workers: keep the line loaded, so a small rebuild starts at once.")
app.add_typer(workers_app, name="workers")


@workers_app.command("start")
def workers_start(
    idle: Annotated[float, typer.Option(help="minutes with no build before the workers stop")] = 30.0,
) -> None:
    """Start the warm server in the background: while it runs, `build` and `season` run in processes forked from it,
    with every module and the voice model already loaded (docs/architecture.md, "Warm workers")."""
    import subprocess
    import time

    from . import warm

    if sys.platform == "win32" or not hasattr(os, "fork"):
        raise MangalineError("warm workers need fork and Unix sockets, which this system lacks",
                             hint="builds run as before, each in its own processes")
    path = warm.socket_path()
    running = warm.status(path)
    if running is not None:
        if running.get("digest") == warm.code_digest():
            out.print(f"warm workers already run at {path} (pid {running['pid']})", markup=False, highlight=False)
            return
        warm.stop(path)  # started from other code: replaced
    if idle <= 0:
        raise MangalineError(f"--idle {idle:g}: the workers would stop at once", hint="give minutes over 0, e.g. --idle 30")
    log = path.parent / "warm.log"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(log, "ab") as written:
        server = subprocess.Popen([sys.executable, "-m", "mangaline.warm", str(path), "--idle", str(idle * 60)],
                                  stdin=subprocess.DEVNULL, stdout=written, stderr=written, start_new_session=True,
                                  cwd=path.parent)  # holds no folder of the user's
    deadline = time.monotonic() + 120
    while (answer := warm.status(path)) is None or answer.get("pid") != server.pid:
        if server.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] if log.is_file() else []
            raise MangalineError(f"the warm server did not start (exit {server.returncode}): "
                                 f"{tail[0] if tail else 'nothing was logged'}", hint=f"its log: {log}")
        if time.monotonic() > deadline:
            server.terminate()
            raise MangalineError("the warm server did not answer within 2 minutes", hint=f"its log: {log}")
        time.sleep(0.1)
    out.print(f"warm workers ready at {path} (pid {server.pid}); builds use them until `mangaline workers stop` "
              f"or {idle:g} idle minutes", markup=False, highlight=False, soft_wrap=True)


@workers_app.command("stop")
def workers_stop() -> None:
    """Stop the warm server: it takes no more builds, and leaves once those running end."""
    from . import warm

    path = warm.socket_path()
    out.print(f"warm workers at {path} stopping" if warm.stop(path) else f"no warm workers run at {path}",
              markup=False, highlight=False)


@workers_app.command("status")
def workers_status(
    as_json: Annotated[bool, typer.Option("--json", help="print the status as JSON")] = False,
) -> None:
    """Whether the warm server runs, since when, and how many builds it has served."""
    from . import warm

    path = warm.socket_path()
    answer = warm.status(path)
    current = answer is not None and answer.get("digest") == warm.code_digest()
    if as_json:
        print(json.dumps({"running": answer is not None, "current": current, "socket": str(path), **(answer or {})}))
        return
    if answer is None:
        out.print(f"no warm workers run at {path}", markup=False, highlight=False)
        return
    since = datetime.fromtimestamp(answer["since"]).strftime("%Y-%m-%d %H:%M:%S")
    out.print(f"warm workers at {path}: pid {answer['pid']}, since {since}, {answer['builds']} build(s) served, "
              f"{answer['building']} running" + ("" if current else "; started from other code: the next build replaces them"),
              markup=False, highlight=False, soft_wrap=True)


# ------------------------------------------------------------------------------------------ faults


def main() -> None:
    """Run the CLI. Every error a person can cause or meet (bad usage, a MangalineError, a full or read-only
    disk, a bad path) is one line on stderr and exit status 2; Ctrl-C and SIGTERM stop with 130 and 143,
    keeping what was finished; a bug writes its traceback to a log file and says where, in one line.

    A build or a season is handed to the warm server where one runs (`mangaline workers start`)."""
    if sys.argv[1:2] in (["build"], ["season"]):
        from .wire import active_server

        if active_server() is None:  # not already the build the server forked
            from .warm import hand_over

            try:
                code = hand_over(sys.argv[1:])
            except KeyboardInterrupt:  # Ctrl-C before the server answered: it stops the build it may have begun
                _say(Text("interrupted"))
                sys.exit(130)
            if code is not None:
                sys.exit(code)
    stop_on_signals()
    try:
        # without standalone mode, click returns the exit code a command asked for instead of exiting
        code = app(prog_name="mangaline", standalone_mode=False)
        sys.stdout.flush()  # here, so a full disk or a closed pipe behind stdout is reported like any other
    except Interrupted as stop:
        _say(Text("interrupted" + (f"; {stop.detail}" if stop.detail else "")))
        leave(stop.code)
    except KeyboardInterrupt:  # only before main() took the signals over
        _say(Text("interrupted"))
        leave(130)
    except MangalineError as error:
        _fail(_one_line(error))
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        _fail("aborted")
    except _USAGE_ERRORS as error:
        _usage(error)
    except OSError as error:
        if error.errno == errno.EPIPE:
            _quiet_stdout()  # the reader went away (`| head`): nothing is wrong and nothing to say
            sys.exit(1)
        _fail(_one_line(_os_error(error)))
    except Exception as error:  # noqa: BLE001 - the last resort: a bug, or a failure nobody foresaw
        problem = _database_error(error)
        if problem is not None:
            _fail(_one_line(problem))
        _crash(error)
    sys.exit(code if isinstance(code, int) else 0)


def _click_errors() -> tuple[type[Exception], ...]:
    """Click's exception root, wherever this typer keeps it: vendored in typer._click (typer >= 0.2x), or the
    click package that older typers depend on."""
    found: list[type[Exception]] = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(importlib.import_module(module).ClickException)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


_USAGE_ERRORS = _click_errors()


def _say(text: Text) -> None:
    err.print(text, highlight=False)


def _fail(line: str, code: int = 2) -> NoReturn:
    _say(Text.assemble(("error:", "bold red"), " ", line))
    sys.exit(code)


def _one_line(error: MangalineError) -> str:
    """The error's message and hint on one line."""
    text = _message(error)
    return f"{text}; {error.hint}" if error.hint else text


def _message(error: MangalineError) -> str:
    message = str(error.args[0]) if error.args else str(error)
    # SQLAlchemy's statement, parameters and link say nothing a person can act on
    message = re.sub(r"\s*\[SQL: .*?\](\s*\[parameters: .*?\])?|\s*\(Background on this error at: [^)]*\)", "", message,
                     flags=re.DOTALL)
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def _usage(error: Exception) -> NoReturn:
    ctx = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError":  # `mangaline` alone: the help, as no_args_is_help promises
        text = error.format_message()  # typer's rich help prints itself to stdout and leaves this empty
        if text.strip():
            err.print(text, markup=False, highlight=False)
        sys.exit(2)
    command = getattr(ctx, "command_path", None) or "mangaline"
    message = error.format_message().strip().rstrip(".")
    message = message[:1].lower() + message[1:]
    _fail(f"{command}: {message}; see `{command} --help`")


_OS_HINTS = {
    errno.ENOSPC: "free some space on that disk, then run the command again",
    errno.EDQUOT: "your disk quota is used up: free some space, then run the command again",
    errno.EROFS: "it is on a read-only disk: copy the project somewhere writable, or mount it read-write",
    errno.EACCES: "mangaline may not write or read there: check the folder's owner and permissions",
    errno.EPERM: "mangaline may not write or read there: check the folder's owner and permissions",
    errno.ENAMETOOLONG: "use a shorter name (most disks allow 255 bytes for one name)",
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EISDIR: "that is a folder: give a file",
    errno.EMFILE: "too many files open: raise the limit (ulimit -n) or lower [build] workers",
    errno.EIO: "the disk reported an error: check it before going on",
}


def _os_error(error: OSError, *, where: object | None = None, doing: str = "") -> MangalineError:
    """An OSError said as a MangalineError: what went wrong, where, and what to do."""
    reason = error.strerror or str(error)
    reason = reason[:1].lower() + reason[1:]
    place = where if where is not None else error.filename
    if place is None:
        place = "the standard output"
    lead = f"{doing} {place}" if doing else f"{place}"
    if doing and error.filename is not None and where is not None and str(error.filename) != str(where):
        reason += f" ({error.filename})"
    return MangalineError(f"{lead}: {reason}", hint=_OS_HINTS.get(error.errno or 0))


def _database_error(error: Exception) -> MangalineError | None:
    """SQLite's own reports of a full or read-only disk (wrapped by SQLAlchemy), said like an OSError; and a
    PostgreSQL server that refused, dropped or never answered a connection, named by its URL (no password)."""
    cause = getattr(error, "orig", None) or error
    psycopg = sys.modules.get("psycopg")  # imported only by a project whose state is on PostgreSQL
    if psycopg is not None and isinstance(cause, psycopg.OperationalError):
        pgconn = getattr(cause, "pgconn", None)  # the connection attempt's parameters, when it was one
        if pgconn is not None and pgconn.host:
            field = {name: (getattr(pgconn, name) or b"").decode(errors="replace")
                     for name in ("user", "host", "port", "db")}
            user = f"{field['user']}@" if field["user"] else ""
            url = f"postgresql://{user}{field['host']}{':' + field['port'] if field['port'] else ''}/{field['db']}"
        else:
            url = "on PostgreSQL"
        reason = " ".join(str(cause).split()) or type(cause).__name__
        return MangalineError(
            f"the state database {url} cannot be reached: {reason}",
            hint="check that the PostgreSQL server runs and this machine reaches it, then run the command again; "
            "[state] url in mangaline.toml (or MANGALINE_STATE_URL) names it, PGPASSWORD or ~/.pgpass its password",
        )
    if not isinstance(cause, sqlite3.Error):
        return None
    text = str(cause)
    place = _where.get("state", Path(".mangaline")) / "state.db"
    for words, number in (("disk is full", errno.ENOSPC), ("readonly database", errno.EROFS),
                          ("unable to open", errno.EACCES), ("disk I/O error", errno.EIO)):
        if words in text:
            return _os_error(OSError(number, text, str(place)))
    if "database is locked" in text:
        return MangalineError(f"{place}: the state database stayed locked by another process",
                              hint="run the command again in a moment")
    return None


def _quiet_stdout() -> None:
    # the interpreter flushes stdout once more on the way out: point it at /dev/null so that flush is silent
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _crash(error: Exception) -> NoReturn:
    """A bug: the whole traceback goes to a log file (in the project's state folder when a project is open),
    and the person gets one line saying where."""
    log = _write_crash_log("".join(traceback.format_exception(error)))
    said = " ".join(str(error).split())[:300]
    kept = f"the traceback is in {log}" if log else "the traceback could not be written anywhere"
    _fail(f"unexpected {type(error).__name__}: {said}; {kept}; please report it with that file", code=1)


def _write_crash_log(trace: str) -> Path | None:
    """The traceback in DIR/.mangaline/logs/, else the user's cache folder, else the temp folder."""
    from .config import user_cache

    places = [_where["state"] / "logs"] if "state" in _where else []
    places += [user_cache("logs"), Path(tempfile.gettempdir()) / "mangaline-logs"]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    header = (f"mangaline {__version__}, Python {sys.version.split()[0]}, {datetime.now().astimezone().isoformat()}\n"
              f"command: {' '.join(sys.argv)}\n\n")
    for folder in places:
        path = folder / f"crash-{stamp}-{os.getpid()}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(header + trace, encoding="utf-8")
        except OSError:
            continue
        return path
    return None


if __name__ == "__main__":
    main()

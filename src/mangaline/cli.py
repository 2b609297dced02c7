"""The `mangaline` command: new, breakdown, build, status and export over a project folder."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .breakdown import breakdown_source
from .config import LlmSettings, Settings
from .design import design_bible
from .design.approval import check_approvals, lock_design, unlock_design
from .engine import Engine, LocalExecutor
from .errors import MangalineError, ProjectError
from .model import Bible
from .production import build_graph, keep_cast, plan_build, publish, record_transcript
from .project import ProjectFolder
from .providers.catalogue import project_catalogue
from .providers.reports import cost_report, models_report, render_cost, render_models

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="mangaline: screenplay in, finished vertical episodes out.")
err = Console(stderr=True)
out = Console()


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
    if language is not None and language not in ("zh", "ja", "en"):
        raise MangalineError(f"--language {language!r} is not one of zh, ja, en")
    if (llm_url is None) != (llm_model is None):
        raise MangalineError("--llm-url and --llm-model go together", hint="give both, or neither for the offline rules")
    llm = LlmSettings(base_url=llm_url, model=llm_model, api_key_env=llm_key_env) if llm_url and llm_model else None
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ProjectError(f"{directory}: exists and is not an empty folder", hint="choose a new folder name")
    # break the text down before creating anything, so bad input leaves no half-made project
    result = breakdown_source(from_, language=language, name=directory.name, llm=llm)
    bible = design_bible(result.script)
    folder = ProjectFolder.create(directory, settings=Settings(project=result.project, llm=llm))
    try:
        shutil.copyfile(from_, folder.story_dir / from_.name)
        folder.save_script(result.script)
        folder.save_bible(bible)
        if result.transcript:
            record_transcript(folder, from_.name, result.transcript, llm)
    except BaseException:
        folder.close()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    folder.close()
    shots = len(result.script.shots())
    err.print(
        f"[green]created[/] {directory}: {len(result.script.episodes)} episode(s), {len(result.script.scenes())} scenes, "
        f"{shots} shots, {len(result.script.lines())} lines, {len(bible.characters)} characters, "
        f"{len(bible.locations)} locations ({result.project.language})"
    )
    err.print(f"next: [bold]mangaline build {directory}[/]")


def _open(directory: Path) -> tuple[ProjectFolder, Settings]:
    folder = ProjectFolder.open(directory)
    return folder, folder.settings


def _graph(folder: ProjectFolder, settings: Settings, *, save_new_designs: bool, bible: Bible | None = None):
    script = folder.load_script()
    bible = bible if bible is not None else folder.load_bible()
    designed = design_bible(script, existing=bible)
    graph = build_graph(script, designed, settings.project, settings=settings, root=folder.root)
    if save_new_designs:
        # new characters or places added by hand to the script, and each voice's cast at the provider that voices it
        kept = keep_cast(designed, graph.cast)
        if kept != bible:
            folder.save_bible(kept)
    return script, graph


@app.command()
def build(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    progress: Annotated[bool, typer.Option(help="show progress bars")] = True,
) -> None:
    """Render every episode to renders/<episode>.mp4, with .srt, .ass and .otio in exports/."""
    folder, settings = _open(directory)
    bible = folder.load_bible()
    # An approved design that was edited by hand stops the build before anything is drawn with it.
    for note in check_approvals(bible.characters, folder.state, folder.characters_dir):
        err.print(f"[yellow]note[/] {escape(note)}")
    script, graph = _graph(folder, settings, save_new_designs=True, bible=bible)
    for key, reason in sorted(graph.work.fallbacks.items()):
        err.print(f"[yellow]draft[/] {escape(key)}: {escape(reason)}")
    with Engine(folder, executor=LocalExecutor(workers=settings.build.workers), resources=graph.resources) as engine:
        summary = engine.run(graph.nodes, progress=progress, command=f"build {directory}")
    for episode_id, node in graph.episodes.items():
        take = summary.takes.get(node.node)
        if take is None:
            continue
        files = {name: folder.objects.path(sha) for name, sha in take.components.items()}
        for code in node.params["shots"]:
            segment = summary.takes[node.deps[f"segment:{code}"].node]
            files[f"shots/{code}.mp4"] = folder.objects.path(segment.components["segment.mp4"])
        placed = publish(files, episode_id, folder.renders_dir, folder.exports_dir)
        err.print(f"[green]episode[/] {episode_id}: {placed['episode.mp4']}  ({take.data['duration']:.1f} s, {take.data['shots']} shots)")
    warnings = Counter(w for take in summary.takes.values() for w in take.provenance.warnings)
    for warning, count in warnings.items():
        err.print(f"[yellow]warning[/] {escape(warning)}" + (f" (x{count})" if count > 1 else ""))
    err.print(str(summary), markup=False, highlight=False)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def approve(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    character: Annotated[str, typer.Option("--character", help="the character's id in bible/characters/")],
    unapprove: Annotated[bool, typer.Option("--unapprove", help="take the approval back so the design can be edited")] = False,
) -> None:
    """Approve a character's turnaround: its design and version are locked, and every shot uses them."""
    folder, settings = _open(directory)
    try:
        bible = folder.load_bible()
        if character not in bible.characters:
            known = ", ".join(sorted(bible.characters)) or "none"
            raise ProjectError(f"no character {character!r} in {folder.characters_dir}", hint=f"known characters: {known}")
        current = bible.characters[character]
        if unapprove:
            bible.characters[character] = current.model_copy(update={"approved": False})
            folder.save_bible(bible)
            taken = unlock_design(folder.state, character)
            err.print(f"[green]unapproved[/] {character} v{current.version} ({taken} locked take(s) released)")
            return
        chosen = current.model_copy(update={"approved": True})
        bible.characters[character] = chosen
        # Reuse (or make) the very sheet node the build uses, routed as the build routes it, then lock it,
        # before the YAML says approved: the sheet a person looked at is the one locked, not bought again.
        # No episodes: only the bible's nodes are routed and priced.
        sheets = build_graph(folder.load_script().model_copy(update={"episodes": []}), bible, settings.project,
                             settings=settings, root=folder.root)
        node = next(n for n in sheets.nodes if n.step.name == "design.character_sheet" and n.entity == character)
        with Engine(folder, executor=LocalExecutor(workers=1), resources=sheets.resources) as engine:
            summary = engine.run([node], progress=False, command=f"approve {directory} --character {character}")
        take = summary.takes.get(node.node)
        if take is None:
            raise MangalineError(f"the turnaround of {character} could not be drawn",
                                 hint="; ".join(str(f) for f in summary.failures) or None)
        lock_design(folder.state, chosen, take)
        folder.save_bible(bible)
        err.print(f"[green]approved[/] {character} v{chosen.version}: design locked on take {take.id[:12]}")
    finally:
        folder.close()


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
) -> None:
    """Say what is missing, stale, flagged (failed) or fresh, step by step."""
    folder, settings = _open(directory)
    _, graph = _graph(folder, settings, save_new_designs=False)
    with Engine(folder) as engine:
        nodes = engine.status(graph.nodes)
    runs = folder.state.runs()
    flagged = {(e.step, e.entity): e.error for e in folder.state.events(runs[-1].id, event="failed")} if runs else {}
    rows = []
    for node in nodes:
        state, cause = node.state.name, node.cause
        if (node.step, node.entity) in flagged and state != "FRESH":
            state, cause = "FLAGGED", f"failed in the last build: {flagged[(node.step, node.entity)]}"
        elif state == "FRESH" and node.take_id is not None:
            fell_back = folder.state.take(node.take_id).data.get("fallback")
            if fell_back:
                state, cause = "FLAGGED", f"made by the draft model: {fell_back}"
        rows.append({"step": node.step, "entity": node.entity, "state": state, "cause": cause})
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
) -> None:
    """Write exports a pipeline can read: with --layout, each shot's camera, blocking and set pieces as JSON."""
    if not layout:
        raise MangalineError("nothing to export", hint="ask for what you want, e.g. --layout")
    from .atomic import write_text_atomic
    from .layout import episode_movements, lay_out_shot

    folder, settings = _open(directory)
    try:
        script = folder.load_script()
        bible = design_bible(script, existing=folder.load_bible())
        target = folder.exports_dir / "layout"
        target.mkdir(parents=True, exist_ok=True)
        project = settings.project
        count = 0
        for episode in script.episodes:
            movements = episode_movements(episode.scenes, bible)
            for scene in episode.scenes:
                for shot in scene.shots:
                    shot_layout = lay_out_shot(shot, scene, bible, project.width, project.height,
                                               movements=movements.get(shot.code, []))
                    write_text_atomic(target / f"{shot.code}.json",
                                      json.dumps(shot_layout.export(), indent=2, ensure_ascii=False))
                    count += 1
    finally:
        folder.close()
    err.print(f"[green]layout[/] {count} shots: {target}")


@app.command()
def models(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """The model catalogue in the project's currency, and what the router would choose, with its reasons."""
    folder, settings = _open(directory)
    catalogue = project_catalogue(folder.root)
    work, problem = _plan(folder, settings, catalogue)
    folder.close()
    report = models_report(directory, settings, catalogue=catalogue, work=work)
    if problem:
        report["estimate"] = {"error": problem}
    print(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render_models(report))


@app.command()
def cost(
    directory: Annotated[Path, typer.Argument(help="the project folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """What was spent, by provider, model and step, and the estimate for what remains."""
    folder, settings = _open(directory)
    catalogue = project_catalogue(folder.root)
    work, problem = _plan(folder, settings, catalogue)
    folder.close()
    report = cost_report(directory, catalogue=catalogue, work=work)
    if problem:
        report["remaining"] = {"tasks": 0, "error": problem}
    print(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render_cost(report))


def _plan(folder: ProjectFolder, settings: Settings, catalogue):
    """The build's own plan of the script (the same code `build` routes with), or why there is none."""
    try:
        script = folder.load_script()
        bible = design_bible(script, existing=folder.load_bible())
        return plan_build(script, bible, settings, folder.root, catalogue), None
    except MangalineError as error:
        return None, str(error).splitlines()[0]


def main() -> None:
    """Run the CLI; a MangalineError prints as a clear message, never as a traceback."""
    try:
        # without standalone mode, click returns the exit code a command asked for instead of raising
        code = app(standalone_mode=False)
    except MangalineError as error:
        err.print(f"[red]error:[/] {escape(str(error))}", highlight=False)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; finished steps are kept, run the same command again to go on")
        sys.exit(130)
    except Exception as error:  # click's usage errors and friends
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(error.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

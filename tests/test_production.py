"""The production API the CLI and the studio call: build, approve, export and status say what they did."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mangaline import production
from mangaline.breakdown import breakdown_source
from mangaline.config import Settings
from mangaline.design import design_bible
from mangaline.engine import LocalExecutor
from mangaline.model import Project, Validation
from mangaline.production import BuildResult, RouteHistory, build_graph
from mangaline.project import ProjectFolder
from mangaline.providers.catalogue import load_catalogue

from .conftest import SMALL_SCRIPT


class OwnExecutor:
    """An executor the caller made (as a Ray executor would be): the build runs on it and leaves it running."""

    def __init__(self) -> None:
        self.inner = LocalExecutor(workers=2)
        self.submitted = 0
        self.stopped = False

    def submit(self, fn, ctx, kind, **options):
        self.submitted += 1
        return self.inner.submit(fn, ctx, kind, **options)

    def can_submit(self, kind) -> bool:
        return self.inner.can_submit(kind)

    def shutdown(self, *, now: bool = False) -> None:
        self.stopped = True
        self.inner.shutdown(now=now)


def make_project(root: Path, source: Path) -> Path:
    result = breakdown_source(source)
    folder = ProjectFolder.create(root, settings=Settings(project=result.project.model_copy(update={"width": 270, "height": 480})))
    try:
        folder.save_script(result.script)
        folder.save_bible(design_bible(result.script))
    finally:
        folder.close()
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, BuildResult, OwnExecutor]]:
    """The small screenplay, made into a project and built once at the draft tier on an executor of the test's."""
    base = tmp_path_factory.mktemp("production")
    source = base / "small-hours.fountain"
    source.write_text(SMALL_SCRIPT, encoding="utf-8")
    root = make_project(base / "small", source)
    executor = OwnExecutor()
    folder = ProjectFolder.open(root)
    try:
        result = production.build(folder, folder.settings, executor=executor, command="build small")
    finally:
        folder.close()
    yield root, result, executor
    executor.inner.shutdown()


@pytest.fixture
def folder(built: tuple[Path, BuildResult, OwnExecutor]) -> Iterator[ProjectFolder]:
    opened = ProjectFolder.open(built[0])
    yield opened
    opened.close()


def test_a_build_returns_its_run_and_the_episodes_it_published(built: tuple[Path, BuildResult, OwnExecutor]) -> None:
    root, result, executor = built
    assert result.summary.ok and not result.failed and not result.disk_full, str(result.summary)
    assert result.summary.ran > 0 and result.fallbacks == {} and result.notes == []
    [episode] = result.published
    assert episode.episode == "ep01" and episode.duration > 0 and episode.shots >= 3
    assert episode.files["episode.mp4"] == root / "renders" / "ep01.mp4" and episode.files["episode.mp4"].is_file()
    assert episode.files["episode.srt"] == root / "exports" / "ep01.srt"
    shots = [name for name in episode.files if name.startswith("shots/")]
    assert len(shots) == episode.shots and all(episode.files[name].is_file() for name in shots)
    # the caller's executor ran the steps, and is the caller's to stop
    assert executor.submitted > 0 and not executor.stopped


def test_a_second_build_is_all_cached_and_publishes_the_same_episode(built: tuple[Path, BuildResult, OwnExecutor],
                                                                    folder: ProjectFolder) -> None:
    _, first, _ = built
    again = production.build(folder, folder.settings)
    assert again.summary.ran == 0 and again.summary.cached == first.summary.ran + first.summary.cached
    assert [p.files for p in again.published] == [p.files for p in first.published]


def test_status_reports_every_node_of_a_built_project_fresh(built: tuple[Path, BuildResult, OwnExecutor],
                                                           folder: ProjectFolder) -> None:
    reports = production.status(folder, folder.settings)
    assert len(reports) == built[1].summary.ran
    assert {report.state for report in reports} == {"FRESH"}
    assert {report.step for report in reports} >= {"layout.shot", "storyboard.keyframe", "voice.line", "edit.episode"}


def test_export_layouts_writes_one_file_per_shot_and_says_where(folder: ProjectFolder) -> None:
    exported = production.export_layouts(folder, folder.settings)
    shots = [shot.code for shot in folder.load_script().shots()]
    assert exported.folder == folder.root / "exports" / "layout"
    assert exported.count == len(shots) and sorted(p.stem for p in exported.files) == sorted(shots)
    assert all(json.loads(path.read_text(encoding="utf-8")) for path in exported.files)


def test_approve_locks_the_built_sheet_and_unapprove_releases_it(folder: ProjectFolder) -> None:
    approval = production.approve(folder, folder.settings, "june")
    assert approval.approved and approval.character == "june" and approval.version == 1
    assert approval.take is not None and approval.take.validation == Validation.VALIDATED
    assert folder.load_bible().characters["june"].approved
    taken_back = production.approve(folder, folder.settings, "june", unapprove=True)
    assert not taken_back.approved and taken_back.released == 1 and taken_back.take is None
    assert not folder.load_bible().characters["june"].approved


def test_a_draft_projects_graph_reads_no_state(built: tuple[Path, BuildResult, OwnExecutor]) -> None:
    class NoState:
        """A folder whose state database may not be opened."""

        @property
        def state(self):
            raise AssertionError("a draft build's routing read the state database")

    folder = ProjectFolder.open(built[0])
    try:
        script = folder.load_script()
        bible = design_bible(script, existing=folder.load_bible())
        settings = folder.settings
    finally:
        folder.close()
    history = production.route_history(NoState(), script, bible, settings, load_catalogue())  # type: ignore[arg-type]
    assert history == RouteHistory()


def test_a_paid_projects_graph_is_built_from_the_history_it_is_given(small_script: Path) -> None:
    script = breakdown_source(small_script).script
    bible = design_bible(script)
    settings = Settings(project=Project(name="small", tier="standard", budget=10.0))
    # no folder at all: everything the state would say is in the history
    graph = build_graph(script, bible, settings.project, settings=settings, catalogue=load_catalogue(),
                        history=RouteHistory(spent=0.0))
    assert "studio" not in graph.resources
    assert {output.episode.entity for output in graph.outputs.values()} == {episode.id for episode in script.episodes}
    [output] = graph.outputs.values()
    assert list(output.segments) == [shot.code for shot in script.shots()]


def test_status_of_a_paid_project_reads_through_the_folder_it_is_given(
    built: tuple[Path, BuildResult, OwnExecutor], folder: ProjectFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args, **_kwargs):
        raise AssertionError("status opened the project a second time")

    monkeypatch.setattr(ProjectFolder, "open", refused)
    paid = folder.settings.model_copy(update={"project": folder.settings.project.model_copy(update={"tier": "standard"})})
    reports = production.status(folder, paid)
    assert len(reports) >= built[1].summary.ran
    assert {report.state for report in reports} <= {"FRESH", "STALE", "MISSING", "FLAGGED"}

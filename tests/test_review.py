"""The review API the studio and the CLI share: notes, rejections, retakes, chosen takes and edited lines, on real SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mangaline import production
from mangaline.engine import Engine, LocalExecutor
from mangaline.errors import ConfigError, MangalineError, ProjectError
from mangaline.model import TaskType, Validation
from mangaline.project import ProjectFolder

from .conftest import SMALL_SCRIPT
from .test_production import make_project

KEYFRAME = "storyboard.keyframe"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The small screenplay at a small frame, built once at the draft tier; the tests below go on from each other."""
    base = tmp_path_factory.mktemp("review")
    source = base / "small-hours.fountain"
    source.write_text(SMALL_SCRIPT, encoding="utf-8")
    root = make_project(base / "small", source)
    _build(root)
    yield root


def _build(root: Path) -> production.BuildResult:
    folder = ProjectFolder.open(root)
    try:
        with LocalExecutor(workers=2) as executor:
            return production.build(folder, folder.settings, executor=executor, command="build small")
    finally:
        folder.close()


@pytest.fixture
def folder(project: Path) -> Iterator[ProjectFolder]:
    opened = ProjectFolder.open(project)
    yield opened
    opened.close()


def _first_shot(folder: ProjectFolder) -> str:
    return folder.load_script().shots()[0].code


def _keyframe_node(folder: ProjectFolder, code: str):
    _script, graph = production.project_graph(folder, folder.settings)
    return next(n for n in graph.nodes if n.step.name == KEYFRAME and n.entity == code)


def test_notes_from_two_reviewers_at_once_are_all_kept(folder: ProjectFolder) -> None:
    code = _first_shot(folder)
    take = production.shot_review(folder, code).tasks["keyframe"].active
    assert take is not None and take.provenance.seed == 0

    def write(author: str) -> None:
        other = ProjectFolder.open(folder.root)  # each reviewer has a connection of their own, as the studio's requests do
        try:
            for i in range(10):
                production.add_note(other, take.id, f"note {i} from {author}", author=author)
        finally:
            other.close()

    threads = [threading.Thread(target=write, args=(who,)) for who in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    texts = {note.text for note in production.shot_review(folder, code).tasks["keyframe"].notes[take.id]}
    assert texts == {f"note {i} from {who}" for i in range(10) for who in ("ana", "ben")}
    with pytest.raises(MangalineError, match="empty"):
        production.add_note(folder, take.id, "   ")
    with pytest.raises(ProjectError, match="no take"):
        production.add_note(folder, "0" * 32, "hello")


def test_a_rejected_take_is_never_used_again_until_a_retake_gives_its_shot_a_new_seed(folder: ProjectFolder,
                                                                                     project: Path) -> None:
    code = _first_shot(folder)
    take = production.shot_review(folder, code).tasks["keyframe"].active
    production.reject_take(folder, take.id, "the lamp is on the wrong wall", author="ana")
    assert folder.state.take(take.id).validation is Validation.REJECTED
    task = next(t for t in folder.state.tasks(TaskType.STORYBOARD) if t.entity == code)
    assert task.status.is_retake
    failed = _build(project)
    assert any(f.step == KEYFRAME and f.entity == code and "rejected" in f.error for f in failed.summary.failures)

    direction = production.retake(folder, folder.settings, code, prompt="the lamp by the window", note="try again",
                                  author="ana")
    assert direction.seed == 1 and direction.prompt == "the lamp by the window" and direction.take_id == take.id
    node = _keyframe_node(folder, code)
    assert node.seed == 1 and node.params["prompt"] == "the lamp by the window"

    rebuilt = _build(project)
    assert rebuilt.summary.ok
    assert rebuilt.summary.per_step[KEYFRAME]["ran"] == 1  # only the retaken shot's keyframe is drawn again
    review = production.shot_review(folder, code).tasks["keyframe"]
    new = review.active
    assert new is not None and new.id != take.id
    assert new.provenance.seed == 1 and new.provenance.prompt == "the lamp by the window"
    assert [n.text for n in review.notes[take.id] if n.retake] == ["the lamp is on the wrong wall", "try again"]


def test_approving_a_take_makes_it_the_active_one_and_the_task_done(folder: ProjectFolder, project: Path) -> None:
    code = _first_shot(folder)
    retaken = production.shot_review(folder, code).tasks["keyframe"].active
    production.retake(folder, folder.settings, code)  # seed 2, no prompt
    assert _build(project).summary.ok
    third = production.shot_review(folder, code).tasks["keyframe"].active
    assert third.provenance.seed == 2 and third.id != retaken.id

    production.approve_take(folder, retaken.id, author="ben")  # the seed-1 take, back again: found in the cache
    assert folder.state.take(retaken.id).validation is Validation.VALIDATED
    assert production.shot_review(folder, code).tasks["keyframe"].active.id == retaken.id
    with Engine(folder, executor=LocalExecutor(workers=1)) as engine:
        status = next(s for s in engine.status([_keyframe_node(folder, code)]) if s.step == KEYFRAME)
    assert status.state.value == "fresh" and status.take_id == retaken.id
    task = next(t for t in folder.state.tasks(TaskType.STORYBOARD) if t.entity == code)
    assert task.status.is_done


def test_a_rejected_take_cannot_be_chosen_and_a_retake_names_a_model_that_can_make_it(folder: ProjectFolder) -> None:
    code = _first_shot(folder)
    first = production.shot_review(folder, code).tasks["keyframe"].takes[0]
    with pytest.raises(ProjectError, match="rejected"):
        production.choose_take(folder, first.id)
    with pytest.raises(ConfigError, match="not configured"):
        production.retake(folder, folder.settings, code, model="gpt-image-1")
    with pytest.raises(ConfigError, match="video model"):
        production.retake(folder, folder.settings, code, kind="clip", model="gpt-image-1")
    with pytest.raises(ProjectError, match="no shot"):
        production.retake(folder, folder.settings, "ep99_sc01_sh010")


def test_a_line_edited_from_a_stale_page_is_refused_and_edits_of_two_lines_both_land(folder: ProjectFolder) -> None:
    lines = folder.load_script().lines()
    first, second = lines[0], lines[1]
    with pytest.raises(ProjectError, match="changed meanwhile"):
        production.edit_line(folder, first.id, "Something else.", expected="not what it says")

    def edit(line_id: str, text: str, expected: str) -> None:
        other = ProjectFolder.open(folder.root)
        try:
            production.edit_line(other, line_id, text, expected=expected)
        finally:
            other.close()

    threads = [threading.Thread(target=edit, args=(first.id, "You came back at last.", first.text)),
               threading.Thread(target=edit, args=(second.id, "The door was wide open.", second.text))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    said = {line.id: line.text for line in folder.load_script().lines()}
    assert said[first.id] == "You came back at last." and said[second.id] == "The door was wide open."

"""Approval locks: `mangaline approve` locks a character's design on its turnaround take, and the build holds to it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from mangaline.model import design_fingerprint
from mangaline.project.approval import approved_take, check_approvals
from mangaline.errors import YamlEditError
from mangaline.model import Validation
from mangaline.project import ProjectFolder



def mangaline(*args, check: bool = True) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, in a fresh interpreter (tests/design is not a package, so no shared helper)."""
    result = subprocess.run([sys.executable, "-m", "mangaline.cli", *map(str, args)], capture_output=True, text=True,
                            timeout=600, env={**os.environ, "COLUMNS": "200"})
    if check and result.returncode != 0:
        raise AssertionError(f"mangaline {' '.join(map(str, args))} exited {result.returncode}\n{result.stderr}")
    return result


@pytest.fixture
def project(small_script: Path, tmp_path: Path) -> Path:
    root = tmp_path / "small"
    mangaline("new", root, "--from", small_script)
    return root


def _edit(path: Path, change) -> None:
    yaml = YAML()
    doc = yaml.load(path)
    change(doc)
    yaml.dump(doc, path)


def _folder_check(root: Path) -> list[str]:
    folder = ProjectFolder.open(root)
    try:
        return check_approvals(folder.load_bible().characters, folder.state, folder.characters_dir)
    finally:
        folder.close()


def test_approve_marks_the_yaml_keeps_comments_and_validates_the_fingerprinted_sheet(project: Path) -> None:
    path = project / "bible" / "characters" / "june.yaml"
    path.write_text("# June's look was agreed with the director\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    mangaline("approve", project, "--character", "june")
    text = path.read_text(encoding="utf-8")
    assert "# June's look was agreed with the director" in text
    folder = ProjectFolder.open(project)
    try:
        june = folder.load_bible().characters["june"]
        assert june.approved
        take = approved_take(folder.state, june)
        assert take is not None and take.validation == Validation.VALIDATED
        assert take.data["design_sha256"] == design_fingerprint(june) and take.data["version"] == june.version
        assert folder.objects.path(take.components["sheet.png"]).is_file()
        oda = folder.load_bible().characters["oda"]
        assert not oda.approved and approved_take(folder.state, oda) is None
    finally:
        folder.close()
    assert _folder_check(project) == []


def test_a_hand_edit_to_an_approved_design_stops_the_build_with_the_file_and_what_to_do(project: Path) -> None:
    mangaline("approve", project, "--character", "june")
    path = project / "bible" / "characters" / "june.yaml"
    _edit(path, lambda doc: doc["design"]["palette"].__setitem__("hair", "#3a8fd0"))
    result = mangaline("build", project, "--no-progress", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert "bible/characters/june.yaml" in message and "design.palette.hair" in message and "#3a8fd0" in message
    assert "--unapprove" in message and "version: 2" in message
    assert not list((project / "renders").glob("*.mp4")), "nothing is rendered with an unapproved design"
    # Approving the edit under the same version is refused too: an approved version never changes.
    again = mangaline("approve", project, "--character", "june", check=False)
    assert again.returncode == 2 and "version: 2" in " ".join(again.stderr.split())


def test_a_non_design_edit_keeps_the_lock(project: Path) -> None:
    mangaline("approve", project, "--character", "june")
    _edit(project / "bible" / "characters" / "june.yaml", lambda doc: doc.__setitem__("description", "June, recast."))
    assert _folder_check(project) == []


def test_unapproving_releases_the_lock_so_the_design_can_change(project: Path) -> None:
    mangaline("approve", project, "--character", "june")
    path = project / "bible" / "characters" / "june.yaml"
    mangaline("approve", project, "--character", "june", "--unapprove")
    _edit(path, lambda doc: doc["design"]["palette"].__setitem__("hair", "#3a8fd0"))
    assert _folder_check(project) == []
    folder = ProjectFolder.open(project)
    try:
        june = folder.load_bible().characters["june"]
        assert not june.approved
        assert all(t.validation == Validation.NEUTRAL for t in folder.state.takes("design.character_sheet", "june"))
    finally:
        folder.close()


def test_a_bumped_version_is_a_new_design_that_awaits_its_own_approval(project: Path) -> None:
    mangaline("approve", project, "--character", "june")
    path = project / "bible" / "characters" / "june.yaml"

    def bump(doc) -> None:
        doc["design"]["palette"]["hair"] = "#3a8fd0"
        doc["version"] = 2

    _edit(path, bump)
    notes = _folder_check(project)
    assert len(notes) == 1 and "june v2" in notes[0] and "not locked" in notes[0]
    mangaline("approve", project, "--character", "june")
    assert _folder_check(project) == []
    # and the new lock now guards v2 in its turn
    _edit(path, lambda doc: doc["design"].__setitem__("height", 1.9))
    folder = ProjectFolder.open(project)
    try:
        with pytest.raises(YamlEditError, match="design.height") as caught:
            check_approvals(folder.load_bible().characters, folder.state, folder.characters_dir)
        assert caught.value.path.endswith("bible/characters/june.yaml") and caught.value.line is not None
    finally:
        folder.close()


def test_approving_an_unknown_character_names_the_known_ones(project: Path) -> None:
    result = mangaline("approve", project, "--character", "nobody", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert "nobody" in message and "june" in message and "oda" in message

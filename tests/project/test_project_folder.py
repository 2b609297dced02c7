"""The project folder: layout, create/open, and the script and bible as hand-editable YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.errors import ProjectError, YamlEditError
from mangaline.model import (
    Bible,
    Character,
    CharacterDesign,
    DialogueLine,
    Episode,
    Location,
    Palette,
    Project,
    Prop,
    Scene,
    Script,
    SetDesign,
    Shot,
)
from mangaline.project import ProjectFolder


def small_script() -> Script:
    def shot(code: str, *lines: DialogueLine) -> Shot:
        return Shot(code=code, kind="single", size="MS", duration=2.5, subject="june", dialogue=list(lines))

    line = DialogueLine(id="ep01_l001", speaker="JUNE", character="june", text="You came back.")
    scene = Scene(id="ep01_sc01", heading="INT. KITCHEN - NIGHT", location="kitchen", shots=[shot("ep01_sc01_sh010", line)])
    second = Episode(id="ep02", title="Two", scenes=[Scene(id="ep02_sc01", heading="EXT. PIER - DAY", location="pier")])
    return Script(title="Small Hours", source="story/small.fountain", episodes=[Episode(id="ep01", title="One", scenes=[scene]), second])


def small_bible() -> Bible:
    palette = Palette(skin="#f1c7a8", hair="#111111", eyes="#332211", outfit="#e8c020", outfit_secondary="#333333", accent="#cc2222")
    june = Character(id="june", name="June", design=CharacterDesign(palette=palette, hair_style="short", build="slim"))
    kitchen = Location(
        id="kitchen",
        name="Night kitchen",
        set=SetDesign(width=4, depth=3, wall_colour="#ddeeff", floor_colour="#886644", ceiling_colour="#ffffff", accent_colour="#ff8800"),
    )
    return Bible(characters={"june": june}, locations={"kitchen": kitchen}, props={"umbrella": Prop(id="umbrella", name="Umbrella")})


def test_create_makes_the_layout_and_open_finds_it(tmp_path: Path) -> None:
    folder = ProjectFolder.create(tmp_path / "drama", Project(name="Small Hours", language="ja"))
    for path in (folder.story_dir, folder.script_dir, folder.characters_dir, folder.locations_dir, folder.props_dir,
                 folder.objects_dir, folder.renders_dir, folder.exports_dir):
        assert path.is_dir(), path
    assert (folder.state_dir / "state.db").is_file()
    folder.close()
    again = ProjectFolder.open(tmp_path / "drama")
    assert again.settings.project.language == "ja"
    assert again.state.runs() == []
    again.close()


def test_create_refuses_a_non_empty_folder_and_an_existing_project(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "thesis.docx").write_text("mine")
    with pytest.raises(ProjectError, match="not empty") as caught:
        ProjectFolder.create(tmp_path / "taken")
    assert "taken" in str(caught.value)
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["thesis.docx"]
    ProjectFolder.create(tmp_path / "drama").close()
    with pytest.raises(ProjectError, match="already"):
        ProjectFolder.create(tmp_path / "drama")


def test_open_of_a_plain_folder_says_how_to_make_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as caught:
        ProjectFolder.open(tmp_path)
    assert str(tmp_path) in str(caught.value) and "mangaline new" in str(caught.value)


def test_script_round_trips_one_file_per_episode_and_keeps_comments(tmp_path: Path) -> None:
    folder = ProjectFolder.create(tmp_path / "drama")
    script = small_script()
    folder.save_script(script)
    assert sorted(p.name for p in folder.script_dir.iterdir()) == ["ep01.yaml", "ep02.yaml", "script.yaml"]
    assert folder.load_script() == script

    episode_file = folder.script_dir / "ep01.yaml"
    text = episode_file.read_text().replace("text: You came back.", "text: You came back.  # director: softer")
    episode_file.write_text("# notes from the table read\n" + text)
    changed = small_script()
    changed.episodes[0].scenes[0].shots[0].duration = 3.0
    folder.save_script(changed)
    after = episode_file.read_text()
    assert "# notes from the table read" in after and "# director: softer" in after
    assert folder.load_script() == changed
    folder.close()


def test_a_bad_edit_in_an_episode_names_the_episode_file_and_line(tmp_path: Path) -> None:
    folder = ProjectFolder.create(tmp_path / "drama")
    folder.save_script(small_script())
    path = folder.script_dir / "ep01.yaml"
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if "duration:" in line)
    lines[number] = lines[number].replace("2.5", "two and a half")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(YamlEditError) as caught:
        folder.load_script()
    assert caught.value.path == str(path) and caught.value.line == number + 1
    folder.close()


def test_bible_round_trips_one_file_per_asset(tmp_path: Path) -> None:
    folder = ProjectFolder.create(tmp_path / "drama")
    bible = small_bible()
    folder.save_bible(bible)
    assert (folder.characters_dir / "june.yaml").is_file()
    assert (folder.locations_dir / "kitchen.yaml").is_file()
    assert (folder.props_dir / "umbrella.yaml").is_file()
    assert folder.load_bible() == bible

    path = folder.characters_dir / "june.yaml"
    path.write_text(path.read_text().replace("hair: '#111111'", "hair: '#111111'  # ink black, never brown"))
    edited = small_bible()
    edited.characters["june"].description = "a night-shift cook"
    folder.save_bible(edited)
    assert "# ink black, never brown" in path.read_text()
    assert folder.load_bible() == edited

    path.write_text(path.read_text().replace("id: june", "id: juno"))
    with pytest.raises(YamlEditError, match="does not match the file name"):
        folder.load_bible()
    folder.close()

"""Hostile input and hand edits: ids that would name files outside the project, alias bombs, absurd values.

Every refusal is one line naming the file (and line) and nothing is written or read outside the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mangaline.breakdown import breakdown_source
from mangaline.design import design_bible
from mangaline.errors import MangalineError, ProjectError, YamlEditError
from mangaline.model import (
    ID_MAX_BYTES,
    ID_MAX_CHARS,
    SCHEMA_VERSION,
    Bible,
    Character,
    CharacterDesign,
    DialogueLine,
    Episode,
    Palette,
    Project,
    Scene,
    Script,
    Shot,
    id_problem,
    slug_id,
)
from mangaline.model.pacing import SHOT_SECONDS_MAX
from mangaline.production import publish
from mangaline.project import ProjectFolder, load_yaml

from ..conftest import mangaline

PALETTE = Palette(skin="#f1c7a8", hair="#111111", eyes="#332211", outfit="#e8c020", outfit_secondary="#333333", accent="#cc2222")


def _script() -> Script:
    line = DialogueLine(id="ep01_sc01_l001", speaker="JUNE", character="june", text="You came back.")
    shots = [
        Shot(code="ep01_sc01_sh010", kind="establishing", size="WS", duration=3.0),
        Shot(code="ep01_sc01_sh020", kind="single", size="MS", duration=2.5, subject="june", dialogue=[line]),
    ]
    scene = Scene(id="ep01_sc01", heading="INT. KITCHEN - NIGHT", location="kitchen", shots=shots)
    return Script(title="Small Hours", source="story/small.fountain", episodes=[Episode(id="ep01", title="One", scenes=[scene])])


@pytest.fixture
def folder(tmp_path: Path):
    made = ProjectFolder.create(tmp_path / "drama")
    made.save_script(_script())
    made.save_bible(Bible(characters={"june": Character(id="june", name="June", design=CharacterDesign(
        palette=PALETTE, hair_style="short", build="slim"))}))
    yield made
    made.close()


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first line holding ``old``; return its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if old in line)
    lines[number] = lines[number].replace(old, new)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number + 1


def _files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*")}


# --- one rule for ids ------------------------------------------------------------------------

UNSAFE = [
    "", ".", "..", "../evil", "a/b", "a\\b", ".hidden", "_leading", "-leading", "a\x00b", "tab\there", "line\nbreak",
    "CON", "nul", "com1.yaml", "LPT9", "trailing.", "trailing ", "with space", "colon:name",
    "x" * (ID_MAX_CHARS + 1), "字" * (ID_MAX_BYTES // 3 + 1),
]
SAFE = ["ep01_sc01_sh010", "老周", "ミカ", "김민", "hélène", "a.b-c_d", "console", "com10", "x" * ID_MAX_CHARS, "字" * (ID_MAX_BYTES // 3)]


@pytest.mark.parametrize("value", UNSAFE)
def test_an_id_that_cannot_name_a_file_is_refused_by_every_id_field(value: str) -> None:
    assert id_problem(value) is not None
    for make in (
        lambda v: Shot(code=v, kind="single", size="MS", duration=2.0),
        lambda v: Episode(id=v, title="t"),
        lambda v: Scene(id=v, heading="h", location="kitchen"),
        lambda v: Scene(id="sc", heading="h", location=v),
        lambda v: DialogueLine(id=v, speaker="A", character="a", text="hi"),
        lambda v: DialogueLine(id="l1", speaker="A", character=v, text="hi"),
        lambda v: Character(id=v, name="n", design=CharacterDesign(palette=PALETTE, hair_style="short", build="slim")),
    ):
        with pytest.raises(ValidationError, match="cannot name a file"):
            make(value)


@pytest.mark.parametrize("value", SAFE)
def test_letters_of_any_script_make_ids(value: str) -> None:
    assert id_problem(value) is None
    assert Shot(code=value, kind="single", size="MS", duration=2.0).code == value


@pytest.mark.parametrize("name", [".", "..", "...", "?", "", " ", "CON", "nul", "a/b", "../../etc", "A" * 300, "林" * 300, "x\x00y"])
def test_ids_made_from_names_are_always_safe(name: str) -> None:
    assert id_problem(slug_id(name)) is None


def test_different_names_without_letters_get_different_ids() -> None:
    names = [".", "..", "...", "?", "!", "—", "A" * 300, "A" * 301]
    assert len({slug_id(name) for name in names}) == len(names)
    assert slug_id("Old Tom") == "old_tom" and slug_id("老周") == "老周"


def test_speakers_named_dot_and_dot_dot_stay_two_characters(tmp_path: Path) -> None:
    long_name = "A" * 300
    source = tmp_path / "dots.fountain"
    source.write_text(
        f"INT. {'VERY LONG PLACE ' * 30}- DAY\n\nA bare room.\n\n@.\nHello.\n\n@..\nGoodbye.\n\n@{long_name}\nStill here.\n\n"
        "@CON\nMe too.\n",
        encoding="utf-8",
    )
    result = breakdown_source(source)
    ids = [line.character for line in result.script.lines()]
    assert len(set(ids)) == 4 and all(id_problem(cid) is None for cid in ids)
    bible = design_bible(result.script)
    folder = ProjectFolder.create(tmp_path / "drama")
    folder.save_script(result.script)
    folder.save_bible(bible)
    assert sorted(p.stem for p in folder.characters_dir.glob("*.yaml")) == sorted(ids)
    assert folder.load_bible() == bible and folder.load_script() == result.script
    folder.close()


# --- nothing outside the project -------------------------------------------------------------

def test_a_shot_code_that_climbs_out_is_refused_with_file_and_line(folder: ProjectFolder) -> None:
    path = folder.script_dir / "ep01.yaml"
    line = _edit(path, "code: ep01_sc01_sh020", "code: ../../../escaped")
    with pytest.raises(YamlEditError) as caught:
        folder.load_script()
    assert caught.value.path == str(path) and caught.value.line == line
    assert "cannot name a file" in str(caught.value) and "escaped" in str(caught.value)


def test_an_episode_id_that_climbs_out_is_not_read(folder: ProjectFolder, tmp_path: Path) -> None:
    # a valid episode file waits outside the project: the listed id must not reach it
    (tmp_path / "outside.yaml").write_text((folder.script_dir / "ep01.yaml").read_text().replace("id: ep01\n", "id: ../../outside\n"))
    path = folder.script_dir / "script.yaml"
    line = _edit(path, "- ep01", "- ../../outside")
    with pytest.raises(YamlEditError) as caught:
        folder.load_script()
    assert caught.value.path == str(path) and caught.value.line == line
    assert "'../../outside'" in str(caught.value) and "\n" not in str(caught.value).split("\n  hint")[0]


def test_a_linked_episode_file_that_leads_outside_is_refused(folder: ProjectFolder, tmp_path: Path) -> None:
    path = folder.script_dir / "ep01.yaml"
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(path.read_text())
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(ProjectError, match="outside"):
        folder.load_script()
    with pytest.raises(ProjectError, match="outside"):
        folder.save_script(_script())
    assert outside.read_text() == path.read_text()


def test_inside_accepts_the_project_and_refuses_what_leaves_it(folder: ProjectFolder) -> None:
    assert folder.inside(folder.script_dir / "ep01.yaml") == folder.script_dir / "ep01.yaml"
    for path in (folder.root / ".." / "x.yaml", folder.script_dir / ".." / ".." / "x", folder.root, Path("/etc/passwd")):
        with pytest.raises(ProjectError) as caught:
            folder.inside(path)
        assert str(path) in str(caught.value)


def test_saving_an_unsafe_id_built_without_validation_writes_nothing(folder: ProjectFolder) -> None:
    before = _files(folder.root.parent)
    episode = Episode.model_construct(id="../escaped", title="t", scenes=[])
    with pytest.raises(ProjectError, match="cannot be a file name"):
        folder.save_script(_script().model_copy(update={"episodes": [episode]}))
    assert _files(folder.root.parent) == before


def test_publish_refuses_an_episode_or_shot_that_would_land_outside(tmp_path: Path) -> None:
    renders, exports = tmp_path / "drama" / "renders", tmp_path / "drama" / "exports"
    source = tmp_path / "take.bin"
    source.write_bytes(b"video")
    for episode_id, name in (("../../escaped", "episode.mp4"), ("ep01", "shots/../../../escaped.mp4")):
        with pytest.raises(ProjectError, match="outside"):
            publish({"episode.srt": source, name: source}, episode_id, renders, exports)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["take.bin"]  # nothing written, not even the .srt
    placed = publish({"episode.mp4": source, "shots/ep01_sc01_sh010.mp4": source}, "ep01", renders, exports)
    assert placed["episode.mp4"].read_bytes() == b"video" and placed["shots/ep01_sc01_sh010.mp4"].is_file()


def test_build_of_a_hand_edited_escape_stops_with_one_line(tmp_path: Path, small_script: Path) -> None:
    project = tmp_path / "drama"
    mangaline("new", project, "--from", small_script)
    line = _edit(project / "script" / "ep01.yaml", "code: ep01_sc01_sh010", "code: ../../escaped_shot")
    before = _files(tmp_path)
    done = mangaline("build", project, "--no-progress", check=False, timeout=300)
    assert done.returncode != 0
    assert f"ep01.yaml:{line}" in done.stderr and "cannot name a file" in done.stderr
    assert "Traceback" not in done.stderr
    assert {p for p in _files(tmp_path) - before if not p.is_relative_to(project)} == set()


def test_a_repeated_shot_code_names_both_places(folder: ProjectFolder) -> None:
    path = folder.script_dir / "ep01.yaml"
    first = next(i for i, text in enumerate(path.read_text().splitlines(), start=1) if "code: ep01_sc01_sh010" in text)
    line = _edit(path, "code: ep01_sc01_sh020", "code: ep01_sc01_sh010")
    with pytest.raises(YamlEditError) as caught:
        folder.load_script()
    assert caught.value.path == str(path) and caught.value.line == line
    assert "shot code 'ep01_sc01_sh010' is used twice" in str(caught.value) and f"{path}:{first}" in str(caught.value)


def test_a_shot_code_repeated_in_another_episode_is_refused(folder: ProjectFolder) -> None:
    script = _script()
    second = script.episodes[0].model_copy(update={"id": "ep02"})
    (folder.script_dir / "ep02.yaml").write_text(
        (folder.script_dir / "ep01.yaml").read_text().replace("id: ep01\n", "id: ep02\n").replace("id: ep01_sc01\n", "id: ep02_sc01\n"))
    listed = next(line for line in (folder.script_dir / "script.yaml").read_text().splitlines() if line.strip() == "- ep01")
    _edit(folder.script_dir / "script.yaml", listed, f"{listed}\n{listed.replace('ep01', 'ep02')}")
    with pytest.raises(YamlEditError, match="ep02.yaml:.*shot code 'ep01_sc01_sh010' is used twice") as caught:
        folder.load_script()
    assert "ep01.yaml" in str(caught.value)
    with pytest.raises(ProjectError, match="used twice"):
        folder.save_script(script.model_copy(update={"episodes": [script.episodes[0], second]}))


# --- bounded YAML ----------------------------------------------------------------------------

def test_a_yaml_alias_bomb_is_refused_naming_the_file(folder: ProjectFolder) -> None:
    path = folder.characters_dir / "june.yaml"
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]  # 9**10 strings once unfolded
    path.write_text(path.read_text() + "\n".join(lines) + "\n")
    with pytest.raises(YamlEditError) as caught:
        folder.load_bible()
    assert caught.value.path == str(path) and "alias bomb" in str(caught.value)


def test_aliases_that_repeat_a_little_still_load(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text("palette: &p {skin: '#f1c7a8', hair: '#111111'}\nagain: *p\nonce_more: *p\n")
    assert load_yaml(path)["again"]["hair"] == "#111111"


@pytest.mark.parametrize("text, problem", [
    ("loop: &x [1, *x]\n", None),
    ("deep: " + "[" * 200 + "]" * 200 + "\n", "nested"),
    ("deeper: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
])
def test_looping_or_deep_yaml_is_one_line(tmp_path: Path, text: str, problem: str | None) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    try:
        load_yaml(path)
    except YamlEditError as err:
        assert str(path) in str(err) and (problem is None or problem in str(err))
    else:
        assert problem is None  # ruamel may break the loop itself; it must not hang or crash


def test_an_oversize_yaml_file_is_refused_unparsed(tmp_path: Path) -> None:
    from mangaline.project.yamlio import MAX_YAML_BYTES

    path = tmp_path / "huge.yaml"
    with open(path, "wb") as out:
        out.truncate(MAX_YAML_BYTES + 10)  # sparse: no disk used, and nothing worth parsing
    with pytest.raises(YamlEditError, match="too large"):
        load_yaml(path)


# --- values checked where they enter ---------------------------------------------------------

@pytest.mark.parametrize("value", ["1000000", "0.01", "-3", ".nan"])
def test_an_absurd_duration_names_the_file_and_line(folder: ProjectFolder, value: str) -> None:
    path = folder.script_dir / "ep01.yaml"
    line = _edit(path, "duration: 2.5", f"duration: {value}")
    with pytest.raises(YamlEditError) as caught:
        folder.load_script()
    assert caught.value.path == str(path) and caught.value.line == line and "duration" in str(caught.value)


def test_the_planner_never_plans_a_shot_past_the_limit(tmp_path: Path) -> None:
    source = tmp_path / "speech.fountain"
    source.write_text("INT. HALL - DAY\n\nMAYA\n" + "We go on. " * 2000 + "\n", encoding="utf-8")
    shots = breakdown_source(source).script.shots()
    assert max(shot.duration for shot in shots) == SHOT_SECONDS_MAX


@pytest.mark.parametrize("field", ["min_shot_seconds", "max_shot_seconds"])
def test_pacing_settings_stay_within_what_a_shot_may_last(field: str) -> None:
    # the planner times shots by these: one past the limit would make shots no script may hold
    with pytest.raises(ValidationError, match=field):
        Project(name="t", **{field: SHOT_SECONDS_MAX * 10})


@pytest.mark.parametrize("width, height, problem", [
    (1081, 1920, "odd"), (1080, 1921, "odd"), (5000, 1920, "less than or equal to 4096"), (32, 32, "greater than or equal"),
])
def test_a_frame_h264_cannot_encode_is_refused(width: int, height: int, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Project(name="t", width=width, height=height)
    assert Project(name="t", width=720, height=1280).aspect == "9:16"


@pytest.mark.parametrize("where", ["script", "character"])
def test_a_newer_schema_version_asks_for_an_upgrade(folder: ProjectFolder, where: str) -> None:
    path = folder.script_dir / "script.yaml" if where == "script" else folder.characters_dir / "june.yaml"
    line = _edit(path, f"schema_version: {SCHEMA_VERSION}", "schema_version: 99")
    with pytest.raises(YamlEditError) as caught:
        folder.load_script() if where == "script" else folder.load_bible()
    message = str(caught.value)
    assert caught.value.path == str(path) and caught.value.line == line
    assert f"schema_version 99 is newer than this mangaline reads (version {SCHEMA_VERSION})" in message
    assert "upgrade" in (caught.value.hint or "")


def test_every_refusal_here_is_a_mangaline_error_of_one_line(folder: ProjectFolder) -> None:
    path = folder.script_dir / "ep01.yaml"
    _edit(path, "code: ep01_sc01_sh010", "code: \"a\\x00b\"")
    with pytest.raises(MangalineError) as caught:
        folder.load_script()
    first = str(caught.value).split("\n  hint:")[0]
    assert "\n" not in first and "U+0000" in first and str(path) in first

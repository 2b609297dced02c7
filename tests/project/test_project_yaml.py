"""YAML round-trip: a person's comments survive updates; bad edits are reported with file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mangaline.errors import YamlEditError
from mangaline.model import Prop, Shot
from mangaline.project import load_record, load_yaml, update_yaml

HAND_WRITTEN = """\
# Episode one, as the writer fixed it
id: ep01
title: The Last Ferry   # working title
# the harbour scene first
scenes:
  - id: ep01_sc01
    heading: EXT. HARBOUR - NIGHT
    location: harbour   # the set is in the bible
    shots:
      - code: ep01_sc01_sh010
        kind: establishing
        size: EWS
        duration: 3.0   # hold long
        dialogue: []
obsolete: true
# after the obsolete key
notes: keep me
"""


def test_update_keeps_comments_and_applies_changes(tmp_path: Path) -> None:
    path = tmp_path / "ep01.yaml"
    path.write_text(HAND_WRITTEN)
    shot = {"code": "ep01_sc01_sh010", "kind": "establishing", "size": "EWS", "duration": 4.5, "dialogue": []}
    new_shot = {"code": "ep01_sc01_sh005", "kind": "insert", "size": "CU", "duration": 1.0, "dialogue": []}
    update_yaml(
        path,
        {
            "id": "ep01",
            "title": "The Last Ferry",
            "scenes": [
                {
                    "id": "ep01_sc01",
                    "heading": "EXT. HARBOUR - NIGHT",
                    "location": "harbour",
                    "shots": [new_shot, shot],
                }
            ],
            "notes": "keep me",
            "synopsis": "Two people\nmiss a ferry.\n",
        },
    )
    text = path.read_text()
    for comment in (
        "# Episode one, as the writer fixed it",
        "# working title",
        "# the harbour scene first",
        "# the set is in the bible",
        "# hold long",
        "# after the obsolete key",
    ):
        assert comment in text, comment
    assert "obsolete:" not in text
    assert "# after the obsolete key\nnotes: keep me" in text, "a deleted key's following comment stays in place"
    assert re.search(r"duration: 4\.5 +# hold long", text), "a value's comment stays on its line"
    document = load_yaml(path)
    shots = document["scenes"][0]["shots"]
    assert [s["code"] for s in shots] == ["ep01_sc01_sh005", "ep01_sc01_sh010"]
    assert list(document) == ["id", "title", "scenes", "notes", "synopsis"]
    assert document["synopsis"] == "Two people\nmiss a ferry.\n"
    assert not [p for p in tmp_path.iterdir() if p.name != "ep01.yaml"], "no temp file left"


def test_update_of_a_new_file_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "props" / "umbrella.yaml"
    update_yaml(path, {"id": "umbrella", "name": "Umbrella", "colour": "#223344"})
    assert load_record(path, Prop).colour == "#223344"


def test_a_wrong_type_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "shot.yaml"
    path.write_text("code: ep01_sc01_sh010\nkind: single\nsize: MS\nduration: long\n")
    with pytest.raises(YamlEditError) as caught:
        load_record(path, Shot)
    err = caught.value
    assert err.line == 4 and err.path == str(path)
    assert f"{path}:4" in str(err) and "duration" in str(err) and "'long'" in str(err)


def test_an_unknown_key_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "shot.yaml"
    path.write_text("code: ep01_sc01_sh010\nkind: single\nsize: MS\nduration: 2\n\ncamra: static\n")
    with pytest.raises(YamlEditError, match="unknown key") as caught:
        load_record(path, Shot)
    assert caught.value.line == 6 and "camra" in str(caught.value)


def test_a_nested_error_points_into_the_list(tmp_path: Path) -> None:
    path = tmp_path / "shot.yaml"
    path.write_text(
        "code: ep01_sc01_sh010\nkind: single\nsize: MS\nduration: 2\ndialogue:\n"
        "  - id: l1\n    speaker: MAYA\n    character: maya\n    text: Hi\n"
        "  - id: l2\n    speaker: ODA\n    text: Hello\n"
    )
    with pytest.raises(YamlEditError) as caught:
        load_record(path, Shot)
    assert "dialogue.1.character" in str(caught.value) and "required" in str(caught.value)
    assert caught.value.line == 10


def test_bad_yaml_syntax_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: ep01\ntitle: fine\nscenes:\n  - id: [unclosed\n  - id: x\n")
    with pytest.raises(YamlEditError, match="YAML syntax error") as caught:
        load_yaml(path)
    assert caught.value.line is not None and 4 <= caught.value.line <= 5
    assert str(path) in str(caught.value)


def test_duplicate_keys_are_a_syntax_error_not_a_silent_choice(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("id: a\nname: A\nname: B\n")
    with pytest.raises(YamlEditError) as caught:
        load_record(path, Prop)
    assert caught.value.line == 3

"""Small scripts built in code, the way the breakdown would hand them to the design department."""

from __future__ import annotations

import pytest

from mangaline.model import DialogueLine, Episode, Scene, Script, Shot, ShotKind, ShotSize


def build_script(language: str, scenes: list[tuple], title: str = "Test") -> Script:
    """scenes: (heading, location id, interior, time of day, [(action, [(speaker, character id, text)])])."""
    built = []
    line_no = 0
    for s_index, (heading, location, interior, time, shots) in enumerate(scenes, start=1):
        scene_id = f"ep01_sc{s_index:02d}"
        shot_list = []
        for sh_index, (action, lines) in enumerate(shots, start=1):
            dialogue = []
            for speaker, character, text in lines:
                line_no += 1
                dialogue.append(DialogueLine(id=f"l{line_no:03d}", speaker=speaker, character=character,
                                             text=text, language=language))
            shot_list.append(Shot(code=f"{scene_id}_sh{sh_index * 10:03d}", kind=ShotKind.SINGLE,
                                  size=ShotSize.MEDIUM, duration=3.0, action=action, dialogue=dialogue))
        built.append(Scene(id=scene_id, heading=heading, location=location, interior=interior,
                           time_of_day=time, shots=shot_list))
    return Script(title=title, language=language, source=f"story/test.{language}.fountain",
                  episodes=[Episode(id="ep01", title=title, scenes=built)])


@pytest.fixture
def make_script():
    return build_script

"""Reading sounds and moods from a script's action lines: what is a cue, and what only looks like one."""

from __future__ import annotations

import pytest

from mangaline.model import Scene, Shot, ShotKind, ShotSize
from mangaline.sound import effect_cues, scene_cues, scene_mood


def _sounds(action: str, names: tuple[str, ...] = ()) -> list[str]:
    return [cue.sound for cue in effect_cues(action, names)]


@pytest.mark.parametrize(
    ("action", "sounds"),
    [
        ("A horn BLARES.", ["horn"]),
        ("THUNDER rolls across the bay.", ["thunder"]),
        ("Behind her, the door SLAMS.", ["door"]),
        ("The ferry HORN sounds, long and low.", ["horn"]),
        ("The car HORN BLARES twice.", ["horn"]),  # a noun and its verb are one sound
        ("Someone KNOCKS. Then the PHONE RINGS.", ["knock", "phone"]),
        ("FOOTSTEPS on the stairs. A WHISTLE, far off.", ["footsteps", "whistle"]),
        ("WAVES break against the pier.", ["waves"]),
        ("The CROWD murmurs.", ["crowd"]),
        ("Tall windows streaked with rain.", ["rain"]),  # ambience is heard without capitals
        ("Maya grips the rail, scarf whipping in the wind.", ["wind"]),
        ("Maya slides a coin across the counter. Her hand is shaking.", []),
        ("He opens the door and steps inside.", []),  # a door in lower case is a thing, not a sound
        ("THE END", []),
        ("CUT TO:", []),
    ],
)
def test_sounds_are_read_from_caps_sound_words_and_ambience(action: str, sounds: list[str]) -> None:
    assert _sounds(action) == sounds


@pytest.mark.parametrize(
    "action",
    [
        "JUNE (30s), the deckhand, coils a rope.",
        "MAYA (30s), a woman in a red scarf, runs in.",
        "ODA, 60s, an old man with grey hair, steps in.",
        "STORM (40s) waits by the door.",  # a name that is also a sound word, introduced
        "BANG, a retired boxer, laughs.",
        "OLD TOM folds his newspaper. MAYA looks up.",
    ],
)
def test_character_names_in_caps_are_not_sounds(action: str) -> None:
    assert _sounds(action) == []


def test_the_cast_names_are_never_sounds_even_in_the_vocabulary() -> None:
    assert _sounds("STORM looks at the sea. THUNDER.", ("Storm",)) == ["thunder"]
    assert _sounds("STORM looks at the sea.", ()) == ["thunder"]  # without the name it would be one


def test_a_cue_is_placed_where_its_word_stands_and_only_once() -> None:
    cues = effect_cues("She waits a long, long moment by the window. The door SLAMS. The door SLAMS again.")
    assert [c.sound for c in cues] == ["door"]
    assert 0.5 < cues[0].at < 0.8 and not cues[0].ambience


def _shot(code: str, action: str) -> Shot:
    return Shot(code=code, kind=ShotKind.SINGLE, size=ShotSize.MEDIUM, duration=3.0, action=action)


def test_ambience_lays_under_every_shot_of_its_scene() -> None:
    scene = Scene(id="ep01_sc01", heading="INT. OFFICE - NIGHT", location="office", time_of_day="NIGHT", shots=[
        _shot("ep01_sc01_sh010", "Windows streaked with rain."),
        _shot("ep01_sc01_sh020", "The PHONE RINGS."),
        _shot("ep01_sc01_sh030", "Maya sits."),
    ])  # fmt: skip
    cues = scene_cues(scene, ["Maya"])
    assert {code: [c.sound for c in found] for code, found in cues.items()} == {
        "ep01_sc01_sh010": ["rain"], "ep01_sc01_sh020": ["phone", "rain"], "ep01_sc01_sh030": ["rain"],
    }  # fmt: skip
    assert all(c.ambience for c in cues["ep01_sc01_sh030"])


def test_the_scene_mood_comes_from_its_words_else_its_time_of_day() -> None:
    assert scene_mood("EXT. ALLEY - NIGHT", "He runs. A knife glints. She screams.", "NIGHT") == "tense"
    assert scene_mood("INT. CHAPEL - DAY", "A funeral. She cries, alone.", "DAY") == "sad"
    assert scene_mood("INT. KITCHEN - DAY", "They laugh and hug.", "DAY") == "warm"
    assert scene_mood("INT. HALL - NIGHT", "A tiled hall. Two pillars.", "NIGHT") == "mysterious"
    assert scene_mood("INT. HALL - DAY", "A tiled hall. Two pillars.", "DAY") == "calm"

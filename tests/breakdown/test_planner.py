"""The shot planner and the screenplay-to-Script conversion, on small real screenplays."""

from __future__ import annotations

import pytest

from mangaline.breakdown.fountain import parse_fountain
from mangaline.breakdown.screenplay import parse_heading, script_from_fountain
from mangaline.errors import ScriptError
from mangaline.model import Project, ShotKind, ShotSize

from ..conftest import SMALL_SCRIPT

EXCHANGE = """Title: Exchange

INT. KITCHEN - NIGHT

A kitchen with a long counter and a window over the sink.

MAYA
Where were you?

TOM
Out.

MAYA
Out where? It is three in the morning!

TOM
Walking. Just walking, Maya, like I always do when I cannot sleep.

MAYA
Look at me.

TOM
I am looking.

MAYA
You are not.

BRICK
Screw retirement.

STEEL ^
Screw retirement.

CUT TO:

EXT. KITCHEN GARDEN - CONTINUOUS

TOM
Fine.

INT. KITCHEN - DAY

MAYA
Morning.
"""


def _script(text: str, language: str = "en"):
    return script_from_fountain(
        parse_fountain(text, "t.fountain"), source="story/t.fountain", source_sha256=None, project=Project(name="t", language=language)
    )


def test_every_scene_opens_on_an_establishing_shot_and_every_line_lands_in_exactly_one_shot() -> None:
    script = _script(EXCHANGE)
    for scene in script.scenes():
        assert scene.shots[0].kind is ShotKind.ESTABLISHING
        assert scene.shots[0].size in (ShotSize.WIDE, ShotSize.EXTREME_WIDE)
    ids = [line.id for line in script.lines()]
    assert len(ids) == len(set(ids)) == 11
    codes = [shot.code for shot in script.shots()]
    assert len(codes) == len(set(codes))
    assert all(shot.duration > 0 for shot in script.shots())


def test_shot_reverse_shot_puts_each_line_on_its_speaker_and_faces_the_listener() -> None:
    scene = _script(EXCHANGE).scenes()[0]
    singles = [shot for shot in scene.shots if shot.dialogue and not shot.dialogue[0].dual]
    assert [shot.subject for shot in singles[:4]] == ["maya", "tom", "maya", "tom"]
    for shot in singles:
        assert shot.subject == shot.dialogue[0].character
        assert shot.facing and shot.facing != shot.subject
    sizes = {shot.size for shot in singles}
    assert ShotSize.MEDIUM in sizes and (ShotSize.CLOSE_UP in sizes or ShotSize.MEDIUM_CLOSE in sizes)


def test_a_longer_line_gets_a_longer_shot() -> None:
    scene = _script(EXCHANGE).scenes()[0]
    by_text = {shot.dialogue[0].text: shot.duration for shot in scene.shots if shot.dialogue}
    assert by_text["Walking. Just walking, Maya, like I always do when I cannot sleep."] > by_text["Out."] + 1.5


def test_dual_dialogue_plays_on_one_two_shot() -> None:
    scene = _script(EXCHANGE).scenes()[0]
    dual = [shot for shot in scene.shots if any(line.dual for line in shot.dialogue)]
    assert len(dual) == 1
    assert dual[0].kind is ShotKind.TWO_SHOT
    assert [line.speaker for line in dual[0].dialogue] == ["BRICK", "STEEL"]


def test_an_off_screen_line_is_heard_over_someone_else() -> None:
    script = _script(SMALL_SCRIPT)
    shot = next(shot for shot in script.shots() if shot.dialogue and shot.dialogue[0].off_screen)
    assert shot.dialogue[0].speaker == "ODA" and shot.dialogue[0].extension == "O.S."
    assert shot.subject == "june"
    assert {(c.character, c.on_screen) for c in shot.casting} == {("june", True), ("oda", False)}


def test_long_action_gets_its_own_shot_on_the_people_it_names() -> None:
    script = _script(SMALL_SCRIPT)
    action = [shot for shot in script.shots() if not shot.dialogue and shot.kind is not ShotKind.ESTABLISHING]
    assert action and action[0].subject == "oda" and "grey hair" in action[0].action


def test_scene_headings_of_one_place_share_a_location_and_keep_their_source_lines() -> None:
    script = _script(EXCHANGE)
    scenes = script.scenes()
    assert scenes[0].location == scenes[2].location == "kitchen"
    assert scenes[1].location == "kitchen_garden" and not scenes[1].interior
    assert scenes[0].transition_out == "CUT TO:"
    assert scenes[0].source.line == 3
    lines = EXCHANGE.splitlines()
    for line in script.lines():
        assert lines[line.source.line - 1].strip().rstrip("^").strip() == line.speaker or line.speaker in lines[line.source.line - 1]


@pytest.mark.parametrize(
    ("heading", "interior", "place", "time"),
    [
        ("INT. KITCHEN - NIGHT", True, "KITCHEN", "NIGHT"),
        ("INT. KITCHEN - CONTINUOUS", True, "KITCHEN", "DAY"),
        ("EXT. FERRY DECK - NIGHT", False, "FERRY DECK", "NIGHT"),
        ("INT./EXT. CAR - MOVING - DAY", True, "CAR", "DAY"),
        ("I/E. HARBOUR OFFICE - DUSK", True, "HARBOUR OFFICE", "DUSK"),
        ("内景 茶馆 - 夜", True, "茶馆", "NIGHT"),
        ("外景 河边 夜", False, "河边", "NIGHT"),
    ],
)
def test_scene_headings_split_into_place_and_time(heading: str, interior: bool, place: str, time: str) -> None:
    parsed = parse_heading(heading)
    assert (parsed.interior, parsed.place, parsed.time_of_day) == (interior, place, time)


def test_dialogue_before_any_scene_heading_opens_a_scene_of_its_own() -> None:
    opening, room = _script("Title: X\n\nBOB\nHi.\n\nINT. ROOM - DAY\n\nA room.\n").scenes()
    assert (opening.heading, opening.location, opening.source.line) == ("OPENING", "opening", 3)
    assert [line.text for shot in opening.shots for line in shot.dialogue] == ["Hi."]
    assert room.location == "room"


def test_a_screenplay_without_scene_headings_is_one_opening_scene_with_a_warning() -> None:
    warnings: list[str] = []
    script = script_from_fountain(parse_fountain("Just some prose about a day at the sea.\n", "t.fountain"), source="story/t.fountain",
                                  source_sha256=None, project=Project(name="t"), warnings=warnings)
    assert [scene.heading for scene in script.scenes()] == ["OPENING"]
    assert len(warnings) == 1 and warnings[0].startswith("story/t.fountain: no scene headings")


def test_a_screenplay_with_nothing_to_shoot_is_an_error() -> None:
    with pytest.raises(ScriptError, match="nothing to shoot"):
        _script("Title: Nothing\n\n# ACT I\n\n= Nothing happens.\n")


def test_a_chinese_screenplay_with_forced_elements() -> None:
    script = _script(".内景 茶馆 - 夜\n\n林月穿着红色外套。\n\n@林月\n你来晚了。\n\n@老王\n（低声）\n路上下雨了。\n", language="zh")
    scene = script.scenes()[0]
    assert scene.location == "茶馆" and scene.time_of_day == "NIGHT"
    assert [line.speaker for line in script.lines()] == ["林月", "老王"]
    assert script.lines()[1].parenthetical == "低声"

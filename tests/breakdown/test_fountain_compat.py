"""Fountain as other tools read it: the cases where writers' files from Highland, Slugline, Fade In,
Beat and afterwriting tripped the parser, held against the spec and the established parsers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mangaline.breakdown.fountain import ElementType, FountainDocument, parse_fountain
from mangaline.breakdown.screenplay import script_from_fountain
from mangaline.model import Project, Script

from ..conftest import mangaline

T = ElementType


def rows(doc: FountainDocument) -> list[tuple[ElementType, str, int]]:
    return [(e.type, e.text, e.line) for e in doc.elements]


# --- the title page --------------------------------------------------------------------------


def test_a_first_line_of_action_with_a_colon_is_action() -> None:
    doc = parse_fountain("Steel enters the code on the keypad: 9765\nThe door hisses open.\n\nINT. VAULT - NIGHT\n")
    assert doc.title_page == {}
    assert rows(doc) == [
        (T.ACTION, "Steel enters the code on the keypad: 9765\nThe door hisses open.", 1),
        (T.SCENE_HEADING, "INT. VAULT - NIGHT", 4),
    ]


@pytest.mark.parametrize(
    "first",
    [
        "Steel enters the code on the keypad: 9765",  # a "key" of seven words
        "One two three four: a four-word key",
        "Supercalifragilisticexpialidocious-and-more: a key longer than any key",
        "林夏：你终于来了。",  # a speaker and her line, written the Chinese way
        "Location: a custom key alone does not make a title page",
    ],
)
def test_lines_that_are_not_title_keys_stay_in_the_body(first: str) -> None:
    doc = parse_fountain(f"{first}\n\nINT. HOUSE - DAY\n")
    assert doc.title_page == {}
    assert rows(doc)[0] == (T.ACTION, first, 1)


def test_custom_keys_of_a_few_words_sit_beside_the_known_ones() -> None:
    doc = parse_fountain("Title: Rain\nX-Highland-Goal: 750 words\nEpisode number: 3\n\nINT. HOUSE - DAY\n")
    assert doc.title_page == {"Title": "Rain", "X-Highland-Goal": "750 words", "Episode number": "3"}
    assert rows(doc) == [(T.SCENE_HEADING, "INT. HOUSE - DAY", 5)]


def test_title_keys_are_case_insensitive() -> None:
    doc = parse_fountain("title: rain on the river\nauthor: ann lee\nAUTHORS:\n    bo chen\nTitle: part two\n\nINT. HOUSE - DAY\n")
    assert doc.title_page == {"title": "rain on the river\npart two", "author": "ann lee", "AUTHORS": "bo chen"}
    assert doc.title_page_lines == {"title": 1, "author": 2, "AUTHORS": 3}
    assert doc.title_value("Title") == "rain on the river\npart two"
    assert doc.title_value("authors") == "bo chen"
    assert doc.title_value("Draft date") == ""


def test_an_upper_case_known_key_with_its_value_below_is_a_title_page() -> None:
    doc = parse_fountain("TITLE:\n    RAIN\n\nFADE IN:\n")
    assert doc.title_page == {"TITLE": "RAIN"}
    assert rows(doc) == [(T.ACTION, "FADE IN:", 4)]


# --- marks inside an action paragraph -------------------------------------------------------------


@pytest.mark.parametrize("marked", ["#1 SEED", "> rm -rf /tmp/cache", "= 42, says the screen", "~ humming along", ">PRESS ANY KEY<"])
def test_a_marked_line_inside_action_is_action(marked: str) -> None:
    text = f"INT. LAB - NIGHT\n\nShe types:\n{marked}\nand waits.\n\nNothing happens.\n"
    doc = parse_fountain(text)
    assert rows(doc) == [
        (T.SCENE_HEADING, "INT. LAB - NIGHT", 1),
        (T.ACTION, f"She types:\n{marked}\nand waits.", 3),
        (T.ACTION, "Nothing happens.", 7),
    ]


def test_marks_still_count_where_a_paragraph_opens_and_may_stack() -> None:
    doc = parse_fountain("# ACT I\n## The seed\n= Steel plants it.\n\n> FADE TO BLACK.\n\n~Row, row\n~your boat\n")
    assert [(e.type, e.text, e.line, e.depth) for e in doc.elements] == [
        (T.SECTION, "ACT I", 1, 1),
        (T.SECTION, "The seed", 2, 2),
        (T.SYNOPSIS, "Steel plants it.", 3, 0),
        (T.TRANSITION, "FADE TO BLACK.", 5, 0),
        (T.LYRICS, "Row, row\nyour boat", 7, 0),
    ]


@pytest.mark.parametrize(
    "paragraph",
    ["#1 SEED\nThe seed splits open.", "> FADE TO BLACK.\nTHE END", "~ la la la\nShe stops singing.", "> PRESS ANY KEY <\nHe presses one."],
)
def test_a_paragraph_with_an_unmarked_line_is_action_marks_and_all(paragraph: str) -> None:
    doc = parse_fountain(f"INT. LAB - NIGHT\n\n{paragraph}\n\n# ACT II\n")
    assert rows(doc) == [
        (T.SCENE_HEADING, "INT. LAB - NIGHT", 1),
        (T.ACTION, paragraph, 3),
        (T.SECTION, "ACT II", 6),
    ]


def test_a_page_break_line_still_ends_an_action_paragraph() -> None:
    # A line of nothing but '=' is never prose: afterwriting and the reference parser break there too.
    doc = parse_fountain("\nThe end of the page.\n===\nThe next.\n")
    assert rows(doc) == [(T.ACTION, "The end of the page.", 2), (T.PAGE_BREAK, "", 3), (T.ACTION, "The next.", 4)]


# --- dual dialogue --------------------------------------------------------------------------


def test_three_carets_in_a_row_pair_the_first_two_and_leave_the_third_alone() -> None:
    doc = parse_fountain("\nBRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n\nDAN ^\nMe too.\n", "s.fountain")
    cues = [(e.name, e.dual) for e in doc.elements if e.type is T.CHARACTER]
    assert cues == [("BRICK", True), ("STEEL", True), ("DAN", False)]
    assert [e.dual for e in doc.elements if e.type is T.DIALOGUE] == [True, True, False]
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("s.fountain:8: the caret (^) on DAN")


def test_a_caret_after_action_pairs_with_nothing() -> None:
    doc = parse_fountain("\nBRICK\nHi.\n\nHe waves.\n\nSTEEL ^\nHi.\n")
    assert [e.dual for e in doc.elements] == [False] * 5
    assert len(doc.warnings) == 1


@pytest.mark.parametrize(
    ("cue", "name", "extension"),
    [
        ("STEEL ^ (V.O.)", "STEEL", "V.O."),
        ("STEEL^(V.O.)", "STEEL", "V.O."),
        ("STEEL (V.O.) ^", "STEEL", "V.O."),
        ("STEEL (V.O.) (CONT'D) ^", "STEEL", "V.O., CONT'D"),
        ("@McCLANE ^ (on radio)", "McCLANE", "on radio"),
        ("@林夏 ^（画外音）", "林夏", "画外音"),
    ],
)
def test_the_caret_never_joins_the_name(cue: str, name: str, extension: str) -> None:
    doc = parse_fountain(f"\nBRICK\nReady?\n\n{cue}\nReady.\n")
    steel = doc.elements[2]
    assert (steel.type, steel.name, steel.extension, steel.dual) == (T.CHARACTER, name, extension, True)
    assert doc.elements[0].dual and doc.warnings == []


# --- notes and boneyards that do not close ----------------------------------------------------


@pytest.mark.parametrize(
    ("stray", "kept"),
    [
        ("He reads the log: [[ERROR", "He reads the log: [[ERROR"),
        ("The path is /* not a comment", "The path is /* not a comment"),
    ],
)
def test_one_stray_opener_leaves_the_rest_of_the_document_whole(stray: str, kept: str) -> None:
    text = f"INT. SERVER ROOM - NIGHT\n\n{stray}\n\nSTEEL\nReboot it.\n\nEXT. STREET - DAY\n\nRain.\n"
    doc = parse_fountain(text, "s.fountain")
    assert rows(doc) == [
        (T.SCENE_HEADING, "INT. SERVER ROOM - NIGHT", 1),
        (T.ACTION, kept, 3),
        (T.CHARACTER, "STEEL", 5),
        (T.DIALOGUE, "Reboot it.", 6),
        (T.SCENE_HEADING, "EXT. STREET - DAY", 8),
        (T.ACTION, "Rain.", 10),
    ]
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("s.fountain:3: ")


def test_stray_closers_are_text() -> None:
    doc = parse_fountain("\nA smiley *] and ]] and */ here.\n")
    assert rows(doc) == [(T.ACTION, "A smiley *] and ]] and */ here.", 2)] and doc.warnings == []


# --- the boneyard between elements -----------------------------------------------------------


@pytest.mark.parametrize(
    "cut",
    [
        "/* INT. OLD KITCHEN - DAY */",
        "/*\nINT. OLD KITCHEN - DAY\n\nThe scene we lost.\n*/",
        "/* one */ /* two */",
    ],
)
def test_a_boneyard_between_a_transition_and_a_heading_keeps_both(cut: str) -> None:
    text = f"He leaves.\n\nCUT TO:\n{cut}\nINT. HOUSE - DAY\n\nShe waits.\n"
    doc = parse_fountain(text)
    after = 5 + cut.count("\n")
    assert rows(doc) == [
        (T.ACTION, "He leaves.", 1),
        (T.TRANSITION, "CUT TO:", 3),
        (T.SCENE_HEADING, "INT. HOUSE - DAY", after),
        (T.ACTION, "She waits.", after + 2),
    ]


def test_a_line_cut_from_a_speech_leaves_the_speech_whole() -> None:
    doc = parse_fountain("\nSTEEL\n/* Old line. */\nNew line.\n/* (beat) */\nAnd another.\n")
    assert [(e.type, e.text, e.line, e.end_line) for e in doc.elements] == [
        (T.CHARACTER, "STEEL", 2, 2),
        (T.DIALOGUE, "New line.\nAnd another.", 4, 6),
    ]


# --- lyrics --------------------------------------------------------------------------------


def test_lyrics_read_the_same_inside_and_outside_a_speech() -> None:
    song = "~Willy Wonka! Willy Wonka!\n~The amazing chocolatier!"
    alone = parse_fountain(f"\n{song}\n").elements
    sung = parse_fountain(f"\nWONKA\n{song}\nSays I.\n").elements
    assert [(e.type, e.text) for e in alone] == [(T.LYRICS, "Willy Wonka! Willy Wonka!\nThe amazing chocolatier!")]
    assert [(e.type, e.text) for e in sung[1:]] == [(alone[0].type, alone[0].text), (T.DIALOGUE, "Says I.")]
    assert [(e.line, e.end_line) for e in (alone[0], sung[1])] == [(2, 3), (3, 4)]


# --- the breakdown: cold opens, title keys, sung and silent cues ------------------------------------

COLD_OPEN = """\
title: The River Story
author: ann lee
authors:
    bo chen

This is a story about a river, and about the lies told on its banks.

====

**FADE IN:**

A RIVER.

Underwater, a fat catfish glides past a dangling hook.

EDWARD (V.O.)
There are some fish that cannot be caught.

INT. WILL'S BEDROOM - NIGHT

WILL, 3, listens wide-eyed in bed.

EDWARD
And on the day you were born, I caught him.
"""


def _script(text: str, language: str = "en", warnings: list[str] | None = None) -> Script:
    return script_from_fountain(parse_fountain(text, "s.fountain"), source="story/s.fountain", source_sha256=None,
                                project=Project(name="s", language=language), where="s.fountain", warnings=warnings)


def test_a_voice_over_cold_open_is_a_scene_of_its_own() -> None:
    opening, bedroom = _script(COLD_OPEN).scenes()
    assert (opening.id, opening.heading, opening.location, opening.source.line) == ("ep01_sc01", "OPENING", "opening", 6)
    spoken = [line for shot in opening.shots for line in shot.dialogue]
    assert [(line.speaker, line.extension, line.text) for line in spoken] == [
        ("EDWARD", "V.O.", "There are some fish that cannot be caught.")
    ]
    action = " ".join(shot.action for shot in opening.shots)
    assert "This is a story about a river" in action and "A RIVER." in action and "catfish" in action
    assert (bedroom.id, bedroom.location, bedroom.source.line) == ("ep01_sc02", "will_s_bedroom", 19)
    assert [line.id for shot in bedroom.shots for line in shot.dialogue] == ["ep01_sc02_l001"]


def test_lower_case_title_keys_give_the_title_and_authors() -> None:
    script = _script(COLD_OPEN)
    assert (script.title, script.authors) == ("The River Story", ["ann lee", "bo chen"])


def test_a_lone_fade_in_opens_the_first_scene_rather_than_a_scene_of_its_own() -> None:
    (scene,) = _script("Title: X\n\nFADE IN:\n\nINT. ROOM - DAY\n\nA room.\n").scenes()
    assert (scene.heading, scene.source.line) == ("INT. ROOM - DAY", 5)
    assert scene.shots[0].action.startswith("FADE IN:")


def test_each_episode_may_have_its_own_cold_open_and_a_chinese_one_is_headed_in_chinese() -> None:
    text = "# 第一集\n\n黑暗中一声尖叫。\n\n.内景 茶馆 - 夜\n\n@林月\n还开着吗？\n\n# 第二集\n\n@老周 (V.O.)\n那一夜，雨没有停。\n\n.外景 河边 - 夜\n\n雨。\n"
    script = _script(text, language="zh")
    assert [[(scene.heading, scene.location) for scene in episode.scenes] for episode in script.episodes] == [
        [("开场", "开场"), ("内景 茶馆 - 夜", "茶馆")],
        [("开场", "开场"), ("外景 河边 - 夜", "河边")],
    ]


def test_a_sung_speech_is_a_line_and_a_cue_with_nothing_to_say_is_action_with_a_warning() -> None:
    warnings: list[str] = []
    text = "INT. FACTORY - DAY\n\nWONKA\n~Come with me\n~and you'll be\n\nCHARLIE\n(stunned)\n\nThe room glows.\n"
    (scene,) = _script(text, warnings=warnings).scenes()
    (line,) = [line for shot in scene.shots for line in shot.dialogue]
    assert (line.speaker, line.text, line.parenthetical) == ("WONKA", "Come with me and you'll be", "sung")
    assert "CHARLIE (stunned)" in " ".join(shot.action for shot in scene.shots)
    assert len(warnings) == 1 and warnings[0].startswith("s.fountain:7: the cue CHARLIE has nothing to say")


def test_a_cold_open_goes_through_mangaline_new(tmp_path: Path) -> None:
    source = tmp_path / "river-story.fountain"
    source.write_text(COLD_OPEN, encoding="utf-8")
    mangaline("new", tmp_path / "river", "--from", source)
    script = json.loads(mangaline("breakdown", tmp_path / "river", "--json").stdout)
    assert (script["title"], script["authors"]) == ("The River Story", ["ann lee", "bo chen"])
    scenes = script["episodes"][0]["scenes"]
    assert [scene["location"] for scene in scenes] == ["opening", "will_s_bedroom"]
    assert (tmp_path / "river" / "bible" / "locations" / "opening.yaml").is_file()


# --- anything at all --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["[[", "/*", "]]*/[[/*", "^", "@", "@^", "STEEL ^\n^", ">", "~", "#", "=", ".", "!", "Title:", "title:\n\n", "：", "\x00", "(\n)"],
)
def test_nothing_makes_the_parser_raise(text: str) -> None:
    doc = parse_fountain(text)
    assert all(e.line >= 1 for e in doc.elements)


# --- what other parsers' test suites hold -----------------------------------------------------


@pytest.mark.parametrize("mark, kind, text", [("# EPISODE 2", T.SECTION, "EPISODE 2"), ("= The road home.", T.SYNOPSIS, "The road home.")])
def test_a_section_or_synopsis_right_over_a_heading_is_itself_and_the_heading_opens_its_scene(mark, kind, text) -> None:
    doc = parse_fountain(f"INT. HOUSE - DAY\n\nA.\n\n{mark}\nEXT. ROAD - NIGHT\n\nB.\n")
    assert rows(doc) == [
        (T.SCENE_HEADING, "INT. HOUSE - DAY", 1),
        (T.ACTION, "A.", 3),
        (kind, text, 5),
        (T.SCENE_HEADING, "EXT. ROAD - NIGHT", 6),
        (T.ACTION, "B.", 8),
    ]


def test_i_dot_slash_e_opens_a_scene() -> None:
    doc = parse_fountain("Before.\n\nI./E. CAR - MOVING\n\nAfter.\n")
    assert rows(doc) == [(T.ACTION, "Before.", 1), (T.SCENE_HEADING, "I./E. CAR - MOVING", 3), (T.ACTION, "After.", 5)]


@pytest.mark.parametrize("gap", ["   ", "\t", " "])
def test_only_two_spaces_keep_a_speech_going(gap: str) -> None:
    doc = parse_fountain(f"INT. HOUSE - DAY\n\nSTEEL\nHello.\n{gap}\nBRICK\nHi.\n")
    assert [(e.type, e.text) for e in doc.elements][1:] == [
        (T.CHARACTER, "STEEL"), (T.DIALOGUE, "Hello."), (T.CHARACTER, "BRICK"), (T.DIALOGUE, "Hi.")]
    two = parse_fountain("INT. HOUSE - DAY\n\nSTEEL\nHello.\n  \nStill me.\n")
    assert [(e.type, e.text) for e in two.elements][1:] == [(T.CHARACTER, "STEEL"), (T.DIALOGUE, "Hello.\n\nStill me.")]


@pytest.mark.parametrize("text, line, where", [
    ("FADE IN:\nINT. HOUSE - DAY\n\nShe waits.\n", 2, "inside a paragraph of action"),
    ("Before.\n\nINT. HOUSE - DAY\nShe enters.\n", 3, "with no blank line after it"),
])
def test_a_heading_read_as_action_for_want_of_a_blank_line_is_warned_of(text: str, line: int, where: str) -> None:
    doc = parse_fountain(text)
    assert T.SCENE_HEADING not in [e.type for e in doc.elements]  # the spec reads it as action
    assert [w for w in doc.warnings if "looks like a scene heading" in w] == [
        f"<text>:{line}: 'INT. HOUSE - DAY' looks like a scene heading but stands {where}: read as action; "
        "put a blank line before and after a scene heading"]


def test_no_warning_for_a_heading_word_in_prose_or_forced_action() -> None:
    doc = parse_fountain("INT. HOUSE - DAY\n\nShe waits by the int. door.\n\n!EXT. IS WHAT THE SIGN SAYS\n")
    assert doc.warnings == []


def test_a_heading_right_under_a_page_break_opens_its_scene() -> None:
    doc = parse_fountain("A.\n\n===\nINT. HOUSE - DAY\n\nB.\n")
    assert rows(doc) == [(T.ACTION, "A.", 1), (T.PAGE_BREAK, "", 3), (T.SCENE_HEADING, "INT. HOUSE - DAY", 4), (T.ACTION, "B.", 6)]

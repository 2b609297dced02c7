"""The Fountain 1.1 parser against the spec's own examples, with exact source lines."""

from __future__ import annotations

import pytest

from mangaline.breakdown.fountain import Element, ElementType, FountainDocument, parse_fountain, plain

T = ElementType


def rows(doc: FountainDocument) -> list[tuple[ElementType, str, int]]:
    return [(e.type, e.text, e.line) for e in doc.elements]


def only(doc: FountainDocument, kind: ElementType) -> list[Element]:
    return [e for e in doc.elements if e.type is kind]


BRICK_AND_STEEL = """\
Title:
    _**BRICK & STEEL**_
    _**FULL RETIRED**_
Credit: Written by
Author: Stu Maschwitz
Source: Story by KTM
Draft date: 1/27/2012
Contact:
    Next Level Productions
    1588 Mission Dr.
    Solvang, CA 93463

EXT. BRICK'S PATIO - DAY

A gorgeous day.  The sun is shining.  But BRICK BRADDOCK, retired police detective, is sitting quietly, contemplating -- something.

The SCREEN DOOR slides open and DICK STEEL, his former partner and fellow retiree, emerges with two cold beers.

STEEL
Beer's ready!

BRICK
Are they cold?

STEEL
(sitting)
Does a bear crap in the woods?

BRICK
Screw retirement.

STEEL ^
Screw retirement.

CUT TO:

INT. TRAILER HOME - DAY #1A#

This is the home of THE BOY BAND.

> THE END <
"""


def test_brick_and_steel_title_page_keeps_keys_and_multiline_values() -> None:
    doc = parse_fountain(BRICK_AND_STEEL)
    assert doc.title_page == {
        "Title": "_**BRICK & STEEL**_\n_**FULL RETIRED**_",
        "Credit": "Written by",
        "Author": "Stu Maschwitz",
        "Source": "Story by KTM",
        "Draft date": "1/27/2012",
        "Contact": "Next Level Productions\n1588 Mission Dr.\nSolvang, CA 93463",
    }
    assert doc.title_page_lines == {
        "Title": 1,
        "Credit": 4,
        "Author": 5,
        "Source": 6,
        "Draft date": 7,
        "Contact": 8,
    }
    assert plain(doc.title_page["Title"]) == "BRICK & STEEL\nFULL RETIRED"


def test_brick_and_steel_body_elements_and_lines() -> None:
    doc = parse_fountain(BRICK_AND_STEEL)
    assert rows(doc) == [
        (T.SCENE_HEADING, "EXT. BRICK'S PATIO - DAY", 13),
        (T.ACTION, doc.elements[1].text, 15),
        (T.ACTION, doc.elements[2].text, 17),
        (T.CHARACTER, "STEEL", 19),
        (T.DIALOGUE, "Beer's ready!", 20),
        (T.CHARACTER, "BRICK", 22),
        (T.DIALOGUE, "Are they cold?", 23),
        (T.CHARACTER, "STEEL", 25),
        (T.PARENTHETICAL, "(sitting)", 26),
        (T.DIALOGUE, "Does a bear crap in the woods?", 27),
        (T.CHARACTER, "BRICK", 29),
        (T.DIALOGUE, "Screw retirement.", 30),
        (T.CHARACTER, "STEEL ^", 32),
        (T.DIALOGUE, "Screw retirement.", 33),
        (T.TRANSITION, "CUT TO:", 35),
        (T.SCENE_HEADING, "INT. TRAILER HOME - DAY", 37),
        (T.ACTION, "This is the home of THE BOY BAND.", 39),
        (T.CENTERED, "THE END", 41),
    ]
    assert doc.elements[1].text.startswith("A gorgeous day.  The sun")
    assert doc.elements[15].scene_number == "1A"


def test_dual_dialogue_marks_both_speeches_and_nothing_before() -> None:
    doc = parse_fountain(BRICK_AND_STEEL)
    dual = [(e.type, e.line) for e in doc.elements if e.dual]
    assert dual == [(T.CHARACTER, 29), (T.DIALOGUE, 30), (T.CHARACTER, 32), (T.DIALOGUE, 33)]
    steel = doc.elements[12]
    assert steel.name == "STEEL" and steel.dual and steel.extension is None


def test_a_caret_with_no_speech_before_it_is_a_speech_of_its_own() -> None:
    doc = parse_fountain("Action here.\n\nSTEEL ^\nAlone.\n", "x.fountain")
    assert [(e.type, e.dual) for e in doc.elements] == [(T.ACTION, False), (T.CHARACTER, False), (T.DIALOGUE, False)]
    assert doc.elements[1].name == "STEEL"
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("x.fountain:3: the caret (^) on STEEL")


# --- scene headings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "INT. HOUSE - DAY",
        "EXT. BRICK'S POOL - DAY",
        "EST. CITY - NIGHT",
        "INT./EXT. CAR - MOVING",
        "INT/EXT CAR - MOVING",
        "I/E CAR - MOVING",
        "int. house - day",
        "ext garden",
    ],
)
def test_scene_heading_prefixes(heading: str) -> None:
    doc = parse_fountain(f"Before.\n\n{heading}\n\nAfter.\n")
    assert rows(doc) == [(T.ACTION, "Before.", 1), (T.SCENE_HEADING, heading, 3), (T.ACTION, "After.", 5)]
    assert not doc.elements[1].forced


@pytest.mark.parametrize("line", ["INTERIOR DESIGN IS HARD", "ESTHER LAUGHS", "EXTRA", "INTO THE NIGHT"])
def test_words_that_start_like_prefixes_are_not_headings(line: str) -> None:
    doc = parse_fountain(f"\n{line}\n\n")
    assert doc.elements[0].type is not T.SCENE_HEADING


def test_heading_needs_blank_line_before_and_after() -> None:
    doc = parse_fountain("She walks in.\nINT. HOUSE - DAY\n\nHe leaves.\n\nEXT. ROAD - NIGHT\nCars pass.\n")
    assert rows(doc) == [
        (T.ACTION, "She walks in.\nINT. HOUSE - DAY", 1),
        (T.ACTION, "He leaves.", 4),
        (T.ACTION, "EXT. ROAD - NIGHT\nCars pass.", 6),
    ]


def test_forced_scene_heading_and_ellipsis() -> None:
    text = "\n".join(
        [
            "EXT. OLYMPIA CIRCUS - NIGHT",  # 1
            "",
            ".SNIPER SCOPE POV",  # 3
            "",
            "From what seems like only INCHES AWAY.",  # 5
            "",
            "...and then nothing.",  # 7
            "",
            ".EXT. ...",  # 9
            "",
            "..double dot is action",  # 11
        ]
    )
    doc = parse_fountain(text)
    assert rows(doc) == [
        (T.SCENE_HEADING, "EXT. OLYMPIA CIRCUS - NIGHT", 1),
        (T.SCENE_HEADING, "SNIPER SCOPE POV", 3),
        (T.ACTION, "From what seems like only INCHES AWAY.", 5),
        (T.ACTION, "...and then nothing.", 7),
        (T.SCENE_HEADING, "EXT. ...", 9),
        (T.ACTION, "..double dot is action", 11),
    ]
    assert [e.forced for e in only(doc, T.SCENE_HEADING)] == [False, True, True]


@pytest.mark.parametrize(
    ("line", "text", "number"),
    [
        ("INT. HOUSE - DAY #1#", "INT. HOUSE - DAY", "1"),
        ("INT. HOUSE - DAY #1A#", "INT. HOUSE - DAY", "1A"),
        ("INT. HOUSE - DAY #1a#", "INT. HOUSE - DAY", "1a"),
        ("INT. HOUSE - DAY #A1#", "INT. HOUSE - DAY", "A1"),
        ("INT. HOUSE - DAY #I-1-A#", "INT. HOUSE - DAY", "I-1-A"),
        ("INT. HOUSE - DAY #1.#", "INT. HOUSE - DAY", "1."),
        ("INT. HOUSE - DAY #110A#", "INT. HOUSE - DAY", "110A"),
        (".FLASHBACK #7#", "FLASHBACK", "7"),
        ("INT. HOUSE - DAY", "INT. HOUSE - DAY", None),
    ],
)
def test_scene_numbers(line: str, text: str, number: str | None) -> None:
    (heading,) = parse_fountain(f"{line}\n").elements
    assert (heading.type, heading.text, heading.scene_number) == (T.SCENE_HEADING, text, number)


# --- action --------------------------------------------------------------------------------


def test_action_keeps_line_breaks_and_indentation() -> None:
    text = "They drink long and well from the beers.\n\n\tAnd then there's a long beat.\n    Longer than is funny.\n\nEnd."
    doc = parse_fountain(text)
    assert rows(doc) == [
        (T.ACTION, "They drink long and well from the beers.", 1),
        (T.ACTION, "\tAnd then there's a long beat.\n    Longer than is funny.", 3),
        (T.ACTION, "End.", 6),
    ]
    assert doc.elements[1].end_line == 4


def test_forced_action_with_exclamation_mark() -> None:
    doc = parse_fountain("\n!SCANNING THE AISLES...\nWhere is that pit boss?\n\n!CUT TO:\n\n")
    assert rows(doc) == [
        (T.ACTION, "SCANNING THE AISLES...\nWhere is that pit boss?", 2),
        (T.ACTION, "CUT TO:", 5),
    ]
    assert all(e.forced for e in doc.elements)


def test_all_caps_line_followed_by_blank_is_action() -> None:
    doc = parse_fountain("\nBANG!\n\nThe glass shatters.\n")
    assert rows(doc) == [(T.ACTION, "BANG!", 2), (T.ACTION, "The glass shatters.", 4)]


# --- characters and dialogue ----------------------------------------------------------------


def test_character_extensions_and_forced_names() -> None:
    text = "\n".join(
        [
            "MOM (O.S.)",  # 1
            "Luke! Come down for supper!",
            "",
            "HANS (on the radio)",  # 4
            "What was it you said?",
            "",
            "@McCLANE",  # 7
            "Yippee ki-yay! Motherf--",
            "",
            "R2D2",  # 10
            "Beep.",
            "",
            "NARRATOR (V.O.) (CONT'D)",  # 13
            "Years passed.",
            "",
            "@林夏",  # 16
            "你终于来了。",
        ]
    )
    doc = parse_fountain(text)
    cues = [(e.name, e.extension, e.forced, e.line) for e in only(doc, T.CHARACTER)]
    assert cues == [
        ("MOM", "O.S.", False, 1),
        ("HANS", "on the radio", False, 4),
        ("McCLANE", None, True, 7),
        ("R2D2", None, False, 10),
        ("NARRATOR", "V.O., CONT'D", False, 13),
        ("林夏", None, True, 16),
    ]
    assert [(e.text, e.line) for e in only(doc, T.DIALOGUE)] == [
        ("Luke! Come down for supper!", 2),
        ("What was it you said?", 5),
        ("Yippee ki-yay! Motherf--", 8),
        ("Beep.", 11),
        ("Years passed.", 14),
        ("你终于来了。", 17),
    ]


def test_chinese_script_with_forced_cues_and_full_width_parentheses() -> None:
    text = "INT. 屋顶 - 夜\n\n.天台边缘\n\n林夏站在边缘。\n\n@林夏（画外音）\n（低声）\n你终于来了。\n\n@陈默 ^\n对不起。\n"
    doc = parse_fountain(text)
    assert [(e.type, e.text, e.line, e.dual) for e in doc.elements] == [
        (T.SCENE_HEADING, "INT. 屋顶 - 夜", 1, False),
        (T.SCENE_HEADING, "天台边缘", 3, False),
        (T.ACTION, "林夏站在边缘。", 5, False),
        (T.CHARACTER, "@林夏（画外音）", 7, True),
        (T.PARENTHETICAL, "（低声）", 8, True),
        (T.DIALOGUE, "你终于来了。", 9, True),
        (T.CHARACTER, "@陈默 ^", 11, True),
        (T.DIALOGUE, "对不起。", 12, True),
    ]
    assert (doc.elements[3].name, doc.elements[3].extension) == ("林夏", "画外音")
    assert doc.elements[6].name == "陈默"


@pytest.mark.parametrize(
    "text",
    [
        "\n23\nSkidoo.\n",  # no letter
        "\nMcCLANE\nYippee.\n",  # lower case without '@'
        "Before\nSTEEL\nNo blank line before.\n",
        "\nSTEEL\n\nBlank line after.\n",
        "\n林夏\n你好。\n",  # a CJK name has no case, so it must be forced
    ],
)
def test_lines_that_are_not_characters(text: str) -> None:
    assert not only(parse_fountain(text), T.CHARACTER)


def test_dialogue_lines_parentheticals_and_two_space_continuation() -> None:
    text = "\n".join(
        [
            "",
            "STEEL",  # 2
            "(starting the engine)",  # 3
            "So much for retirement!",  # 4
            "  I mean it.",  # 5  indentation is ignored in dialogue
            "(beat)",  # 6
            "Really.",  # 7
            "  ",  # 8  two spaces keep the speech going
            "Still talking.",  # 9
            "",
            "He drives.",  # 11
        ]
    )
    doc = parse_fountain(text)
    assert [(e.type, e.text, e.line, e.end_line) for e in doc.elements] == [
        (T.CHARACTER, "STEEL", 2, 2),
        (T.PARENTHETICAL, "(starting the engine)", 3, 3),
        (T.DIALOGUE, "So much for retirement!\nI mean it.", 4, 5),
        (T.PARENTHETICAL, "(beat)", 6, 6),
        (T.DIALOGUE, "Really.\n\nStill talking.", 7, 9),
        (T.ACTION, "He drives.", 11, 11),
    ]


def test_character_at_end_of_file_is_action() -> None:
    assert rows(parse_fountain("Intro.\n\nSTEEL")) == [(T.ACTION, "Intro.", 1), (T.ACTION, "STEEL", 3)]


def test_lyrics() -> None:
    text = "\n~Willy Wonka! Willy Wonka! The amazing chocolatier!\n~Willy Wonka! Willy Wonka! Everybody give a cheer!\n"
    (lyrics,) = parse_fountain(text).elements
    assert (lyrics.type, lyrics.line, lyrics.end_line) == (T.LYRICS, 2, 3)
    assert lyrics.text == "Willy Wonka! Willy Wonka! The amazing chocolatier!\nWilly Wonka! Willy Wonka! Everybody give a cheer!"


def test_lyrics_inside_a_speech() -> None:
    doc = parse_fountain("\nWONKA\n~Come with me\n~and you'll be\nIn a world.\n")
    assert [(e.type, e.text, e.line, e.end_line) for e in doc.elements] == [
        (T.CHARACTER, "WONKA", 2, 2),
        (T.LYRICS, "Come with me\nand you'll be", 3, 4),
        (T.DIALOGUE, "In a world.", 5, 5),
    ]


# --- transitions and centered text --------------------------------------------------------


def test_transitions() -> None:
    text = "\n".join(
        [
            "Jack begins to argue vociferously in Vietnamese (?)",  # 1
            "",
            "CUT TO:",  # 3
            "",
            "EXT. BRICK'S POOL - DAY",  # 5
            "",
            "Steel, in the middle of a heated phone call:",  # 7
            "",
            "> Burn to White.",  # 9
            "",
            "SMASH CUT TO:",  # 11
            "",
            "Not a cut to:",  # 13
            "",
        ]
    )
    doc = parse_fountain(text)
    assert [(e.type, e.text, e.line, e.forced) for e in doc.elements] == [
        (T.ACTION, "Jack begins to argue vociferously in Vietnamese (?)", 1, False),
        (T.TRANSITION, "CUT TO:", 3, False),
        (T.SCENE_HEADING, "EXT. BRICK'S POOL - DAY", 5, False),
        (T.ACTION, "Steel, in the middle of a heated phone call:", 7, False),
        (T.TRANSITION, "Burn to White.", 9, True),
        (T.TRANSITION, "SMASH CUT TO:", 11, False),
        (T.ACTION, "Not a cut to:", 13, False),
    ]


def test_transition_needs_blank_lines_around_it() -> None:
    doc = parse_fountain("He runs.\nCUT TO:\n")
    assert rows(doc) == [(T.ACTION, "He runs.\nCUT TO:", 1)]


def test_centered_text() -> None:
    doc = parse_fountain("\n>THE END<\n\n> INTERMISSION <\n>  and after  <\n")
    assert [(e.type, e.text, e.line, e.end_line) for e in doc.elements] == [
        (T.CENTERED, "THE END", 2, 2),
        (T.CENTERED, "INTERMISSION\nand after", 4, 5),
    ]


# --- notes and boneyard -----------------------------------------------------------------------


def test_inline_note_is_removed_from_text_and_kept() -> None:
    text = "\nHis hand is an inch from the receiver when the phone RINGS. [[This section needs work.]] Then stops.\n"
    (action,) = parse_fountain(text).elements
    assert action.text == "His hand is an inch from the receiver when the phone RINGS.  Then stops."
    assert action.notes == ("This section needs work.",)
    assert action.line == 2


def test_multiline_note_keeps_following_lines_numbered() -> None:
    text = "\n".join(
        [
            "INT. TRAILER HOME - DAY",  # 1
            "",
            "This is the home of THE BOY BAND, AKA DAN and JACK.[[Or did we think of actual names for these guys?",  # 3
            "Maybe KEN and",  # 4
            "  ",  # 5 a note may hold two spaces as a blank line
            "RAY.]] They too are drinking beer.",  # 6
            "",
            "DAN",  # 8
            "Hello. [[Dan is",  # 9
            "nervous]]",  # 10
            "",
            "JACK",  # 12
            "Hi.",  # 13
        ]
    )
    doc = parse_fountain(text)
    assert [(e.type, e.line, e.end_line) for e in doc.elements] == [
        (T.SCENE_HEADING, 1, 1),
        (T.ACTION, 3, 6),
        (T.CHARACTER, 8, 8),
        (T.DIALOGUE, 9, 10),
        (T.CHARACTER, 12, 12),
        (T.DIALOGUE, 13, 13),
    ]
    action = doc.elements[1]
    assert action.text == "This is the home of THE BOY BAND, AKA DAN and JACK. They too are drinking beer."
    assert action.notes == ("Or did we think of actual names for these guys?\nMaybe KEN and\n  \nRAY.",)
    assert doc.elements[3].text == "Hello." and doc.elements[3].notes == ("Dan is\nnervous",)


def test_note_on_its_own_line_joins_its_paragraph_and_a_standalone_note_is_dropped() -> None:
    text = "\n".join(
        [
            "[[A note about nothing in particular]]",  # 1
            "",
            "STEEL",  # 3
            "[[louder here]]",  # 4
            "Beer's ready!",  # 5
            "",
            "[[a note just above the action]]",  # 7
            "He drinks.",  # 8
        ]
    )
    doc = parse_fountain(text)
    assert [(e.type, e.text, e.line, e.notes) for e in doc.elements] == [
        (T.CHARACTER, "STEEL", 3, ("louder here",)),
        (T.DIALOGUE, "Beer's ready!", 5, ()),
        (T.ACTION, "He drinks.", 8, ("a note just above the action",)),
    ]


def test_boneyard_is_removed_and_line_numbers_stay_true() -> None:
    text = "\n".join(
        [
            "COGNITO",  # 1
            "Everyone's coming after you mate! Scorpio, The Boy Band, Sparrow, Point Blank Sniper...",  # 2
            "",
            "/*",  # 4
            "INT. GARAGE - DAY",  # 5
            "",
            "BRICK and STEEL get into Mom's PORSCHE.",  # 7
            "*/",  # 8
            "",
            "As he rattles off the long list, Brick and Steel share a look. /* cut: This is going to be BAD. */",  # 10
            "He /* spans",  # 11
            "two lines */ nods.",  # 12
            "/* gone */",  # 13
            "",
            "CUT TO:",  # 15
            "",
        ]
    )
    doc = parse_fountain(text)
    assert [(e.type, e.text, e.line, e.end_line) for e in doc.elements] == [
        (T.CHARACTER, "COGNITO", 1, 1),
        (T.DIALOGUE, doc.elements[1].text, 2, 2),
        (
            T.ACTION,
            "As he rattles off the long list, Brick and Steel share a look.\nHe  nods.",
            10,
            12,
        ),
        (T.TRANSITION, "CUT TO:", 15, 15),
    ]


def test_text_after_a_multiline_span_is_numbered_where_it_stands() -> None:
    doc = parse_fountain("Intro.\n\n/* cut\nstill cut */ She runs.\nFast.\n\n[[a\nnote]]  He follows.\n")
    assert [(e.type, e.text, e.line, e.end_line, e.notes) for e in doc.elements] == [
        (T.ACTION, "Intro.", 1, 1, ()),
        (T.ACTION, " She runs.\nFast.", 4, 5, ()),
        (T.ACTION, "  He follows.", 8, 8, ("a\nnote",)),
    ]


def test_boneyard_hides_notes_and_markup() -> None:
    doc = parse_fountain("/* [[ unterminated note inside the boneyard\n\n*/\nINT. HOUSE - DAY\n\nAction.\n")
    assert rows(doc) == [(T.SCENE_HEADING, "INT. HOUSE - DAY", 4), (T.ACTION, "Action.", 6)]


# --- sections, synopses, page breaks ---------------------------------------------------------


def test_sections_synopses_and_page_breaks() -> None:
    text = "\n".join(
        [
            "# ACT I",  # 1
            "",
            "= Set up the characters and the story.",  # 3
            "",
            "## Brick and Steel",  # 5
            "",
            "### BRICK AND STEEL DISCUSS RETIREMENT",  # 7
            "",
            "EXT. BRICK'S PATIO - DAY",  # 9
            "",
            "= This scene sets up Brick & Steel's new life as retirees.",  # 11
            "",
            "===",  # 13
            "",
            "Next page.",  # 15
            "=====",  # 16
        ]
    )
    doc = parse_fountain(text)
    assert [(e.type, e.text, e.line, e.depth) for e in doc.elements] == [
        (T.SECTION, "ACT I", 1, 1),
        (T.SYNOPSIS, "Set up the characters and the story.", 3, 0),
        (T.SECTION, "Brick and Steel", 5, 2),
        (T.SECTION, "BRICK AND STEEL DISCUSS RETIREMENT", 7, 3),
        (T.SCENE_HEADING, "EXT. BRICK'S PATIO - DAY", 9, 0),
        (T.SYNOPSIS, "This scene sets up Brick & Steel's new life as retirees.", 11, 0),
        (T.PAGE_BREAK, "", 13, 0),
        (T.ACTION, "Next page.", 15, 0),
        (T.PAGE_BREAK, "", 16, 0),
    ]


# --- title page ----------------------------------------------------------------------------


def test_title_page_only_at_the_very_start() -> None:
    doc = parse_fountain("INT. HOUSE - DAY\n\nTitle: not a title page\n")
    assert doc.title_page == {}
    assert rows(doc) == [(T.SCENE_HEADING, "INT. HOUSE - DAY", 1), (T.ACTION, "Title: not a title page", 3)]


def test_title_page_authors_and_body_right_after() -> None:
    text = "\n".join(
        [
            "Title: THE LAST BIRTHDAY CARD",  # 1
            "Authors:",  # 2
            "\tJohn August",  # 3
            "   Stu Maschwitz",  # 4
            "Notes: first draft",  # 5
            "",
            "FADE IN:",  # 7
            "",
            "EXT. ROOFTOP - NIGHT",  # 9
        ]
    )
    doc = parse_fountain(text)
    assert doc.title_page == {
        "Title": "THE LAST BIRTHDAY CARD",
        "Authors": "John August\nStu Maschwitz",
        "Notes": "first draft",
    }
    assert doc.title_page_lines == {"Title": 1, "Authors": 2, "Notes": 5}
    assert rows(doc) == [(T.ACTION, "FADE IN:", 7), (T.SCENE_HEADING, "EXT. ROOFTOP - NIGHT", 9)]


def test_fade_in_on_first_line_is_not_a_title_page() -> None:
    doc = parse_fountain("FADE IN:\nA dark room.\n\nTITLE: not here either\n")
    assert doc.title_page == {}
    assert rows(doc) == [(T.ACTION, "FADE IN:\nA dark room.", 1), (T.ACTION, "TITLE: not here either", 4)]


def test_upper_case_key_with_a_value_is_a_title_page() -> None:
    doc = parse_fountain("TITLE: RAIN\n\nINT. HOUSE - DAY\n")
    assert doc.title_page == {"TITLE": "RAIN"}
    assert rows(doc) == [(T.SCENE_HEADING, "INT. HOUSE - DAY", 3)]


def test_transition_on_first_line_is_not_a_title_page() -> None:
    doc = parse_fountain("CUT TO:\n\nINT. HOUSE - DAY\n")
    assert doc.title_page == {}
    assert rows(doc) == [(T.TRANSITION, "CUT TO:", 1), (T.SCENE_HEADING, "INT. HOUSE - DAY", 3)]


# --- emphasis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        ("*italics*", "italics"),
        ("**bold**", "bold"),
        ("***bold italics***", "bold italics"),
        ("_underline_", "underline"),
        ("From what seems like only INCHES AWAY.  _Steel's face FILLS the *Leupold Mark 4* scope_.", "From what seems like only INCHES AWAY.  Steel's face FILLS the Leupold Mark 4 scope."),
        ("_**BRICK & STEEL**_", "BRICK & STEEL"),
        ("Steel enters the code on the keypad: **\\*9765\\***", "Steel enters the code on the keypad: *9765*"),
        ("He dialed *69 and then *23, and then hung up.", "He dialed *69 and then *23, and then hung up."),
        ("He dialed *69 and then 23*, and then hung up.", "He dialed 69 and then 23, and then hung up."),
        ("*no emphasis\nacross lines*", "*no emphasis\nacross lines*"),
        ("snake\\_case\\_name", "snake_case_name"),
    ],
)
def test_plain_strips_emphasis(marked: str, expected: str) -> None:
    assert plain(marked) == expected


def test_emphasis_stays_in_element_text() -> None:
    (action,) = parse_fountain("\n**Bold** move.\n").elements
    assert action.text == "**Bold** move."


# --- markup that does not close ------------------------------------------------------------


def test_unclosed_boneyard_is_text_with_a_warning_naming_its_line() -> None:
    text = "INT. HOUSE - DAY\n\nAction.\n\n/* cut from here\n\nSTEEL\nHi.\n"
    doc = parse_fountain(text, "ep01.fountain")
    assert rows(doc)[2:] == [(T.ACTION, "/* cut from here", 5), (T.CHARACTER, "STEEL", 7), (T.DIALOGUE, "Hi.", 8)]
    assert len(doc.warnings) == 1
    assert doc.warnings[0].startswith("ep01.fountain:5: '/*' is never closed")


def test_unclosed_note_is_text_with_a_warning_naming_its_line() -> None:
    doc = parse_fountain("INT. HOUSE - DAY\n\nAction [[fix this\nstill the note\n", "ep02.fountain")
    assert rows(doc)[1:] == [(T.ACTION, "Action [[fix this\nstill the note", 3)]
    assert doc.elements[1].notes == ()
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("ep02.fountain:3: '[[' is not closed")


def test_a_note_does_not_run_over_a_blank_line() -> None:
    doc = parse_fountain("Title: X\n\nAction.\n\nMore [[a note\n\nthat runs on]]\n", "ep03.fountain")
    assert rows(doc) == [(T.ACTION, "Action.", 3), (T.ACTION, "More [[a note", 5), (T.ACTION, "that runs on]]", 7)]
    assert [w.split(": ", 1)[0] for w in doc.warnings] == ["ep03.fountain:5"]
    assert "two spaces" in doc.warnings[0]


def test_a_stray_boneyard_after_a_closed_one() -> None:
    doc = parse_fountain("/* one */\nAn apple.\n/* two */ Bob waits. /* three\nStill.\n", "x.fountain")
    assert rows(doc) == [(T.ACTION, "An apple.\n Bob waits. /* three\nStill.", 2)]
    assert [w.split(": ", 1)[0] for w in doc.warnings] == ["x.fountain:3"]


def test_a_stray_opener_before_a_closed_note_on_the_same_line() -> None:
    doc = parse_fountain("\nShe types [[ then [[a note]] and stops.\n")
    (action,) = doc.elements
    assert (action.text, action.notes) == ("She types  and stops.", (" then [[a note".strip(),))
    assert doc.warnings == []


def test_many_stray_openers_cost_little_and_say_so_briefly() -> None:
    text = "INT. HOUSE - DAY\n\n" + "\n\n".join(f"Line {n} [[ and /* never closed" for n in range(20_000))
    doc = parse_fountain(text, "big.fountain")
    assert len(doc.elements) == 20_001
    assert doc.elements[-1].text == "Line 19999 [[ and /* never closed"
    assert len(doc.warnings) == 21 and doc.warnings[-1].startswith("big.fountain: and 19981 more warnings")


# --- whole documents ---------------------------------------------------------------------


def test_windows_newlines_and_bom() -> None:
    doc = parse_fountain("\ufeffINT. HOUSE - DAY\r\n\r\nAction.\r\n")
    assert rows(doc) == [(T.SCENE_HEADING, "INT. HOUSE - DAY", 1), (T.ACTION, "Action.", 3)]


def test_every_element_line_points_at_its_source_text() -> None:
    """In a long generated script, each element's line holds the start of its text."""
    blocks = []
    for n in range(40):
        blocks.append(f"INT. ROOM {n} - DAY #{n}#")
        blocks.append(f"/* dropped {n}\nstill dropped */\nAction {n} starts here.\nAnd continues.")
        blocks.append(f"HERO{n} (V.O.)\n(softly)\nLine {n} [[note {n}\nspans]] goes on.\nSecond line.")
        blocks.append(f"> TRANSITION {n}" if n % 2 else f"CUT {n} TO:")
    text = "\n\n".join(blocks)
    source = text.split("\n")
    doc = parse_fountain(text)
    assert len(doc.elements) == 40 * 6
    for element in doc.elements:
        # Up to the first double space: where a cut note leaves its gap.
        first = plain(element.text).split("\n")[0].split("  ")[0]
        if element.type is T.CHARACTER:
            first = element.name or ""
        assert first and first in source[element.line - 1], (element, source[element.line - 1])
        assert element.end_line >= element.line


def test_two_megabyte_script_parses() -> None:
    scene = (
        "INT. ROOFTOP - NIGHT #{n}#\n\n"
        "Rain hammers the tiles. **MAYA** waits by the ledge. [[check the light]]\n\n"
        "MAYA (V.O.)\n(quietly)\nYou came back.\nAfter all this time.\n\n"
        "KAI ^\nI never left.\n\n/* alt take\nKAI\nSorry. */\n\nCUT TO:\n\n"
    )
    pieces = []
    size = 0
    n = 0
    while size < 2_000_000:
        piece = scene.format(n=n)
        pieces.append(piece)
        size += len(piece)
        n += 1
    doc = parse_fountain("".join(pieces))
    headings = only(doc, T.SCENE_HEADING)
    assert len(headings) == n
    assert headings[-1].scene_number == str(n - 1)
    assert headings[-1].line == 1 + (n - 1) * scene.count("\n")
    assert sum(1 for e in doc.elements if e.dual) == 5 * n  # MAYA: cue, parenthetical, speech; KAI: cue, speech

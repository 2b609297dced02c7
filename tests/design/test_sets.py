"""The locations: variants unified, elements from the text, defaults by place type, sets that validate."""

from __future__ import annotations

import itertools

import pytest

from mangaline.design import design_bible, place_name, set_problems
from mangaline.design.lexicon import lexicon_for
from mangaline.model import ElementKind, SetDesign, SetElement, Wall

from conftest import build_script


def _kinds(location) -> set[str]:
    return {e.kind.value for e in location.set.elements}


def _assert_usable(location) -> None:
    design = location.set
    assert set_problems(design) == [], location.id
    assert len(design.marks) >= 4
    for a, b in itertools.combinations(design.marks, 2):
        assert ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 >= 0.9
    # the two-shot marks stand in front of everything against the back wall
    north_front = min((e.y - e.depth / 2 for e in design.elements if e.wall == Wall.NORTH and e.elevation < 1.0),
                      default=design.depth)
    for name in ("west", "centre", "east"):
        mark = next(m for m in design.marks if m.name == name)
        assert mark.y < north_front - 0.5
    assert design.lights


def test_heading_variants_become_one_location():
    script = build_script("en", [
        ("INT. KITCHEN - NIGHT", "kitchen", True, "NIGHT", [("A kettle hisses.", [("ANA", "ana", "Tea?")])]),
        ("INT. KITCHEN - CONTINUOUS", "kitchen", True, "CONTINUOUS", [("Steam.", [("BEN", "ben", "Please.")])]),
    ])
    locations = design_bible(script).locations
    assert list(locations) == ["kitchen"]
    kitchen = locations["kitchen"]
    assert kitchen.name == "KITCHEN" and kitchen.interior
    assert kitchen.aliases == ["INT. KITCHEN - NIGHT", "INT. KITCHEN - CONTINUOUS"]
    assert kitchen.description == "A kettle hisses."
    # the text names nothing: a kitchen still gets its counter, stove, fridge and window
    assert {"counter", "stove", "fridge", "window"} <= _kinds(kitchen)
    _assert_usable(kitchen)


@pytest.mark.parametrize(("heading", "expected"), [
    ("INT. FERRY DECK - NIGHT", "FERRY DECK"),
    ("EXT. HARBOUR - DAWN", "HARBOUR"),
    ("INT./EXT. CAR - DAY", "CAR"),
    ("内景 茶馆 - 夜", "茶馆"),
    (".外景 码头 - 夜", "码头"),
])
def test_place_name_is_the_heading_place_part(heading, expected):
    assert place_name(heading, lexicon_for("en" if heading.isascii() else "zh")) == expected


def test_elements_named_in_english_text_are_in_the_set():
    script = build_script("en", [
        ("INT. HARBOUR TICKET OFFICE - NIGHT", "office", True, "NIGHT", [
            ("Two iron pillars hold up a low ceiling. A brass lamp glows by the tall windows. "
             "A wooden bench, a clock and a red sign above the door.", [("ANA", "ana", "Hello?")]),
        ]),
    ])
    office = design_bible(script).locations["office"]
    kinds = _kinds(office)
    assert {"pillar", "lamp", "window", "sofa", "clock", "sign", "door"} <= kinds
    assert sum(1 for e in office.set.elements if e.kind == ElementKind.PILLAR) == 2
    assert any(e.kind == ElementKind.SIGN and e.colour == "#c8302e" for e in office.set.elements)
    assert any(light.kind == "lamp" for light in office.set.lights)
    windows = [e for e in office.set.elements if e.kind == ElementKind.WINDOW]
    assert all(w.wall is not None and w.elevation > 0.5 for w in windows)
    _assert_usable(office)


def test_elements_named_in_chinese_text_are_in_the_set():
    script = build_script("zh", [("内景 茶馆 - 夜", "tea_house", True, "夜", [
        ("两根红色的柱子之间挂着灯笼。窗边一张茶桌，墙上一幅字画。三分钟后，门开了。", [("林月", "lin", "你好。")]),
    ])])
    house = design_bible(script).locations["tea_house"]
    assert house.name == "茶馆"
    assert {"pillar", "lamp", "window", "table", "picture", "door"} <= _kinds(house)
    assert sum(1 for e in house.set.elements if e.kind == ElementKind.PILLAR) == 2  # 两根
    assert "clock" not in _kinds(house)  # 三分钟 is minutes, not a clock
    assert all(e.colour == "#c8302e" for e in house.set.elements if e.kind == ElementKind.PILLAR)
    _assert_usable(house)


def test_elements_named_in_japanese_text_are_in_the_set():
    script = build_script("ja", [("屋外 川辺 - 夜", "riverbank", False, "夜", [
        ("錆びた手すり。街灯の下に木のベンチ。遠くにビル。", [("ハナ", "hana", "寒い。")]),
    ])])
    bank = design_bible(script).locations["riverbank"]
    assert not bank.interior
    assert {"rail", "streetlight", "sofa", "building"} <= _kinds(bank)
    _, matches = lexicon_for("ja").scan("木のベンチ")  # 木の is "wooden", not a tree
    assert [tag[1] for m in matches for tag in m.roles("element")] == ["sofa"]
    kinds = {light.kind for light in bank.set.lights}
    assert {"moon", "street"} <= kinds and "sun" not in kinds
    _assert_usable(bank)


@pytest.mark.parametrize(("heading", "interior", "time", "action"), [
    ("INT. OFFICE - DAY", True, "DAY", "Files everywhere."),
    ("INT. BEDROOM - NIGHT", True, "NIGHT", "A bed, a desk, a shelf, two chairs, a sofa, a lamp, a plant, a tv."),
    ("EXT. FERRY DECK - NIGHT", False, "NIGHT", "Rain on the rail."),
    ("EXT. STREET - DAY", False, "DAY", "Neon signs, three trees, two streetlights, a bench."),
    ("EXT. PARK - DUSK", False, "DUSK", ""),
    ("INT. CLASSROOM - DAY", True, "DAY", "Six desks, three windows, a clock, a door, two plants, four chairs."),
    ("INT. NOWHERE - DAY", True, "DAY", ""),
    ("EXT. NOWHERE - NIGHT", False, "NIGHT", ""),
])
def test_every_set_validates(heading, interior, time, action):
    script = build_script("en", [(heading, "place", interior, time, [(action, [("ANA", "ana", "Hi.")])])])
    location = design_bible(script).locations["place"]
    _assert_usable(location)
    if interior:
        assert location.set.width * location.set.depth <= 120
    else:
        assert location.set.width >= 12


def test_exterior_at_night_has_moon_and_streetlights_by_default():
    script = build_script("en", [("EXT. FERRY DECK - NIGHT", "deck", False, "NIGHT", [("Quiet.", [("A", "a", "b")])])])
    deck = design_bible(script).locations["deck"]
    assert {"rail", "streetlight"} <= _kinds(deck)
    assert {"moon", "street"} <= {light.kind for light in deck.set.lights}
    assert deck.set.ceiling_colour == "#1a2340"  # the night sky


def test_set_problems_names_what_is_wrong():
    bad = SetDesign(
        width=4, depth=4, wall_colour="#ffffff", floor_colour="#000000", ceiling_colour="#ffffff", accent_colour="#ff0000",
        elements=[
            SetElement(name="table", kind=ElementKind.TABLE, x=3.9, y=2, width=1.2, depth=0.8, height=0.75, colour="#8a6240"),
            SetElement(name="table", kind=ElementKind.CHAIR, x=3.5, y=2, width=0.5, depth=0.5, height=0.9, colour="#8a6240"),
            SetElement(name="window", kind=ElementKind.WINDOW, x=2, y=1, width=1, height=1, elevation=1,
                       wall=Wall.NORTH, colour="#a8c8e0"),
        ],
        marks=[{"name": "lost", "x": 5, "y": 1}, {"name": "in table", "x": 3.6, "y": 2.1}],
    )
    problems = "\n".join(set_problems(bad))
    assert "two elements are called 'table'" in problems
    assert "outside the plan along x" in problems
    assert "not against it" in problems
    assert "overlap" in problems
    assert "mark lost" in problems and "mark in table stands inside" in problems


def test_edited_location_is_kept():
    script = build_script("en", [("INT. KITCHEN - DAY", "kitchen", True, "DAY", [("x", [("A", "a", "b")])])])
    first = design_bible(script)
    kitchen = first.locations["kitchen"]
    edited = kitchen.model_copy(update={"set": kitchen.set.model_copy(update={"wall_colour": "#010203"})})
    again = design_bible(script, first.model_copy(update={"locations": {"kitchen": edited}}))
    assert again.locations["kitchen"].set.wall_colour == "#010203"

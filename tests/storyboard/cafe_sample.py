"""A small bible and scene built in code for the layout, render and storyboard tests: a café and a street."""

from __future__ import annotations

from mangaline.model import (
    Bible, Casting, Character, CharacterDesign, Location, Outfit, Palette, Scene, SetDesign, SetElement, Shot,
    Light,
)

MAYA_PALETTE = dict(skin="#f6d5c3", hair="#2b3a8c", eyes="#2f9e6e", outfit="#d9463b", outfit_secondary="#2c2c3a", accent="#f2c14e")
KENJI_PALETTE = dict(skin="#e0b48f", hair="#6b3f1f", eyes="#6a4a2a", outfit="#3f7fbf", outfit_secondary="#d8d2c0", accent="#8e44ad")


def make_bible() -> Bible:
    maya = Character(id="maya", name="Maya", design=CharacterDesign(
        palette=Palette(**MAYA_PALETTE), hair_style="long", build="slim", height=1.63, eye_shape="round", gender="female",
        age="teen", outfits={"default": Outfit(top="jacket", bottom="skirt", accessory="scarf")}))
    kenji = Character(id="kenji", name="Kenji", design=CharacterDesign(
        palette=Palette(**KENJI_PALETTE), hair_style="spiky", build="broad", height=1.80, eye_shape="sharp", gender="male",
        outfits={"default": Outfit(top="hoodie", bottom="trousers")}, features=["glasses"]))
    cafe = Location(id="cafe", name="Café", set=SetDesign(
        width=6.0, depth=5.0, height=2.9, wall_colour="#efe1c6", floor_colour="#a8743f", ceiling_colour="#f7f1e3",
        accent_colour="#7a4b2a",
        elements=[
            SetElement(name="big window", kind="window", x=3.0, y=5.0, width=1.8, height=1.4, elevation=0.9, wall="north", colour="#ffffff"),
            SetElement(name="counter", kind="counter", x=1.2, y=4.3, width=1.8, depth=0.6, height=1.0, wall="north", colour="#5a3b28"),
            SetElement(name="shelf", kind="shelf", x=5.0, y=4.8, width=1.2, depth=0.35, height=1.9, wall="north", colour="#8a5a3a"),
            SetElement(name="door", kind="door", x=0.0, y=2.0, width=0.9, height=2.1, wall="west", colour="#6d8a96"),
            SetElement(name="table", kind="table", x=3.0, y=3.4, width=0.9, depth=0.7, height=0.75, colour="#c98b4f"),
            SetElement(name="plant", kind="plant", x=5.5, y=1.0, width=0.6, depth=0.6, height=1.3, colour="#4f9a5a"),
            SetElement(name="lamp", kind="lamp", x=5.4, y=3.6, width=0.4, depth=0.4, height=1.6, colour="#e0c080"),
            SetElement(name="picture", kind="picture", x=6.0, y=2.5, width=0.8, height=0.6, elevation=1.4, wall="east", colour="#333333"),
        ],
        lights=[Light(name="window light", kind="window", x=3.0, y=4.8, z=1.8, colour="#fff2cc", intensity=1.2)]))
    street = Location(id="street", name="Street", interior=False, set=SetDesign(
        width=12.0, depth=10.0, wall_colour="#888888", floor_colour="#6f6a70", ceiling_colour="#000000", accent_colour="#ffcc00",
        elements=[
            SetElement(name="shop", kind="building", x=4.0, y=10.0, width=7.0, depth=4.0, height=9.0, wall="north", colour="#c9a27e"),
            SetElement(name="tower", kind="building", x=10.0, y=11.0, width=4.0, depth=4.0, height=16.0, colour="#7d8fa3"),
            SetElement(name="lamp post", kind="streetlight", x=7.5, y=6.5, width=0.3, depth=0.3, height=4.2, colour="#3a3a44"),
            SetElement(name="tree", kind="tree", x=1.5, y=7.0, width=2.2, depth=2.2, height=4.5, colour="#3f8a4a"),
        ]))
    return Bible(characters={"maya": maya, "kenji": kenji}, locations={"cafe": cafe, "street": street})


def _cast(*ids: str) -> list[Casting]:
    return [Casting(character=i) for i in ids]


def make_scene(location: str = "cafe", time_of_day: str = "DAY", interior: bool = True) -> Scene:
    shots = [
        Shot(code="ep01_sc01_sh010", kind="establishing", size="WS", duration=3, casting=_cast("maya", "kenji")),
        Shot(code="ep01_sc01_sh020", kind="single", size="MS", duration=3, subject="maya", facing="kenji", casting=_cast("maya")),
        Shot(code="ep01_sc01_sh030", kind="single", size="MS", duration=3, subject="kenji", facing="maya", casting=_cast("kenji")),
        Shot(code="ep01_sc01_sh040", kind="over_shoulder", size="MCU", duration=3, subject="maya", facing="kenji",
             casting=_cast("maya", "kenji")),
        Shot(code="ep01_sc01_sh050", kind="single", size="CU", duration=3, subject="maya", facing="kenji", casting=_cast("maya")),
        Shot(code="ep01_sc01_sh060", kind="two_shot", size="FS", duration=3, casting=_cast("maya", "kenji")),
        Shot(code="ep01_sc01_sh070", kind="single", size="CU", duration=3, subject="kenji", facing="maya", angle="low",
             casting=_cast("kenji")),
    ]
    return Scene(id="ep01_sc01", heading="INT. CAFE - DAY", location=location, interior=interior, time_of_day=time_of_day,
                 shots=shots)



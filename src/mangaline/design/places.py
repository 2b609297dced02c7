"""Place types and element shapes as data: sizes, default furniture, colours and how each kind stands in a set."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PlaceType", "PLACES", "ElementShape", "SHAPES", "SKY", "LIGHT_COLOURS", "OUTDOOR_KINDS", "MAX_COUNT"]


@dataclass(frozen=True)
class PlaceType:
    """What a kind of place looks like when the text says little: plan size, furniture, colours."""

    interior: bool
    size: tuple[float, float, float]  # width (x), depth (y), ceiling height, metres
    defaults: tuple[tuple[str, str, int], ...]  # (element kind, its name, how many)
    walls: tuple[str, ...]
    floors: tuple[str, ...]


PLACES: dict[str, PlaceType] = {
    "kitchen": PlaceType(True, (5.0, 4.5, 2.6), (("counter", "counter", 1), ("stove", "stove", 1), ("fridge", "fridge", 1), ("window", "window", 1), ("table", "table", 1)),
                         ("#e8dcc0", "#d7e3da", "#f0e6d2"), ("#9c7a55", "#c9c1b3", "#7d6a58")),
    "office": PlaceType(True, (6.0, 5.0, 2.8), (("desk", "desk", 1), ("window", "window", 2), ("shelf", "shelf", 1), ("chair", "chair", 1), ("plant", "plant", 1)),
                        ("#dfe3e6", "#e6e0d4", "#cfd8dc"), ("#6d6f73", "#8a7d6e", "#4f5a63")),
    "ticket_office": PlaceType(True, (8.0, 6.0, 3.2), (("counter", "ticket counter", 1), ("window", "window", 2), ("sofa", "bench", 1), ("clock", "clock", 1), ("door", "door", 1), ("pillar", "pillar", 2)),
                               ("#d9d0b8", "#c8d3c8", "#e2d6bd"), ("#7a6a58", "#5f5a52", "#8c8272")),
    "bedroom": PlaceType(True, (5.0, 4.5, 2.6), (("bed", "bed", 1), ("window", "window", 1), ("lamp", "lamp", 1), ("shelf", "wardrobe", 1)),
                         ("#e6d8e0", "#d8e0ea", "#efe4d0"), ("#8c6a4f", "#a08a70", "#6e5a48")),
    "living_room": PlaceType(True, (6.0, 5.0, 2.7), (("sofa", "sofa", 1), ("window", "window", 1), ("table", "table", 1), ("screen", "tv", 1), ("lamp", "lamp", 1)),
                             ("#eadfc8", "#d9e2d0", "#e4d4c4"), ("#8a6a4a", "#9b8266", "#6b5642")),
    "cafe": PlaceType(True, (7.0, 5.5, 3.0), (("counter", "counter", 1), ("table", "table", 1), ("chair", "chair", 2), ("window", "window", 2), ("lamp", "lamp", 1)),
                      ("#b4553c", "#d9c49a", "#6f4a3a"), ("#5b3a28", "#7a5538", "#4a3a30")),
    "shop": PlaceType(True, (6.0, 5.0, 3.0), (("counter", "counter", 1), ("shelf", "shelf", 2), ("door", "door", 1), ("window", "window", 1)),
                      ("#e4e0d6", "#dbe6e4", "#efe2c6"), ("#8a8378", "#6f6a62", "#a0907a")),
    "classroom": PlaceType(True, (8.0, 6.0, 3.0), (("desk", "desk", 3), ("window", "window", 3), ("picture", "blackboard", 1), ("clock", "clock", 1)),
                           ("#e8e4d0", "#dfe8dc"), ("#9a7a58", "#8c8c84")),
    "hallway": PlaceType(True, (8.0, 3.5, 2.7), (("door", "door", 2), ("picture", "picture", 1), ("lamp", "lamp", 1)),
                         ("#dcd6c8", "#cfd6d8"), ("#6f6760", "#8a8070")),
    "station": PlaceType(True, (12.0, 7.0, 4.5), (("pillar", "pillar", 2), ("sofa", "bench", 2), ("clock", "clock", 1), ("sign", "sign", 1)),
                         ("#cfcac0", "#c4ccd0"), ("#77736c", "#5e5e5e")),
    "interior": PlaceType(True, (6.0, 5.0, 2.8), (("window", "window", 1), ("door", "door", 1), ("table", "table", 1), ("chair", "chair", 2), ("lamp", "lamp", 1)),
                          ("#e2dccc", "#d6dde0", "#e8dcc8"), ("#8a7560", "#77706a")),
    "deck": PlaceType(False, (14.0, 10.0, 6.0), (("rail", "rail", 1), ("sofa", "bench", 2), ("streetlight", "deck lamp", 2), ("building", "far shore", 3)),
                      ("#4a5563", "#5b4f45"), ("#8a6a4a", "#7a6552", "#6b6f73")),
    "harbour": PlaceType(False, (16.0, 12.0, 6.0), (("rail", "railing", 1), ("streetlight", "streetlight", 2), ("building", "warehouse", 3), ("sofa", "bench", 1)),
                         ("#5a606a", "#6b6258"), ("#6f6f6a", "#7a7468")),
    "riverbank": PlaceType(False, (16.0, 12.0, 6.0), (("rail", "railing", 1), ("tree", "tree", 3), ("streetlight", "streetlight", 2), ("building", "building", 2)),
                           ("#5d6b5a", "#6a6e66"), ("#7c7a70", "#8a8068")),
    "street": PlaceType(False, (16.0, 12.0, 6.0), (("building", "building", 4), ("streetlight", "streetlight", 2), ("tree", "tree", 2), ("sign", "sign", 1)),
                        ("#6a6a70", "#706458"), ("#5c5c60", "#6e6a64")),
    "park": PlaceType(False, (16.0, 12.0, 6.0), (("tree", "tree", 4), ("sofa", "bench", 2), ("streetlight", "lamp post", 2), ("plant", "bush", 2)),
                      ("#5a7a4e", "#6b805a"), ("#6f8a58", "#7d8a5e")),
    "rooftop": PlaceType(False, (12.0, 10.0, 6.0), (("rail", "railing", 1), ("building", "skyline", 4), ("sign", "sign", 1)),
                         ("#6a6e74",), ("#77787a", "#6a6864")),
    "exterior": PlaceType(False, (16.0, 12.0, 6.0), (("building", "building", 3), ("tree", "tree", 2), ("streetlight", "streetlight", 2)),
                          ("#6a6a70",), ("#6e6a60", "#74705e")),
}


@dataclass(frozen=True)
class ElementShape:
    """How a kind stands in a set: size (along a wall: width; out from it: depth), and where it goes."""

    width: float
    depth: float
    height: float
    elevation: float
    placement: str  # cut (in a wall), hung (on a wall), against (a wall), free, post, backdrop, edge
    walls: tuple[str, ...]
    colour: str


SHAPES: dict[str, ElementShape] = {
    "window": ElementShape(1.2, 0.1, 1.2, 1.0, "cut", ("north", "west", "east"), "#a8c8e0"),
    "door": ElementShape(0.9, 0.1, 2.1, 0.0, "cut", ("east", "west", "north"), "#6b4a32"),
    "picture": ElementShape(0.8, 0.05, 0.6, 1.4, "hung", ("north", "west", "east"), "#c8a050"),
    "clock": ElementShape(0.4, 0.08, 0.4, 2.05, "hung", ("north", "west", "east"), "#f0ead8"),
    "screen": ElementShape(1.2, 0.1, 0.7, 1.1, "hung", ("north", "west", "east"), "#202428"),
    "sign": ElementShape(1.4, 0.05, 0.5, 2.1, "hung", ("north", "west", "east"), "#c84a3a"),
    "counter": ElementShape(2.4, 0.6, 0.9, 0.0, "against", ("north", "west", "east"), "#8a5a36"),
    "shelf": ElementShape(1.2, 0.4, 2.0, 0.0, "against", ("north", "west", "east"), "#7a5034"),
    "fridge": ElementShape(0.7, 0.7, 1.8, 0.0, "against", ("north", "west", "east"), "#e8e8e4"),
    "stove": ElementShape(0.8, 0.6, 0.9, 0.0, "against", ("north", "west", "east"), "#3a3a3e"),
    "desk": ElementShape(1.4, 0.7, 0.75, 0.0, "against", ("north", "west", "east"), "#7a5a3e"),
    "sofa": ElementShape(1.8, 0.6, 0.85, 0.0, "against", ("west", "east", "north"), "#6a4a3a"),
    "bed": ElementShape(1.6, 2.0, 0.55, 0.0, "against", ("west", "east", "north"), "#d8d0c0"),
    "table": ElementShape(1.2, 0.8, 0.75, 0.0, "free", (), "#8a6240"),
    "chair": ElementShape(0.45, 0.45, 0.9, 0.0, "free", (), "#7a5238"),
    "lamp": ElementShape(0.4, 0.4, 1.6, 0.0, "free", (), "#e8c878"),
    "plant": ElementShape(0.5, 0.5, 1.0, 0.0, "free", (), "#4f8a4a"),
    "pillar": ElementShape(0.4, 0.4, 2.8, 0.0, "free", (), "#b8b0a0"),
    "rail": ElementShape(1.0, 0.1, 1.1, 0.0, "edge", (), "#9aa0a8"),
    "streetlight": ElementShape(0.3, 0.3, 4.5, 0.0, "post", (), "#3a3f45"),
    "tree": ElementShape(1.6, 1.6, 5.0, 0.0, "backdrop", (), "#3f6f3a"),
    "building": ElementShape(4.0, 2.5, 12.0, 0.0, "backdrop", (), "#5a6070"),
}

# Outdoors a window or a picture has no wall to sit in; a sign, a clock or a counter (a kiosk) stands free.
OUTDOOR_KINDS = {"rail", "streetlight", "tree", "building", "sign", "sofa", "table", "chair", "lamp", "pillar", "plant", "clock", "counter"}
MAX_COUNT = {"pillar": 4, "window": 3, "chair": 4, "sofa": 3, "tree": 4, "building": 4, "streetlight": 4, "desk": 4}

SKY = {"day": "#9cc4e4", "dawn": "#f0c8a0", "dusk": "#d98a5a", "night": "#1a2340"}
LIGHT_COLOURS = {
    "ceiling": ("#fff1d6", 1.0), "lamp": ("#ffc878", 0.8), "window_day": ("#fff6e8", 1.2), "window_night": ("#9fb4e0", 0.5),
    "sun": ("#fff2d0", 1.5), "sun_low": ("#ffa860", 1.2), "moon": ("#b8c8ff", 0.6), "street": ("#ffb860", 0.9), "neon": ("#ff4fa3", 0.8),
}

"""Designing the locations: one Set per place in the scene headings, furnished from the action text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import StepError
from ..model import Light, Location, Mark, Scene, Script, SetDesign, SetElement, Wall
from ..model.bible import CameraSpot
from ..colour import NAMED, delta_e, from_hsl, tone
from .lexicon import Lexicon, lexicon_for
from .places import LIGHT_COLOURS, MAX_COUNT, OUTDOOR_KINDS, PLACES, SHAPES, SKY, PlaceType
from .seed import seeded

__all__ = ["design_locations", "place_name", "set_problems"]

_MARGIN = 0.15  # clearance kept between two pieces of furniture, metres
_MIN_MARK_GAP = 0.9  # two people standing on neighbouring marks must not overlap


@dataclass
class _Wanted:
    """An element the set should hold: from the text, or a default of the place type."""

    kind: str
    name: str
    count: int
    colour: str | None = None


@dataclass(frozen=True)
class _Box:
    x0: float
    x1: float
    y0: float
    y1: float
    z0: float
    z1: float

    def hits(self, other: "_Box", margin: float) -> bool:
        return (self.x0 < other.x1 + margin and other.x0 < self.x1 + margin and self.y0 < other.y1 + margin
                and other.y0 < self.y1 + margin and self.z0 < other.z1 and other.z0 < self.z1)


def _box(e: SetElement) -> _Box:
    return _Box(e.x - e.width / 2, e.x + e.width / 2, e.y - e.depth / 2, e.y + e.depth / 2, e.elevation, e.elevation + e.height)


def place_name(heading: str, lexicon: Lexicon) -> str:
    """The place part of a heading: 'INT. FERRY DECK - NIGHT' -> 'FERRY DECK', '内景 茶馆 - 夜' -> '茶馆'."""
    text = heading.strip().lstrip(".").strip()
    prefixes = list(lexicon.table.HEADING_PREFIXES) + list(lexicon_for("en").table.HEADING_PREFIXES)
    for prefix in sorted(prefixes, key=len, reverse=True):
        if text.upper().startswith(prefix.upper()):
            text = text[len(prefix) :].strip()
            break
    return re.split(r"\s+[-–—－]\s*|\s*[–—－]\s+|\s+-$", text)[0].strip(" .-")


def _time_of(scenes: list[Scene], lexicon: Lexicon) -> str:
    """The time most of the location's scenes play at (one set serves every time of day)."""
    votes: dict[str, int] = {}
    for scene in scenes:
        # CONTINUOUS, LATER, MOMENTS LATER carry no time of their own and cast no vote
        for source in (lexicon, lexicon_for("en")):
            tags = [tag for match in source.scan(scene.time_of_day or "")[1] for tag in match.roles("time")]
            if tags:
                votes[tags[0][1]] = votes.get(tags[0][1], 0) + 1
                break
    return max(sorted(votes), key=lambda t: votes[t]) if votes else "day"


def _place_type(name: str, interior: bool, lexicon: Lexicon) -> str:
    """Headings end with the head noun (HARBOUR TICKET OFFICE, 码头售票处): the last known place word wins."""
    found = [tag[1] for match in lexicon.scan(name)[1] for tag in match.roles("place")]
    fitting = [place for place in found if PLACES[place].interior == interior]
    if fitting:
        return fitting[-1]
    return "interior" if interior else "exterior"


def _wanted_from_text(texts: list[str], lexicon: Lexicon) -> tuple[list[_Wanted], list[str]]:
    """Elements the text names (with counts and colours) and the light kinds it names."""
    wanted: dict[tuple[str, str], _Wanted] = {}
    lights: list[str] = []
    for text in texts:
        tokens, matches = lexicon.scan(text)
        for index, match in enumerate(matches):
            for tag in match.roles("light"):
                if tag[1] not in lights:
                    lights.append(tag[1])
            elements = match.roles("element")
            if not elements:
                continue
            kind, name = elements[0][1], elements[0][2]
            count = 1
            # "two iron pillars", 两根红色的柱子: the number may stand a few words before the noun
            number = next((m for m in reversed(matches[max(0, index - 3) : index]) if m.roles("number")
                           and lexicon.gap(tokens, m.end, match.start) is not None
                           and lexicon.gap(tokens, m.end, match.start) <= lexicon.table.ATTACH_WINDOW), None)
            if number is not None:
                count = number.roles("number")[0][1]
            elif not lexicon.cjk and match.word.endswith("s") and not name.endswith("s"):
                count = 2
            colour = None
            for back in range(index - 1, max(-1, index - 3), -1):
                colour_tags = matches[back].roles("colour")
                gap = lexicon.gap(tokens, matches[back].end, match.start)
                if colour_tags and gap is not None and gap <= lexicon.table.ATTACH_WINDOW:
                    colour = NAMED[colour_tags[0][1]]
                    break
            entry = wanted.setdefault((kind, name), _Wanted(kind, name, count, colour))
            entry.count = min(max(entry.count, count), MAX_COUNT.get(kind, 2))
            entry.colour = entry.colour or colour
    return list(wanted.values()), lights


class _SetBuilder:
    """Places elements on a plan without overlaps, then marks and lights; a bigger plan if they do not fit."""

    def __init__(self, location_id: str, interior: bool, width: float, depth: float, height: float, time: str) -> None:
        self.id = location_id
        self.interior = interior
        self.w, self.d, self.h = width, depth, height
        self.time = time
        self.edge = round(depth * 0.55, 2)  # outdoors: the rail line; beyond it, the far backdrop
        self.elements: list[SetElement] = []

    def _free(self, box: _Box, margin: float = _MARGIN) -> bool:
        return not any(box.hits(_box(e), margin) for e in self.elements)

    def _add(self, kind: str, name: str, x: float, y: float, width: float, depth: float, height: float,
             elevation: float, wall: str | None, colour: str) -> bool:
        element = SetElement(name=name, kind=kind, x=round(x, 2), y=round(y, 2), width=round(width, 2),
                             depth=round(depth, 2), height=round(height, 2), elevation=round(elevation, 2),
                             wall=Wall(wall) if wall else None, colour=colour)
        if not self._free(_box(element), 0.0 if wall and SHAPES[kind].placement in ("cut", "hung") else _MARGIN):
            return False
        self.elements.append(element)
        return True

    def _along(self, low: float, high: float, size: float, preference: float) -> list[float]:
        """Centres a piece of the given size can take between low and high, nearest the preference first."""
        start, stop = low + size / 2, high - size / 2
        if stop < start:
            return []
        steps = int((stop - start) / 0.1) + 1
        spots = [start + i * 0.1 for i in range(steps)]
        return sorted(spots, key=lambda v: (abs(v - preference), v))

    def place(self, kind: str, name: str, index: int, colour: str, rng_height: float) -> bool:
        shape = SHAPES[kind]
        w, d = self.w, self.d
        fractions = [0.5, 0.25, 0.75, 0.12, 0.88, 0.38, 0.62]
        frac = fractions[index % len(fractions)]
        if self.interior and shape.placement in ("cut", "hung", "against"):
            for wall in shape.walls:
                height = shape.height
                z0 = shape.elevation if shape.elevation + height <= self.h - 0.1 else max(0.0, self.h - 0.2 - height)
                if wall == "north":
                    for x in self._along(0.2, w - 0.2, shape.width, w * frac):
                        y = d if shape.placement in ("cut", "hung") else d - shape.depth / 2
                        if self._add(kind, name, x, y, shape.width, shape.depth, height, z0, wall, colour):
                            return True
                else:
                    low = d * (0.25 if shape.placement == "cut" else 0.45)
                    pref = d * (0.45 if kind == "door" else 0.5 + frac / 2)
                    for y in self._along(low, d - 0.2, shape.width, pref):
                        if shape.placement in ("cut", "hung"):
                            x = 0.0 if wall == "west" else w
                        else:
                            x = shape.depth / 2 if wall == "west" else w - shape.depth / 2
                        if self._add(kind, name, x, y, shape.depth, shape.width, height, z0, wall, colour):
                            return True
            return False
        if not self.interior and shape.placement == "edge":
            return self._add(kind, name, w / 2, self.edge, w, shape.depth, shape.height, 0.0, None, colour)
        if not self.interior and shape.placement == "backdrop":
            height = shape.height * rng_height
            if kind == "building":
                # a crowded skyline: narrower buildings rather than a missing one
                for width in (shape.width, 3.0, 2.2, 1.6):
                    if self._grid(kind, name, (d - shape.depth, d), (w * frac, d - shape.depth / 2), shape, height,
                                  0.0, "north", colour, width=width, depth=shape.depth):
                        return True
                return False
            else:
                band, pref_y, wall = (self.edge + 0.3, d - 0.2), self.edge + 1.4, None
            return self._grid(kind, name, band, (w * frac, pref_y), shape, height, 0.0, wall, colour)
        if not self.interior and shape.placement in ("post", "hung"):
            band = (self.edge - 1.2, self.edge - 0.2)
            height = 3.0 if kind != "streetlight" else shape.height
            elevation = 1.8 if kind in ("sign", "clock") else 0.0
            width = shape.width if kind == "streetlight" else 0.2
            spot = (w * [0.25, 0.75, 0.5, 0.1, 0.9][index % 5], self.edge - 0.6)
            placed = self._grid(kind, name, band, spot, shape, height, 0.0, None, colour, width=width)
            if placed and kind in ("sign", "clock"):
                # the board or the dial sits on top of its post
                post = self.elements.pop()
                self.elements.append(post.model_copy(update={"width": shape.width if kind == "sign" else 0.5,
                                                             "height": shape.height, "elevation": elevation}))
            return placed
        # free-standing furniture
        if self.interior:
            band = (d * 0.5, d - 0.2)
            spots = {
                "pillar": [(0.2, 0.62), (0.8, 0.62), (0.2, 0.88), (0.8, 0.88)],
                "table": [(0.5, 0.62), (0.3, 0.7), (0.7, 0.7)],
                "chair": [(0.34, 0.62), (0.66, 0.62), (0.5, 0.78), (0.2, 0.7)],
                "lamp": [(0.08, 0.92), (0.92, 0.92)],
                "plant": [(0.92, 0.92), (0.08, 0.92), (0.5, 0.92)],
            }.get(kind, [(frac, 0.7)])
            height = self.h if kind == "pillar" else shape.height
        else:
            band = (d * 0.42, self.edge - 0.3)
            spots = [(f, 0.8) for f in (0.3, 0.7, 0.5, 0.15, 0.85)]
            height = 3.5 if kind == "pillar" else shape.height
        fx, fy = spots[index % len(spots)]
        pref_y = d * fy if self.interior else band[0] + (band[1] - band[0]) * fy
        return self._grid(kind, name, band, (w * fx, pref_y), shape, height, 0.0, None, colour)

    def _grid(self, kind: str, name: str, band: tuple[float, float], spot: tuple[float, float], shape, height: float,
              elevation: float, wall: str | None, colour: str, width: float | None = None,
              depth: float | None = None) -> bool:
        width = width or shape.width
        depth = depth or (shape.depth if width == shape.width else width)
        xs = self._along(0.1, self.w - 0.1, width, spot[0])
        ys = self._along(band[0], band[1], depth, spot[1])
        candidates = sorted(((x, y) for x in xs for y in ys[:20]),
                            key=lambda p: ((p[0] - spot[0]) ** 2 + (p[1] - spot[1]) ** 2, p))
        for x, y in candidates:
            if self._add(kind, name, x, y, width, depth, height, elevation, wall, colour):
                return True
        return False

    def marks(self) -> list[Mark] | None:
        """Standing places in front of the furniture, far enough apart for two people to face each other."""
        w, d = self.w, self.d
        centre = w / 2
        offset = min(1.5, w * 0.25)
        front = max(0.9, d * 0.3)
        wanted = [("west", centre - offset, front), ("centre", centre, front), ("east", centre + offset, front),
                  ("back", centre, front + 1.1), ("front", centre, front - 1.0)]
        for door in (e for e in self.elements if e.kind == "door"):
            inward = {"east": (-0.8, 0), "west": (0.8, 0), "north": (0, -0.8), "south": (0, 0.8)}[door.wall or "south"]
            wanted.append(("door", door.x + inward[0], door.y + inward[1]))
            break
        if not self.interior and any(e.kind == "rail" for e in self.elements):
            wanted.append(("rail", centre + offset * 2, self.edge - 0.7))
        marks: list[Mark] = []
        for name, x, y in wanted:
            spot = _Box(x - 0.25, x + 0.25, y - 0.25, y + 0.25, 0.0, 1.7)
            inside = 0.3 <= x <= w - 0.3 and 0.3 <= y <= d - 0.3
            apart = all(((m.x - x) ** 2 + (m.y - y) ** 2) ** 0.5 >= _MIN_MARK_GAP for m in marks)
            clear = not any(spot.hits(_box(e), 0.05) for e in self.elements if e.wall is None or e.elevation < 1.7)
            if inside and apart and clear:
                marks.append(Mark(name=name, x=round(x, 2), y=round(y, 2)))
        return marks if len(marks) >= 4 else None

    def lights(self, named: list[str], accent: str) -> list[Light]:
        """Lights the text names, else the usual ones for an interior or exterior at this time of day."""
        lights: list[Light] = []
        night = self.time == "night"

        def add(name: str, kind: str, x: float, y: float, z: float, key: str, colour: str | None = None) -> None:
            hex_colour, intensity = LIGHT_COLOURS[key]
            lights.append(Light(name=name, kind=kind, x=round(x, 2), y=round(y, 2), z=round(z, 2),
                                colour=colour or hex_colour, intensity=intensity))

        for e in self.elements:
            if e.kind == "lamp":
                add(f"{e.name} light", "lamp", e.x, e.y, e.elevation + e.height, "lamp")
            elif e.kind == "streetlight":
                add(f"{e.name} light", "street", e.x, e.y, e.height, "street")
            elif e.kind == "sign" and "neon" in e.name:
                add(f"{e.name} glow", "neon", e.x, e.y, e.elevation + e.height / 2, "neon", e.colour)
        windows = [e for e in self.elements if e.kind == "window"]
        if "window" in named or (self.interior and windows and not lights):
            for e in windows[:2]:
                add(f"{e.name} light", "window", e.x, e.y, e.elevation + e.height / 2, "window_night" if night else "window_day")
        if "neon" in named and not any(light.kind == "neon" for light in lights):
            add("neon", "neon", self.w * 0.8, self.d - 0.3, min(self.h, 3.0) - 0.4, "neon", accent)
        if "moon" in named or (not self.interior and night):
            add("moon", "moon", self.w * 0.8, self.d + 20, 30, "moon")
        if "sun" in named or (not self.interior and not night):
            add("sun", "sun", self.w * 0.2, self.d + 30, 40, "sun_low" if self.time in ("dusk", "dawn") else "sun")
        if "ceiling" in named or (self.interior and not any(light.kind in ("lamp", "ceiling") for light in lights)):
            add("ceiling light", "ceiling", self.w / 2, self.d / 2, self.h - 0.05, "ceiling")
        if "lamp" in named and not any(light.kind == "lamp" for light in lights):
            add("lamp", "lamp", self.w * 0.15, self.d * 0.85, 1.6, "lamp")
        return lights


def _colours(location_id: str, place: PlaceType, interior: bool, time: str) -> tuple[str, str, str, str]:
    rng = seeded(location_id, "set colours")
    wall = rng.choice(place.walls)
    floor = rng.choice(place.floors)
    ceiling = "#f4f0e6" if interior else SKY.get(time, SKY["day"])
    accent = from_hsl(rng.random(), 0.6, 0.5)
    if delta_e(accent, wall) < 25:
        accent = tone(accent, "dark")
    return wall, floor, ceiling, accent


def _design_set(location_id: str, scenes: list[Scene], name: str, lexicon: Lexicon) -> SetDesign:
    interior = scenes[0].interior
    time = _time_of(scenes, lexicon)
    place = PLACES[_place_type(name, interior, lexicon)]
    texts = [name] + [shot.action for scene in scenes for shot in scene.shots]
    wanted, named_lights = _wanted_from_text(texts, lexicon)
    if not interior:
        wanted = [item for item in wanted if item.kind in OUTDOOR_KINDS]
    kinds = {item.kind for item in wanted}
    for kind, element_name, count in place.defaults:
        # the text names few things: the place type furnishes the rest
        if len(kinds) >= 5:
            break
        if kind not in kinds:
            wanted.append(_Wanted(kind, element_name, count))
            kinds.add(kind)
    wall, floor, ceiling, accent = _colours(location_id, place, interior, time)
    rng = seeded(location_id, "set heights")
    heights = [rng.uniform(0.7, 1.3) for _ in range(16)]
    width, depth, height = place.size
    order = {"edge": 0, "backdrop": 1, "cut": 2, "against": 3, "hung": 4, "post": 5, "free": 6}
    wanted.sort(key=lambda item: (order[SHAPES[item.kind].placement], item.kind == "chair"))
    for _attempt in range(8):
        builder = _SetBuilder(location_id, interior, width, depth, height, time)
        fitted = True
        for item in wanted:
            for i in range(item.count):
                label = item.name if item.count == 1 else f"{item.name} {i + 1}"
                colour = item.colour or SHAPES[item.kind].colour
                if item.kind == "window" and time == "night" and not item.colour:
                    colour = "#2a3550"
                if not builder.place(item.kind, label, i, colour, heights[len(builder.elements) % 16]):
                    fitted = False
                    break
            if not fitted:
                break
        marks = builder.marks() if fitted else None
        if fitted and marks:
            return SetDesign(width=width, depth=depth, height=height, wall_colour=wall, floor_colour=floor,
                             ceiling_colour=ceiling, accent_colour=accent, elements=builder.elements,
                             lights=builder.lights(named_lights, accent), marks=marks,
                             cameras=_camera_spots(width, depth, height, interior))
        # too much furniture for the room: a bigger room rather than a dropped element the text asked for
        width, depth = width + 1.0, depth + (0.5 if interior else 1.0)
    raise StepError("design", location_id, f"could not fit {sum(item.count for item in wanted)} elements in a set",
                    hint="name fewer elements in the action text, or edit the set in bible/locations/")


def _camera_spots(width: float, depth: float, height: float, interior: bool) -> list[CameraSpot]:
    """Where a wide view of the set may stand: the two south corners and the middle of the south side (the fourth wall)."""
    z = round(min(1.6, height - 0.3), 2) if interior else 1.6
    inset = 0.35 if interior else 0.0
    return [CameraSpot(name="south-west corner", x=round(inset, 2), y=round(inset, 2), z=z),
            CameraSpot(name="south middle", x=round(width / 2, 2), y=round(inset * 0.6, 2), z=z),
            CameraSpot(name="south-east corner", x=round(width - inset, 2), y=round(inset, 2), z=z)]


def set_problems(design: SetDesign) -> list[str]:
    """What is wrong with a set, in words: elements or marks outside the plan, overlapping furniture, twin names."""
    problems: list[str] = []
    tolerance = 1e-6
    names = [e.name for e in design.elements]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"two elements are called {duplicate!r}")
    for e in design.elements:
        b = _box(e)
        slack_x = e.width / 2 if e.wall in (Wall.EAST, Wall.WEST) else 0.0
        slack_y = e.depth / 2 if e.wall in (Wall.NORTH, Wall.SOUTH) else 0.0
        if b.x0 < -slack_x - tolerance or b.x1 > design.width + slack_x + tolerance:
            problems.append(f"{e.name} ({e.kind.value}) reaches outside the plan along x: {b.x0:.2f}..{b.x1:.2f}")
        if b.y0 < -slack_y - tolerance or b.y1 > design.depth + slack_y + tolerance:
            problems.append(f"{e.name} ({e.kind.value}) reaches outside the plan along y: {b.y0:.2f}..{b.y1:.2f}")
        if e.wall is not None:
            on = {Wall.NORTH: (e.y + e.depth / 2, design.depth), Wall.SOUTH: (e.y - e.depth / 2, 0.0),
                  Wall.WEST: (e.x - e.width / 2, 0.0), Wall.EAST: (e.x + e.width / 2, design.width)}[e.wall]
            touching = abs(on[0] - on[1]) <= tolerance + max(e.width, e.depth) / 2
            if not touching:
                problems.append(f"{e.name} is said to be on the {e.wall.value} wall but is not against it")
    floor = [e for e in design.elements if e.wall is None or e.elevation < 1.0]
    for i, a in enumerate(floor):
        for b in floor[i + 1 :]:
            if _box(a).hits(_box(b), -0.01):
                problems.append(f"{a.name} and {b.name} overlap")
    for m in design.marks:
        if not (0 <= m.x <= design.width and 0 <= m.y <= design.depth):
            problems.append(f"mark {m.name} ({m.x}, {m.y}) is outside the plan")
        for e in floor:
            b = _box(e)
            if b.x0 < m.x < b.x1 and b.y0 < m.y < b.y1:
                problems.append(f"mark {m.name} stands inside {e.name}")
    return problems


def design_locations(script: Script, lexicon: Lexicon, existing: dict[str, Location]) -> dict[str, Location]:
    """Every location in the scene headings: existing ones as they are, new ones designed."""
    scenes_at: dict[str, list[Scene]] = {}
    for scene in script.scenes():
        scenes_at.setdefault(scene.location, []).append(scene)
    result: dict[str, Location] = {}
    for location_id, scenes in scenes_at.items():
        if location_id in existing:
            result[location_id] = existing[location_id]
            continue
        aliases: list[str] = []
        for scene in scenes:
            if scene.heading not in aliases:
                aliases.append(scene.heading)
        name = place_name(scenes[0].heading, lexicon) or location_id
        first_shot = next((scene.shots[0] for scene in scenes if scene.shots), None)
        design = _design_set(location_id, scenes, name, lexicon)
        problems = set_problems(design)
        if problems:
            raise StepError("design", location_id, "; ".join(problems[:3]))
        result[location_id] = Location(id=location_id, name=name, aliases=aliases, interior=scenes[0].interior,
                                       description=first_shot.action if first_shot else "", set=design)
    for location_id, location in existing.items():
        result.setdefault(location_id, location)
    return result

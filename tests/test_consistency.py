"""Consistency across shots: set pieces land where the camera projects them, the 180-degree rule, character colours."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from ruamel.yaml import YAML

from mangaline.breakdown import breakdown_source
from mangaline.design import design_bible
from mangaline.layout import Camera, ShotLayout, episode_movements, lay_out_shot
from mangaline.project import ProjectFolder
from mangaline.qc.identity import identity_drift, turnaround_colours
from mangaline.render.guides import read_depth
from mangaline.render.sheet import draw_character_sheet
from mangaline.render.keyframe import draw_layout

from .conftest import EXAMPLES, mangaline

WIDTH, HEIGHT = 270, 480  # projection is size-independent; a small frame keeps the test quick
EXAMPLE_FILES = ("last-ferry.fountain", "tea-house.zh.fountain")
# Kinds drawn as solid blocks; tables, rails and plants are open, so only containment is checked for them.
SOLID = {"pillar", "counter", "shelf", "fridge", "building", "window", "door", "sign", "stove", "sofa", "picture", "screen"}


@pytest.fixture(scope="module", params=EXAMPLE_FILES)
def drawn(request, tmp_path_factory):
    """Every shot of an example laid out and drawn, with its guide maps, into a temporary folder."""
    result = breakdown_source(EXAMPLES / request.param, name="example")
    bible = design_bible(result.script)
    root = tmp_path_factory.mktemp(request.param.split(".")[0])
    shots = {}
    for episode in result.script.episodes:
        movements = episode_movements(episode.scenes, bible)
        for scene in episode.scenes:
            for shot in scene.shots:
                layout = lay_out_shot(shot, scene, bible, WIDTH, HEIGHT, movements=movements.get(shot.code, []))
                draw_layout(layout, root / shot.code)
                shots[shot.code] = (scene.id, layout, root / shot.code)
    return result.script, bible, shots


def _hull_mask(camera: Camera, box: list[float], grow: int) -> np.ndarray | None:
    """Pixels inside the projection of a box's eight corners (grown by ``grow`` px); None if it reaches behind the lens."""
    x0, y0, z0, x1, y1, z1 = box
    f = camera.focal(HEIGHT)
    points = []
    for x in (x0, x1):
        for y in (y0, y1):
            for z in (z0, z1):
                r, u, d = camera.to_view(x, y, z)
                if d < 0.1:
                    return None
                points.append((WIDTH / 2 + f * r / d, HEIGHT / 2 - f * u / d))
    hull = _convex_hull(points)
    image = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(image).polygon(hull, fill=255)
    if grow > 0:
        image = image.filter(ImageFilter.MaxFilter(2 * grow + 1))
    elif grow < 0:
        image = image.filter(ImageFilter.MinFilter(-2 * grow + 1))
    return np.asarray(image) > 0


def _box_depth(camera: Camera, box: list[float]) -> np.ndarray:
    """Per pixel, the depth at which the pixel's ray enters the box (inf where it misses): ray casting, not drawing."""
    right, up, forward = (np.array(v) for v in camera.basis())
    f = camera.focal(HEIGHT)
    us = (np.arange(WIDTH) + 0.5 - WIDTH / 2) / f
    vs = -(np.arange(HEIGHT) + 0.5 - HEIGHT / 2) / f
    rays = forward[None, None, :] + us[None, :, None] * right[None, None, :] + vs[:, None, None] * up[None, None, :]
    origin = np.array([camera.x, camera.y, camera.z])
    lo, hi = np.array(box[:3]), np.array(box[3:])
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = (lo - origin) / rays
        t1 = (hi - origin) / rays
    near = np.nanmax(np.minimum(t0, t1), axis=-1)
    far = np.nanmin(np.maximum(t0, t1), axis=-1)
    return np.where((far >= near) & (far > 0), np.maximum(near, 0), np.inf)


def _convex_hull(points):
    pts = sorted(set(points))
    cross = lambda o, a, b: (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _masks(folder: Path) -> dict:
    return json.loads((folder / "guides.json").read_text(encoding="utf-8"))


def test_shared_set_pieces_land_where_the_camera_projects_them(drawn):
    _, _, shots = drawn
    seen = defaultdict(list)
    for code, (scene, layout, folder) in shots.items():
        index = _masks(folder)
        for placed in layout.elements:
            if placed.element.name in index["elements"]:
                seen[(scene, placed.element.name)].append((code, placed, folder, index))
    shared = {key: items for key, items in seen.items() if len(items) >= 2}
    assert shared, "no set piece is seen by two shots of a scene"
    checked = 0
    for (scene, name), items in shared.items():
        for code, placed, folder, index in items:
            layout = shots[code][1]
            camera = layout.camera.camera()
            grown = _hull_mask(camera, placed.box, 2)
            if grown is None:
                continue
            mask = np.asarray(Image.open(folder / index["elements"][name])) > 0
            stray = mask & ~grown
            assert not stray.any(), f"{code}: {name} drawn {int(stray.sum())} px outside its projection"
            # Where nothing nearer covers it, the element must be drawn: read the stored depth map.
            depth = read_depth(folder / index["depth"]["file"])
            core = _hull_mask(camera, placed.box, -2)
            open_core = core & ~(depth < _box_depth(camera, placed.box) - 0.05)
            if str(placed.element.kind) in SOLID and open_core.sum() >= 20:
                assert (mask & open_core).sum() >= 0.5 * open_core.sum(), f"{code}: {name} is missing from where it projects"
            checked += 1
    assert checked >= 4


def test_guide_maps_are_stored_at_the_shot_size(drawn):
    _, _, shots = drawn
    code, (_, layout, folder) = next((c, s) for c, s in shots.items() if s[1].characters)
    index = _masks(folder)
    depth = Image.open(folder / index["depth"]["file"])
    assert depth.size == (WIDTH, HEIGHT) and depth.mode.startswith("I")
    metres = read_depth(folder / index["depth"]["file"])
    assert np.nanmin(metres) > 0 and np.isfinite(metres).mean() > 0.3
    assert Image.open(folder / index["edges"]).size == (WIDTH, HEIGHT)
    pose = json.loads((folder / index["pose"]).read_text())
    assert pose["format"] == "COCO-18" and len(pose["people"]) == len(index["characters"])
    for person in pose["people"]:
        assert len(person["pose_keypoints_2d"]) == 18 * 3
        mask = np.asarray(Image.open(folder / index["characters"][person["character"]])) > 0
        neck = person["pose_keypoints_2d"][3:5]
        if 0 <= neck[0] < WIDTH and 0 <= neck[1] < HEIGHT:
            ys, xs = np.nonzero(mask)
            assert xs.min() - 2 <= neck[0] <= xs.max() + 2, f"{code}: the neck is off the figure"
    for cid, file in index["characters"].items():
        mask = np.asarray(Image.open(folder / file)) > 0
        drawn_depth = metres[mask]
        placed = next(c for c in layout.characters if c.id == cid)
        assert np.nanmedian(drawn_depth) == pytest.approx(placed.depth, rel=0.01)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Both examples made into projects and their layouts exported by the CLI."""
    out = {}
    for example in EXAMPLE_FILES:
        project = tmp_path_factory.mktemp("export") / example.split(".")[0]
        mangaline("new", project, "--from", EXAMPLES / example)
        mangaline("export", project, "--layout")
        script = json.loads(mangaline("breakdown", project, "--json").stdout)
        layouts = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (project / "exports" / "layout").glob("*.json")}
        out[example] = (script, layouts)
    return out


def test_the_layout_export_holds_camera_characters_and_elements(exported):
    script, layouts = exported["last-ferry.fountain"]
    codes = [shot["code"] for ep in script["episodes"] for sc in ep["scenes"] for shot in sc["shots"]]
    assert sorted(layouts) == sorted(codes)
    some = next(layout for layout in layouts.values() if layout["characters"] and layout["elements"])
    camera = some["camera"]
    assert len(camera["position"]) == len(camera["target"]) == len(camera["up"]) == 3
    assert camera["image_size"] == [1080, 1920] and 10 < camera["vertical_fov"] < 90
    person = some["characters"][0]
    assert {"name", "mark", "world_position", "facing_deg", "view", "bbox", "screen_side"} <= set(person)
    assert person["view"] in ("front", "left", "right", "side_left", "side_right", "back")
    element = some["elements"][0]
    assert {"name", "world_position", "size", "bbox", "visible"} <= set(element)
    # The exported camera really projects the character: its face lies inside its box.
    cam = Camera(x=camera["position"][0], y=camera["position"][1], z=camera["position"][2], yaw=camera["yaw"],
                 pitch=camera["pitch"], fov=camera["vertical_fov"], roll=camera["roll"])
    r, u, d = cam.to_view(person["world_position"][0], person["world_position"][1], 1.5)
    px = 540 + cam.focal(1920) * r / d
    assert person["bbox"][0] <= px <= person["bbox"][2]


@pytest.mark.parametrize("example", EXAMPLE_FILES)
def test_the_180_degree_rule_holds_in_every_dialogue_exchange(exported, example):
    script, layouts = exported[example]
    exchanges = 0
    for episode in script["episodes"]:
        for scene in episode["scenes"]:
            if not any(shot["dialogue"] for shot in scene["shots"]):
                continue
            order: dict[tuple[str, str], bool] = {}
            looks: dict[str, str] = {}
            for shot in scene["shots"]:
                layout = layouts[shot["code"]]
                if layout["crosses_line"]:
                    continue
                people = [c for c in layout["characters"] if c["bbox"][2] > 0 and c["bbox"][0] < 1080]
                for person in people:
                    if person["looking"] in ("left", "right"):
                        assert looks.setdefault(person["name"], person["looking"]) == person["looking"], (
                            f"{shot['code']}: {person['name']} looks {person['looking']}, elsewhere in the scene "
                            f"{looks[person['name']]}")
                for a in people:
                    for b in people:
                        if a["name"] < b["name"]:
                            centre = lambda c: (c["bbox"][0] + c["bbox"][2]) / 2
                            a_left = centre(a) < centre(b)
                            assert order.setdefault((a["name"], b["name"]), a_left) == a_left, (
                                f"{shot['code']}: {a['name']} and {b['name']} swap screen sides")
                            exchanges += 1
                for person in people:
                    if person["line_side"] in ("left", "right") and len(people) >= 2:
                        assert person["screen_side"] == person["line_side"], f"{shot['code']}: {person['name']}"
    assert exchanges >= 3


def test_character_colours_match_their_turnaround_in_every_shot(drawn, tmp_path):
    _, bible, shots = drawn
    references = {}
    for cid, character in bible.characters.items():
        sheet = draw_character_sheet(character, tmp_path / f"{cid}.png", height=512)
        references[cid] = turnaround_colours(Image.open(sheet), character)
    measured = 0
    for code, (_, layout, folder) in shots.items():
        index = _masks(folder)
        keyframe = Image.open(folder / "keyframe.png")
        for placed in layout.characters:
            if placed.id not in index["characters"] or placed.variant != "default":
                continue
            mask = np.asarray(Image.open(folder / index["characters"][placed.id])) > 0
            if mask.sum() < 600:
                continue  # a sliver at the frame edge shows too little to judge
            drift = identity_drift(keyframe, mask, references[placed.id])
            for role in ("hair", "outfit"):
                assert drift[role] < 3.0, f"{code}: {placed.id}'s {role} is ΔE {drift[role]:.1f} from the turnaround"
            if math.isfinite(drift["skin"]):
                assert drift["skin"] < 3.0, f"{code}: {placed.id}'s skin is ΔE {drift['skin']:.1f} from the turnaround"
            measured += 1
    assert measured >= 5


def test_swapped_palettes_are_caught(drawn, tmp_path):
    script, bible, shots = drawn
    code, (scene_id, layout, _) = next((c, s) for c, s in shots.items() if len(s[1].characters) >= 2
                                      and all(c.view != "back" for c in s[1].characters))
    a, b = layout.characters[0].id, layout.characters[1].id
    references = {cid: turnaround_colours(Image.open(draw_character_sheet(bible.characters[cid], tmp_path / f"{cid}.png",
                                                                           height=512)), bible.characters[cid])
                  for cid in (a, b)}
    swapped = bible.model_copy(deep=True)
    pa, pb = swapped.characters[a].design.palette, swapped.characters[b].design.palette
    swapped.characters[a].design.palette, swapped.characters[b].design.palette = pb, pa
    for cid in (a, b):
        swapped.characters[cid].design.outfits = {}  # outfits may name their own colours; the palette alone decides
    scene = next(s for s in script.scenes() if s.id == scene_id)
    shot = next(s for s in scene.shots if s.code == code)
    wrong = lay_out_shot(shot, scene, swapped, WIDTH, HEIGHT)
    draw_layout(wrong, tmp_path / "swapped")
    index = _masks(tmp_path / "swapped")
    keyframe = Image.open(tmp_path / "swapped" / "keyframe.png")
    caught = []
    for cid in (a, b):
        if cid in index["characters"]:
            mask = np.asarray(Image.open(tmp_path / "swapped" / index["characters"][cid])) > 0
            drift = identity_drift(keyframe, mask, references[cid])
            caught.append(max(drift.values()) >= 3.0)
    assert caught and all(caught)


def _ran(project: Path) -> Counter:
    """Steps that ran (not cached) in the project's latest run, counted by step name."""
    folder = ProjectFolder.open(project)
    try:
        last = folder.state.runs()[-1]
        return Counter(event.step for event in folder.state.events(last.id, event="ran"))
    finally:
        folder.close()


def _layouts(project: Path) -> dict[str, dict]:
    mangaline("export", project, "--layout")
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (project / "exports" / "layout").glob("*.json")}


def test_a_yaml_edit_redraws_exactly_the_shots_that_show_it(small_script: Path, tmp_path: Path) -> None:
    project = tmp_path / "small"
    mangaline("new", project, "--from", small_script)
    mangaline("build", project, "--no-progress")
    layouts = _layouts(project)
    yaml = YAML()

    # A set piece some shots see and others do not.
    counts = Counter(e["name"] for layout in layouts.values() for e in layout["elements"])
    piece = next(name for name, n in sorted(counts.items()) if 0 < n < len(layouts))
    showing = {code for code, layout in layouts.items() if any(e["name"] == piece for e in layout["elements"])}
    path = next((project / "bible" / "locations").glob("*.yaml"))
    doc = yaml.load(path)
    element = next(e for e in doc["set"]["elements"] if e["name"] == piece)
    element["colour"] = "#d01f8a" if element["colour"] != "#d01f8a" else "#1fd08a"
    yaml.dump(doc, path)
    mangaline("build", project, "--no-progress")
    ran = _ran(project)
    assert ran["layout.shot"] == len(layouts), "every shot of the set is laid out again (cheap)"
    assert ran["storyboard.keyframe"] == len(showing), f"{piece} is seen by {sorted(showing)}"
    assert ran["animate.clip"] == ran["edit.segment"] == len(showing)
    assert ran["voice.line"] == 0 and ran["design.character_sheet"] == 0

    # A character some shots show and others do not.
    people = Counter(c["name"] for layout in layouts.values() for c in layout["characters"])
    cid = next(name for name, n in sorted(people.items()) if 0 < n < len(layouts))
    showing = {code for code, layout in layouts.items() if any(c["name"] == cid for c in layout["characters"])}
    path = project / "bible" / "characters" / f"{cid}.yaml"
    doc = yaml.load(path)
    doc["design"]["palette"]["hair"] = "#3a8fd0" if doc["design"]["palette"]["hair"] != "#3a8fd0" else "#d08f3a"
    yaml.dump(doc, path)
    mangaline("build", project, "--no-progress")
    ran = _ran(project)
    assert ran["storyboard.keyframe"] == len(showing), f"{cid} is shown by {sorted(showing)}"
    assert ran["design.character_sheet"] == 1 and ran["voice.line"] == 0


def test_the_layout_export_is_the_layout_the_build_drew(small_script: Path, tmp_path: Path) -> None:
    """`export --layout` writes the build's own layout.shot takes, also where a hand edit leaves a speaker uncast
    (the scene then differs from what each shot's layout sees: an export laid out again from the scene would not)."""
    project = tmp_path / "small"
    mangaline("new", project, "--from", small_script)
    path = project / "script" / "ep01.yaml"
    yaml = YAML()
    doc = yaml.load(path)
    shots = [shot for scene in doc["scenes"] for shot in scene["shots"]]
    speaking = next(shot for shot in shots if shot.get("dialogue") and len(shot["casting"]) > 1)
    speaker = speaking["dialogue"][0]["character"]
    speaking["casting"] = [c for c in speaking["casting"] if c["character"] != speaker]
    yaml.dump(doc, path)
    mangaline("build", project, "--no-progress")
    exported = _layouts(project)
    assert _ran(project)["layout.shot"] == 0, "the export reads the build's layouts, it does not lay out again"
    folder = ProjectFolder.open(project)
    try:
        drawn = {take.entity: ShotLayout.model_validate(take.data).export() for take in folder.state.takes("layout.shot")}
    finally:
        folder.close()
    assert exported == json.loads(json.dumps(drawn)) and speaker not in {c["name"] for c in exported[speaking["code"]]["characters"]}

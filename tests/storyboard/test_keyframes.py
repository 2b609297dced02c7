"""Storyboard: real keyframes drawn to disk, checked for layers, identity, set consistency and screen sides."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.storyboard.cafe_sample import KENJI_PALETTE, MAYA_PALETTE, make_scene
from mangaline.errors import RenderError
from mangaline.layout import lay_out_shot
from mangaline.model import Casting, KeyframeLayers
from mangaline.model.geometry import element_box, project_point
from mangaline.render.keyframe import draw_layout
from mangaline.render.sheet import draw_character_sheet


def draw_keyframe(shot, scene, bible, project, out_dir: Path) -> KeyframeLayers:
    """Lay the shot out and draw it, as the build's layout.shot and storyboard.keyframe steps do."""
    return draw_layout(lay_out_shot(shot, scene, bible, project.width, project.height), out_dir)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _count(image: Image.Image, hex_colour: str) -> int:
    # The set's lights tint a character faintly (within the identity check's ΔE 3), so a palette colour
    # is matched within a few levels rather than exactly.
    arr = np.asarray(image.convert("RGBA")).astype(int)
    mask = (arr[..., 3] == 255) & (np.abs(arr[..., :3] - np.array(_rgb(hex_colour))).max(axis=-1) <= 6)
    return int(mask.sum())


def _layer(record: KeyframeLayers, name: str):
    return next(layer for layer in record.layers if layer.name == name)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """Every shot of the café scene drawn once at a small frame size."""
    from tests.storyboard.cafe_sample import make_bible
    from mangaline.model import Project

    bible, scene = make_bible(), make_scene()
    project = Project(name="test", width=270, height=480)
    root = tmp_path_factory.mktemp("keyframes")
    records = {shot.code: (draw_keyframe(shot, scene, bible, project, root / shot.code), root / shot.code) for shot in scene.shots}
    return bible, scene, project, records


def test_a_keyframe_drawn_without_its_guide_maps_is_the_same_drawing(drawn, tmp_path):
    bible, scene, project, records = drawn
    shot = scene.shots[0]
    _, folder = records[shot.code]
    layout = lay_out_shot(shot, scene, bible, project.width, project.height)
    draw_layout(layout, tmp_path, guides=False)
    assert (tmp_path / "keyframe.png").read_bytes() == (folder / "keyframe.png").read_bytes()
    assert (tmp_path / "layers.json").read_text() == (folder / "layers.json").read_text()
    assert (folder / "guides.json").is_file()
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(("guide", "mask-"))]


def test_keyframe_files_and_sizes(drawn):
    _, scene, project, records = drawn
    record, folder = records[scene.shots[0].code]
    assert KeyframeLayers.model_validate_json((folder / "layers.json").read_text()) == record
    assert (record.canvas_width, record.canvas_height) == (324, 576)
    assert Image.open(folder / "keyframe.png").size == (project.width, project.height)
    assert [layer.name for layer in record.layers][:1] == ["background"]
    assert {"char:maya", "char:kenji"} <= {layer.name for layer in record.layers}
    for layer in record.layers:
        image = Image.open(folder / layer.file)
        assert image.mode == "RGBA" and image.size == (layer.width, layer.height)
        assert 0 <= layer.x and layer.x + layer.width <= record.canvas_width
        assert 0 <= layer.y and layer.y + layer.height <= record.canvas_height
    depths = [layer.depth for layer in record.layers]
    assert depths == sorted(depths, reverse=True), "layers run back to front"


def test_same_inputs_give_identical_bytes(drawn, tmp_path):
    bible, scene, project, records = drawn
    shot = scene.shots[3]
    again = draw_keyframe(shot, scene, bible, project, tmp_path / "again")
    first_record, first_dir = records[shot.code]
    assert again == first_record
    for name in sorted(p.name for p in first_dir.iterdir()):
        assert (first_dir / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_close_up_subject_is_much_bigger_than_in_a_wide_shot(drawn):
    _, scene, _, records = drawn
    wide = _layer(records["ep01_sc01_sh010"][0], "char:maya")
    close = _layer(records["ep01_sc01_sh050"][0], "char:maya")
    # In the close-up the face alone is larger than the whole figure in the wide shot.
    close_face = close.blink.y  # the blink sprite sits on the eyes
    assert close.depth < wide.depth / 2.5
    assert close.width > 3 * wide.width
    assert close_face >= 0


def test_palette_colours_appear_in_every_shot_the_character_is_cast_in(drawn):
    _, scene, _, records = drawn
    for shot in scene.shots:
        record, folder = records[shot.code]
        for cast in shot.casting:
            layer = _layer(record, f"char:{cast.character}")
            image = Image.open(folder / layer.file)
            palette = MAYA_PALETTE if cast.character == "maya" else KENJI_PALETTE
            other = KENJI_PALETTE if cast.character == "maya" else MAYA_PALETTE
            for part in ("hair", "outfit"):
                assert _count(image, palette[part]) >= 20, (shot.code, cast.character, part)
                assert _count(image, other[part]) == 0, (shot.code, cast.character, "other's " + part)
            if layer.blink is not None:  # the face is turned to the camera
                assert _count(image, palette["skin"]) >= 10, (shot.code, cast.character, "skin")


def test_eye_colour_shows_in_a_close_up(drawn):
    record, folder = drawn[3]["ep01_sc01_sh050"]
    layer = _layer(record, "char:maya")
    assert _count(Image.open(folder / layer.file), MAYA_PALETTE["eyes"]) >= 30


def test_a_set_element_is_where_the_projection_puts_it_in_two_shots(drawn):
    bible, scene, project, records = drawn
    cafe = bible.locations["cafe"].set
    window = next(e for e in cafe.elements if e.kind == "window")
    x0, y0, z0, x1, y1, z1 = element_box(window, cafe.width, cafe.depth)
    # The upper-left pane of the glass (the window looks south into the room) and a wall point beside the window.
    pane = (x0 + (x1 - x0) * 0.22, y0 - 0.01, z0 + (z1 - z0) * 0.78)
    wall = (x0 - 0.45, cafe.depth - 0.001, z0 + (z1 - z0) * 0.5)
    seen = 0
    for code in ("ep01_sc01_sh010", "ep01_sc01_sh060"):
        shot = next(s for s in scene.shots if s.code == code)
        camera = lay_out_shot(shot, scene, bible, project.width, project.height).camera.camera()
        record, folder = records[code]
        background = np.asarray(Image.open(folder / "background.png").convert("RGB")).astype(int)
        ox, oy = (record.canvas_width - record.frame_width) // 2, (record.canvas_height - record.frame_height) // 2
        u, v, depth = project_point(camera, *pane, project.width, project.height)
        assert depth > 0 and 0 <= u < project.width and 0 <= v < project.height, code
        r, g, b = background[int(v) + oy, int(u) + ox]
        assert b > r + 25, f"{code}: no sky-blue glass at the projected pane ({r},{g},{b})"
        u, v, _ = project_point(camera, *wall, project.width, project.height)
        r, g, b = background[int(v) + oy, int(u) + ox]
        assert not b > r + 25, f"{code}: the wall beside the window looks like glass"
        seen += 1
    assert seen == 2


def test_screen_side_holds_across_shot_and_reverse_shot(drawn):
    _, scene, _, records = drawn
    for shot in scene.shots:
        record, folder = records[shot.code]
        centre = record.canvas_width / 2
        for layer in record.layers:
            if layer.character is None or layer.blink is None:
                continue
            face_x = layer.blink.x + Image.open(folder / layer.blink.file).width / 2
            if layer.character == "maya":
                assert face_x < centre, shot.code
            elif shot.subject == "kenji" or shot.kind in ("two_shot", "establishing"):
                assert face_x > centre, shot.code


def test_sprites_sit_exactly_over_the_face(drawn):
    record, folder = drawn[3]["ep01_sc01_sh020"]
    layer = _layer(record, "char:maya")
    body = Image.open(folder / layer.file)
    for sprite in (layer.blink, layer.speaking_mouth):
        assert sprite is not None
        patch = Image.open(folder / sprite.file)
        assert layer.x <= sprite.x and sprite.x + patch.width <= layer.x + layer.width
        under = np.asarray(body.crop((sprite.x - layer.x, sprite.y - layer.y, sprite.x - layer.x + patch.width,
                                      sprite.y - layer.y + patch.height))).astype(int)
        over = np.asarray(patch).astype(int)
        changed = np.any(under != over, axis=-1)
        assert changed.any(), sprite.file
        # The frame of the patch matches the layer beneath: only the eyes or the mouth differ.
        assert not changed[0, :].any() and not changed[-1, :].any(), sprite.file


def test_night_exterior_has_a_dark_sky(tmp_path, bible, small_project):
    scene = make_scene("street", "NIGHT", interior=False)
    record = draw_keyframe(scene.shots[0], scene, bible, small_project, tmp_path)
    frame = np.asarray(Image.open(tmp_path / "keyframe.png").convert("RGB")).astype(int)
    assert frame[:20].mean() < 80
    assert json.loads((tmp_path / "camera.json").read_text())["shot"] == record.shot


def test_unknown_character_raises_render_error_with_hint(tmp_path, bible, scene, small_project):
    shot = scene.shots[1].model_copy(update={"casting": [Casting(character="ghost")]})
    with pytest.raises(RenderError) as err:
        draw_keyframe(shot, scene, bible, small_project, tmp_path)
    text = str(err.value)
    assert shot.code in text and "ghost" in text and "maya" in text


def test_unknown_location_raises_render_error(tmp_path, bible, scene, small_project):
    bad = scene.model_copy(update={"location": "moon"})
    with pytest.raises(RenderError, match="moon"):
        draw_keyframe(bad.shots[0], bad, bible, small_project, tmp_path)


def test_character_sheet_shows_the_turnaround_and_expressions_in_the_palette(tmp_path, bible):
    from mangaline.render.sheet import EXPRESSIONS, SHEET_VIEWS

    path = draw_character_sheet(bible.characters["kenji"], tmp_path / "kenji.png", height=400)
    sheet = Image.open(path)
    views = len(SHEET_VIEWS)
    assert set(SHEET_VIEWS) >= {"front", "right", "side_right", "back"}
    assert sheet.size == (views * int(400 * 0.42), 400 + int(400 * 0.36))
    panel_w = sheet.width // views
    for i in range(views):
        panel = sheet.crop((i * panel_w, 0, (i + 1) * panel_w, 400))
        assert _count(panel, KENJI_PALETTE["hair"]) > 30, f"panel {i}"
        assert _count(panel, KENJI_PALETTE["outfit"]) > 30, f"panel {i}"
    cell = sheet.width // len(EXPRESSIONS)
    faces = [np.asarray(sheet.crop((i * cell, 400, (i + 1) * cell, sheet.height))) for i in range(len(EXPRESSIONS))]
    assert _count(Image.fromarray(faces[0]), KENJI_PALETTE["skin"]) > 100
    # Talking and blinking differ from the neutral face (mouth open, eyes shut).
    assert (faces[1] != faces[0]).any() and (faces[2] != faces[0]).any()

"""The camera solve takes the frame's aspect: wider frames are solved again in the set, on the scene's side of the
line, holding a delivery's speakers; the vertical frame's cameras are the ones it always made."""

from __future__ import annotations

import pytest

from mangaline.layout import block_scene, lay_out_shot, place_camera
from mangaline.layout.camera import PORTRAIT
from mangaline.layout.shot import eyeline, head_inside


def _speakers(shot) -> list[str]:
    shown = {c.character for c in shot.casting if c.on_screen}
    return sorted({line.character for line in shot.dialogue if not line.off_screen} & shown)


def test_the_vertical_frame_is_solved_as_it_always_was(bible, scene):
    for shot in scene.shots:
        blocking = eyeline(shot, block_scene(scene, bible))
        default = place_camera(shot, scene, blocking, bible.locations["cafe"].set)
        assert place_camera(shot, scene, blocking, bible.locations["cafe"].set, aspect=PORTRAIT) == default
        assert lay_out_shot(shot, scene, bible, 1080, 1920).camera.camera() == default


@pytest.mark.parametrize("width, height", [(1920, 1080), (1080, 1080)])
def test_a_wider_frame_holds_the_speakers_on_the_same_side_of_the_line(bible, scene, width, height):
    blocking = block_scene(scene, bible)
    line_y = blocking["maya"].y
    moved = 0
    for shot in scene.shots:
        tall = lay_out_shot(shot, scene, bible, 1080, 1920)
        wide = lay_out_shot(shot, scene, bible, width, height, hold=_speakers(shot))
        assert (wide.camera.y < line_y) == (tall.camera.y < line_y), shot.code
        shown = {c.id: c for c in wide.characters}
        for who in _speakers(shot):
            assert who in shown and head_inside(shown[who].head(), width, height), f"{shot.code}: {who}"
        sides = {c.id: c.screen_side for c in tall.characters}
        both = [c.id for c in wide.characters if c.id in sides and len(tall.characters) > 1]
        assert sorted(both, key=lambda cid: shown[cid].face[0]) == sorted(
            both, key=lambda cid: next(c.face[0] for c in tall.characters if c.id == cid)), shot.code
        moved += wide.camera != tall.camera
    assert moved, "a wider frame is placed again in the set"

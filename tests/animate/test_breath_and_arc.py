"""Breathing and the arc move in the motion plan: deterministic breaths per character, an orbit that holds its subject."""

import math

import pytest

from mangaline.model.timing import ShotTiming
from mangaline.render.motion_comic import ARC_DEGREES, depth_parallax, plan_motion
from mangaline.model import CameraMove, KeyframeLayers, Layer

FW, FH = 1080, 1920


def _layers(focal: float | None = 1700.0, depths=(2.5, 5.0), back: float = 9.0, cw: int = 1296, ch: int = 2304) -> KeyframeLayers:
    chars = [Layer(name=f"char:{cid}", file=f"{cid}.png", x=200 + 400 * i, y=900, width=300, height=700, depth=d, character=cid)
             for i, (cid, d) in enumerate(zip(("maya", "ken"), depths))]
    return KeyframeLayers(shot="ep01_sc01_sh010", canvas_width=cw, canvas_height=ch, frame_width=FW, frame_height=FH,
                          layers=[Layer(name="background", file="bg.png", x=0, y=0, width=cw, height=ch, depth=back), *chars],
                          focal=focal)


def _timing(seconds: float = 5.0, fps: int = 24) -> ShotTiming:
    return ShotTiming(frames=round(seconds * fps), duration=round(seconds * fps) / fps)


def test_every_character_breathes_slowly_on_their_own_phase_and_deterministically():
    plan = plan_motion(_layers(), CameraMove.STATIC, _timing(), [], seed=7)
    again = plan_motion(_layers(), CameraMove.STATIC, _timing(), [], seed=7)
    assert plan.breaths == again.breaths and set(plan.breaths) == {"maya", "ken"}
    maya, ken = plan.breaths["maya"], plan.breaths["ken"]
    for breath in (maya, ken):
        assert 3.0 <= breath.period <= 4.0
        assert 2.0 <= breath.rise <= 0.003 * FH + 1e-9, "felt, not seen as a bob"
        assert breath.offset(0) == pytest.approx(breath.rise * 0.5 * (1 - math.cos(breath.phase)))
        peak = max(breath.offset(n / plan.fps) for n in range(plan.frames))
        assert peak == pytest.approx(breath.rise, rel=0.02)
    assert abs(maya.phase - ken.phase) > 0.1, "two people in one shot must not breathe in step"
    assert maya.rise > ken.rise, "the nearer character's breath is larger on screen"


def test_a_breath_moves_the_characters_layer_and_its_sprites_together():
    plan = plan_motion(_layers(), CameraMove.STATIC, _timing(), [], seed=7)
    breath = plan.breaths["maya"]
    n = max(range(plan.frames), key=lambda i: breath.offset(i / plan.fps))
    p = plan.parallax_of("char:maya")
    still = plan.screen_point(n, 300, 1000, p)
    risen = plan.screen_point(n, 300, 1000, p, character="maya")
    assert risen[0] == still[0] and still[1] - risen[1] == pytest.approx(breath.rise, rel=0.02)


def test_a_far_character_is_too_small_to_breathe_visibly():
    plan = plan_motion(_layers(depths=(2.5, 40.0), back=60.0), CameraMove.STATIC, _timing(), [], seed=7)
    assert "maya" in plan.breaths and "ken" not in plan.breaths


@pytest.mark.parametrize("move", [CameraMove.ARC_LEFT, CameraMove.ARC_RIGHT])
def test_an_arc_orbits_the_subject_a_few_degrees_with_layers_moving_by_their_depth(move):
    layers = _layers()
    plan = plan_motion(layers, move, _timing(), [], seed=1)
    subject = (2.5 + 5.0) / 2
    assert plan.parallax_of("background") == 1.0
    near, far = plan.parallax_of("char:maya"), plan.parallax_of("char:ken")
    assert near == pytest.approx((1 - subject / 2.5) / (1 - subject / 9.0), abs=1e-3) and near < 0
    assert 0 < far < 1, "behind the subject, a layer turns with the set but less"
    assert plan.camera_turn_deg == pytest.approx(ARC_DEGREES, rel=0.05)
    assert plan.camera_travel_m == pytest.approx(subject * math.radians(plan.camera_turn_deg), rel=1e-3)
    first, last = plan.camera_at(0), plan.camera_at(plan.frames - 1)
    # Orbiting left the camera turns right: the set behind slides left on screen.
    assert (last.x > first.x) == (move is CameraMove.ARC_LEFT) and first.y == last.y
    n = plan.frames - 1
    subject_x = lambda par: plan.screen_point(n, 600, 1000, par)[0] - plan.screen_point(0, 600, 1000, par)[0]
    back_shift = subject_x(1.0)
    assert abs(subject_x(0.0)) < 1e-6 < abs(back_shift)
    assert subject_x(near) * back_shift < 0 and abs(subject_x(far)) < abs(back_shift)


def test_an_arc_against_the_back_wall_falls_back_to_a_slide():
    assert depth_parallax(CameraMove.ARC_LEFT, 2.0, 4.0, subject_depth=3.9) == pytest.approx(2.0)
    plan = plan_motion(_layers(depths=(8.6, 8.8), back=9.0), CameraMove.ARC_RIGHT, _timing(), [], seed=1)
    assert plan.camera_turn_deg == 0 and plan.camera_travel_m > 0
    assert plan.camera_at(0).x != plan.camera_at(plan.frames - 1).x


def test_an_arc_without_a_lens_still_orbits():
    plan = plan_motion(_layers(focal=None), CameraMove.ARC_LEFT, _timing(), [], seed=1)
    assert plan.parallax_of("char:maya") < 0 < plan.parallax_of("char:ken") < 1

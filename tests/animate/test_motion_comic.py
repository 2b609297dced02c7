"""plan_motion: camera paths per move, parallax from depth, mouth flaps and blinks."""

import json

import pytest

from mangaline.model.motion import MotionPlan, ease_in_out
from mangaline.model.timing import ShotTiming, SpokenLine
from mangaline.render.motion_comic import plan_motion
from mangaline.errors import StepError
from mangaline.model import CameraMove, KeyframeLayers, Layer, Sprite

FW, FH = 1080, 1920


def _layers(cw: int = 1188, ch: int = 2112) -> KeyframeLayers:
    def char(cid: str, x: int, depth: float) -> Layer:
        return Layer(
            name=f"char:{cid}", file=f"{cid}.png", x=x, y=900, width=300, height=600, depth=depth, character=cid,
            speaking_mouth=Sprite(file=f"{cid}_m.png", x=x + 120, y=1250),
            blink=Sprite(file=f"{cid}_b.png", x=x + 100, y=1050),
        )  # fmt: skip

    return KeyframeLayers(
        shot="ep01_sc01_sh010", canvas_width=cw, canvas_height=ch, frame_width=FW, frame_height=FH,
        layers=[Layer(name="background", file="bg.png", x=0, y=0, width=cw, height=ch, depth=10.0),
                char("maya", 200, 2.5), char("ken", 650, 5.0)],
    )  # fmt: skip


def _timing(seconds: float = 5.0, fps: int = 24) -> ShotTiming:
    frames = round(seconds * fps)
    return ShotTiming(frames=frames, duration=frames / fps)


def _inside_canvas(plan: MotionPlan, n: int) -> bool:
    cam = plan.camera_at(n)
    half_w, half_h = FW / cam.zoom / 2, FH / cam.zoom / 2
    return (
        cam.x - half_w >= -1e-6 and cam.x + half_w <= plan.canvas_width + 1e-6
        and cam.y - half_h >= -1e-6 and cam.y + half_h <= plan.canvas_height + 1e-6
    )  # fmt: skip


@pytest.mark.parametrize("move", list(CameraMove))
def test_every_move_keeps_the_window_on_the_canvas_and_moves(move):
    plan = plan_motion(_layers(), move, _timing(), [], seed=1)
    assert all(_inside_canvas(plan, n) for n in range(plan.frames))
    first, last = plan.camera_at(0), plan.camera_at(plan.frames - 1)
    assert (first.x, first.y, first.zoom) != (last.x, last.y, last.zoom), "nothing may be frozen"


def test_move_directions():
    def path(move):
        plan = plan_motion(_layers(), move, _timing(), [], seed=1)
        return plan.camera_at(0), plan.camera_at(plan.frames - 1)

    a, b = path(CameraMove.PUSH_IN)
    assert (a.zoom, b.zoom) == (1.0, pytest.approx(1.15))
    a, b = path(CameraMove.PULL_OUT)
    assert a.zoom > b.zoom == 1.0
    a, b = path(CameraMove.PAN_LEFT)
    assert b.x < a.x and a.y == b.y
    a, b = path(CameraMove.PAN_RIGHT)
    assert b.x > a.x
    a, b = path(CameraMove.TILT_UP)
    assert b.y < a.y and a.x == b.x
    a, b = path(CameraMove.TILT_DOWN)
    assert b.y > a.y


def test_static_drift_is_very_slow():
    plan = plan_motion(_layers(), CameraMove.STATIC, _timing(5.0), [], seed=4)
    a, b = plan.camera_at(0), plan.camera_at(plan.frames - 1)
    assert 0 < abs(b.x - a.x) < 0.03 * FW


def test_camera_eases_in_and_out():
    assert ease_in_out(0) == 0 and ease_in_out(1) == 1 and ease_in_out(0.5) == pytest.approx(0.5)
    plan = plan_motion(_layers(), CameraMove.PAN_RIGHT, _timing(), [], seed=1)
    steps = [plan.camera_at(n + 1).x - plan.camera_at(n).x for n in range(plan.frames - 1)]
    assert steps[0] < steps[len(steps) // 2] > steps[-1]


def test_near_layers_move_more_than_the_background_and_dolly_more_than_pan():
    pan = plan_motion(_layers(), CameraMove.PAN_LEFT, _timing(), [], seed=1)
    dolly = plan_motion(_layers(), CameraMove.DOLLY_LEFT, _timing(), [], seed=1)
    for plan in (pan, dolly):
        bg, maya, ken = (plan.parallax_of(name) for name in ("background", "char:maya", "char:ken"))
        assert bg == 1.0 and maya > ken > bg

        last = plan.frames - 1
        travel = [
            abs(plan.screen_point(last, 500, 500, p)[0] - plan.screen_point(0, 500, 500, p)[0]) for p in (maya, ken, bg)
        ]
        assert travel[0] > travel[1] > travel[2] > 0
    assert dolly.parallax_of("char:maya") > pan.parallax_of("char:maya")


def test_small_canvas_gets_a_slight_zoom_to_make_room_for_a_pan():
    plan = plan_motion(_layers(FW, FH), CameraMove.PAN_RIGHT, _timing(), [], seed=1)
    assert 1.0 < plan.start.zoom <= 1.25
    assert all(_inside_canvas(plan, n) for n in range(plan.frames))


def test_canvas_smaller_than_frame_is_refused():
    with pytest.raises(StepError, match="smaller than the frame"):
        plan_motion(_layers(1000, FH), CameraMove.STATIC, _timing(), [], seed=1)


def _speech_envelope() -> list[float]:
    # Two syllable-like bursts, a long loud vowel, then silence.
    return [0.0, 0.6, 0.9, 0.7, 0.1, 0.0, 0.8, 0.9, 0.2] + [0.9] * 14 + [0.0] * 10


def test_mouth_flaps_inside_the_line_and_the_shot():
    env = _speech_envelope()
    plan = plan_motion(_layers(), CameraMove.STATIC, _timing(2.0), [SpokenLine(character="maya", start=0.5, envelope=env)], seed=1)
    spans = plan.mouths["maya"]
    first, last = 12, 12 + len(env) - 1
    assert all(first <= s.first <= s.last <= last for s in spans)
    # The 14-frame vowel must flap, not gape: no span longer than 4 frames, several spans.
    assert max(s.last - s.first + 1 for s in spans) <= 4
    assert len(spans) >= 4
    assert all(b.first - a.last >= 2 for a, b in zip(spans, spans[1:], strict=False)), "a closed frame between openings"
    open_frames = {n for s in spans for n in range(s.first, s.last + 1)}
    assert 12 + 0 not in open_frames and 12 + 2 in open_frames  # silent start closed, the peak open
    assert "ken" not in plan.mouths


def test_mouth_is_cut_at_the_shot_end_and_off_screen_voices_are_ignored():
    env = [0.9, 0.0] * 30
    plan = plan_motion(
        _layers(),
        CameraMove.STATIC,
        _timing(1.0),
        [SpokenLine(character="maya", start=0.5, envelope=env), SpokenLine(character="narrator", start=0.0, envelope=env)],
        seed=1,
    )
    assert max(s.last for s in plan.mouths["maya"]) <= plan.frames - 1
    assert set(plan.mouths) == {"maya"}


def test_blinks_are_three_frames_every_two_to_five_seconds_and_deterministic():
    timing = _timing(20.0)
    a = plan_motion(_layers(), CameraMove.STATIC, timing, [], seed=7)
    b = plan_motion(_layers(), CameraMove.STATIC, timing, [], seed=7)
    c = plan_motion(_layers(), CameraMove.STATIC, timing, [], seed=8)
    assert a == b
    assert a.blinks != c.blinks
    for spans in a.blinks.values():
        assert len(spans) >= 3
        assert all(s.last - s.first == 2 and 4 <= s.first and s.last < timing.frames for s in spans)
        gaps = [(y.first - x.first) / 24 for x, y in zip(spans, spans[1:], strict=False)]
        assert all(2.0 - 1 / 24 <= g <= 5.0 + 1 / 24 for g in gaps)
    assert a.blinks["maya"] != a.blinks["ken"], "characters blink independently"


def test_plan_round_trips_through_json():
    plan = plan_motion(
        _layers(), CameraMove.DOLLY_RIGHT, _timing(), [SpokenLine(character="ken", start=0.2, envelope=_speech_envelope())], seed=3
    )
    text = plan.model_dump_json()
    assert json.loads(text)["move"] == "dolly_right"
    assert MotionPlan.model_validate_json(text) == plan


def test_a_keyframe_with_a_lens_moves_its_layers_by_their_real_depth():
    layers = _layers().model_copy(update={"focal": 1200.0})
    dolly = plan_motion(layers, CameraMove.DOLLY_LEFT, _timing(), [], seed=1)
    pan = plan_motion(layers, CameraMove.PAN_LEFT, _timing(), [], seed=1)
    back = max(layer.depth for layer in layers.layers)
    for layer in layers.layers:
        # A camera sliding sideways moves a point by focal * travel / depth: relative to the background, back / depth.
        assert dolly.parallax_of(layer.name) == pytest.approx(min(3.0, back / layer.depth), abs=1e-3)
        assert 1.0 <= pan.parallax_of(layer.name) < dolly.parallax_of(layer.name) or layer.depth == back
    shift = abs(dolly.end.x - dolly.start.x)
    assert dolly.camera_travel_m == pytest.approx(shift * back / 1200.0, rel=1e-3)
    assert pan.camera_turn_deg > 0 and pan.camera_travel_m == 0

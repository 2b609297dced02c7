"""The motion-comic animator: camera moves in the set, parallax from each layer's depth, breathing, mouth flaps and blinks."""

from __future__ import annotations

import math
import random

from mangaline.errors import StepError
from mangaline.model import CameraMove, KeyframeLayers
from mangaline.model.motion import Breath, CameraPoint, FrameSpan, LayerMotion, MotionPlan
from mangaline.model.timing import ShotTiming, SpokenLine

__all__ = [
    "ARC_DEGREES",
    "BREATH_RISE_M",
    "MOUTH_THRESHOLD",
    "PIVOT_OFFSET",
    "PUSH_ZOOM",
    "arc_subject_depth",
    "depth_parallax",
    "plan_motion",
]

PUSH_ZOOM = 1.15
"""How far a push-in ends (and a pull-out starts): enough to feel, not enough to soften the art."""
MOUTH_THRESHOLD = 0.3
"""Fraction of a line's peak loudness above which the mouth is drawn open."""
_MOUTH_FLOOR = 0.06  # envelopes quieter than this everywhere are breaths or room tone, not speech
_MAX_OPEN = 4  # frames; longer vowels still flap, which reads as talking rather than gaping
_REST = 2  # closed frames forced after a long open run
_BLINK_FRAMES = 3
_NO_BLINK_HEAD = 4  # frames after the cut with no blink: a blink right on a cut reads as a glitch
_MAX_PAN_ZOOM = 1.25

# How strongly depth turns into parallax for each move: a dolly moves the camera body,
# so near layers slide much more than in a pan (which only turns it).
_PARALLAX_STRENGTH = {
    CameraMove.STATIC: 0.5,
    CameraMove.PUSH_IN: 0.0,
    CameraMove.PULL_OUT: 0.0,
    CameraMove.PAN_LEFT: 0.6,
    CameraMove.PAN_RIGHT: 0.6,
    CameraMove.TILT_UP: 0.6,
    CameraMove.TILT_DOWN: 0.6,
    CameraMove.DOLLY_LEFT: 1.6,
    CameraMove.DOLLY_RIGHT: 1.6,
    CameraMove.ARC_LEFT: 1.6,
    CameraMove.ARC_RIGHT: 1.6,
}
_MAX_PARALLAX = 3.0
PIVOT_OFFSET = 0.12
"""Metres between a pan head's pivot and the lens: why a real pan shows a little parallax."""
ARC_DEGREES = 4.0
"""How far an arc orbits the subject: enough for the set to turn behind them, too little to read as a new angle."""
BREATH_RISE_M = 0.006
"""Metres the shoulders rise on a breath in: felt, not noticed."""
_BREATH_MAX = 0.003  # of the frame height: a close-up must not bob
_BREATH_MIN_PX = 2.0  # 4:2:0 video places layers on even pixels; a smaller rise would never show
_BREATH_PERIOD = (3.2, 4.0)  # seconds; a calm breath at rest
_ARC_BACK_MARGIN = 1.1  # the background must lie this much beyond the subject for an orbit to turn it


def depth_parallax(move: CameraMove, depth: float, back_depth: float, subject_depth: float | None = None) -> float:
    """How much a layer at ``depth`` moves against the background at ``back_depth`` when the camera really moves.

    A pinhole camera sliding sideways shifts a point by focal * travel / depth, so a
    dolly (and the static drift, a slow dolly) gives back_depth / depth. A pan or tilt
    turns the camera on a head whose pivot sits behind the lens, a small arc that
    also slides it; push-ins are zooms and move every layer alike. An arc orbits
    ``subject_depth``: it slides by subject_depth * angle and turns back by the angle,
    so a point at depth d moves as (1 - subject_depth / d): the subject holds still,
    what is behind it turns one way and what is in front the other.
    """
    move = CameraMove(move)
    if move in (CameraMove.ARC_LEFT, CameraMove.ARC_RIGHT):
        if subject_depth is None or back_depth < subject_depth * _ARC_BACK_MARGIN:
            return back_depth / depth  # nothing stands behind the subject to turn: a sideways move is all there is
        return (1.0 - subject_depth / depth) / (1.0 - subject_depth / back_depth)
    if move in (CameraMove.DOLLY_LEFT, CameraMove.DOLLY_RIGHT, CameraMove.STATIC):
        return back_depth / depth
    if move in (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT, CameraMove.TILT_UP, CameraMove.TILT_DOWN):
        return (1.0 + PIVOT_OFFSET / depth) / (1.0 + PIVOT_OFFSET / back_depth)
    return 1.0


def arc_subject_depth(layers: KeyframeLayers) -> float:
    """The depth an arc orbits: the middle of the people in the shot, or halfway into an empty set."""
    people = [layer.depth for layer in layers.layers if layer.character]
    back = max(layer.depth for layer in layers.layers)
    return sum(people) / len(people) if people else back / 2


def plan_motion(
    layers: KeyframeLayers,
    move: CameraMove,
    timing: ShotTiming,
    speech: list[SpokenLine],
    *,
    seed: int,
) -> MotionPlan:
    """Plan the camera path, the parallax per layer, and the mouth and blink frames of one shot."""
    move = CameraMove(move)
    fw, fh, cw, ch = layers.frame_width, layers.frame_height, layers.canvas_width, layers.canvas_height
    if cw < fw or ch < fh:
        raise StepError(
            "plan_motion",
            layers.shot,
            f"canvas {cw}x{ch} is smaller than the frame {fw}x{fh}",
            hint="the storyboard must draw a canvas at least as large as the frame",
        )
    if not layers.layers:
        raise StepError("plan_motion", layers.shot, "the keyframe has no layers")
    if timing.frames < 1:
        raise StepError("plan_motion", layers.shot, "the shot has no frames")
    fps = round(timing.frames / timing.duration)  # ShotTiming keeps frames and seconds, so fps is their ratio
    rng = random.Random(f"{seed}:{layers.shot}:camera")
    back_depth = max(layer.depth for layer in layers.layers)
    arc = move in (CameraMove.ARC_LEFT, CameraMove.ARC_RIGHT)
    subject = arc_subject_depth(layers) if arc else None
    arc_shift = None
    if arc:
        # The background slides focal * angle * (1 - subject / back) while the camera orbits.
        turn = math.radians(ARC_DEGREES)
        arc_shift = (layers.focal or fh) * turn * max(1.0 - subject / back_depth, 0.0)
        if arc_shift < 0.02 * fw:
            arc_shift = 0.04 * fw  # subject against the back wall: the orbit reads as a slow slide
    start, end = _camera_path(move, fw, fh, cw, ch, timing.duration, rng, arc_shift=arc_shift)

    travel_m = turn_deg = 0.0
    if layers.focal:
        # The keyframe knows its lens: move the camera in the set and let each layer's depth decide its motion.
        motions = [LayerMotion(name=layer.name, parallax=round(_clamp(depth_parallax(move, layer.depth, back_depth, subject)), 4))
                   for layer in layers.layers]
        shift = math.hypot(end.x - start.x, end.y - start.y)
        if move in (CameraMove.DOLLY_LEFT, CameraMove.DOLLY_RIGHT, CameraMove.STATIC):
            travel_m = shift * back_depth / layers.focal
        elif move in (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT, CameraMove.TILT_UP, CameraMove.TILT_DOWN):
            turn_deg = math.degrees(math.atan2(shift, layers.focal))
        elif arc and back_depth >= subject * _ARC_BACK_MARGIN:
            # The orbit angle from what the background really did (the canvas may have shortened the move).
            turn = shift / (layers.focal * (1.0 - subject / back_depth))
            turn_deg, travel_m = math.degrees(turn), subject * turn
        elif arc:
            travel_m = shift * back_depth / layers.focal
    elif arc:
        motions = [LayerMotion(name=layer.name, parallax=round(_clamp(depth_parallax(move, layer.depth, back_depth, subject)), 4))
                   for layer in layers.layers]
    else:
        strength = _PARALLAX_STRENGTH[move]
        motions = [
            LayerMotion(
                name=layer.name,
                parallax=round(min(_MAX_PARALLAX, 1.0 + strength * (back_depth / layer.depth - 1.0)), 4),
            )
            for layer in layers.layers
        ]

    speaking = {layer.character for layer in layers.layers if layer.character and layer.speaking_mouth}
    mouths: dict[str, list[FrameSpan]] = {}
    for line in speech:
        if line.character not in speaking:
            continue  # off screen, or drawn without a mouth sprite: the voice plays over the shot
        first = round(line.start * fps)
        spans = _mouth_spans(line.envelope, first, timing.frames)
        mouths[line.character] = _merge(mouths.get(line.character, []) + spans)

    blinks: dict[str, list[FrameSpan]] = {}
    for layer in layers.layers:
        if layer.character and layer.blink and layer.character not in blinks:
            blinks[layer.character] = _blink_spans(seed, layer.character, timing.frames, fps)

    breaths: dict[str, Breath] = {}
    for layer in layers.layers:
        if layer.character and layer.character not in breaths:
            breath = _breath(seed, layer.character, layer.depth, layers.focal, fh)
            if breath is not None:
                breaths[layer.character] = breath

    return MotionPlan(
        shot=layers.shot,
        move=move,
        seed=seed,
        fps=fps,
        frames=timing.frames,
        frame_width=fw,
        frame_height=fh,
        canvas_width=cw,
        canvas_height=ch,
        start=start,
        end=end,
        layers=motions,
        camera_travel_m=round(travel_m, 6),
        camera_turn_deg=round(turn_deg, 6),
        mouths=mouths,
        blinks=blinks,
        breaths=breaths,
    )


def _clamp(parallax: float) -> float:
    return max(-_MAX_PARALLAX, min(_MAX_PARALLAX, parallax))


def _breath(seed: int, character: str, depth: float, focal: float | None, fh: int) -> Breath | None:
    # Seeded by character alone, like blinks: each character keeps their own rhythm from shot to shot.
    rng = random.Random(f"{seed}:{character}:breath")
    period = rng.uniform(*_BREATH_PERIOD)
    phase = rng.uniform(0.0, 2.0 * math.pi)
    rise = min(BREATH_RISE_M * (focal or fh) / depth, _BREATH_MAX * fh)
    if rise < _BREATH_MIN_PX:
        return None
    return Breath(period=round(period, 4), phase=round(phase, 4), rise=round(rise, 3))


def _camera_path(
    move: CameraMove, fw: int, fh: int, cw: int, ch: int, duration: float, rng: random.Random,
    *, arc_shift: float | None = None,
) -> tuple[CameraPoint, CameraPoint]:
    cx, cy = cw / 2, ch / 2
    if move in (CameraMove.PUSH_IN, CameraMove.PULL_OUT):
        near, far = CameraPoint(x=cx, y=cy, zoom=1.0), CameraPoint(x=cx, y=cy, zoom=PUSH_ZOOM)
        return (near, far) if move is CameraMove.PUSH_IN else (far, near)

    # Travel is the whole distance the frame centre covers, in canvas pixels.
    if move is CameraMove.STATIC:
        # A drift of ~0.4% of the frame width per second: too slow to notice as a move,
        # enough that the picture never freezes.
        tx = 0.004 * fw * duration * rng.choice((-1, 1))
        ty = 0.5 * abs(tx) * rng.choice((-1, 1))
    elif move in (CameraMove.PAN_LEFT, CameraMove.DOLLY_LEFT):
        tx, ty = -0.12 * fw if move is CameraMove.PAN_LEFT else -0.10 * fw, 0.0
    elif move in (CameraMove.PAN_RIGHT, CameraMove.DOLLY_RIGHT):
        tx, ty = 0.12 * fw if move is CameraMove.PAN_RIGHT else 0.10 * fw, 0.0
    elif move in (CameraMove.ARC_LEFT, CameraMove.ARC_RIGHT):
        # Orbiting left, the camera turns right to hold the subject: the set behind slides left on screen,
        # which is the frame centre travelling right over the background.
        tx = (arc_shift or 0.10 * fw) * (1 if move is CameraMove.ARC_LEFT else -1)
        ty = 0.0
    elif move is CameraMove.TILT_UP:
        tx, ty = 0.0, -0.08 * fh
    else:  # TILT_DOWN
        tx, ty = 0.0, 0.08 * fh

    # A canvas without room for the move gets a slight constant zoom; past a limit the
    # travel shrinks instead, because more zoom would soften the drawing visibly.
    zoom = max(1.0, fw / max(cw - abs(tx), 1e-6), fh / max(ch - abs(ty), 1e-6))
    if zoom > _MAX_PAN_ZOOM:
        zoom = _MAX_PAN_ZOOM
        tx = max(0.0, cw - fw / zoom) * (1 if tx >= 0 else -1)
        ty = max(0.0, ch - fh / zoom) * (1 if ty >= 0 else -1)
    # A hair inside the limit so rounding in the renderer never reads past the canvas edge.
    tx *= 0.999
    ty *= 0.999
    return (
        CameraPoint(x=cx - tx / 2, y=cy - ty / 2, zoom=round(zoom, 6)),
        CameraPoint(x=cx + tx / 2, y=cy + ty / 2, zoom=round(zoom, 6)),
    )


def _mouth_spans(envelope: list[float], first: int, frames: int) -> list[FrameSpan]:
    peak = max(envelope, default=0.0)
    if peak < _MOUTH_FLOOR:
        return []
    threshold = max(_MOUTH_FLOOR, MOUTH_THRESHOLD * peak)
    open_frames: list[int] = []
    run = rest = 0
    for i, level in enumerate(envelope):
        # A dip between two louder frames is a syllable boundary: close there even if still loud.
        dip = 0 < i < len(envelope) - 1 and level < 0.8 * envelope[i - 1] and level <= envelope[i + 1]
        if rest:
            rest -= 1
            run = 0
        elif level >= threshold and not dip:
            open_frames.append(i)
            run += 1
            if run >= _MAX_OPEN:
                rest = _REST
        else:
            run = 0
    spans: list[FrameSpan] = []
    for i in open_frames:
        n = first + i
        if n < 0 or n >= frames:
            continue
        if spans and spans[-1].last == n - 1:
            spans[-1] = FrameSpan(first=spans[-1].first, last=n)
        else:
            spans.append(FrameSpan(first=n, last=n))
    return spans


def _merge(spans: list[FrameSpan]) -> list[FrameSpan]:
    merged: list[FrameSpan] = []
    for span in sorted(spans, key=lambda s: s.first):
        if merged and span.first <= merged[-1].last + 1:
            merged[-1] = FrameSpan(first=merged[-1].first, last=max(merged[-1].last, span.last))
        else:
            merged.append(span)
    return merged


def _blink_spans(seed: int, character: str, frames: int, fps: int) -> list[FrameSpan]:
    # Seeded by character alone so a character's rhythm is stable when a shot is re-timed.
    rng = random.Random(f"{seed}:{character}:blink")
    spans: list[FrameSpan] = []
    t = rng.uniform(0.3, 2.5)
    while True:
        first = max(_NO_BLINK_HEAD, round(t * fps))
        last = first + _BLINK_FRAMES - 1
        if last >= frames:  # never let the cut chop a blink in half
            break
        if not spans or first > spans[-1].last + 1:
            spans.append(FrameSpan(first=first, last=last))
        t += rng.uniform(2.0, 5.0)
    return spans

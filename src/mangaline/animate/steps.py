"""The animate department's draft step: a shot's clip from the draft video model (the motion comic), timed to its voices."""

from __future__ import annotations

import json

from ..engine import Step, StepContext, StepOutput, TakeView
from ..model import Shot
from ..model.motion import ShotTiming
from ..providers.runtime import Delivery
from ..providers.protocols import VideoRequest
from ..providers.studio import Route, Studio
from .timing import line_events, time_shot

__all__ = ["CLIP", "draft_clip"]


def draft_clip(ctx: StepContext, route: Route, shot: Shot, timing: ShotTiming, voices: dict[str, TakeView],
               layered: TakeView) -> Delivery:
    """A shot's clip from a draft video model: its layered keyframe moved by the shot's camera, mouths on its voices."""
    layers = json.loads(layered.components["layers.json"].read_text())
    brief = {
        "layers": layers,
        "move": shot.move.value,
        "timing": {"frames": timing.frames, "duration": timing.duration, "line_starts": timing.line_starts},
        "spoken": [{"character": line.character, "start": timing.line_starts[line.id], "envelope": voices[line.id].data["envelope"]}
                   for line in shot.dialogue],
    }
    return Studio.open(ctx.resources).video(
        route, VideoRequest(prompt="", duration=timing.duration, width=layers["frame_width"], height=layers["frame_height"],
                            fps=ctx.params["fps"], seed=ctx.seed, brief=brief),
        ctx.workdir, step=ctx.step, entity=ctx.entity,
    )


def clip(ctx: StepContext) -> StepOutput:
    params = ctx.params
    shot = Shot.model_validate(params["shot"])
    fps = params["fps"]
    voices = {line.id: ctx.inputs[f"line:{line.id}"] for line in shot.dialogue}
    seconds = {lid: take.data["duration"] for lid, take in voices.items()}
    timing = time_shot(shot, seconds, fps)
    route = Route.of(params)
    made = draft_clip(ctx, route, shot, timing, voices, ctx.inputs["keyframe"])
    return StepOutput(
        components={"plan.json": made.files["plan.json"]},
        data={
            "frames": timing.frames,
            "duration": timing.duration,
            "line_starts": timing.line_starts,
            "events": line_events(shot, timing, seconds),
            **route.params(),
        },
        provider=route.provider,
        model=route.model,
    )


CLIP = Step(name="animate.clip", version="4", fn=clip, kind="cpu")

"""The animate department's step: a shot's motion-comic plan, timed to its voices."""

from __future__ import annotations

import json

from ..engine import Step, StepContext, StepOutput
from ..model import KeyframeLayers, Shot
from .motion_comic import SpokenLine, plan_motion
from .timing import line_events, time_shot

__all__ = ["CLIP"]


def clip(ctx: StepContext) -> StepOutput:
    params = ctx.params
    shot = Shot.model_validate(params["shot"])
    fps = params["fps"]
    voices = {line.id: ctx.inputs[f"line:{line.id}"] for line in shot.dialogue}
    timing = time_shot(shot, {lid: take.data["duration"] for lid, take in voices.items()}, fps)
    layers = KeyframeLayers.model_validate_json(ctx.inputs["keyframe"].components["layers.json"].read_text())
    spoken = [
        SpokenLine(character=line.character, start=timing.line_starts[line.id], envelope=voices[line.id].data["envelope"])
        for line in shot.dialogue
    ]
    plan = plan_motion(layers, shot.move, timing, spoken, seed=ctx.seed)
    out = ctx.workdir / "plan.json"
    out.write_text(plan.model_dump_json(indent=1))
    events = line_events(shot, timing, {lid: take.data["duration"] for lid, take in voices.items()})
    return StepOutput(
        components={"plan.json": out},
        data={
            "frames": timing.frames,
            "duration": timing.duration,
            "line_starts": timing.line_starts,
            "events": json.loads(json.dumps(events)),
        },
    )


CLIP = Step(name="animate.clip", version="3", fn=clip, kind="cpu")

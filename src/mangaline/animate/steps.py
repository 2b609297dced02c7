"""The animate department's draft step: a shot's clip from the draft video model (the motion comic), timed to its voices."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput, TakeView
from ..model import KeyframeLayers, Shot
from ..model.timing import ShotTiming, SpokenLine, VoicedLine
from ..providers.runtime import Delivery
from ..providers.protocols import VideoRequest
from ..providers.studio import Route, Studio
from .timing import time_shot

__all__ = ["CLIP", "draft_clip", "voiced_lines"]


def voiced_lines(ctx: StepContext, shot: Shot) -> dict[str, VoicedLine]:
    """Each of the shot's lines as its voice take made it, by line id."""
    return {line.id: VoicedLine.model_validate(ctx.inputs[f"line:{line.id}"].data) for line in shot.dialogue}


def draft_clip(ctx: StepContext, route: Route, shot: Shot, timing: ShotTiming, voices: dict[str, VoicedLine],
               layered: TakeView) -> Delivery:
    """A shot's clip from a draft video model: its layered keyframe moved by the shot's camera, mouths on its voices."""
    layers = KeyframeLayers.model_validate_json(layered.components["layers.json"].read_text())
    brief = {
        "layers": layers.model_dump(mode="json"),
        "move": shot.move.value,
        "timing": timing.model_dump(mode="json"),
        "spoken": [SpokenLine(character=line.character, start=timing.line_starts[line.id],
                              envelope=voices[line.id].envelope).model_dump(mode="json") for line in shot.dialogue],
    }
    return Studio.open(ctx.resources).video(
        route, VideoRequest(prompt=ctx.params.get("prompt") or "", duration=timing.duration, width=layers.frame_width, height=layers.frame_height,
                            fps=ctx.params["fps"], seed=ctx.seed, brief=brief),
        ctx.workdir, step=ctx.step, entity=ctx.entity,
    )


def clip(ctx: StepContext) -> StepOutput:
    params = ctx.params
    shot = Shot.model_validate(params["shot"])
    voices = voiced_lines(ctx, shot)
    timing = time_shot(shot, {lid: voiced.duration for lid, voiced in voices.items()}, params["fps"])
    route = Route.of(params)
    made = draft_clip(ctx, route, shot, timing, voices, ctx.inputs["keyframe"])
    return StepOutput(
        components={"plan.json": made.files["plan.json"]},
        data={**timing.model_dump(mode="json"), **route.params(),
              **({"prompt": params["prompt"]} if params.get("prompt") else {})},
        provider=route.provider,
        model=route.model,
        prompt=params.get("prompt"),
    )


CLIP = Step(name="animate.clip", version="4", fn=clip, kind="cpu")

"""The storyboard department's step: a shot's keyframe, from the image model the router picked for it."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..model.layout import ShotLayout
from ..providers.protocols import ImageRequest
from ..providers.studio import Route, Studio

__all__ = ["KEYFRAME"]


def keyframe(ctx: StepContext) -> StepOutput:
    layout = ShotLayout.model_validate(ctx.inputs["layout"].data)
    route = Route.of(ctx.params)
    directed = ctx.params.get("prompt")  # a reviewer's retake prompt (production.retake); the draft draws from the layout
    made = Studio.open(ctx.resources).image(
        route,
        ImageRequest(prompt=directed or "", width=layout.frame_width, height=layout.frame_height, seed=ctx.seed,
                     brief={"kind": "keyframe", "layout": layout.model_dump(mode="json"),
                            # the guide maps are for a model painting over the drawing and for QC of its takes
                            "guides": bool(ctx.params.get("guides", True))}),
        ctx.workdir, step=ctx.step, entity=ctx.entity,
    )
    # the draft's layered drawing: its layers, sprites, guide maps and the flattened keyframe.png
    components = {name: path for name, path in made.files.items() if name != "image"}
    return StepOutput(components=components,
                      data={"shot": layout.shot, **route.params(), **({"prompt": directed} if directed else {})},
                      provider=route.provider, model=route.model, prompt=directed)


KEYFRAME = Step(name="storyboard.keyframe", version="6", fn=keyframe, kind="cpu")

"""The storyboard department's step: a shot's layered keyframe and guide maps, drawn from its layout."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..layout import ShotLayout
from .keyframes import draw_layout

__all__ = ["KEYFRAME"]


def keyframe(ctx: StepContext) -> StepOutput:
    layout = ShotLayout.model_validate(ctx.inputs["layout"].data)
    out = ctx.workdir / "keyframe"
    out.mkdir()
    draw_layout(layout, out, seed=ctx.seed)
    return StepOutput(components={f.name: f for f in sorted(out.iterdir())}, data={"shot": layout.shot})


KEYFRAME = Step(name="storyboard.keyframe", version="4", fn=keyframe, kind="cpu")

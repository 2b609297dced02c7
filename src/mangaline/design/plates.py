"""The design department's set plates: each location's set from each camera spot, painted by an image model.

The draft renderer draws the empty set from the spot (its composition, depth and edges: every pillar,
window and lamp where the set puts it); the image model paints it, given that drawing as its
reference and the guide maps where it takes control images. Every shot near that spot takes the
plate as its reference for the set, so the room looks the same whichever shot shows it.
"""

from __future__ import annotations

from pathlib import Path

from ..engine import Step, StepContext, StepOutput
from ..errors import ProviderError
from ..model.layout import ShotLayout
from ..providers.protocols import ImageRequest
from ..providers.studio import DRAFT, Route, Studio

__all__ = ["SET_PLATE", "plate_prompt"]


def plate_prompt(name: str, description: str, interior: bool, style: str) -> str:
    """The words an image model gets for a set plate."""
    where = "interior" if interior else "exterior"
    parts = [f"Empty {where} set of {name}, {style} style, no people, vertical frame, wide lens"]
    if description.strip():
        parts.append(" ".join(description.split()))
    parts.append("every wall, window, door, piece of furniture and lamp exactly where the reference drawing puts them, "
                 "in its colours and light")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def set_plate(ctx: StepContext) -> StepOutput:
    params = ctx.params
    route = Route.of(params)
    view = ShotLayout.model_validate(ctx.inputs["view"].data)
    studio = Studio.open(ctx.resources)
    work = Path(ctx.workdir)
    drawn = studio.image(DRAFT["image"], ImageRequest(prompt="", width=view.frame_width, height=view.frame_height, seed=ctx.seed,
                                                      brief={"kind": "keyframe", "layout": view.model_dump(mode="json")}),
                         work, step=ctx.step, entity=ctx.entity)
    guides = {name: drawn.files[f"{name}.png"] for name in ("depth", "edges") if f"{name}.png" in drawn.files}
    prompt = plate_prompt(params["name"], params["description"], view.interior, params["style"])
    try:
        made = studio.image(route, ImageRequest(prompt=prompt, width=params["width"], height=params["height"], seed=ctx.seed,
                                                references=(drawn.files["image"],), guides=guides),
                            work, step=ctx.step, entity=ctx.entity)
    except ProviderError as err:
        if not studio.falls_back(err):
            raise
        reason = str(err).splitlines()[0]
        return StepOutput(components={"plate.png": drawn.files["image"], "drawing.png": drawn.files["image"], **_guides(guides)},
                          data={"spot": params["spot"], "fallback": reason, **route.params()}, provider="draft",
                          model=DRAFT["image"].model,
                          warnings=[f"{ctx.entity}: set plate drawn by the draft model instead of {route.model}: {reason}"])
    return StepOutput(components={"plate.png": made.files["image"], "drawing.png": drawn.files["image"], **_guides(guides)},
                      data={"spot": params["spot"], **route.params()}, provider=route.provider, model=route.model,
                      prompt=prompt, cost=made.cost)


def _guides(guides: dict[str, Path]) -> dict[str, Path]:
    return {f"{name}.png": path for name, path in guides.items()}


SET_PLATE = Step(name="design.set_plate", version="1", fn=set_plate, kind="io")

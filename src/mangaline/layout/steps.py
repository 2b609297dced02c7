"""The layout department's step: one shot's camera, blocking and what it sees, as small JSON data."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..errors import StepError
from ..model import Bible, Character, Location, Scene
from .movement import Movement
from .shot import lay_out_shot

__all__ = ["LAYOUT_SHOT"]


def layout_shot(ctx: StepContext) -> StepOutput:
    params = ctx.params
    if params["missing_characters"]:
        names = ", ".join(params["missing_characters"])
        raise StepError("layout.shot", ctx.entity, f"the bible has no character {names}",
                        hint=f"add bible/characters/<id>.yaml for {names}, or run `mangaline build` again to design it")
    if params["location"] is None:
        raise StepError("layout.shot", ctx.entity, f"the bible has no location {params['location_id']}",
                        hint=f"add bible/locations/{params['location_id']}.yaml, or run `mangaline build` again to design it")
    scene = Scene.model_validate(params["scene"])
    shot = next(s for s in scene.shots if s.code == params["shot"])
    location = Location.model_validate(params["location"])
    bible = Bible(characters={cid: Character.model_validate(c) for cid, c in params["characters"].items()},
                  locations={location.id: location})
    frame = params["frame"]
    movements = [Movement.model_validate(m) for m in params.get("movements", [])]
    layout = lay_out_shot(shot, scene, bible, frame["width"], frame["height"], movements=movements)
    # The data is the whole product: a keyframe downstream re-runs only when what its shot sees changes.
    return StepOutput(data=layout.model_dump(mode="json"))


LAYOUT_SHOT = Step(name="layout.shot", version="1", fn=layout_shot, kind="cpu")

"""The layout department's steps: one shot's camera, blocking and what it sees; a set seen from one of its camera spots."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..errors import StepError
from ..model import Bible, Character, Location, Scene
from ..model.layout import Movement
from .set_view import set_view
from .shot import lay_out_shot

__all__ = ["LAYOUT_SET_VIEW", "LAYOUT_SHOT"]


def layout_shot(ctx: StepContext) -> StepOutput:
    params = ctx.params
    if params["missing_characters"]:
        # a character cast in a shot but given no line: the build designs only those who speak
        missing = params["missing_characters"]
        names = ", ".join(missing)
        model = next(iter(sorted(params["characters"])), None)
        add = (f"copy bible/characters/{model}.yaml to bible/characters/{missing[0]}.yaml and change its id and name"
               if model else f"write bible/characters/{missing[0]}.yaml (`mangaline build` designs only characters who speak)")
        raise StepError("layout.shot", ctx.entity, f"the bible has no character {names}: cast in the shot, but never speaking",
                        hint=f"{add}, or take {names} out of the shot's casting in script/")
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
    # a delivery's frame holds its speakers (params "hold"); the project's own frame is the shot size's framing
    layout = lay_out_shot(shot, scene, bible, frame["width"], frame["height"], movements=movements,
                          hold=params.get("hold"))
    # The data is the whole product: a keyframe downstream re-runs only when what its shot sees changes.
    return StepOutput(data=layout.model_dump(mode="json"))


LAYOUT_SHOT = Step(name="layout.shot", version="2", fn=layout_shot, kind="cpu")


def layout_set_view(ctx: StepContext) -> StepOutput:
    location = Location.model_validate(ctx.params["location"])
    spot = next((c for c in location.set.cameras if c.name == ctx.params["spot"]), None)
    if spot is None:
        raise StepError("layout.set_view", ctx.entity, f"the set of {location.id} has no camera spot {ctx.params['spot']!r}",
                        hint=f"bible/locations/{location.id}.yaml lists the set's cameras")
    frame = ctx.params["frame"]
    return StepOutput(data=set_view(location, spot, frame["width"], frame["height"]).model_dump(mode="json"))


LAYOUT_SET_VIEW = Step(name="layout.set_view", version="1", fn=layout_set_view, kind="cpu")
"""The empty set from one camera spot, drawn and painted into the set plate every shot near it takes as reference."""

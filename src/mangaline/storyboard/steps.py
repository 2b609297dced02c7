"""The storyboard department's step: a shot's layered keyframe drawn from the bible."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..errors import StepError
from ..model import Bible, Character, Location, Project, Scene
from .keyframes import draw_keyframe

__all__ = ["KEYFRAME"]


def keyframe(ctx: StepContext) -> StepOutput:
    params = ctx.params
    if params["missing_characters"]:
        names = ", ".join(params["missing_characters"])
        raise StepError(
            "storyboard.keyframe",
            ctx.entity,
            f"the bible has no character {names}",
            hint=f"add bible/characters/<id>.yaml for {names}, or run `mangaline build` again to design it",
        )
    if params["location"] is None:
        raise StepError(
            "storyboard.keyframe",
            ctx.entity,
            f"the bible has no location {params['location_id']}",
            hint=f"add bible/locations/{params['location_id']}.yaml, or run `mangaline build` again to design it",
        )
    scene = Scene.model_validate(params["scene"])
    shot = next(s for s in scene.shots if s.code == params["shot"])
    location = Location.model_validate(params["location"])
    bible = Bible(
        characters={cid: Character.model_validate(c) for cid, c in params["characters"].items()},
        locations={location.id: location},
    )
    frame = params["frame"]
    project = Project(name="frame", width=frame["width"], height=frame["height"], fps=frame["fps"], language=frame["language"])
    out = ctx.workdir / "keyframe"
    out.mkdir()
    draw_keyframe(shot, scene, bible, project, out, seed=ctx.seed)
    return StepOutput(components={f.name: f for f in sorted(out.iterdir())}, data={"shot": shot.code})


KEYFRAME = Step(name="storyboard.keyframe", version="2", fn=keyframe, kind="cpu")

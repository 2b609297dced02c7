"""The animate department's reframe: a clip a video model made, made again by a model in a delivery's frame.

A draft shot is solved again in its set for another frame (layout, keyframe, motion comic); a bought clip has no
set to solve, so a model that takes a made clip as a reference video makes the shot again at the delivery's
ratio (the router picks one whose catalogue entry says ``reframe``: Seedance 2.0's reference mode). The new clip
keeps the shot's timing, so the delivery cuts it to the very frames of the master.
"""

from __future__ import annotations

import shutil

from ..checks import Take, Truth, load_checks, run_checks
from ..engine import Step, StepContext, StepOutput
from ..model.timing import ShotTiming
from ..providers.protocols import VideoRequest
from ..providers.studio import Route, Studio
from .lipsync import TECHNICAL_CHECKS

__all__ = ["REFRAME", "reframe_prompt"]


def reframe_prompt(aspect: str) -> str:
    """What the model is asked: the reference clip again, in the new frame, nothing else changed."""
    return (f"The same shot as the reference video, framed {aspect}: the same characters, set, action, timing and "
            "camera move; extend the set naturally to fill the wider frame, keep every face in the picture, "
            "no new people, no text.")


def reframe(ctx: StepContext) -> StepOutput:
    params = ctx.params
    clip = ctx.inputs["clip"]
    timing = ShotTiming.model_validate(clip.data)
    route = Route.of(params)
    request = VideoRequest(prompt=reframe_prompt(params["aspect"]),
                           duration=float(clip.data.get("requested_seconds") or timing.duration),
                           width=params["width"], height=params["height"], fps=params["fps"], seed=ctx.seed,
                           reference_videos=(clip.components["clip.mp4"],))
    made = Studio.open(ctx.resources).video(route, request, ctx.workdir, step=ctx.step, entity=ctx.entity,
                                            shot_type=params.get("shot_type", "any"))
    video = made.files.get("video") or next(iter(made.files.values()))
    checks = load_checks(params.get("checks", {}), subject="clip", only=TECHNICAL_CHECKS)
    truth = Truth(shot=ctx.entity, width=request.width, height=request.height, duration=request.duration,
                  fps=float(params["fps"]))
    report = run_checks(Take(video, "clip"), truth, checks)
    if not report.passed:
        raise ctx.fail(f"the reframed clip failed QC: {report.summary()}")
    out = ctx.workdir / "clip.mp4"
    shutil.copyfile(video, out)
    return StepOutput(
        components={"clip.mp4": out},
        data={**clip.data, "reframe": {**route.params(), "aspect": params["aspect"], "job_id": made.job_id},
              "qc": report.to_dict()},
        provider=route.provider, model=route.model, cost=made.cost,
    )


REFRAME = Step(name="animate.reframe", version="1", fn=reframe, kind="io")

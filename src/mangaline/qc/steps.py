"""The QC department's step: every cut inside a scene judged by the cut checks (exposure and colour jumps, a continued
action that does not continue).

A take is judged where it is bought (animate.video runs the clip checks on each one and retakes what fails); a cut
is between two shots' finished segments, so it is judged here, once both exist. A failed cut is flagged for a person
(status, `mangaline qc`): which of the two shots to retake is a choice a retake cannot make alone.
"""

from __future__ import annotations

from ..checks import Take, Truth, load_checks, run_cut_checks
from ..engine import Step, StepContext, StepOutput

__all__ = ["QC_CUT"]


def cut(ctx: StepContext) -> StepOutput:
    params = ctx.params
    before, after = params["before"], params["after"]
    checks = load_checks(params.get("checks", {}), subject="cut")
    clip = ctx.inputs["before_clip"].data
    # only a clip made to end on the next shot's keyframe promises the action carries on across the cut
    continuous = bool(clip.get("last_frame"))
    fps = float(params["fps"])
    before_truth = Truth.from_keyframe(before, ctx.inputs["before_keyframe"].components, fps=fps,
                                       continuous_with_next=continuous)
    after_truth = Truth.from_keyframe(after, ctx.inputs["after_keyframe"].components, fps=fps)
    # a segment keeps its first and last frames beside it (edit.segment): the cut is judged by those where they are
    before_parts, after_parts = ctx.inputs["before"].components, ctx.inputs["after"].components
    report = run_cut_checks(
        Take(before_parts["segment.mp4"], "clip", last=before_parts.get("last.png")),
        Take(after_parts["segment.mp4"], "clip", first=after_parts.get("first.png")),
        before_truth, after_truth, checks,
    )
    data = {"before": before, "after": after, "continuous": continuous, **report.to_dict()}
    warnings = []
    if not report.passed:
        data["flagged"] = f"the cut {before} -> {after}: {report.summary()}"
        warnings.append(data["flagged"])
    return StepOutput(data=data, warnings=warnings)


QC_CUT = Step(name="qc.cut", version="2", fn=cut, kind="cpu")

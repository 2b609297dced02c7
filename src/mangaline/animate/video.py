"""The animate department's model step: a shot's clip from a video model, checked by QC, retaken within bounds.

At the standard and premium tiers a shot's clip is not drawn here but bought. The build routed every
paid task before anything was spent (providers/work.py) and put the chosen model in the node's params:

    animate.video       keyframe (first frame; the next shot's keyframe as last frame where the action
                        carries on) + a prompt from the shot + the voices' length -> the studio (journal,
                        ledger, download) -> technical QC -> retake with a new seed, then reroute to the
                        router's next model, at most Project.max_retakes times.

A key the provider refuses (401/403) is never retaken. When the provider is down or refuses the key
and [project] fallback = "draft", the shot is made by the draft video model (the motion comic) and
flagged in its take, so the episode still finishes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..engine import Step, StepContext, StepOutput
from ..errors import (
    AuthenticationError,
    BudgetExceeded,
    ModerationRejected,
    ProviderError,
    ProviderTransient,
    ProviderUnavailable,
    StepError,
    TransientStepError,
)
from ..model import Shot
from ..model.qc import ClipSpec, QcReport, RetakePolicy, TakeRecord
from ..model.script import framing_words
from ..model.timing import ShotTiming, VoicedLine
from ..providers.catalogue import ModelEntry, dimensions
from ..providers.protocols import VideoRequest
from ..providers.router import route
from ..providers.runtime import Delivery
from ..providers.studio import DRAFT, Route, Studio
from ..providers.work import available_providers, clip_needs
from ..technical_qc import check_clip
from .steps import draft_clip, voiced_lines
from .timing import time_shot

__all__ = ["VIDEO", "shot_prompt"]

# ------------------------------------------------------------------------------------------ the prompt


def shot_prompt(shot: Shot, cast: dict[str, dict[str, str]]) -> str:
    """The words a video model gets for a shot: framing, camera, action, and each character as the bible describes them."""
    parts = [framing_words(shot)]
    move = shot.move.value.replace("_", " ")
    parts.append("static camera" if shot.move.value == "static" else f"camera {move}")
    if shot.action.strip():
        parts.append(" ".join(shot.action.split()))
    people = []
    for casting in shot.casting:
        who = cast.get(casting.character)
        if who and casting.on_screen:
            people.append(f"{who['name']}: {who['description']}" if who.get("description") else who["name"])
    if people:
        parts.append("Characters: " + "; ".join(people))
    speaking = sorted({line.speaker for line in shot.dialogue if line.speaker})
    if speaking:
        parts.append(f"{', '.join(speaking)} speaking, natural lip movement")
    parts.append("Vertical frame; keep every character and the set exactly as in the first frame")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def _request(entry: ModelEntry, seconds: float, prompt: str, first: Path, last: Path | None, seed: int, aspect: str,
             fps: int, resolution: str = "720p") -> VideoRequest:
    """The request for one take: as long as the shot where the model can, at the planned resolution where it makes it."""
    caps = entry.capabilities
    if caps.max_duration:
        seconds = min(seconds, caps.max_duration)
    billed = caps.billed_seconds(seconds) or seconds
    resolution = caps.resolution_for(resolution) or caps.resolutions[-1]
    width, height = dimensions(resolution, aspect)
    return VideoRequest(
        prompt=prompt, duration=round(billed, 3), width=width, height=height, fps=caps.output_fps or fps,
        first_frame=first, last_frame=last if caps.first_last_frame else None, seed=seed,
    )


# ------------------------------------------------------------------------------------------ the step


def video_clip(ctx: StepContext) -> StepOutput:
    params = ctx.params
    shot = Shot.model_validate(params["shot"])
    code = shot.code
    fps = params["fps"]
    voices = voiced_lines(ctx, shot)
    timing = time_shot(shot, {lid: voiced.duration for lid, voiced in voices.items()}, fps)
    first = _picture(ctx, "keyframe")
    last = _picture(ctx, "next_keyframe") if "next_keyframe" in ctx.inputs else None
    studio = Studio.open(ctx.resources)
    settings = studio.settings
    if settings is None:
        raise ctx.fail("a paid clip needs the project's studio; run it through `mangaline build`")
    project = settings.project
    prompt = shot_prompt(shot, params["cast"])
    shot_type = params["shot_type"]
    tier = params["tier"]
    policy = RetakePolicy(max_retakes=params["max_retakes"])
    current = Route.of(params)
    tried = [current.model]
    seed = ctx.seed
    history: list[TakeRecord] = []
    while True:
        entry = studio.entry(current.model)
        request = _request(entry, timing.duration, prompt, first, last, seed, project.aspect, fps,
                           params.get("resolution", "720p"))
        try:
            record, delivery, report = _take(ctx, studio, current, request, shot_type)
        except (AuthenticationError, ProviderUnavailable, ProviderTransient) as err:
            if project.fallback == "draft":
                return _fallback(ctx, shot, timing, voices, str(err).splitlines()[0], history)
            if isinstance(err, AuthenticationError):
                raise StepError(ctx.step, code, str(err).splitlines()[0], hint=err.hint) from None
            raise
        history.append(record)
        move = policy.next_move(history)
        if move.kind == "accept":
            break
        if move.kind == "seed":
            seed = move.seed if move.seed is not None else seed + 1
            continue
        failures = " | ".join(f"{t.model} seed {t.seed}: {t.reason}" for t in history)
        if move.kind == "stop":
            raise StepError(
                ctx.step, code, f"no take passed QC ({move.reason}): {failures}",
                hint="the shot is flagged for a person: edit its action or keyframe, raise max_retakes, or set its tier",
            )
        routing = settings.routing
        stats = studio.runtime.ledger.stats(
            prior_passes=routing.prior_passes, prior_failures=routing.prior_failures, failover_after=routing.failover_after
        )
        left = project.budget - studio.runtime.ledger.total(project.currency, catalogue=studio.catalogue)
        try:
            choice = route(
                clip_needs(shot, project.aspect, params.get("resolution", "720p"), last_frame=last is not None), tier, stats,
                budget=left,
                catalogue=studio.catalogue, currency=project.currency, exclude=tried,
                available=available_providers(settings), floor=routing.downgrade_floor, entity=code,
            )
        except (ProviderUnavailable, BudgetExceeded) as err:
            raise StepError(
                ctx.step, code, f"no take passed QC and no other model is left to reroute to ({err}): {failures}",
                hint="the shot is flagged for a person: edit its action or keyframe, configure another provider, or raise the budget",
            ) from None
        current, seed = Route(choice.model, choice.provider, tier), ctx.seed
        tried.append(current.model)
    assert delivery is not None and report is not None
    video = delivery.files.get("video") or next(iter(delivery.files.values()))
    out = ctx.workdir / "clip.mp4"
    shutil.copyfile(video, out)
    warnings = []
    if len(history) > 1:
        warnings.append(f"{code}: {len(history) - 1} retake(s) before a take of {current.model} passed QC")
    return StepOutput(
        components={"clip.mp4": out},
        data={
            **timing.model_dump(mode="json"),
            "tier": tier,
            "model": params["model"],
            "provider": params["provider"],
            "made_by": current.model,
            "seed": seed,
            "requested_seconds": request.duration,
            "last_frame": request.last_frame is not None,
            "job_id": delivery.job_id,
            "takes": [t.to_dict() for t in history],
            "qc": report.to_dict(),
        },
        provider=current.provider,
        model=current.model,
        prompt=prompt,
        cost=sum(t.cost for t in history),
        warnings=warnings,
    )


def _picture(ctx: StepContext, name: str) -> Path:
    take = ctx.inputs[name]
    picture = take.components.get("keyframe.png")
    if picture is None:
        raise ctx.fail(f"the {name} take has no keyframe.png to start the clip from")
    return picture


def _fallback(ctx: StepContext, shot: Shot, timing: ShotTiming, voices: dict[str, VoicedLine], reason: str,
              history: list[TakeRecord]) -> StepOutput:
    """The shot made by the draft video model after its paid model failed for good: flagged, so a person sees it."""
    layered = ctx.inputs.get("draft_keyframe") or ctx.inputs["keyframe"]
    if "layers.json" not in layered.components:
        raise ctx.fail(f"{reason}; and there is no layered keyframe for the draft video model to animate")
    made = draft_clip(ctx, DRAFT["video"], shot, timing, voices, layered)
    flag = f"{shot.code}: made by the draft video model instead of {ctx.params['model']}: {reason}"
    return StepOutput(
        components={"plan.json": made.files["plan.json"]},
        data={**timing.model_dump(mode="json"), "tier": ctx.params["tier"], "model": ctx.params["model"], "provider": ctx.params["provider"],
              "fallback": reason, "takes": [t.to_dict() for t in history]},
        provider="draft", model=DRAFT["video"].model, warnings=[flag], cost=sum(t.cost for t in history),
    )


def _take(
    ctx: StepContext, studio: Studio, current: Route, request: VideoRequest, shot_type: str
) -> tuple[TakeRecord, Delivery | None, QcReport | None]:
    """One take through the studio, judged by QC; a verdict on a fresh take teaches the router its pass rate."""
    code = ctx.entity
    model = current.model
    try:
        delivery = studio.video(current, request, ctx.workdir, step=ctx.step, entity=code, shot_type=shot_type)
    except BudgetExceeded as err:
        raise StepError(ctx.step, code, f"not submitted: {err}", hint=err.hint) from None
    except AuthenticationError:
        raise  # the key is wrong: no seed and no retake can help, and it is not the take's fault
    except ModerationRejected as err:
        return TakeRecord(model, request.seed, False, str(err).split("\n")[0], refused=True), None, None
    except ProviderUnavailable as err:
        if studio.settings is not None and studio.settings.project.fallback == "draft":
            raise
        # not installed or not configured here: another seed cannot help, the next model might
        return TakeRecord(model, request.seed, False, str(err).split("\n")[0], refused=True), None, None
    except ProviderTransient as err:
        if studio.settings is not None and studio.settings.project.fallback == "draft":
            raise
        # the job stays journaled: the engine's retry (or the next build) polls it again instead of paying twice
        raise TransientStepError(ctx.step, code, str(err), hint=err.hint) from None
    except ProviderError as err:
        # the runtime has already recorded the failed job as an outcome of kind "error"
        return TakeRecord(model, request.seed, False, f"the job failed: {str(err).splitlines()[0]}"), None, None
    video = delivery.files.get("video") or next(iter(delivery.files.values()), None)
    if video is None:
        return TakeRecord(model, request.seed, False, "the job delivered no file"), None, None
    report = check_clip(video, ClipSpec(duration=request.duration, width=request.width, height=request.height))
    if not delivery.cached:
        studio.runtime.ledger.record_outcome(model, shot_type, report.passed, entity=code, kind="qc")
    record = TakeRecord(model, request.seed, report.passed, report.summary(), cost=delivery.cost, job_id=delivery.job_id)
    return record, delivery, report


VIDEO = Step(name="animate.video", version="2", fn=video_clip, kind="io")

"""The animate department's model step: a shot's clip from a video model, checked by QC, retaken within bounds.

At the standard and premium tiers a shot's clip is not drawn here but bought. The build routed every
paid task before anything was spent (providers/work.py) and put the chosen model in the node's params:

    animate.video       keyframe (first frame; the next shot's keyframe as last frame where the action
                        carries on) + a prompt from the shot + the voices' length -> the studio (journal,
                        ledger, download) -> QC (every clip check of mangaline.checks against the shot's
                        layout, guides, sheets and lines) -> retake with a new seed, then reroute to the
                        router's next model, at most Project.max_retakes times; with [qc] best_of = N, more
                        takes while the budget allows and the best kept. When no take passes, the best one
                        stands in the edit and the shot is flagged for a person (status, `mangaline qc`).

A key the provider refuses (401/403) is never retaken. When the provider is down or refuses the key
and [project] fallback = "draft", the shot is made by the draft video model (the motion comic) and
flagged in its take, so the episode still finishes.
"""

from __future__ import annotations

import shutil
from functools import partial
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from ..checks import Check, LineTruth, Take, Truth, load_checks, run_checks
from ..checks.judge import JudgeCheck
from ..model.qc import QcReport, RetakePolicy, TakeRecord
from ..model.script import framing_words
from ..model.timing import ShotTiming, VoicedLine
from ..providers.catalogue import ModelEntry, dimensions
from ..providers.protocols import VideoRequest
from ..providers.router import route
from ..providers.runtime import Delivery
from ..providers.studio import DRAFT, Route, Studio
from ..providers.work import available_providers, clip_needs
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
    prompt = params.get("prompt") or shot_prompt(shot, params["cast"])  # a reviewer's retake prompt stands first
    shot_type = params["shot_type"]
    tier = params["tier"]
    qc = params.get("qc", {})
    checks = load_checks(qc.get("checks", {}), subject="clip")
    if qc.get("judge"):
        # a vision model asked about every take, through the runtime: booked, and asked once per take
        judge = Route(qc["judge"]["model"], qc["judge"]["provider"], params["tier"])
        checks.append(JudgeCheck(qc["judge"], ask=partial(studio.ask, judge, step=ctx.step, entity=code,
                                                           shot_type=params["shot_type"])))
    best_of = int(qc.get("best_of", 1))
    policy = RetakePolicy(max_retakes=params["max_retakes"])
    current = Route.of(params)
    tried = [current.model]
    seed = ctx.seed
    history: list[TakeRecord] = []
    judged: list[_Judged] = []  # every take that arrived and was judged, the chosen one among them
    decisions: list[str] = []
    flagged = ""
    while True:
        entry = studio.entry(current.model)
        request = _request(entry, timing.duration, prompt, first, last, seed, project.aspect, fps,
                           params.get("resolution", "720p"))
        truth = _truth(ctx, shot, timing, voices, request.duration, prompt)
        try:
            record, made = _take(ctx, studio, current, request, shot_type, truth, checks)
        except (AuthenticationError, ProviderUnavailable, ProviderTransient) as err:
            if project.fallback == "draft":
                return _fallback(ctx, shot, timing, voices, str(err).splitlines()[0], history)
            if isinstance(err, AuthenticationError):
                raise StepError(ctx.step, code, str(err).splitlines()[0], hint=err.hint) from None
            raise
        history.append(record)
        if made is not None:
            judged.append(made)
        move = policy.next_move(history)
        if move.kind == "accept":
            passed = [j for j in judged if j.record.passed]
            more = _another_for_choice(studio, project, record, len(passed), best_of, len(history), policy.max_retakes)
            if more:
                decisions.append(f"take {len(history)} passed QC (score {made.score:.2f}); {more}")
                seed = max(t.seed for t in history if t.model == current.model) + 1
                continue
            decisions.append(f"take {len(history)} of {current.model} passed QC" if len(passed) == 1 else
                             f"kept the best of {len(passed)} passing takes")
            break
        decisions.append(f"take {len(history)} of {current.model} seed {record.seed} failed: {record.reason}")
        if move.kind == "seed":
            seed = move.seed if move.seed is not None else seed + 1
            decisions.append(move.reason)
            continue
        failures = " | ".join(f"{t.model} seed {t.seed}: {t.reason}" for t in history)
        if move.kind == "stop":
            flagged = f"no take passed QC ({move.reason}): {failures}"
            break
        routing = settings.routing
        stats = studio.runtime.ledger.stats(
            prior_passes=routing.prior_passes, prior_failures=routing.prior_failures, failover_after=routing.failover_after,
            enabled_checks={check.name for check in checks},
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
            flagged = f"no take passed QC and no other model is left to reroute to ({err}): {failures}"
            break
        decisions.append(f"rerouted to {choice.model}: {move.reason}")
        current, seed = Route(choice.model, choice.provider, tier), ctx.seed
        tried.append(current.model)
    if flagged:
        if not judged:
            raise StepError(ctx.step, code, flagged,
                            hint="the shot is flagged for a person: edit its action or keyframe, configure another "
                                 "provider, raise max_retakes or the budget, or set its tier")
        decisions.append("flagged for a person; the best take so far stands in the edit")
    chosen = max(judged, key=lambda j: (j.record.passed, j.score))
    out = ctx.workdir / "clip.mp4"
    shutil.copyfile(chosen.video, out)
    warnings = []
    if flagged:
        warnings.append(f"{code}: {flagged}")
    elif len(history) > 1:
        warnings.append(f"{code}: {len(history) - 1} retake(s) before a take of {chosen.record.model} passed QC")
    return StepOutput(
        components={"clip.mp4": out},
        data={
            **timing.model_dump(mode="json"),
            "tier": tier,
            "model": params["model"],
            "provider": params["provider"],
            "made_by": chosen.record.model,
            "seed": chosen.record.seed,
            "requested_seconds": chosen.request.duration,
            "last_frame": chosen.request.last_frame is not None,
            "job_id": chosen.delivery.job_id,
            "takes": [t.to_dict() for t in history],
            "chosen": history.index(chosen.record),
            "qc": {**chosen.report.to_dict(), "score": round(chosen.score, 4)},
            "judged": [{"take": history.index(j.record), **j.report.to_dict(), "score": round(j.score, 4)} for j in judged],
            "decisions": decisions,
            **({"flagged": flagged} if flagged else {}),
            **({"prompt": params["prompt"]} if params.get("prompt") else {}),
        },
        provider=_provider_of(studio, chosen.record.model, params),
        model=chosen.record.model,
        prompt=prompt,
        cost=sum(t.cost for t in history),
        warnings=warnings,
    )


@dataclass(frozen=True)
class _Judged:
    """A take that arrived and was judged: its record, what the studio delivered, QC's report and the mean score."""

    record: TakeRecord
    delivery: Delivery
    request: VideoRequest
    video: Path
    report: QcReport

    @property
    def score(self) -> float:
        scores = [v.score for v in self.report.verdicts]
        return sum(scores) / len(scores) if scores else 1.0


def _another_for_choice(studio: Studio, project: Any, last: TakeRecord, passed: int, best_of: int, takes: int,
                        max_retakes: int) -> str:
    """Why one more take is bought to choose from (best of N), or "" when the choice is made."""
    if passed >= best_of or takes - 1 >= max_retakes:
        return ""
    left = project.budget - studio.runtime.ledger.total(project.currency, catalogue=studio.catalogue)
    if last.cost > left:
        return ""
    return f"best of {best_of}: another take ({left:.2f} {project.currency} left)"


def _provider_of(studio: Studio, model: str, params: dict[str, Any]) -> str:
    if model == params["model"]:
        return params["provider"]
    return studio.entry(model).provider


def _truth(ctx: StepContext, shot: Shot, timing: ShotTiming, voices: dict[str, VoicedLine], duration: float,
           prompt: str) -> Truth:
    """What the clip must show: the draft keyframe's layout and guides, the sheets of who is in it, its lines."""
    layered = ctx.inputs.get("draft_keyframe") or ctx.inputs["keyframe"]
    sheets = {name.split(":", 1)[1]: view.components["sheet.png"] for name, view in ctx.inputs.items()
              if name.startswith("sheet:") and "sheet.png" in view.components}
    lines = tuple(
        LineTruth(character=line.character, start=timing.line_starts[line.id],
                  end=timing.line_starts[line.id] + voices[line.id].duration, envelope=tuple(voices[line.id].envelope),
                  text=line.text)
        for line in shot.dialogue if line.id in voices and line.id in timing.line_starts
    )
    frame = ctx.params.get("frame", {})
    fields: dict[str, Any] = {"fps": float(ctx.params["fps"]), "duration": duration, "lines": lines, "prompt": prompt,
                              "sheets": sheets, "move": shot.move.value}
    if "layout.json" not in layered.components and frame:
        fields.update(width=int(frame["width"]), height=int(frame["height"]))
    return Truth.from_keyframe(shot.code, layered.components, **fields)


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
    ctx: StepContext, studio: Studio, current: Route, request: VideoRequest, shot_type: str, truth: Truth,
    checks: list[Check],
) -> tuple[TakeRecord, _Judged | None]:
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
        return TakeRecord(model, request.seed, False, str(err).split("\n")[0], refused=True), None
    except ProviderUnavailable as err:
        if studio.settings is not None and studio.settings.project.fallback == "draft":
            raise
        # not installed or not configured here: another seed cannot help, the next model might
        return TakeRecord(model, request.seed, False, str(err).split("\n")[0], refused=True), None
    except ProviderTransient as err:
        if studio.settings is not None and studio.settings.project.fallback == "draft":
            raise
        # the job stays journaled: the engine's retry (or the next build) polls it again instead of paying twice
        raise TransientStepError(ctx.step, code, str(err), hint=err.hint) from None
    except ProviderError as err:
        # the runtime has already recorded the failed job as an outcome of kind "error"
        return TakeRecord(model, request.seed, False, f"the job failed: {str(err).splitlines()[0]}"), None
    video = delivery.files.get("video") or next(iter(delivery.files.values()), None)
    if video is None:
        return TakeRecord(model, request.seed, False, "the job delivered no file"), None
    take = Take(video, "clip")
    report = run_checks(take, truth, checks)
    if not delivery.cached:
        studio.runtime.ledger.record_outcome(model, shot_type, report.passed, entity=code, kind="qc",
                                             failed_checks=[v.check for v in report.failures()])
    record = TakeRecord(model, request.seed, report.passed, report.summary(), cost=delivery.cost, job_id=delivery.job_id)
    if take.info is None or take.info.video_codec is None:
        return record, None  # nothing FFmpeg can read as video: not a take the edit could stand in with
    return record, _Judged(record, delivery, request, Path(video), report)


VIDEO = Step(name="animate.video", version="3", fn=video_clip, kind="io")

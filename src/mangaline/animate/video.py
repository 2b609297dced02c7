"""The animate department's model step: a shot's clip from a video model, checked by QC, retaken within bounds.

At the standard and premium tiers a shot's clip is not drawn here but bought:

    plan_clips(...)     before anything is spent, every paid shot is routed at once (router.plan) within
                        the project's budget left and each episode's budget; the chosen model goes into the
                        shot's node params. A shot that already has a clip, or a journaled job still running,
                        keeps the model it was made with, so a rebuild neither re-spends nor orphans a job.
    animate.video       keyframe (first frame) + a prompt from the shot + the voices' length ->
                        Runtime.video (journal, ledger, download) -> technical QC -> retake with a new
                        seed, then reroute to the router's next model, at most Project.max_retakes times.

The step finds its project from its scratch folder (the engine puts it under DIR/.mangaline/work), so
node params hold only what the clip depends on, never a path. A project may list extra models, or
re-price built-in ones, in DIR/catalogue.toml ([[models]] tables, and optionally [exchange_rates]
usd_per_unit), merged over the built-in catalogue by model id.
"""

from __future__ import annotations

import json
import shutil
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import Settings
from ..engine import Step, StepContext, StepOutput
from ..errors import (
    BudgetExceeded,
    ConfigError,
    ModerationRejected,
    ProjectError,
    ProviderError,
    ProviderTransient,
    ProviderUnavailable,
    StepError,
    TransientStepError,
)
from ..model import Project, Script, Shot
from ..project.folder import CONFIG_NAME, ProjectFolder
from ..project.state import StateDB
from ..providers.catalogue import Catalogue, ModelEntry, dimensions, load_catalogue
from ..providers.journal import Journal
from ..providers.ledger import Ledger
from ..providers.protocols import Modality, VideoRequest
from ..providers.registry import load_provider
from ..providers.reports import shot_tier
from ..providers.router import PlanItem, TaskNeeds, plan, route
from ..providers.runtime import Delivery, PollPolicy, Runtime
from ..qc import ClipSpec, QcReport, RetakePolicy, TakeRecord, check_clip
from .timing import line_events, time_shot

__all__ = [
    "CATALOGUE_OVERRIDE",
    "VIDEO",
    "ClipRoute",
    "clip_needs",
    "find_project_root",
    "plan_clips",
    "project_catalogue",
    "shot_prompt",
]

CATALOGUE_OVERRIDE = "catalogue.toml"
"""A project's own catalogue entries, merged over the built-in catalogue by model id."""

RESULTS_DIR = "results"
"""Downloaded provider results, under DIR/.mangaline/."""

_SIZE_WORDS = {
    "EWS": "extreme wide shot", "WS": "wide shot", "FS": "full shot", "MS": "medium shot",
    "MCU": "medium close-up", "CU": "close-up", "ECU": "extreme close-up",
}  # fmt: skip
_ANGLE_WORDS = {"eye_level": "eye level", "high": "high angle", "low": "low angle", "overhead": "overhead", "dutch": "dutch angle"}


# ------------------------------------------------------------------------------------------ the catalogue


_catalogue_lock = threading.Lock()
_catalogues: dict[tuple[str, float], Catalogue] = {}


def project_catalogue(root: Path) -> Catalogue:
    """The built-in catalogue with DIR/catalogue.toml merged over it; errors name the file and the entry."""
    path = Path(root) / CATALOGUE_OVERRIDE
    if not path.is_file():
        return load_catalogue()
    stamp = (str(path.resolve()), path.stat().st_mtime)
    with _catalogue_lock:
        if stamp in _catalogues:
            return _catalogues[stamp]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    base = load_catalogue().model_dump(mode="json")
    models = {entry["id"]: entry for entry in base["models"]}
    for index, entry in enumerate(raw.get("models", [])):
        if not isinstance(entry, dict) or "id" not in entry:
            raise ConfigError(f"{path}: [[models]] #{index + 1} has no id")
        models[entry["id"]] = entry
    rates = base["exchange_rates"]
    if "exchange_rates" in raw:
        rates = {**rates, **raw["exchange_rates"], "usd_per_unit": {**rates["usd_per_unit"], **raw["exchange_rates"].get("usd_per_unit", {})}}
    try:
        catalogue = Catalogue.model_validate({"schema_version": base["schema_version"], "exchange_rates": rates, "models": list(models.values())})
    except ValidationError as err:
        problems = "; ".join(f"[{'.'.join(str(p) for p in e['loc'])}] {e['msg']}" for e in err.errors(include_url=False))
        raise ConfigError(f"{path}: {problems}", hint="each [[models]] table needs the fields of providers/catalogue.toml") from None
    with _catalogue_lock:
        _catalogues[stamp] = catalogue
    return catalogue


# ------------------------------------------------------------------------------------------ routing


@dataclass(frozen=True)
class ClipRoute:
    """Where one shot's clip comes from: the model the router chose (or the one it was already made with), and why."""

    shot: str
    tier: str
    model: str
    provider: str
    expected_cost: float
    explanation: str
    pinned: bool = False


def clip_needs(shot: Shot, project: Project, resolution: str = "720p") -> TaskNeeds:
    """What a shot's clip asks of a video model, priced at the shot's planned length (voices are not timed yet)."""
    return TaskNeeds(
        Modality.VIDEO, shot_type=shot.kind.value, duration=shot.duration, first_frame=True,
        resolution=resolution, aspect=project.aspect,
    )


def _available(settings: Settings) -> list[str]:
    """Providers the router may use: configured, enabled, and with their key in the environment when they need one."""
    return [pid for pid, table in settings.providers.items() if table.enabled and (not table.api_key_env or table.api_key())]


def plan_clips(script: Script, project: Project, settings: Settings, root: Path) -> dict[str, ClipRoute]:
    """Route every paid shot's clip before anything is spent; draft-tier shots are left to the motion-comic animator.

    Raises BudgetExceeded (naming the budget and the cheapest estimate) when even the cheapest
    capable models do not fit what is left, and ProviderUnavailable when a tier has no usable model.
    """
    shots = [(episode.id, shot) for episode in script.episodes for shot in episode.shots()]
    tiers = {shot.code: shot_tier(settings, shot.code, shot.kind.value) for _, shot in shots}
    paid = [(ep, shot) for ep, shot in shots if tiers[shot.code] != "draft"]
    if not paid:
        return {}
    root = Path(root)
    folder = ProjectFolder.open(root)
    try:
        return _plan(paid, tiers, project, settings, root, folder.state)
    finally:
        folder.close()


def _plan(
    paid: list[tuple[str, Shot]], tiers: dict[str, str], project: Project, settings: Settings, root: Path, db: StateDB
) -> dict[str, ClipRoute]:
    catalogue = project_catalogue(root)
    currency = project.currency
    routing = settings.routing
    ledger = Ledger(db)
    stats = ledger.stats(
        prior_passes=routing.prior_passes, prior_failures=routing.prior_failures, failover_after=routing.failover_after
    )
    spent = ledger.total(currency, catalogue=catalogue)
    active = {job.node: job for job in Journal(db).jobs() if job.active}
    known = {entry.id: entry for entry in catalogue.models}
    routes: dict[str, ClipRoute] = {}
    held = 0.0
    items: list[PlanItem] = []
    for episode_id, shot in paid:
        tier = tiers[shot.code]
        needs = clip_needs(shot, project)
        take = db.latest_take(VIDEO.name, shot.code)
        job = active.get(f"{VIDEO.name}/{shot.code}")
        pinned: tuple[str, str] | None = None
        if take is not None and take.data.get("routed_model") in known and take.data.get("tier") == tier:
            pinned = (take.data["routed_model"], "made with it before; kept so the made clip stays valid")
        elif job is not None and job.model in known:
            pinned = (job.model, f"job {job.job_id} is still running; the build resumes it")
            entry = known[job.model]
            seconds = entry.capabilities.billed_seconds(needs.duration) or needs.duration
            width, height = dimensions(needs.resolution, needs.aspect)
            held += catalogue.quote(entry, currency=currency, seconds=seconds, width=width, height=height).cost
        if pinned is not None:
            entry = known[pinned[0]]
            routes[shot.code] = ClipRoute(shot.code, tier, entry.id, entry.provider, 0.0, f"kept {entry.id}: {pinned[1]}", pinned=True)
        else:
            items.append(PlanItem(shot.code, needs, tier, episode_id))
    if not items:
        return routes
    left = project.budget - spent - held
    episode_budget = None
    if routing.episode_budget:
        # plan() takes one limit for every episode: the tightest of what each episode has left
        episode_budget = min(
            routing.episode_budget - ledger.total(currency, entity_prefix=f"{ep}_", catalogue=catalogue)
            for ep in sorted({item.episode for item in items})
        )
    try:
        priced = plan(
            items, stats, budget=left, episode_budget=episode_budget, catalogue=catalogue, currency=currency,
            floor=routing.downgrade_floor, available=_available(settings),
        )
    except BudgetExceeded as err:
        said = str(err).split("\n")[0].removeprefix("provider router: ")
        raise BudgetExceeded(
            "router",
            f"the clips of {len(items)} shot(s) do not fit: {said}; the project budget is {project.budget:.2f} {currency}, "
            f"{spent:.2f} spent, {held:.2f} held by running jobs. Nothing was submitted",
            hint=err.hint,
        ) from None
    for item, choice in zip(priced.items, priced.choices, strict=True):
        routes[item.entity] = ClipRoute(item.entity, item.tier, choice.model, choice.provider, choice.expected_cost, choice.explain())
    return routes


# ------------------------------------------------------------------------------------------ the prompt


def shot_prompt(shot: Shot, cast: dict[str, dict[str, str]]) -> str:
    """The words a video model gets for a shot: framing, camera, action, and each character as the bible describes them."""
    parts = [f"{_SIZE_WORDS.get(shot.size.value, shot.size.value)}, {_ANGLE_WORDS.get(shot.angle.value, shot.angle.value)}"]
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


# ------------------------------------------------------------------------------------------ the step's studio


def find_project_root(path: Path) -> Path:
    """The project folder above ``path`` (the folder holding mangaline.toml)."""
    for candidate in [Path(path), *Path(path).parents]:
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise ProjectError(f"{path} is not inside a mangaline project (no {CONFIG_NAME} above it)")


@dataclass
class _Studio:
    """One project's settings, catalogue and provider runtime, shared by the video steps of one process."""

    settings: Settings
    catalogue: Catalogue
    runtime: Runtime
    ledger: Ledger
    adapters: dict[tuple[str, str], Any]


_studio_lock = threading.Lock()
_studios: dict[str, tuple[tuple[float, float], _Studio]] = {}


def _studio(root: Path) -> _Studio:
    """Shared per process and project: one runtime holds the budget reservations of every job in flight."""
    config = root / CONFIG_NAME
    override = root / CATALOGUE_OVERRIDE
    stamp = (config.stat().st_mtime, override.stat().st_mtime if override.is_file() else 0.0)
    key = str(root.resolve())
    with _studio_lock:
        held = _studios.get(key)
        if held is not None and held[0] == stamp:
            return held[1]
        settings = ProjectFolder(root).settings
        catalogue = project_catalogue(root)
        db = held[1].ledger.db if held is not None else StateDB.for_folder(root / ".mangaline")
        poll = settings.routing.poll_seconds
        runtime = Runtime(
            db, root / ".mangaline" / RESULTS_DIR, catalogue=catalogue, currency=settings.project.currency,
            budget=settings.project.budget, providers=dict(settings.providers),
            poll=PollPolicy(first=poll, max_interval=max(30.0, poll)),
        )
        studio = _Studio(settings, catalogue, runtime, Ledger(db), {})
        _studios[key] = (stamp, studio)
        return studio


def _adapter(studio: _Studio, provider: str, model: str) -> Any:
    with _studio_lock:
        adapter = studio.adapters.get((provider, model))
    if adapter is None:
        adapter = load_provider(provider, studio.settings, model=model, modality="video")
        with _studio_lock:
            studio.adapters[(provider, model)] = adapter
    return adapter


def _request(entry: ModelEntry, seconds: float, prompt: str, keyframe: Path, seed: int, aspect: str, fps: int) -> VideoRequest:
    """The request for one take: as long as the shot where the model can, at 720p where it makes 720p."""
    caps = entry.capabilities
    if caps.max_duration:
        seconds = min(seconds, caps.max_duration)
    billed = caps.billed_seconds(seconds) or seconds
    resolution = "720p" if not caps.resolutions or "720p" in caps.resolutions else caps.resolutions[0]
    width, height = dimensions(resolution, aspect)
    return VideoRequest(
        prompt=prompt, duration=round(billed, 3), width=width, height=height, fps=caps.output_fps or fps,
        first_frame=keyframe, seed=seed,
    )


# ------------------------------------------------------------------------------------------ the step


def video_clip(ctx: StepContext) -> StepOutput:
    params = ctx.params
    shot = Shot.model_validate(params["shot"])
    code = shot.code
    fps = params["fps"]
    voices = {line.id: ctx.inputs[f"line:{line.id}"] for line in shot.dialogue}
    timing = time_shot(shot, {lid: take.data["duration"] for lid, take in voices.items()}, fps)
    keyframe = ctx.inputs["keyframe"].components.get("keyframe.png")
    if keyframe is None:
        raise ctx.fail("the keyframe take has no keyframe.png to start the clip from")
    root = find_project_root(ctx.workdir)
    studio = _studio(root)
    settings = studio.settings
    project = settings.project
    prompt = shot_prompt(shot, params["cast"])
    shot_type = params["shot_type"]
    tier = params["tier"]
    policy = RetakePolicy(max_retakes=params["max_retakes"])
    model, provider = params["model"], params["provider"]
    tried = [model]
    seed = ctx.seed
    history: list[TakeRecord] = []
    while True:
        entry = studio.catalogue.model(model)
        request = _request(entry, timing.duration, prompt, keyframe, seed, project.aspect, fps)
        record, delivery, report = _take(ctx, studio, provider, model, request, shot_type)
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
        stats = studio.ledger.stats(
            prior_passes=routing.prior_passes, prior_failures=routing.prior_failures, failover_after=routing.failover_after
        )
        left = project.budget - studio.ledger.total(project.currency, catalogue=studio.catalogue)
        try:
            choice = route(
                clip_needs(shot, project), tier, stats, budget=left, catalogue=studio.catalogue,
                currency=project.currency, exclude=tried, available=_available(settings),
                floor=routing.downgrade_floor, entity=code,
            )
        except (ProviderUnavailable, BudgetExceeded) as err:
            raise StepError(
                ctx.step, code, f"no take passed QC and no other model is left to reroute to ({err}): {failures}",
                hint="the shot is flagged for a person: edit its action or keyframe, configure another provider, or raise the budget",
            ) from None
        model, provider, seed = choice.model, choice.provider, ctx.seed
        tried.append(model)
    assert delivery is not None and report is not None
    video = delivery.files.get("video") or next(iter(delivery.files.values()))
    out = ctx.workdir / "clip.mp4"
    shutil.copyfile(video, out)
    events = line_events(shot, timing, {lid: take.data["duration"] for lid, take in voices.items()})
    warnings = []
    if len(history) > 1:
        warnings.append(f"{code}: {len(history) - 1} retake(s) before a take of {model} passed QC")
    return StepOutput(
        components={"clip.mp4": out},
        data={
            "frames": timing.frames,
            "duration": timing.duration,
            "line_starts": timing.line_starts,
            "events": json.loads(json.dumps(events)),
            "tier": tier,
            "routed_model": params["model"],
            "model": model,
            "provider": provider,
            "seed": seed,
            "requested_seconds": request.duration,
            "job_id": delivery.job_id,
            "takes": [t.to_dict() for t in history],
            "qc": report.to_dict(),
        },
        provider=provider,
        model=model,
        prompt=prompt,
        cost=sum(t.cost for t in history),
        warnings=warnings,
    )


def _take(
    ctx: StepContext, studio: _Studio, provider: str, model: str, request: VideoRequest, shot_type: str
) -> tuple[TakeRecord, Delivery | None, QcReport | None]:
    """One take through the runtime, judged by QC; a verdict on a fresh take teaches the router its pass rate."""
    code = ctx.entity
    try:
        adapter = _adapter(studio, provider, model)
        delivery = studio.runtime.video(provider, model, adapter, request, step=ctx.step, entity=code, shot_type=shot_type)
    except BudgetExceeded as err:
        raise StepError(ctx.step, code, f"not submitted: {err}", hint=err.hint) from None
    except ModerationRejected as err:
        return TakeRecord(model, request.seed, False, str(err).split("\n")[0], refused=True), None, None
    except ProviderUnavailable as err:
        # not installed or not configured here: another seed cannot help, the next model might
        return TakeRecord(model, request.seed, False, str(err).split("\n")[0], refused=True), None, None
    except ProviderTransient as err:
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
        studio.ledger.record_outcome(model, shot_type, report.passed, entity=code, kind="qc")
    record = TakeRecord(model, request.seed, report.passed, report.summary(), cost=delivery.cost, job_id=delivery.job_id)
    return record, delivery, report


VIDEO = Step(name="animate.video", version="1", fn=video_clip, kind="io")

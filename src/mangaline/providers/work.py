"""The work a build buys: every asset of every kind, routed together within one budget before anything is spent.

    sheet     [character]         a turnaround sheet (image; the draft sheet is its composition reference)
    plate     [location@spot]     the empty set from one of its camera spots (image, paid tiers: the draft drawing of
                                  the set is its reference; every shot near the spot takes the plate as its set)
    keyframe  [shot]              the shot's picture (image; references: the draft keyframe, the set plate, and one
                                  board of the cast, each cut from their sheet in the view the layout draws them)
    clip      [shot]              the shot moving (video: the keyframe as first frame, the next one as last when continuous)
    voice     [character]         every line the character speaks (speech; one model per character, so one voice)
    lipsync   [shot]              a paid clip whose speaker is on screen, its mouths redrawn to the voices; routed
                                  after the clips, only to a provider that lip-syncs the clip its own model made
    music     [scene]             the scene's bed (music), and
    effects   [sound:word]        one sound a shot's action calls for, in the script's word for it (sound effects;
                                  every shot that asks for it shares it, so it is priced once): routed only at a paid tier to a
                                  configured provider; otherwise the sound department's library and offline synth
                                  make them, which is not a fallback (a cue the project's library covers is not
                                  priced: the library's file wins over the model)
    reframe   [shot@16x9]         a delivery's frame of a shot whose clip a video model made: the clip made again by
                                  a model that reframes (a reference video), at the frame's ratio
    repaint   [shot@16x9]         a delivery's frame of a shot the motion comic moves over a keyframe a model painted:
                                  painted again by the keyframe's own model over the composition solved for the frame

The two delivery kinds (``delivery_items``) are planned only where deliveries are asked for (``deliver``, or
``cost``/``models`` with the frames delivered before or named by ``--formats``), after the build's own tasks,
since which shots need them follows from the clips' and keyframes' routes; they share the project's budget.

``work_items`` lists them for a script and bible; ``plan_work`` routes each at its tier among the
providers configured here, pins what was already made (or is still running) to the model that made
it, falls back to the draft model where nothing configured can do a task (saying why), and prices
the rest together: ``mangaline build``, ``models``, ``cost`` and the cost benchmark all call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..config import Settings
from ..errors import BudgetExceeded, MangalineError, ProviderUnavailable
from ..model import Bible, Script, Shot
from .catalogue import Catalogue
from .protocols import Modality
from .router import PlanItem, RouteStats, TaskNeeds, plan, route
from .studio import Route

__all__ = ["DELIVERY_KINDS", "KINDS", "WorkPlan", "available_providers", "clip_needs", "configured", "continuous",
           "delivery_items", "plate_id", "plan_work", "shot_tier", "work_items"]

KINDS = ("sheet", "plate", "keyframe", "clip", "voice", "lipsync", "music", "effects", "reframe", "repaint")
DELIVERY_KINDS = ("reframe", "repaint")
SOUND_KINDS = {"music": Modality.MUSIC, "effects": Modality.SOUND_EFFECTS}

SHEET_ASPECT = "3:2"
"""A turnaround sheet: five views side by side over a strip of expressions."""


def shot_tier(settings: Settings, code: str, kind: str) -> str:
    """A shot's tier: [routing] shot_tiers by shot code, then by shot kind, then the project's tier."""
    tiers = settings.routing.shot_tiers
    return tiers.get(code) or tiers.get(kind) or settings.project.tier


def configured(settings: Settings, provider: str) -> bool:
    """Whether the router may use ``provider``: the built-in draft, or enabled with its key in the environment if it needs one."""
    if provider == "draft":
        return True
    table = settings.providers.get(provider)
    return bool(table and table.enabled and (not table.api_key_env or table.api_key()))


def available_providers(settings: Settings) -> list[str]:
    """The configured providers the router may use (the draft is always there besides them)."""
    return [pid for pid in settings.providers if configured(settings, pid)]


def task_key(kind: str, entity: str) -> str:
    return f"{kind}:{entity}"


def plate_id(location: str, spot: str) -> str:
    """A set plate's entity: the location and the camera spot it is seen from."""
    return f"{location}@{spot}"


def work_items(script: Script, bible: Bible, settings: Settings, *, resolution: str = "720p",
               sounds: Mapping[str, tuple[float, str]] | None = None) -> list[PlanItem]:
    """Every task a build of ``script`` routes, one PlanItem each (entity ``kind:id``), at its tier.

    ``sounds`` are the seconds of sound a model would be asked for, and the episode that first asks, by "music:<scene>"
    and "effects:<sound>:<word>" (the sound department reads them from the script; the composition root passes them);
    without them no sound is routed.
    """
    project = settings.project
    aspect = project.aspect
    items: list[PlanItem] = []
    for cid in sorted(bible.characters):
        items.append(PlanItem(task_key("sheet", cid), TaskNeeds(Modality.IMAGE, references=1, resolution="1080p",
                                                                aspect=SHEET_ASPECT), project.tier))
    for lid in sorted({scene.location for scene in script.scenes() if scene.location in bible.locations}):
        for spot in bible.locations[lid].set.cameras:
            items.append(PlanItem(task_key("plate", plate_id(lid, spot.name)),
                                  TaskNeeds(Modality.IMAGE, references=1, resolution=resolution, aspect=aspect), project.tier))
    located = {shot.code: scene.location for scene in script.scenes() for shot in scene.shots}
    spoken: dict[str, int] = {}
    languages: dict[str, str] = {}
    for episode in script.episodes:
        shots = episode.shots()
        for index, shot in enumerate(shots):
            tier = shot_tier(settings, shot.code, shot.kind.value)
            cast = [c.character for c in shot.casting if c.on_screen and c.character in bible.characters]
            location = bible.locations.get(located.get(shot.code, ""))
            plate = bool(location is not None and location.set.cameras)
            items.append(PlanItem(task_key("keyframe", shot.code),
                                  TaskNeeds(Modality.IMAGE, shot_type=shot.kind.value, references=1 + plate + bool(cast),
                                            resolution=resolution, aspect=aspect), tier, episode.id))
            following = shots[index + 1] if index + 1 < len(shots) else None
            items.append(PlanItem(task_key("clip", shot.code),
                                  clip_needs(shot, aspect, settings.routing.clip_resolution.get(tier, resolution),
                                             last_frame=continuous(shot, following)),
                                  tier, episode.id))
            if any(line.character in cast for line in shot.dialogue):
                items.append(PlanItem(task_key("lipsync", shot.code),
                                      TaskNeeds(Modality.LIPSYNC, shot_type=shot.kind.value, duration=shot.duration),
                                      tier, episode.id))
            for line in shot.dialogue:
                spoken[line.character] = spoken.get(line.character, 0) + len(line.text)
                languages.setdefault(line.character, line.language or project.language)
    for cid in sorted(spoken):
        items.append(PlanItem(task_key("voice", cid), TaskNeeds(Modality.SPEECH, characters=spoken[cid],
                                                                 language=languages[cid]), project.tier))
    for key, (seconds, episode_id) in sorted((sounds or {}).items()):
        # at the project's tier: an effect is shared by shots that may differ in tier
        items.append(PlanItem(key, TaskNeeds(SOUND_KINDS[key.split(":", 1)[0]], duration=seconds), project.tier, episode_id))
    return items


def delivery_items(items: Iterable[PlanItem], aspects: Iterable[str], settings: Settings) -> list[PlanItem]:
    """The tasks a delivery in each of ``aspects`` ("16:9", "1:1") may buy, from the build's own ``items``: per shot and
    frame a reframe of its clip ("reframe:<shot>@16x9") and a repaint of its keyframe ("repaint:<shot>@16x9").

    plan_work keeps only what the shot's routes call for: a reframe where a video model makes the clip, a repaint
    where the motion comic moves a keyframe a model painted. The project's own frame is the master's: nothing to buy.
    """
    project = settings.project
    own = {name for name in aspects if _same_ratio(name, project.aspect)}
    frames = [name for name in dict.fromkeys(aspects) if name not in own]
    found: list[PlanItem] = []
    for item in items:
        kind, code = item.entity.split(":", 1)
        for name in frames:
            entity = f"{code}@{name.replace(':', 'x')}"
            if kind == "clip":
                needs = TaskNeeds(Modality.VIDEO, shot_type=item.needs.shot_type, duration=item.needs.duration,
                                  reframe=True, resolution=item.needs.resolution, aspect=name)
                found.append(PlanItem(task_key("reframe", entity), needs, item.tier, item.episode))
            elif kind == "keyframe":
                # painted at 720p in the frame's ratio (production.delivery_node), over the same references
                found.append(PlanItem(task_key("repaint", entity), replace(item.needs, resolution="720p", aspect=name),
                                      item.tier, item.episode))
    return found


def _same_ratio(a: str, b: str) -> bool:
    (aw, ah), (bw, bh) = (tuple(int(v) for v in x.split(":")) for x in (a, b))
    return aw * bh == ah * bw


def clip_needs(shot: Shot, aspect: str, resolution: str = "720p", *, last_frame: bool = False) -> TaskNeeds:
    """What a shot's clip asks of a video model, priced at the shot's planned length (voices are not timed yet)."""
    return TaskNeeds(
        Modality.VIDEO, shot_type=shot.kind.value, duration=shot.duration, first_frame=True, last_frame=last_frame,
        resolution=resolution, aspect=aspect,
    )


def continuous(shot: Shot, following: Shot | None) -> bool:
    """Whether the next shot carries on this one's action in one set-up, so its keyframe can be this clip's last frame.

    Only a cut inside one continuous action qualifies: the same scene (codes share the scene prefix),
    the same subject, and this shot moving the camera toward the next framing (a push-in or pull-out).
    """
    if following is None or shot.code.rsplit("_", 1)[0] != following.code.rsplit("_", 1)[0]:
        return False
    return bool(shot.subject) and shot.subject == following.subject and shot.move.value in ("push_in", "pull_out")


@dataclass
class WorkPlan:
    """Every task's route, what fell back to draft and why, the downgrades the budget forced, and the expected total."""

    routes: dict[str, Route] = field(default_factory=dict)
    items: dict[str, PlanItem] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)
    downgrades: tuple[str, ...] = ()
    currency: str = "USD"

    @property
    def total(self) -> float:
        return sum(r.expected_cost for r in self.routes.values())

    def route(self, kind: str, entity: str) -> Route:
        return self.routes[task_key(kind, entity)]

    def by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for key, r in self.routes.items():
            kind = key.split(":", 1)[0]
            totals[kind] = totals.get(kind, 0.0) + r.expected_cost
        return totals

    def by_episode(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for key, r in self.routes.items():
            episode = self.items[key].episode if key in self.items else ""
            totals[episode] = totals.get(episode, 0.0) + r.expected_cost
        return totals


def _draft_route(needs: TaskNeeds, catalogue: Catalogue, currency: str) -> Route:
    # the draft draws from its brief: it needs no references and ends a clip where its plan ends
    choice = route(replace(needs, references=0, last_frame=False), "draft", catalogue=catalogue, currency=currency)
    return Route(choice.model, choice.provider, "draft", 0.0, choice.explain())


def plan_work(
    items: Iterable[PlanItem],
    *,
    settings: Settings,
    catalogue: Catalogue,
    stats: RouteStats | None = None,
    spent: float = 0.0,
    held: float = 0.0,
    pinned: Callable[[str, PlanItem], str | None] | None = None,
    episode_left: Callable[[str], float] | None = None,
    available: list[str] | None = None,
) -> WorkPlan:
    """Route every task: draft tasks to the draft models, paid ones within what is left of the budget.

    ``pinned(key, item)`` names the model a task must keep (it made the task's take, or a job of it
    is still running) or None. Raises BudgetExceeded, naming the budget and the cheapest estimate,
    when even the cheapest configured models do not fit; nothing has been spent then.
    """
    project = settings.project
    currency = project.currency
    routing = settings.routing
    stats = stats or RouteStats()
    available = available_providers(settings) if available is None else available
    known = {entry.id: entry for entry in catalogue.models}
    work = WorkPlan(currency=currency)
    paid: list[PlanItem] = []
    items = list(items)
    later = ("lipsync:", *(f"{kind}:" for kind in DELIVERY_KINDS))
    lipsyncs = [item for item in items if item.entity.startswith("lipsync:")]
    deliveries = [item for item in items if item.entity.split(":", 1)[0] in DELIVERY_KINDS]
    for item in [item for item in items if not item.entity.startswith(later)]:
        key = item.entity
        if item.needs.modality in SOUND_KINDS.values():
            # the library and the offline synth are the sound department's own: without a paid tier and a
            # configured model that can make it, a sound has no route and is no fallback
            if item.tier == "draft":
                continue
            try:
                route(item.needs, item.tier, stats, catalogue=catalogue, currency=currency, available=available,
                      floor=routing.downgrade_floor, entity=key)
            except MangalineError:
                continue
            work.items[key] = item
            kept = pinned(key, item) if pinned is not None else None
            if kept in known:
                work.routes[key] = Route(kept, known[kept].provider, item.tier, 0.0, f"kept {kept}: it made this task's take")
            else:
                paid.append(item)
            continue
        work.items[key] = item
        if item.tier == "draft":
            work.routes[key] = _draft_route(item.needs, catalogue, currency)
            continue
        if key.startswith("clip:") and item.needs.shot_type in routing.stills:
            # an establishing shot is a still with a camera move over its painted keyframe: no video model needed
            still = _draft_route(item.needs, catalogue, currency)
            work.routes[key] = replace(still, explanation=f"a {item.needs.shot_type} shot is a still with a camera move "
                                                          "([routing] stills)")
            continue
        kept = pinned(key, item) if pinned is not None else None
        if kept in known:
            entry = known[kept]
            work.routes[key] = Route(entry.id, entry.provider, item.tier, 0.0, f"kept {entry.id}: it made this task's take")
            continue
        try:
            route(item.needs, item.tier, stats, catalogue=catalogue, currency=currency, available=available,
                  floor=routing.downgrade_floor, entity=key)
        except MangalineError as err:
            reason = str(err).split("\n")[0].removeprefix("provider router: ")
            work.fallbacks[key] = reason
            work.routes[key] = _draft_route(item.needs, catalogue, currency)
            continue
        paid.append(item)
    if not paid:
        work = _lip_sync(work, lipsyncs, settings, catalogue, stats, project.budget - spent - held, available, pinned)
        return _deliveries(work, deliveries, settings, catalogue, stats, project.budget - spent - held, spent, held,
                           available, pinned)
    left = project.budget - spent - held
    episode_budget = None
    if routing.episode_budget and episode_left is not None:
        episode_budget = min(episode_left(ep) for ep in sorted({i.episode for i in paid if i.episode}) or [""])
    try:
        priced = plan(paid, stats, budget=left, episode_budget=episode_budget, catalogue=catalogue, currency=currency,
                      floor=routing.downgrade_floor, available=available)
    except BudgetExceeded as err:
        said = str(err).split("\n")[0].removeprefix("provider router: ")
        raise BudgetExceeded(
            "router",
            f"the {len(paid)} paid task(s) do not fit: {said}; the project budget is {project.budget:.2f} {currency}, "
            f"{spent:.2f} spent, {held:.2f} held by running jobs. Nothing was submitted",
            hint=err.hint,
        ) from None
    for item, choice in zip(priced.items, priced.choices, strict=True):
        work.routes[item.entity] = Route(choice.model, choice.provider, choice.tier, choice.expected_cost, choice.explain())
    work.downgrades = priced.downgrades
    work = _lip_sync(work, lipsyncs, settings, catalogue, stats, left - work.total, available, pinned)
    return _deliveries(work, deliveries, settings, catalogue, stats, left, spent, held, available, pinned)


def _lip_sync(work: WorkPlan, items: list[PlanItem], settings: Settings, catalogue: Catalogue, stats: RouteStats,
              left: float, available: list[str], pinned: Callable[[str, PlanItem], str | None] | None) -> WorkPlan:
    """Lip sync for the paid clips whose provider lip-syncs its own videos, while the budget lasts; no task otherwise.

    A shot without lip sync keeps its clip as the video model made it, so it is not a fallback.
    """
    known = {entry.id: entry for entry in catalogue.models}
    for item in items:
        code = item.entity.split(":", 1)[1]
        clip = work.routes.get(f"clip:{code}")
        if item.tier == "draft" or clip is None or clip.tier == "draft" or clip.provider not in available:
            continue
        kept = pinned(item.entity, item) if pinned is not None else None
        if kept in known:
            work.items[item.entity] = item
            work.routes[item.entity] = Route(kept, known[kept].provider, item.tier, 0.0, f"kept {kept}: it made this task's take")
            continue
        try:
            choice = route(item.needs, item.tier, stats, budget=left, catalogue=catalogue, currency=work.currency,
                           available=[clip.provider], floor=settings.routing.downgrade_floor, entity=item.entity)
        except MangalineError:
            continue
        left -= choice.expected_cost
        work.items[item.entity] = item
        work.routes[item.entity] = Route(choice.model, choice.provider, choice.tier, choice.expected_cost, choice.explain())
    return work


def _deliveries(work: WorkPlan, items: list[PlanItem], settings: Settings, catalogue: Catalogue, stats: RouteStats,
                left: float, spent: float, held: float, available: list[str],
                pinned: Callable[[str, PlanItem], str | None] | None) -> WorkPlan:
    """The deliveries' paid tasks, routed after the build's and within what the build leaves of the budget.

    A reframe is planned where a video model makes the shot's clip, and routed among the models that reframe (the
    budget may downgrade it like any task); a repaint where the motion comic moves a keyframe a model painted, priced
    at that model (a delivery paints with the keyframe's own model). A draft shot is solved again for free. Raises
    BudgetExceeded, before anything is spent, when they do not fit.
    """
    if not items:
        return work
    project = settings.project
    known = {entry.id: entry for entry in catalogue.models}
    reframes: list[PlanItem] = []
    repaints: dict[str, Route] = {}
    for item in items:
        kind, entity = item.entity.split(":", 1)
        code = entity.rsplit("@", 1)[0]
        clip, keyframe = work.routes.get(f"clip:{code}"), work.routes.get(f"keyframe:{code}")
        if clip is None or keyframe is None:
            continue
        bought_clip = clip.provider != "draft"
        if kind == "reframe" and not bought_clip:
            continue
        if kind == "repaint" and (bought_clip or keyframe.provider == "draft"):
            continue
        work.items[item.entity] = item
        kept = pinned(item.entity, item) if pinned is not None else None
        if kept in known:
            work.routes[item.entity] = Route(kept, known[kept].provider, item.tier, 0.0, f"kept {kept}: it made this task's take")
        elif kind == "reframe":
            reframes.append(item)
        else:
            others = [entry.id for entry in catalogue.models if entry.id != keyframe.model]
            try:
                choice = route(item.needs, keyframe.tier, stats, catalogue=catalogue, currency=work.currency,
                               available=[keyframe.provider], exclude=others, floor=keyframe.tier, entity=item.entity)
            except MangalineError as err:
                del work.items[item.entity]
                raise ProviderUnavailable(
                    "router", f"{item.entity}: the keyframe's model {keyframe.model} cannot paint the frame: "
                    f"{str(err).split(chr(10))[0].removeprefix('provider router: ')}",
                    hint="deliver the project's own frame only, or route the keyframe to another model") from None
            repaints[item.entity] = Route(choice.model, choice.provider, choice.tier, choice.expected_cost,
                                          f"the keyframe's own model paints the frame again\n{choice.explain()}")
    work.routes.update(repaints)
    rest = left - sum(r.expected_cost for r in work.routes.values())
    if rest < -1e-9:
        raise BudgetExceeded(
            "router", f"the deliveries' {len(repaints)} repaint(s) need {sum(r.expected_cost for r in repaints.values()):.2f} "
            f"{work.currency} and the build's remaining work the rest; the project budget is {project.budget:.2f} "
            f"{work.currency}, {spent:.2f} spent, {held:.2f} held by running jobs. Nothing was submitted",
            hint="raise [project] budget in mangaline.toml, or deliver fewer frames")
    if not reframes:
        return work
    try:
        priced = plan(reframes, stats, budget=rest, catalogue=catalogue, currency=work.currency,
                      floor=settings.routing.downgrade_floor, available=available)
    except (BudgetExceeded, ProviderUnavailable) as err:
        for item in reframes:
            work.items.pop(item.entity, None)
        said = str(err).split("\n")[0].removeprefix("provider router: ")
        cls = BudgetExceeded if isinstance(err, BudgetExceeded) else ProviderUnavailable
        raise cls(
            "router",
            f"the deliveries' {len(reframes)} reframe(s) of paid clips do not fit: {said}; the project budget is "
            f"{project.budget:.2f} {work.currency}, {spent:.2f} spent, {held:.2f} held by running jobs, "
            f"{left - rest:.2f} planned for the rest. Nothing was submitted",
            hint=err.hint or "`mangaline models DIR` lists the video models that reframe a clip",
        ) from None
    for item, choice in zip(priced.items, priced.choices, strict=True):
        work.routes[item.entity] = Route(choice.model, choice.provider, choice.tier, choice.expected_cost, choice.explain())
    work.downgrades = (*work.downgrades, *priced.downgrades)
    return work


def describe(work: WorkPlan) -> dict[str, Any]:
    """The plan as plain data: per kind the models chosen and their expected cost, and every fallback with its reason."""
    kinds: dict[str, dict[str, Any]] = {}
    for key, r in sorted(work.routes.items()):
        kind = key.split(":", 1)[0]
        row = kinds.setdefault(kind, {"tasks": 0, "expected_cost": 0.0, "models": {}})
        row["tasks"] += 1
        row["expected_cost"] = round(row["expected_cost"] + r.expected_cost, 6)
        row["models"][r.model] = row["models"].get(r.model, 0) + 1
    return {"currency": work.currency, "expected_cost": round(work.total, 6), "kinds": kinds,
            "fallbacks": dict(sorted(work.fallbacks.items())), "downgrades": list(work.downgrades)}

"""The router: for each task, the model with the lowest expected cost per accepted take, within tier and budget.

A pure function of the catalogue, the task's needs, the QC record and the money left.

Expected cost per accepted take = price of one take x expected attempts, and expected attempts
= 1 / pass rate. The pass rate of a (model, shot type) is the mean of a Beta posterior: a prior
of Beta(4, 1) (a new model is assumed to pass 4 takes in 5, i.e. 0.8, and counts as five takes
of evidence) updated with the QC outcomes recorded for that pair:

    pass rate = (4 + passes) / (4 + 1 + passes + failures)

Ties on expected cost go to the higher quality ranking, then to the model id, so the same
inputs always give the same choice.

Budget: ``plan`` prices every task at its preferred model; when the total passes the project's
(or an episode's) budget it downgrades greedily: each move takes one task to a cheaper capable
model in a tier no lower than the floor, choosing the move that loses the least quality per unit
of money saved, until the plan fits. When even the cheapest capable model for every task does
not fit, it raises BudgetExceeded before anything is spent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ..errors import BudgetExceeded, ProviderUnavailable
from ..model import TIERS
from .catalogue import Catalogue, ModelEntry, Quote, dimensions, load_catalogue
from .protocols import Modality

__all__ = [
    "Candidate",
    "Choice",
    "Plan",
    "PlanItem",
    "RouteStats",
    "TaskNeeds",
    "estimate",
    "plan",
    "route",
]


@dataclass(frozen=True)
class TaskNeeds:
    """What one task asks of a model: modality, inputs, output shape, and the shot type it is for."""

    modality: Modality
    shot_type: str = "any"
    duration: float = 0.0
    first_frame: bool = False
    last_frame: bool = False
    references: int = 0
    resolution: str = "720p"
    aspect: str = "9:16"
    audio: bool = False
    language: str | None = None
    characters: int = 0
    images: int = 1
    input_tokens: int = 0
    output_tokens: int = 0
    json_schema: bool = False
    reframe: bool = False
    """A made clip to make again in another frame (a delivery's reframe)."""


@dataclass(frozen=True)
class RouteStats:
    """What QC has taught us: passes and failures per (model, shot type), and each model's failure streak."""

    outcomes: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    streaks: Mapping[str, int] = field(default_factory=dict)
    prior_passes: float = 4.0
    prior_failures: float = 1.0
    failover_after: int = 3

    def record(self, model: str, shot_type: str) -> tuple[int, int]:
        return self.outcomes.get((model, shot_type), (0, 0))

    def pass_rate(self, model: str, shot_type: str) -> float:
        passes, failures = self.record(model, shot_type)
        a, b = self.prior_passes, self.prior_failures
        return (a + passes) / (a + b + passes + failures)

    def failing(self, model: str) -> bool:
        return self.streaks.get(model, 0) >= self.failover_after


@dataclass(frozen=True)
class Candidate:
    """One capable model, priced for the task."""

    model: str
    provider: str
    tier: str
    quality: float
    quote: Quote
    pass_rate: float
    evidence: tuple[int, int]

    @property
    def price(self) -> float:
        return self.quote.cost

    @property
    def attempts(self) -> float:
        return 1.0 / self.pass_rate

    @property
    def expected_cost(self) -> float:
        return self.quote.cost / self.pass_rate

    def line(self) -> str:
        passes, failures = self.evidence
        seen = f"{passes} pass / {failures} fail" if passes or failures else "prior only"
        return (
            f"{self.model} ({self.provider}): {self.price:.4f} {self.quote.currency} per take"
            f" / pass rate {self.pass_rate:.2f} ({seen}) = {self.expected_cost:.4f} per accepted take"
        )


@dataclass(frozen=True)
class Choice:
    """The router's pick for one task, with everything it compared and why others were left out."""

    model: str
    provider: str
    tier: str
    currency: str
    chosen: Candidate
    candidates: tuple[Candidate, ...]
    rejected: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()

    @property
    def expected_cost(self) -> float:
        return self.chosen.expected_cost

    @property
    def price(self) -> float:
        return self.chosen.price

    @property
    def pass_rate(self) -> float:
        return self.chosen.pass_rate

    def ranked(self) -> list[Candidate]:
        return [c for c in self.candidates if c.model != self.model]

    def explain(self) -> str:
        lines = [
            f"chose {self.model} ({self.provider}, tier {self.tier}): "
            f"{self.expected_cost:.4f} {self.currency} expected per accepted take"
        ]
        lines += [f"  {note}" for note in self.notes]
        lines.append(f"  compared: {self.chosen.line()}")
        lines += [f"            {c.line()}" for c in self.ranked()]
        if self.rejected:
            lines.append("  left out:")
            lines += [f"    {model}: {reason}" for model, reason in self.rejected]
        lines.append(f"  price: {self.chosen.quote.formula}")
        return "\n".join(lines)


def _tier_rank(tier: str) -> int:
    return TIERS.index(tier)


def _capability_gap(entry: ModelEntry, needs: TaskNeeds) -> str | None:
    caps = entry.capabilities
    if needs.modality == Modality.VIDEO:
        if needs.first_frame and needs.last_frame and not caps.first_last_frame:
            return "cannot take a first and a last frame"
        if needs.first_frame and not caps.first_frame:
            return "cannot start from a keyframe"
        if needs.duration and caps.billed_seconds(needs.duration) is None:
            allowed = ", ".join(f"{d:g}" for d in caps.durations) if caps.durations else f"up to {caps.max_duration:g}"
            return f"cannot make {needs.duration:g} s (makes {allowed} s)"
        if needs.audio and not caps.native_audio:
            return "makes no sound"
        if needs.reframe and not caps.reframe:
            return "cannot reframe a made clip"
    if needs.modality in (Modality.VIDEO, Modality.IMAGE):
        if needs.references > caps.reference_images:
            return f"takes {caps.reference_images} reference image(s), the task has {needs.references}"
        if caps.resolution_for(needs.resolution) is None:
            return f"no {needs.resolution} output or larger (makes {', '.join(caps.resolutions)})"
        fits = caps.cover_aspect(needs.aspect) if needs.modality == Modality.IMAGE else caps.makes_aspect(needs.aspect)
        if not fits:
            return f"no {needs.aspect} output (makes {', '.join(caps.aspect_ratios)})"
    if needs.language and caps.languages and needs.language not in caps.languages:
        return f"does not speak {needs.language} ({', '.join(caps.languages)})"
    if needs.json_schema and needs.modality == Modality.TEXT and not caps.json_schema:
        return "no strict JSON-schema output"
    return None


def _quote(catalogue: Catalogue, entry: ModelEntry, needs: TaskNeeds, currency: str) -> Quote:
    seconds = entry.capabilities.billed_seconds(needs.duration) or needs.duration
    if needs.reframe:
        seconds += needs.duration  # the clip sent as a reference video is billed too (Seedance: input s + output s)
    width = height = 0
    if needs.modality in (Modality.VIDEO, Modality.IMAGE):
        # priced at what it will make: a model without the asked resolution makes (and bills) the next larger one
        width, height = dimensions(entry.capabilities.resolution_for(needs.resolution) or needs.resolution, needs.aspect)
    return catalogue.quote(
        entry,
        currency=currency,
        seconds=seconds,
        width=width,
        height=height,
        images=needs.images,
        characters=needs.characters,
        input_tokens=needs.input_tokens,
        output_tokens=needs.output_tokens,
        input_megapixels=needs.references * 1.0,
    )


def _assess(
    needs: TaskNeeds,
    tiers: Iterable[str],
    stats: RouteStats,
    catalogue: Catalogue,
    currency: str,
    exclude: Iterable[str],
    available: Iterable[str] | None,
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    tiers = set(tiers)
    excluded = set(exclude)
    providers = set(available) if available is not None else None
    candidates: list[Candidate] = []
    rejected: list[tuple[str, str]] = []
    for entry in catalogue.of(needs.modality):
        if entry.id in excluded:
            rejected.append((entry.id, "excluded after failures"))
            continue
        if stats.failing(entry.id):
            rejected.append((entry.id, f"failed {stats.streaks[entry.id]} times in a row"))
            continue
        if providers is not None and entry.provider != "draft" and entry.provider not in providers:
            rejected.append((entry.id, f"provider {entry.provider} is not configured"))
            continue
        served = [t for t in entry.tiers if t in tiers]
        if not served:
            rejected.append((entry.id, f"serves tier {', '.join(entry.tiers)}, not {'/'.join(sorted(tiers, key=_tier_rank))}"))
            continue
        gap = _capability_gap(entry, needs)
        if gap:
            rejected.append((entry.id, gap))
            continue
        tier = max(served, key=_tier_rank)
        candidates.append(
            Candidate(
                model=entry.id,
                provider=entry.provider,
                tier=tier,
                quality=entry.quality,
                quote=_quote(catalogue, entry, needs, currency),
                pass_rate=stats.pass_rate(entry.id, needs.shot_type),
                evidence=stats.record(entry.id, needs.shot_type),
            )
        )
    candidates.sort(key=lambda c: (round(c.expected_cost, 9), -c.quality, c.model))
    return candidates, rejected


def _tiers_between(floor: str, top: str) -> list[str]:
    low = min(_tier_rank(floor), _tier_rank(top))
    return list(TIERS[low : _tier_rank(top) + 1])


def route(
    needs: TaskNeeds,
    tier: str,
    stats: RouteStats | None = None,
    budget: float | None = None,
    *,
    catalogue: Catalogue | None = None,
    currency: str = "USD",
    exclude: Iterable[str] = (),
    available: Iterable[str] | None = None,
    floor: str = "standard",
    entity: str = "",
) -> Choice:
    """The model for one task: capable, in the tier, cheapest per accepted take, within ``budget`` (None: no limit).

    When the best model of the tier costs more than ``budget`` the router looks down to ``floor``;
    ``exclude`` takes models out (the caller's failover after repeated failures).
    """
    if tier not in TIERS:
        raise ValueError(f"tier {tier!r} is not one of {', '.join(TIERS)}")
    catalogue = catalogue or load_catalogue()
    stats = stats or RouteStats()
    what = f" for {entity}" if entity else ""
    candidates, rejected = _assess(needs, [tier], stats, catalogue, currency, exclude, available)
    if not candidates:
        reasons = "; ".join(f"{m}: {r}" for m, r in rejected) or "the catalogue lists none"
        raise ProviderUnavailable(
            "router",
            f"no {needs.modality.value} model{what} in tier {tier} can do this task ({reasons})",
            hint="change the tier in [routing] shot_tiers, configure a provider, or add a capable model to the catalogue",
        )
    best = candidates[0]
    notes: list[str] = []
    if budget is not None and best.expected_cost > budget + 1e-12:
        lower, lower_rejected = _assess(
            needs, _tiers_between(floor, tier), stats, catalogue, currency, exclude, available
        )
        fitting = [c for c in lower if c.expected_cost <= budget + 1e-12]
        if not fitting:
            cheapest = min((c.expected_cost for c in lower), default=best.expected_cost)
            raise BudgetExceeded(
                "router",
                f"{needs.modality.value}{what}: the cheapest capable model costs {cheapest:.4f} {currency} "
                f"per accepted take, {budget:.4f} {currency} is left",
                hint="raise [project] budget in mangaline.toml, or set tier = 'draft' to work offline",
            )
        pick = max(fitting, key=lambda c: (c.quality, -c.expected_cost, c.model))
        notes.append(
            f"{best.model} ({best.expected_cost:.4f}) is over the {budget:.4f} {currency} left; "
            f"took {pick.model} ({pick.tier})"
        )
        best, candidates = pick, [pick, *[c for c in lower if c.model != pick.model]]
        rejected = [r for r in lower_rejected if r[0] not in {c.model for c in candidates}]
    return Choice(
        model=best.model,
        provider=best.provider,
        tier=best.tier,
        currency=currency,
        chosen=best,
        candidates=tuple(candidates),
        rejected=tuple(rejected),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class PlanItem:
    """One task of the remaining work: the entity (a shot code, a line id), its needs, its tier, its episode."""

    entity: str
    needs: TaskNeeds
    tier: str
    episode: str = ""


@dataclass(frozen=True)
class Plan:
    """The remaining work priced model by model, after any downgrade the budget forced."""

    items: tuple[PlanItem, ...]
    choices: tuple[Choice, ...]
    currency: str
    budget: float | None = None
    episode_budget: float | None = None
    downgrades: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        return estimate(self)

    def by_episode(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for item, choice in zip(self.items, self.choices, strict=True):
            totals[item.episode] = totals.get(item.episode, 0.0) + choice.expected_cost
        return totals

    def explain(self) -> str:
        head = f"plan: {len(self.items)} task(s), {self.total:.2f} {self.currency} expected"
        if self.budget is not None:
            head += f" (budget left {self.budget:.2f})"
        lines = [head]
        lines += [f"  downgrade: {d}" for d in self.downgrades]
        for item, choice in zip(self.items, self.choices, strict=True):
            lines.append(f"  {item.entity}: {choice.model} {choice.expected_cost:.4f}")
        return "\n".join(lines)


def estimate(plan: Plan) -> float:
    """The expected cost of the remaining work: the sum of each task's expected cost per accepted take."""
    return sum(choice.expected_cost for choice in plan.choices)


def plan(
    items: Iterable[PlanItem],
    stats: RouteStats | None = None,
    *,
    budget: float | None = None,
    episode_budget: float | None = None,
    catalogue: Catalogue | None = None,
    currency: str = "USD",
    floor: str = "standard",
    exclude: Iterable[str] = (),
    available: Iterable[str] | None = None,
) -> Plan:
    """Route every task, then downgrade greedily until the plan fits ``budget`` and each episode's ``episode_budget``."""
    catalogue = catalogue or load_catalogue()
    stats = stats or RouteStats()
    items = tuple(items)
    exclude = tuple(exclude)
    choices: list[Choice] = []
    options: list[list[Candidate]] = []
    for item in items:
        choice = route(
            item.needs, item.tier, stats, catalogue=catalogue, currency=currency, exclude=exclude,
            available=available, entity=item.entity,
        )
        lower, _ = _assess(
            item.needs, _tiers_between(floor, item.tier), stats, catalogue, currency, exclude, available
        )
        choices.append(choice)
        options.append(lower)
    current = [c.chosen for c in choices]
    downgrades: list[str] = []

    def scopes_over() -> list[tuple[str, list[int]]]:
        over: list[tuple[str, list[int]]] = []
        if budget is not None and sum(c.expected_cost for c in current) > budget + 1e-9:
            over.append(("project", list(range(len(items)))))
        if episode_budget:
            episodes = sorted({item.episode for item in items})
            for ep in episodes:
                idx = [i for i, item in enumerate(items) if item.episode == ep]
                if sum(current[i].expected_cost for i in idx) > episode_budget + 1e-9:
                    over.append((f"episode {ep}", idx))
        return over

    for scope, idx in scopes_over():
        cheapest = sum(min(c.expected_cost for c in options[i]) for i in idx)
        limit = budget if scope == "project" else episode_budget
        if cheapest > (limit or 0.0) + 1e-9:
            raise BudgetExceeded(
                "router",
                f"{scope}: even the cheapest capable models cost {cheapest:.2f} {currency} expected, "
                f"over the {limit:.2f} {currency} budget",
                hint="raise the budget in mangaline.toml, lower [routing] downgrade_floor, or set some shots' tier to draft",
            )
    while over := scopes_over():
        movable = sorted({i for _, idx in over for i in idx})
        best_move: tuple[float, float, str, int, Candidate] | None = None
        for i in movable:
            cur = current[i]
            for alt in options[i]:
                saving = cur.expected_cost - alt.expected_cost
                if saving <= 1e-12:
                    continue
                loss = max(0.0, cur.quality - alt.quality)
                key = (loss / saving, -saving, f"{items[i].entity}/{alt.model}", i, alt)
                if best_move is None or key[:3] < best_move[:3]:
                    best_move = key
        if best_move is None:  # unreachable after the cheapest-plan check, kept as a guard against a loop
            raise BudgetExceeded("router", "no cheaper model is left to fit the budget")
        _, _, _, i, alt = best_move
        cur = current[i]
        note = (
            f"{items[i].entity}: {cur.model} -> {alt.model} saves {cur.expected_cost - alt.expected_cost:.4f} "
            f"{currency}, quality {cur.quality:.2f} -> {alt.quality:.2f}"
        )
        downgrades.append(note)
        current[i] = alt
        choices[i] = replace(
            choices[i],
            model=alt.model,
            provider=alt.provider,
            tier=alt.tier,
            chosen=alt,
            candidates=(alt, *[c for c in options[i] if c.model != alt.model]),
            notes=(*choices[i].notes, f"downgraded to fit the budget: {note}"),
        )
    return Plan(
        items=items,
        choices=tuple(choices),
        currency=currency,
        budget=budget,
        episode_budget=episode_budget,
        downgrades=tuple(downgrades),
    )

"""What `mangaline models` and `mangaline cost` show: the catalogue with the router's choices, and the ledger."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from ..checks import enabled_checks
from ..config import Settings
from ..errors import MangalineError
from ..project.folder import ProjectFolder
from ..model import TIERS
from .catalogue import Catalogue, dimensions, load_catalogue
from .journal import ACTIVE, Journal
from .ledger import Ledger
from .protocols import Modality
from .router import TaskNeeds, route
from .work import WorkPlan, available_providers, configured, describe

__all__ = ["cost_report", "models_report", "render_cost", "render_models"]

# the tasks `models` prices for each modality when no script is at hand: one of each kind of work
_SAMPLES: dict[str, TaskNeeds] = {
    "keyframe": TaskNeeds(Modality.IMAGE, shot_type="single", references=2),
    "clip 5 s": TaskNeeds(Modality.VIDEO, shot_type="single", duration=5.0, first_frame=True),
    "clip first+last 5 s": TaskNeeds(Modality.VIDEO, shot_type="single", duration=5.0, first_frame=True, last_frame=True),
    "line of 100 chars": TaskNeeds(Modality.SPEECH, characters=100),
}


def models_report(
    folder: Path, settings: Settings, *, catalogue: Catalogue | None = None, work: WorkPlan | None = None
) -> dict[str, Any]:
    """The catalogue priced in the project's currency, the router's choice per tier among configured providers,
    and ``work``: the build's own plan of the script (what each kind of task costs, what falls back to draft and why)."""
    catalogue = catalogue or load_catalogue()
    project = settings.project
    currency = project.currency
    width, height = dimensions("720p", project.aspect)
    project_folder = ProjectFolder.open(Path(folder))
    ledger = Ledger(project_folder.state)
    routing = settings.routing
    stats = ledger.stats(
        prior_passes=routing.prior_passes, prior_failures=routing.prior_failures, failover_after=routing.failover_after,
        enabled_checks=enabled_checks(settings.qc.checks, judge=settings.qc.judge is not None),
    )
    spent = ledger.total(currency, catalogue=catalogue)
    models = []
    for entry in catalogue.models:
        unit_quote = catalogue.quote(
            entry, currency=currency, seconds=1.0, width=width, height=height, images=1, characters=1000,
            input_tokens=1_000_000 if entry.modality == Modality.TEXT else 0,
        )
        per = {"video": "second at 720p", "image": "image at 720p", "speech": "1k characters", "text": "1M input tokens",
               "lipsync": "second", "music": "second", "sound_effects": "second"}
        models.append(
            {
                "id": entry.id,
                "provider": entry.provider,
                "modality": entry.modality.value,
                "tiers": list(entry.tiers),
                "quality": entry.quality,
                "price": entry.price.describe(),
                "price_read_on": entry.price.read_on.isoformat(),
                "price_source": entry.price.source,
                "cost": round(unit_quote.cost, 6),
                "cost_per": per[entry.modality.value],
                "configured": configured(settings, entry.provider),
                "concurrency": entry.limits.concurrency,
                "requests_per_minute": entry.limits.requests_per_minute,
            }
        )
    choices = []
    available = available_providers(settings)
    for task, needs in _SAMPLES.items():
        needs = TaskNeeds(**{**needs.__dict__, "aspect": project.aspect, "language": needs.language or (project.language if needs.modality == Modality.SPEECH else None)})
        for tier in TIERS:
            try:
                choice = route(needs, tier, stats, catalogue=catalogue, currency=currency, available=available)
                choices.append(
                    {"task": task, "tier": tier, "model": choice.model, "provider": choice.provider,
                     "expected_cost": round(choice.expected_cost, 6), "configured": configured(settings, choice.provider),
                     "explanation": choice.explain()}
                )
            except MangalineError as err:
                choices.append({"task": task, "tier": tier, "model": None, "error": str(err)})
    report: dict[str, Any] = {
        "currency": currency,
        "tier": project.tier,
        "budget": project.budget,
        "spent": round(spent, 6),
        "exchange_rates": {"read_on": catalogue.exchange_rates.read_on.isoformat(), **catalogue.exchange_rates.usd_per_unit},
        "models": models,
        "choices": choices,
    }
    if work is not None:
        remaining = max(0.0, project.budget - spent)
        report["estimate"] = {**describe(work), "tasks": len(work.routes),
                              "fits_budget": work.total <= remaining + 1e-9, "budget_left": round(remaining, 4)}
    project_folder.close()
    return report


def render_models(report: dict[str, Any]) -> str:
    """The models report as text for a terminal."""
    cur = report["currency"]
    lines = [f"models (tier {report['tier']}, prices in {cur}, exchange rates read {report['exchange_rates']['read_on']})"]
    for m in report["models"]:
        mark = "*" if m["configured"] else " "
        lines.append(
            f" {mark} {m['id']:<38} {m['provider']:<10} {m['modality']:<6} {'/'.join(m['tiers']):<24}"
            f" {m['cost']:>9.4f} per {m['cost_per']:<16} {m['price']} ({m['price_source']}, {m['price_read_on']})"
        )
    lines.append("   * configured here (built-in, or its key variable is set)")
    lines.append("router's choices:")
    for c in report["choices"]:
        if c.get("model"):
            lines.append(f"  {c['task']:<22} {c['tier']:<9} {c['model']} ({c['expected_cost']:.4f} {cur} per accepted take)")
        else:
            lines.append(f"  {c['task']:<22} {c['tier']:<9} none: {c['error'].splitlines()[0]}")
    if "estimate" in report:
        est = report["estimate"]
        if "error" in est:
            lines.append(f"estimate: {est['error']}")
        else:
            fit = "fits" if est["fits_budget"] else "does NOT fit"
            lines.append(
                f"the build's plan for the script: {est['tasks']} tasks, {est['expected_cost']:.2f} {cur} expected; "
                f"{fit} the {est['budget_left']:.2f} {cur} left"
            )
            for kind, row in est["kinds"].items():
                models = ", ".join(f"{m} x{n}" for m, n in row["models"].items())
                lines.append(f"  {kind:<9} {row['tasks']:>4} task(s) {row['expected_cost']:>9.4f} {cur}  {models}")
            for key, reason in est["fallbacks"].items():
                lines.append(f"  {key} falls back to draft: {reason}")
    return "\n".join(lines)


def cost_report(folder: Path, *, catalogue: Catalogue | None = None, work: WorkPlan | None = None) -> dict[str, Any]:
    """The ledger summed by provider, model, step and episode, against the project's budget; ``work`` (the build's
    plan, whose tasks already made are pinned at no cost) prices what remains."""
    project_folder = ProjectFolder.open(Path(folder))
    settings = project_folder.settings
    currency = settings.project.currency
    catalogue = catalogue or load_catalogue()
    ledger = Ledger(project_folder.state)
    journal = Journal(project_folder.state)
    by: dict[str, dict[str, float]] = {k: defaultdict(float) for k in ("provider", "model", "step", "episode")}
    entries = ledger.entries()
    total = 0.0
    for entry in entries:
        c = entry.charge
        cost = catalogue.convert(c.cost, c.currency, currency)
        total += cost
        by["provider"][c.provider] += cost
        by["model"][c.model] += cost
        by["step"][c.step or "-"] += cost
        by["episode"][c.entity.split("_", 1)[0] if c.entity else "-"] += cost
    active = [j for j in journal.jobs() if j.state in ACTIVE]
    interrupted = [e.charge for e in entries if e.charge.usage.get("source") == "interrupted"]
    budget = settings.project.budget
    report = {
        "currency": currency,
        "budget": budget,
        "spent": round(total, 6),
        "left": round(budget - total, 6),
        "charges": len(entries),
        "by": {k: {name: round(v, 6) for name, v in sorted(d.items())} for k, d in by.items()},
        "unfinished_jobs": [
            {"provider": j.provider, "model": j.model, "job_id": j.job_id, "node": j.node, "state": j.state,
             "submitted_at": j.submitted_at.isoformat()}
            for j in active
        ],
        "interrupted": [
            {"provider": c.provider, "model": c.model, "step": c.step, "entity": c.entity,
             "cost": round(catalogue.convert(c.cost, c.currency, currency), 6)}
            for c in interrupted
        ],
        "recent": [
            {"at": e.at.isoformat(), "provider": e.charge.provider, "model": e.charge.model, "entity": e.charge.entity,
             "quantity": e.charge.quantity, "unit": e.charge.unit, "cost": e.charge.cost, "currency": e.charge.currency,
             "job_id": e.charge.job_id}
            for e in entries[-20:]
        ],
    }
    if work is not None:
        left = [r for r in work.routes.values() if r.expected_cost > 0]
        report["remaining"] = {"tasks": len(left), "expected_cost": round(work.total, 4),
                               "fits_budget": work.total <= max(0.0, budget - total) + 1e-9,
                               "by_kind": {k: round(v, 4) for k, v in work.by_kind().items() if v}}
    project_folder.close()
    return report


def render_cost(report: dict[str, Any]) -> str:
    """The cost report as text for a terminal."""
    cur = report["currency"]
    lines = [
        f"spent {report['spent']:.4f} {cur} of {report['budget']:.2f} {cur} ({report['left']:.4f} left) "
        f"in {report['charges']} charge(s)"
    ]
    for key in ("episode", "step", "provider", "model"):
        if report["by"][key]:
            parts = ", ".join(f"{name} {cost:.4f}" for name, cost in report["by"][key].items())
            lines.append(f"  by {key}: {parts}")
    remaining = report.get("remaining")
    if remaining and "error" in remaining:
        lines.append(f"  remaining: {remaining['tasks']} task(s); {remaining['error']}")
    elif remaining:
        fits = "fits" if remaining["fits_budget"] else "does NOT fit"
        lines.append(
            f"  remaining: {remaining['tasks']} paid task(s), about {remaining['expected_cost']:.4f} {cur} expected; {fits} the budget left"
        )
    if report.get("interrupted"):
        cut = report["interrupted"]
        lines.append(f"  {len(cut)} call(s) cut off by a stopped build, booked at the catalogue price "
                     f"({sum(c['cost'] for c in cut):.4f} {cur}): the provider may have billed them without an answer")
        lines += [f"    {c['provider']} {c['model']} ({c['step']} {c['entity']})" for c in cut]
    if report["unfinished_jobs"]:
        lines.append(f"  {len(report['unfinished_jobs'])} remote job(s) still running; the next build resumes them:")
        lines += [f"    {j['provider']} {j['job_id']} ({j['node']}, {j['state']})" for j in report["unfinished_jobs"]]
    return "\n".join(lines)

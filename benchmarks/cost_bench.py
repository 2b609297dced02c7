"""Cost per finished minute of the example episode at each tier, every asset priced: the router's plan against
all-premium and all-cheapest choices.

Every kind of task the build buys is priced from the catalogue (providers/catalogue.toml, with their dates):
turnaround sheets, set plates, keyframes, clips, voices, and each scene's music bed and each distinct sound effect
routed to a sound model (no [sound] library: every cue is the model's), as the build itself plans them
(production._work_items, providers/work.py), with every provider in the catalogue taken as configured. Under each
paid row, what delivering the episode at 16:9 as well adds (each paid clip reframed, each painted still painted
again). Expected cost counts retakes through the prior pass rate (0.8).
Run: .venv/bin/python benchmarks/cost_bench.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from mangaline.breakdown import breakdown_source
from mangaline.config import RoutingSettings, Settings
from mangaline.design import design_bible
from mangaline.errors import MangalineError
from mangaline.providers.catalogue import load_catalogue
from mangaline.providers.router import PlanItem, RouteStats, route
from mangaline.production import _work_items
from mangaline.providers.work import plan_work

ROOT = Path(__file__).resolve().parents[1]
CNY_PER_USD = 1 / 0.14  # the catalogue's own exchange rate


def extreme(items: list[PlanItem], pick: str, catalogue, stats: RouteStats, available: list[str]) -> dict[str, float]:
    """Every task at one end of the paid models that can do it: the best premium model, or the cheapest paid one."""
    totals: dict[str, float] = {}
    for item in items:
        tiers = ["premium"] if pick == "premium" else ["standard", "premium"]
        candidates = []
        for tier in tiers:
            try:
                candidates += route(item.needs, tier, stats, catalogue=catalogue, available=available).candidates
            except MangalineError:
                continue
        if not candidates:
            continue
        if pick == "premium":
            chosen = max(candidates, key=lambda c: (c.quality, -c.expected_cost, c.model))
        else:
            chosen = min(candidates, key=lambda c: (c.expected_cost, -c.quality, c.model))
        kind = item.entity.split(":", 1)[0]
        totals[kind] = totals.get(kind, 0.0) + chosen.expected_cost
    return totals


def main() -> int:
    source = ROOT / "examples" / "last-ferry.fountain"
    broken = breakdown_source(source)
    script = broken.script
    bible = design_bible(script)
    minutes = sum(shot.duration for shot in script.shots()) / 60
    catalogue = load_catalogue()
    available = sorted({m.provider for m in catalogue.models if m.provider != "draft"})
    stats = RouteStats()
    print(f"{source.name}: {len(script.shots())} shots, {len(script.lines())} lines, {len(bible.characters)} characters, "
          f"{minutes:.2f} planned minutes")
    print(f"prices: catalogue, exchange rates read {catalogue.exchange_rates.read_on}; pass rate prior 0.8 (Beta(4,1)); "
          f"every catalogued provider taken as configured")
    print(f"{'tier':<14} {'USD':>7} {'USD/min':>8} {'CNY/min':>8}   {'all-premium/min':>16} {'all-cheapest/min':>17}"
          "  router vs premium")
    variants = [("draft", "480p"), ("standard", "480p"), ("standard", "720p"), ("premium", "720p")]
    for tier, resolution in variants:
        settings = Settings(project=broken.project.model_copy(update={"tier": tier, "budget": 1e6}),
                            routing=RoutingSettings(clip_resolution={tier: resolution} if tier != "draft" else {}))
        items = _work_items(script, bible, settings)  # with the sound a model would be asked for
        try:
            work = plan_work(items, settings=settings, catalogue=catalogue, stats=stats, available=available)
            wide = plan_work(_work_items(script, bible, settings, formats=["16:9"]), settings=settings,
                             catalogue=catalogue, stats=stats, available=available)
        except MangalineError as err:
            print(f"{tier:<14} cannot plan: {err}")
            continue
        paid = [item for item in items if item.tier != "draft"]
        premium = sum(extreme(paid, "premium", catalogue, stats, available).values())
        cheapest = sum(extreme(paid, "cheapest", catalogue, stats, available).values())
        ratio = f"{work.total / premium:.2f}x" if premium else "-"
        per_minute = work.total / minutes
        name = tier if tier == "draft" else f"{tier}@{resolution}"
        print(
            f"{name:<14} {work.total:>7.2f} {per_minute:>8.2f} {per_minute * CNY_PER_USD:>8.1f}   {premium / minutes:>16.2f}"
            f" {cheapest / minutes:>17.2f}  {ratio}"
        )
        for kind, cost in sorted(work.by_kind().items()):
            models: dict[str, int] = {}
            for key, r in work.routes.items():
                if key.startswith(f"{kind}:"):
                    models[r.model] = models.get(r.model, 0) + 1
            listed = ", ".join(f"{m} x{n}" for m, n in sorted(models.items(), key=lambda kv: -kv[1]))
            print(f"               {kind:<9} {cost:>8.3f} USD  {listed}")
        extra = {kind: cost for kind, cost in wide.by_kind().items() if kind not in work.by_kind()}
        if extra:
            added = wide.total - work.total
            print(f"               + a 16:9 delivery {added:>6.2f} USD ({added / minutes:.2f}/min): "
                  + ", ".join(f"{kind} {cost:.3f}" for kind, cost in sorted(extra.items())))
    print("goal at the standard tier: <= 20 CNY (about 2.8 USD) per finished minute; 360's published figure is about 130 CNY;"
          " clips at the row's resolution ([routing] clip_resolution; by default 480p standard, 720p premium); establishing shots are stills with a"
          " camera move ([routing] stills); music and effects at ElevenLabs' prices (a [sound] library's files cost nothing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

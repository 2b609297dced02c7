"""Cost per finished minute of the example episode at each tier: the router's plan against all-premium and all-cheapest.

Prices are the catalogue's (providers/catalogue.toml, with their dates); expected cost counts
retakes through the prior pass rate (0.8). Run: .venv/bin/python benchmarks/cost_bench.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from mangaline.breakdown import breakdown_source
from mangaline.config import Settings
from mangaline.errors import MangalineError
from mangaline.providers.catalogue import load_catalogue
from mangaline.providers.reports import work_items
from mangaline.providers.router import PlanItem, RouteStats, plan, route

ROOT = Path(__file__).resolve().parents[1]


def extreme(items: list[PlanItem], pick: str, catalogue, stats: RouteStats) -> float:
    """Every task at one end of the paid models that can do it: the best premium model, or the cheapest paid one."""
    total = 0.0
    for item in items:
        tiers = ["premium"] if pick == "premium" else ["standard", "premium"]
        candidates = []
        for tier in tiers:
            try:
                candidates += route(item.needs, tier, stats, catalogue=catalogue).candidates
            except MangalineError:
                continue
        if not candidates:
            continue
        if pick == "premium":
            chosen = max(candidates, key=lambda c: (c.quality, -c.expected_cost, c.model))
        else:
            chosen = min(candidates, key=lambda c: (c.expected_cost, -c.quality, c.model))
        total += chosen.expected_cost
    return total


def main() -> int:
    source = ROOT / "examples" / "last-ferry.fountain"
    broken = breakdown_source(source)
    script = broken.script
    minutes = sum(shot.duration for shot in script.shots()) / 60
    catalogue = load_catalogue()
    stats = RouteStats()
    print(f"{source.name}: {len(script.shots())} shots, {len(script.lines())} lines, {minutes:.2f} planned minutes")
    print(f"prices: catalogue, exchange rates read {catalogue.exchange_rates.read_on}; pass rate prior 0.8 (Beta(4,1))")
    print(f"{'tier':<10} {'router USD':>11} {'USD/min':>9}   {'all-premium/min':>16} {'all-cheapest/min':>17}  router vs premium")
    for tier in ("draft", "standard", "premium"):
        settings = Settings(project=broken.project.model_copy(update={"tier": tier}))
        items = work_items(script, settings)
        try:
            priced = plan(items, stats, catalogue=catalogue)
        except MangalineError as err:
            print(f"{tier:<10} cannot plan: {err}")
            continue
        premium = extreme(items, "premium", catalogue, stats)
        cheapest = extreme(items, "cheapest", catalogue, stats)
        ratio = f"{priced.total / premium:.2f}x" if premium else "-"
        print(
            f"{tier:<10} {priced.total:>11.2f} {priced.total / minutes:>9.2f}   {premium / minutes:>16.2f}"
            f" {cheapest / minutes:>17.2f}  {ratio}"
        )
        models: dict[str, int] = {}
        for choice in priced.choices:
            models[choice.model] = models.get(choice.model, 0) + 1
        print("           " + ", ".join(f"{m} x{n}" for m, n in sorted(models.items(), key=lambda kv: -kv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())

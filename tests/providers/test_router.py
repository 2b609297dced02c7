"""The router: capability and tier filters, expected cost per accepted take, tie-breaks, budget, failover."""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.errors import BudgetExceeded, ProviderUnavailable
from mangaline.project.state import StateDB, sqlite_url
from mangaline.providers.catalogue import load_catalogue
from mangaline.providers.ledger import Ledger
from mangaline.providers.protocols import Modality
from mangaline.providers.router import (
    PlanItem,
    RouteStats,
    TaskNeeds,
    estimate,
    plan,
    route,
)

from .fake_video import fake_catalogue

CLIP = TaskNeeds(Modality.VIDEO, shot_type="single", duration=4.0, first_frame=True)


def test_capability_filter_names_the_reason_for_each_model_left_out() -> None:
    needs = TaskNeeds(Modality.VIDEO, duration=5.0, first_frame=True, last_frame=True, references=0)
    choice = route(needs, "standard")
    rejected = dict(choice.rejected)
    assert rejected["wan2.1-i2v-turbo"] == "cannot take a first and a last frame"
    assert choice.model not in ("wan2.1-i2v-turbo", "wan2.1-i2v-plus")
    long = route(TaskNeeds(Modality.VIDEO, duration=12.0, first_frame=True), "standard")
    assert dict(long.rejected)["kling-v3-std"] == "cannot make 12 s (makes 5, 10 s)"
    refs = route(TaskNeeds(Modality.IMAGE, references=5), "standard")
    assert dict(refs.rejected)["flux-kontext-pro"] == "takes 1 reference image(s), the task has 5"
    audio = route(TaskNeeds(Modality.VIDEO, duration=5.0, first_frame=True, audio=True), "premium")
    assert dict(audio.rejected)["kling-v3-pro"] == "makes no sound"


def test_tier_filter() -> None:
    assert route(CLIP, "draft").model == "motion-comic"
    premium = route(CLIP, "premium")
    assert "doubao-seedance-1-0-lite-i2v-250428" in dict(premium.rejected)
    assert dict(premium.rejected)["motion-comic"] == "serves tier draft, not premium"
    assert route(TaskNeeds(Modality.SPEECH, language="ja", characters=40), "draft").model == "draft-voices"


def test_no_capable_model_is_a_clear_error() -> None:
    with pytest.raises(ProviderUnavailable, match="no video model for ep01_sc01_sh010 in tier draft can do this task"):
        route(TaskNeeds(Modality.VIDEO, duration=5.0, first_frame=True, last_frame=True), "draft", entity="ep01_sc01_sh010")


def test_expected_cost_uses_pass_rates_from_qc_over_the_prior() -> None:
    catalogue = fake_catalogue({"id": "cheap", "price": 0.10}, {"id": "steady", "price": 0.12})
    # prior only: both pass 0.8, the cheaper wins
    first = route(CLIP, "standard", catalogue=catalogue)
    assert first.model == "cheap"
    assert first.pass_rate == pytest.approx(0.8)
    assert first.expected_cost == pytest.approx(0.4 / 0.8)
    # cheap passed 2 of 10 takes of single shots: (4+2)/(5+10) = 0.4, so 0.4/0.4 = 1.0 per accepted take
    stats = RouteStats(outcomes={("cheap", "single"): (2, 8), ("steady", "single"): (9, 1)})
    second = route(CLIP, "standard", stats, catalogue=catalogue)
    assert second.model == "steady"
    assert second.pass_rate == pytest.approx(13 / 15)
    cheap = next(c for c in second.candidates if c.model == "cheap")
    assert cheap.pass_rate == pytest.approx(0.4) and cheap.expected_cost == pytest.approx(1.0)
    # the record is per shot type: a reaction shot still sees only the prior for cheap
    reaction = TaskNeeds(**{**CLIP.__dict__, "shot_type": "reaction"})
    assert route(reaction, "standard", stats, catalogue=catalogue).model == "cheap"


def test_ties_are_broken_by_quality_then_id_whatever_the_catalogue_order() -> None:
    a = {"id": "b-model", "price": 0.1, "quality": 0.5}
    b = {"id": "a-model", "price": 0.1, "quality": 0.5}
    c = {"id": "c-model", "price": 0.1, "quality": 0.6}
    assert route(CLIP, "standard", catalogue=fake_catalogue(a, b)).model == "a-model"
    assert route(CLIP, "standard", catalogue=fake_catalogue(b, a)).model == "a-model"
    assert route(CLIP, "standard", catalogue=fake_catalogue(a, b, c)).model == "c-model"


def test_the_choice_explains_itself() -> None:
    text = route(CLIP, "standard").explain()
    assert text.startswith("chose wan2.1-i2v-turbo (dashscope, tier standard): 0.1800 USD expected per accepted take")
    assert "compared:" in text and "doubao-seedance-1-0-lite-i2v-250428 (ark): 0.1555 USD per take" in text
    assert "pass rate 0.80 (prior only)" in text
    assert "left out:" in text and "motion-comic: serves tier draft, not standard" in text
    assert "price: 4 s x 0.036 USD/s" in text
    # a shorter shot is still billed 3 s by Wan (it makes 3, 4 or 5 s) but by the token at Seedance
    short = route(TaskNeeds(**{**CLIP.__dict__, "duration": 3.2}), "standard").explain()
    assert short.startswith("chose doubao-seedance-1-0-lite-i2v-250428")
    assert "3.2 s x 720x1280 x 24 fps / 1024 = 69120 tokens x 1.8 USD/M" in short


def test_prices_in_other_currencies_are_converted() -> None:
    choice = route(TaskNeeds(Modality.VIDEO, duration=5.0, first_frame=True, references=9), "premium")
    assert choice.model == "doubao-seedance-2-0-fast-260128"
    assert choice.price == pytest.approx(108000 * 37 / 1e6 * 0.14)
    cny = route(TaskNeeds(Modality.VIDEO, duration=5.0, first_frame=True, references=9), "premium", currency="CNY")
    assert cny.price == pytest.approx(108000 * 37 / 1e6)


def _tiered():
    return fake_catalogue(
        {"id": "premium-a", "price": 0.25, "quality": 0.9, "tiers": ["premium"]},
        {"id": "standard-a", "price": 0.125, "quality": 0.85, "tiers": ["standard"]},
        {"id": "standard-b", "price": 0.05, "quality": 0.5, "tiers": ["standard"]},
        {"id": "draft-a", "price": 0.0, "quality": 0.2, "tiers": ["draft"]},
    )


def _shots(n: int, tier: str = "premium", episode: str = "ep01") -> list[PlanItem]:
    return [PlanItem(f"{episode}_sh{i:03d}", CLIP, tier, episode) for i in range(n)]


def test_plan_fits_the_budget_by_least_quality_loss_per_saving() -> None:
    catalogue = _tiered()
    # premium-a: 4 s x 0.25 / 0.8 = 1.25 expected; standard-a 0.625; standard-b 0.25
    preferred = plan(_shots(4), catalogue=catalogue)
    assert estimate(preferred) == pytest.approx(5.0) and not preferred.downgrades
    fitted = plan(_shots(4), catalogue=catalogue, budget=4.0)
    models = [c.model for c in fitted.choices]
    # each move to standard-a (loss 0.05 for 0.625 saved) beats standard-b (loss 0.4 for 1.0 saved);
    # one move leaves 4.375, the second 3.75
    assert models == ["standard-a", "standard-a", "premium-a", "premium-a"]
    assert fitted.total == pytest.approx(3.75)
    assert len(fitted.downgrades) == 2


def test_plan_downgrades_until_it_fits() -> None:
    fitted = plan(_shots(4), catalogue=_tiered(), budget=3.0)
    assert fitted.total <= 3.0
    assert fitted.downgrades and all("->" in d for d in fitted.downgrades)
    assert "downgraded to fit the budget" in fitted.choices[[c.model for c in fitted.choices].index("standard-a")].notes[0]


def test_episode_budget_only_touches_the_episode_over_it() -> None:
    items = _shots(2, episode="ep01") + _shots(1, episode="ep02")
    fitted = plan(items, catalogue=_tiered(), episode_budget=2.0)
    by = {item.entity: choice.model for item, choice in zip(fitted.items, fitted.choices, strict=True)}
    assert by["ep02_sh000"] == "premium-a"
    assert fitted.by_episode()["ep01"] <= 2.0
    assert "standard-a" in (by["ep01_sh000"], by["ep01_sh001"])


def test_budget_exceeded_when_even_the_cheapest_plan_does_not_fit() -> None:
    with pytest.raises(BudgetExceeded, match="project: even the cheapest capable models cost 1.00 USD expected, over the 0.90 USD budget"):
        plan(_shots(4), catalogue=_tiered(), budget=0.9)
    # with the floor at draft the free model makes it fit
    lowered = plan(_shots(4), catalogue=_tiered(), budget=0.9, floor="draft")
    assert lowered.total <= 0.9 and "draft-a" in [c.model for c in lowered.choices]
    with pytest.raises(BudgetExceeded, match="0.0000 USD is left"):
        route(CLIP, "standard", budget=0.0)


def test_route_within_a_budget_takes_the_best_model_that_fits() -> None:
    choice = route(CLIP, "premium", budget=0.7, catalogue=_tiered())
    assert choice.model == "standard-a"
    assert "premium-a (1.2500) is over the 0.7000 USD left" in choice.notes[0]


def test_a_model_that_keeps_failing_hands_over_to_the_next(tmp_path: Path) -> None:
    catalogue = fake_catalogue({"id": "cheap", "price": 0.10}, {"id": "steady", "price": 0.12})
    db = StateDB(sqlite_url(tmp_path / "state.db"))
    ledger = Ledger(db)
    ledger.record_outcome("cheap", "single", True, entity="sh1")
    for entity in ("sh2", "sh3"):
        ledger.record_outcome("cheap", "single", False, entity=entity, kind="error")
    assert route(CLIP, "standard", ledger.stats(), catalogue=catalogue).model == "cheap"  # two in a row: not yet
    ledger.record_outcome("cheap", "single", False, entity="sh4", kind="qc")
    stats = ledger.stats()
    assert stats.streaks == {"cheap": 3}
    assert stats.outcomes[("cheap", "single")] == (1, 1)  # errors are not QC verdicts
    choice = route(CLIP, "standard", stats, catalogue=catalogue)
    assert choice.model == "steady" and dict(choice.rejected)["cheap"] == "failed 3 times in a row"
    # a pass ends the streak; an explicit exclude still wins
    ledger.record_outcome("cheap", "single", True, entity="sh5")
    assert route(CLIP, "standard", ledger.stats(), catalogue=catalogue).model == "cheap"
    assert route(CLIP, "standard", ledger.stats(), catalogue=catalogue, exclude=["cheap"]).model == "steady"
    db.close()


def test_unconfigured_providers_are_left_out_but_draft_is_always_there() -> None:
    choice = route(CLIP, "standard", available=["dashscope"])
    assert choice.provider == "dashscope"
    assert dict(choice.rejected)["kling-v3-std"] == "provider kling is not configured"
    assert route(CLIP, "draft", available=[]).model == "motion-comic"


def test_route_is_deterministic() -> None:
    catalogue = load_catalogue()
    answers = {route(CLIP, tier, catalogue=catalogue).explain() for tier in ("standard",) for _ in range(3)}
    assert len(answers) == 1


def test_an_image_model_of_another_shape_or_a_larger_size_serves_a_frame_it_can_be_cropped_to() -> None:
    portrait = TaskNeeds(Modality.IMAGE, references=2, resolution="720p", aspect="9:16")
    picked = route(portrait, "standard", available=["openai"])
    assert picked.model == "gpt-image-1", picked.explain()  # makes 1024x1536 (2:3): 84% of it is the 9:16 frame
    square_only = TaskNeeds(Modality.IMAGE, resolution="720p", aspect="21:9")
    with pytest.raises(ProviderUnavailable, match="no 21:9 output"):
        route(square_only, "standard", available=["openai"])
    clip = TaskNeeds(Modality.VIDEO, duration=5.0, first_frame=True, resolution="720p", aspect="2:3")
    with pytest.raises(ProviderUnavailable):
        route(clip, "standard", available=["kling"])  # a clip is never cropped: Kling makes 9:16, not 2:3

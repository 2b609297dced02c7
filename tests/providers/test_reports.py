"""`mangaline models` and `mangaline cost` as data and as text, on a real project folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mangaline.breakdown import breakdown_source
from mangaline.config import ProviderSettings, RoutingSettings, Settings
from mangaline.model import Project
from mangaline.project.folder import ProjectFolder
from mangaline.providers.journal import Journal
from mangaline.providers.ledger import Charge, Ledger
from mangaline.design import design_bible
from mangaline.production import plan_build
from mangaline.providers.catalogue import load_catalogue
from mangaline.providers.reports import cost_report, models_report, render_cost, render_models
from mangaline.providers.work import work_items


def make_project(tmp_path: Path, small_script: Path, **project: object) -> tuple[Path, Settings]:
    settings = Settings(
        project=Project(name="small", **project),
        providers={"dashscope": ProviderSettings(api_key_env="MANGALINE_TEST_DASHSCOPE")},
        routing=RoutingSettings(shot_tiers={"establishing": "draft"}),
    )
    root = tmp_path / "drama"
    folder = ProjectFolder.create(root, settings=settings)
    script = breakdown_source(small_script).script
    folder.save_script(script)
    folder.save_bible(design_bible(script))
    folder.close()
    return root, settings


def plan_of(root: Path, settings: Settings):
    """The build's own plan, as `mangaline models` and `cost` compute it."""
    folder = ProjectFolder.open(root)
    try:
        script = folder.load_script()
        return plan_build(script, folder.load_bible(), settings, root, load_catalogue())
    finally:
        folder.close()


def test_models_report_prices_the_catalogue_and_the_script(tmp_path: Path, small_script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGALINE_TEST_DASHSCOPE", "k")
    root, settings = make_project(tmp_path, small_script, tier="standard", budget=50.0)
    work = plan_of(root, settings)
    report = models_report(root, settings, work=work)
    json.dumps(report)  # the --json output
    by_id = {m["id"]: m for m in report["models"]}
    assert by_id["wan2.1-i2v-turbo"]["configured"] and not by_id["kling-v3-std"]["configured"]
    assert by_id["motion-comic"]["configured"] and by_id["motion-comic"]["cost"] == 0
    assert by_id["wan2.1-i2v-turbo"]["cost"] == pytest.approx(0.036)
    clip = {c["tier"]: c for c in report["choices"] if c["task"] == "clip 5 s"}
    assert clip["draft"]["model"] == "motion-comic"
    assert clip["standard"]["model"] == "wan2.1-i2v-turbo" and "chose wan2.1-i2v-turbo" in clip["standard"]["explanation"]
    first_last = {c["tier"]: c for c in report["choices"] if c["task"] == "clip first+last 5 s"}
    assert first_last["draft"]["model"] is None and "cannot take a first and a last frame" in first_last["draft"]["error"]
    estimate = report["estimate"]
    assert estimate["tasks"] > 0 and 0 < estimate["expected_cost"] < 50 and estimate["fits_budget"]
    # one DashScope key runs the whole paid line: Qwen-Image sheets and keyframes, Wan clips, Qwen-TTS voices
    paid = {key: r for key, r in work.routes.items() if work.items[key].tier != "draft"}
    assert {key.split(":")[0] for key in paid} == {"sheet", "plate", "keyframe", "clip", "voice"}
    assert {r.provider for r in paid.values()} == {"dashscope"} and not estimate["fallbacks"]
    text = render_models(report)
    assert "router's choices:" in text and "the build's plan for the script" in text and "fits the 50.00 USD left" in text


def test_unconfigured_providers_are_never_priced_and_their_tasks_fall_back_to_draft(
    tmp_path: Path, small_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MANGALINE_TEST_DASHSCOPE", raising=False)
    root, settings = make_project(tmp_path, small_script, tier="standard", budget=50.0)
    work = plan_of(root, settings)
    report = models_report(root, settings, work=work)
    assert work.total == 0 and report["estimate"]["expected_cost"] == 0
    assert all(r.provider == "draft" for r in work.routes.values())
    reason = work.fallbacks[next(k for k in work.fallbacks if k.startswith("clip:"))]
    assert "dashscope is not configured" in reason and "kling is not configured" in reason
    clip = {c["tier"]: c for c in report["choices"] if c["task"] == "clip 5 s"}
    assert clip["standard"]["model"] is None and "not configured" in clip["standard"]["error"]
    assert " falls back to draft: " in render_models(report)


def test_work_items_follow_shot_tiers(tmp_path: Path, small_script: Path) -> None:
    root, settings = make_project(tmp_path, small_script, tier="premium")
    folder = ProjectFolder.open(root)
    script, bible = folder.load_script(), folder.load_bible()
    folder.close()
    items = {i.entity: i for i in work_items(script, bible, settings)}
    shots = script.shots()
    for shot in shots:
        for kind in ("keyframe", "clip"):
            assert items[f"{kind}:{shot.code}"].tier == ("draft" if shot.kind.value == "establishing" else "premium")
    assert {k for k in items if k.startswith("sheet:")} == {f"sheet:{cid}" for cid in bible.characters}
    assert {k for k in items if k.startswith("voice:")} == {f"voice:{line.character}" for line in script.lines()}
    assert all(items[k].tier == "premium" for k in items if k.startswith(("sheet:", "voice:", "plate:")))


def test_cost_report_sums_the_ledger(tmp_path: Path, small_script: Path) -> None:
    root, _ = make_project(tmp_path, small_script, budget=10.0)
    folder = ProjectFolder.open(root)
    ledger, journal = Ledger(folder.state), Journal(folder.state)
    for entity, cost, currency in (("ep01_sc01_sh010", 0.5, "USD"), ("ep01_sc01_sh020", 1.0, "CNY"), ("ep02_sc01_sh010", 0.25, "USD")):
        ledger.charge(Charge("ark", "doubao-seedance-1-0-pro-250528", "animate", entity, 4.0, "seconds", cost, currency))
    journal.submitted(provider="kling", model="kling-v3-std", cache_key="c" * 64, node="animate/ep02_sc01_sh020", job_id="t-9")
    folder.close()
    root_settings = ProjectFolder.open(root).settings
    report = cost_report(root, work=plan_of(root, root_settings))
    assert report["spent"] == pytest.approx(0.5 + 0.14 + 0.25)
    assert report["left"] == pytest.approx(10 - 0.89)
    assert report["by"]["episode"] == {"ep01": pytest.approx(0.64), "ep02": pytest.approx(0.25)}
    assert report["unfinished_jobs"][0]["job_id"] == "t-9"
    assert report["remaining"]["tasks"] == 0, "nothing is configured here: every task is drawn by the draft models"
    text = render_cost(report)
    assert text.startswith("spent 0.8900 USD of 10.00 USD (9.1100 left) in 3 charge(s)")
    assert "1 remote job(s) still running" in text and "kling t-9" in text

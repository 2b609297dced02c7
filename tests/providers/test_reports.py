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
from mangaline.providers.reports import (
    cost_report,
    models_report,
    render_cost,
    render_models,
    work_items,
)


def make_project(tmp_path: Path, small_script: Path, **project: object) -> tuple[Path, Settings]:
    settings = Settings(
        project=Project(name="small", **project),
        providers={"dashscope": ProviderSettings(api_key_env="MANGALINE_TEST_DASHSCOPE")},
        routing=RoutingSettings(shot_tiers={"establishing": "draft"}),
    )
    root = tmp_path / "drama"
    folder = ProjectFolder.create(root, settings=settings)
    folder.save_script(breakdown_source(small_script).script)
    folder.close()
    return root, settings


def test_models_report_prices_the_catalogue_and_the_script(tmp_path: Path, small_script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGALINE_TEST_DASHSCOPE", "k")
    root, settings = make_project(tmp_path, small_script, tier="standard", budget=50.0)
    report = models_report(root, settings)
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
    text = render_models(report)
    assert "router's choices:" in text and "estimate for the script" in text and "fits the 50.00 USD left" in text


def test_work_items_follow_shot_tiers(tmp_path: Path, small_script: Path) -> None:
    root, settings = make_project(tmp_path, small_script, tier="premium")
    script = ProjectFolder.open(root).load_script()
    items = work_items(script, settings)
    shots = script.shots()
    assert [i.entity for i in items] == [f"{shot.code}/clip" for shot in shots]
    tiers = {i.entity.split("/")[0]: i.tier for i in items}
    for shot in shots:
        assert tiers[shot.code] == ("draft" if shot.kind.value == "establishing" else "premium")


def test_cost_report_sums_the_ledger(tmp_path: Path, small_script: Path) -> None:
    root, _ = make_project(tmp_path, small_script, budget=10.0)
    folder = ProjectFolder.open(root)
    ledger, journal = Ledger(folder.state), Journal(folder.state)
    for entity, cost, currency in (("ep01_sc01_sh010", 0.5, "USD"), ("ep01_sc01_sh020", 1.0, "CNY"), ("ep02_sc01_sh010", 0.25, "USD")):
        ledger.charge(Charge("ark", "doubao-seedance-1-0-pro-250528", "animate", entity, 4.0, "seconds", cost, currency))
    journal.submitted(provider="kling", model="kling-v3-std", cache_key="c" * 64, node="animate/ep02_sc01_sh020", job_id="t-9")
    folder.close()
    report = cost_report(root)
    assert report["spent"] == pytest.approx(0.5 + 0.14 + 0.25)
    assert report["left"] == pytest.approx(10 - 0.89)
    assert report["by"]["episode"] == {"ep01": pytest.approx(0.64), "ep02": pytest.approx(0.25)}
    assert report["unfinished_jobs"][0]["job_id"] == "t-9"
    assert report["remaining"]["tasks"] == len(ProjectFolder.open(root).load_script().shots())
    text = render_cost(report)
    assert text.startswith("spent 0.8900 USD of 10.00 USD (9.1100 left) in 3 charge(s)")
    assert "1 remote job(s) still running" in text and "kling t-9" in text

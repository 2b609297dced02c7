"""The deliveries' paid work in the budget plan: each paid clip reframed and each painted still painted again per
frame, priced like the build's own tasks, kept at no cost once made, and refused before anything is spent when the
budget cannot hold them (deliver, cost and models all plan them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mangaline.breakdown import breakdown_source
from mangaline.config import ProviderSettings, Settings
from mangaline.design import design_bible
from mangaline.errors import BudgetExceeded
from mangaline.model import Project
from mangaline.production import RouteHistory, deliver, plan_routes
from mangaline.project import ProjectFolder
from mangaline.providers.catalogue import load_catalogue
from mangaline.providers.journal import Journal
from mangaline.providers.ledger import Ledger

from tests.conftest import mangaline
from tests.test_paid_line import configure, keys, new_project

KEY = "MANGALINE_TEST_ARK"


def _paid(small_script: Path, budget: float = 50.0):
    script = breakdown_source(small_script).script
    settings = Settings(project=Project(name="small", tier="standard", budget=budget),
                        providers={"ark": ProviderSettings(api_key_env=KEY)})
    return script, design_bible(script), settings


def test_each_paid_clip_is_reframed_and_each_painted_still_painted_again_in_every_other_frame(
    small_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY, "k")
    script, bible, settings = _paid(small_script)
    catalogue = load_catalogue()
    build = plan_routes(script, bible, settings, catalogue, RouteHistory())
    own = plan_routes(script, bible, settings, catalogue, RouteHistory(), formats=["9:16"])
    assert own.routes.keys() == build.routes.keys(), "the project's own frame is the master: nothing to buy"
    work = plan_routes(script, bible, settings, catalogue, RouteHistory(), formats=["9:16", "16:9", "1:1"])
    extra = {key: route for key, route in work.routes.items() if key not in build.routes}
    bought = [key.split(":")[1] for key, r in build.routes.items() if key.startswith("clip:") and r.provider != "draft"]
    stills = [key.split(":")[1] for key, r in build.routes.items() if key.startswith("clip:") and r.provider == "draft"]
    assert bought and stills, "the small script has model clips and an establishing still"
    assert set(extra) == ({f"reframe:{code}@{tag}" for code in bought for tag in ("16x9", "1x1")}
                          | {f"repaint:{code}@{tag}" for code in stills for tag in ("16x9", "1x1")})
    for key, route in extra.items():
        code = key.split(":")[1].split("@")[0]
        assert route.expected_cost > 0, key
        if key.startswith("reframe:"):
            assert route.model.startswith("doubao-seedance-2-0") and work.items[key].needs.reframe
        else:  # the keyframe's own model paints it again, in the frame's ratio
            assert route.model == build.route("keyframe", code).model
            assert work.items[key].needs.aspect == key.rsplit("@", 1)[1].replace("x", ":")
    # priced into the one plan the budget holds: the build's own routes are unchanged
    assert work.total == pytest.approx(build.total + sum(r.expected_cost for r in extra.values()))
    assert {k: r.model for k, r in work.routes.items() if k in build.routes} == {k: r.model for k, r in build.routes.items()}
    assert work.by_kind()["reframe"] > 0 and work.by_kind()["repaint"] > 0


def test_a_reframe_already_made_keeps_its_model_at_no_cost(small_script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY, "k")
    script, bible, settings = _paid(small_script)
    fresh = plan_routes(script, bible, settings, load_catalogue(), RouteHistory(), formats=["16:9"])
    key = next(k for k in fresh.routes if k.startswith("reframe:"))
    model = fresh.routes[key].model
    made = RouteHistory(made={("animate.reframe", key.split(":", 1)[1]): ("standard", model)})
    again = plan_routes(script, bible, settings, load_catalogue(), made, formats=["16:9"])
    assert again.routes[key].model == model and again.routes[key].expected_cost == 0.0
    assert again.total == pytest.approx(fresh.total - fresh.routes[key].expected_cost)


def test_deliveries_the_budget_cannot_hold_are_refused_before_anything_is_spent(
    small_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY, "k")
    script, bible, _ = _paid(small_script)
    build_only = plan_routes(script, bible, _paid(small_script)[2], load_catalogue(), RouteHistory()).total
    _, _, tight = _paid(small_script, budget=round(build_only + 0.05, 2))
    assert plan_routes(script, bible, tight, load_catalogue(), RouteHistory()).total == pytest.approx(build_only)
    with pytest.raises(BudgetExceeded, match="reframe") as refused:
        plan_routes(script, bible, tight, load_catalogue(), RouteHistory(), formats=["16:9"])
    assert "Nothing was submitted" in str(refused.value)
    # already spent money counts: what fits an empty ledger does not fit one that holds most of the budget
    _, _, roomy = _paid(small_script, budget=10.0)
    plan_routes(script, bible, roomy, load_catalogue(), RouteHistory(), formats=["16:9", "1:1"])
    with pytest.raises(BudgetExceeded):
        plan_routes(script, bible, roomy, load_catalogue(), RouteHistory(spent=10.0 - build_only - 0.05),
                    formats=["16:9", "1:1"])


def test_deliver_and_cost_plan_the_frames_at_a_paid_tier(tmp_path: Path) -> None:
    root = new_project(tmp_path, "paid")
    # no provider is reached: cost only plans, and deliver is refused by the plan before a job is submitted
    configure(root, "http://127.0.0.1:9", providers=("ark",), budget=20.0)
    (root / "renders").mkdir(exist_ok=True)
    (root / "renders" / "ep01.mp4").write_bytes(b"")  # stands for the built master: deliver plans before it reads it
    with keys():
        cost = json.loads(mangaline("cost", root, "--json", "--formats", "16:9").stdout)
        plain = json.loads(mangaline("cost", root, "--json").stdout)
        configure(root, "http://127.0.0.1:9", providers=("ark",), budget=1.5)
        tight = json.loads(mangaline("cost", root, "--json", "--formats", "16:9").stdout)
        folder = ProjectFolder.open(root)
        try:
            with pytest.raises(BudgetExceeded, match="reframe"):
                deliver(folder, folder.settings, ["16:9"])
            assert not Journal(folder.state).jobs() and not Ledger(folder.state).entries()
            assert not folder.state.takes("animate.reframe")
        finally:
            folder.close()
        refused = mangaline("deliver", root, "--formats", "16:9", "--no-progress", check=False)
        wrong = mangaline("cost", root, "--formats", "4:3", check=False)
    assert "reframe" in cost["remaining"]["by_kind"] and "repaint" in cost["remaining"]["by_kind"]
    assert "reframe" not in plain["remaining"]["by_kind"], "never delivered, no frame asked for: no reframe planned"
    assert cost["remaining"]["expected_cost"] > plain["remaining"]["expected_cost"]
    assert "reframe" in tight["remaining"]["error"]
    assert refused.returncode == 2 and "reframe" in refused.stderr and "budget" in refused.stderr
    assert wrong.returncode == 2 and "'4:3'" in wrong.stderr


def test_the_delivery_nodes_use_the_models_the_plan_priced(tmp_path: Path, small_script: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from mangaline.model.delivery import aspect_frame
    from mangaline.production import _reframes, build_graph, delivery_node

    monkeypatch.setenv(KEY, "k")
    script, bible, settings = _paid(small_script)
    root = tmp_path / "drama"
    ProjectFolder.create(root, settings=settings).close()
    graph = build_graph(script, bible, settings.project, settings=settings, root=root)
    work = plan_routes(script, bible, settings, load_catalogue(), RouteHistory(), formats=["16:9"])
    wide = aspect_frame("16:9", 1080, 1920)
    node = delivery_node(script.episodes[0], graph.outputs["ep01"], settings.project, wide, series=script.title,
                         reframes=_reframes(work))
    made = {}
    for code in graph.outputs["ep01"].segments:
        moved = node.deps[f"segment:{code}"].deps["clip"]
        if moved.step.name == "animate.reframe":
            made[f"reframe:{code}@16x9"] = moved.params["model"]
        else:
            painted = moved.deps["keyframe"]
            assert painted.step.name == "storyboard.paintover"
            made[f"repaint:{code}@16x9"] = painted.model
    planned = {key: route.model for key, route in work.routes.items() if key.startswith(("reframe:", "repaint:"))}
    assert made == planned, "every paid delivery node is one the plan priced, with the plan's model"

"""The build's plan of paid work: every kind of task, continuity between shots, stills, pins and fallbacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.breakdown import breakdown_source
from mangaline.config import ProviderSettings, Settings
from mangaline.design import design_bible
from mangaline.model import CameraMove, Project
from mangaline.production import build_graph
from mangaline.project import ProjectFolder
from mangaline.providers.work import continuous, work_items


def continuous_script(small_script: Path):
    """The small screenplay with its second shot pushing in on the subject the third shot holds."""
    script = breakdown_source(small_script).script
    shots = script.episodes[0].scenes[0].shots
    shots[1] = shots[1].model_copy(update={"move": CameraMove.PUSH_IN, "subject": shots[2].subject or "june"})
    shots[2] = shots[2].model_copy(update={"subject": shots[1].subject})
    return script


def test_only_a_cut_inside_one_moving_set_up_is_continuous(small_script: Path) -> None:
    script = continuous_script(small_script)
    shots = script.shots()
    assert continuous(shots[1], shots[2])
    assert not continuous(shots[2], shots[3]), "a static shot ends where it ends"
    assert not continuous(shots[-1], None)
    other_scene = shots[2].model_copy(update={"code": "ep01_sc02_sh010"})
    assert not continuous(shots[1], other_scene), "a cut to another scene is never continuous"


def test_a_continuous_clip_ends_on_the_next_shots_keyframe(tmp_path: Path, small_script: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGALINE_TEST_ARK", "k")
    script = continuous_script(small_script)
    bible = design_bible(script)
    settings = Settings(project=Project(name="small", tier="standard", budget=50.0),
                        providers={"ark": ProviderSettings(api_key_env="MANGALINE_TEST_ARK")})
    items = {item.entity: item for item in work_items(script, bible, settings)}
    shots = script.shots()
    assert items[f"clip:{shots[1].code}"].needs.last_frame and not items[f"clip:{shots[2].code}"].needs.last_frame
    root = tmp_path / "drama"
    ProjectFolder.create(root, settings=settings).close()
    graph = build_graph(script, bible, settings.project, settings=settings, root=root)
    clips = {node.entity: node for node in graph.nodes if node.step.name == "animate.video"}
    pictures = {node.entity: node for node in graph.nodes if node.step.name == "storyboard.paintover"}
    assert clips[shots[1].code].deps["next_keyframe"] is pictures[shots[2].code]
    assert "next_keyframe" not in clips[shots[2].code].deps
    # the model chosen for the continuous clip takes a first and a last frame
    chosen = graph.work.route("clip", shots[1].code).model
    assert graph.work.items[f"clip:{shots[1].code}"].needs.last_frame and "seedance" in chosen


def test_lip_sync_is_planned_only_where_the_clips_provider_can_sync_its_own_videos(
    small_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mangaline.providers.catalogue import load_catalogue
    from mangaline.providers.work import plan_work

    monkeypatch.setenv("MANGALINE_TEST_KEY", "k")
    script = breakdown_source(small_script).script
    bible = design_bible(script)
    speaking = {shot.code for shot in script.shots() if shot.kind.value != "establishing"
                and any(line.character in {c.character for c in shot.casting if c.on_screen} for line in shot.dialogue)}
    assert speaking
    for provider, synced in (("ark", False), ("kling", True)):
        settings = Settings(project=Project(name="small", tier="standard", budget=50.0),
                            providers={provider: ProviderSettings(api_key_env="MANGALINE_TEST_KEY")})
        work = plan_work(work_items(script, bible, settings), settings=settings, catalogue=load_catalogue())
        planned = {key.split(":", 1)[1] for key in work.routes if key.startswith("lipsync:")}
        assert planned == (speaking if synced else set()), provider
        assert all(work.routes[f"lipsync:{code}"].model == "kling-lip-sync" for code in planned)

"""Deliveries: the same episode at 16:9 and 1:1 as well as 9:16, each shot solved again in its set (not cropped),
under the master's own mix, with a cover and a title card; bad input refused by name.

A two-line scene at a small frame (270x480), so the whole line runs in well under a minute on two cores.
"""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from mangaline.ffmpeg import ffmpeg_exe, probe
from mangaline.layout.shot import head_inside
from mangaline.model.geometry import project_point
from mangaline.model.layout import ShotLayout
from mangaline.production import deliver
from mangaline.project import ProjectFolder

from .conftest import mangaline

pytestmark = pytest.mark.slow

SCRIPT = """Title: The Umbrella

INT. NIGHT KITCHEN - NIGHT

JUNE, 20s, short black hair and a yellow raincoat, stands at the counter. ODA, an old man with grey hair and a brown coat, waits by the door.

JUNE
You came back.

ODA
Only for my umbrella.
"""
WIDTH, HEIGHT = 270, 480
FRAMES = {"9x16": (270, 480), "16x9": (480, 270), "1x1": (270, 270)}


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("deliver")
    source = root / "umbrella.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    project = root / "umbrella"
    mangaline("new", project, "--from", source)
    toml = project / "mangaline.toml"
    toml.write_text(re.sub(r"(?m)^height = 1920", f"height = {HEIGHT}",
                           re.sub(r"(?m)^width = 1080", f"width = {WIDTH}", toml.read_text())))
    unbuilt = mangaline("deliver", project, "--formats", "16:9", check=False)
    mangaline("build", project, "--no-progress")
    first = mangaline("deliver", project, "--formats", "9:16,16:9,1:1", "--no-progress")
    return {"project": project, "unbuilt": unbuilt, "first": first}


def _layouts(project: Path) -> dict[str, dict[str, ShotLayout]]:
    """Each frame's layout.shot takes by shot code: "9x16" the build's own, the others the deliveries'."""
    folder = ProjectFolder.open(project)
    try:
        found: dict[str, dict[str, ShotLayout]] = {}
        for take in folder.state.takes("layout.shot"):
            code, _, tag = take.entity.partition("@")
            found.setdefault(tag or "9x16", {})[code] = ShotLayout.model_validate(take.data)
        # who speaks on screen in each shot: a line not heard over it (O.S., V.O.), by a character cast on screen
        speakers = {shot.code: {line.character for line in shot.dialogue if not line.off_screen}
                    & {c.character for c in shot.casting if c.on_screen}
                    for episode in folder.load_script().episodes for shot in episode.shots()}
    finally:
        folder.close()
    found["speakers"] = speakers  # type: ignore[assignment]
    return found


def _audio_md5(path: Path) -> str:
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a", "-c", "copy", "-f", "md5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip()


def test_every_frame_is_delivered_at_its_size_as_long_as_the_master_under_its_very_mix(delivered: dict) -> None:
    project = delivered["project"]
    master = project / "renders" / "ep01.mp4"
    length = probe(master).duration
    for tag, (width, height) in FRAMES.items():
        folder = project / "deliveries" / "ep01"
        info = probe(folder / f"ep01.{tag}.mp4")
        assert (info.width, info.height) == (width, height), tag
        assert info.duration == pytest.approx(length, abs=0.05), tag
        # the master's AAC packets, copied: not voiced again, not mixed again
        assert _audio_md5(folder / f"ep01.{tag}.mp4") == _audio_md5(master), tag
        with Image.open(folder / f"ep01.{tag}.cover.png") as cover:
            assert (cover.format, cover.size) == ("PNG", (width, height)), tag
        title = probe(folder / f"ep01.{tag}.title.mp4")
        assert (title.width, title.height) == (width, height) and title.duration == pytest.approx(2.5, abs=0.05)
        assert "You came back." in (folder / f"ep01.{tag}.srt").read_text(encoding="utf-8")
        assert f"PlayResX: {width}" in (folder / f"ep01.{tag}.ass").read_text(encoding="utf-8")
    assert "delivery ep01 16:9:" in delivered["first"].stdout


def _side(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    return (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0])


def test_the_wider_frames_hold_every_speaker_and_keep_the_camera_side_of_the_line(delivered: dict) -> None:
    layouts = _layouts(delivered["project"])
    speakers, vertical = layouts.pop("speakers"), layouts["9x16"]
    assert sum(map(len, speakers.values())) >= 2, "the scene has lines spoken on screen"
    # the line of action: the scene's west-most and east-most marks, as the vertical layouts place the cast
    marks = sorted({(c.x, c.y) for layout in vertical.values() for c in layout.characters})
    a, b = marks[0], marks[-1]
    assert a != b, "the scene's two characters stand on two marks"
    for tag in ("16x9", "1x1"):
        width, height = FRAMES[tag]
        assert set(layouts[tag]) == set(vertical)
        for code, layout in layouts[tag].items():
            assert (layout.frame_width, layout.frame_height) == (width, height)
            shown = {c.id: c for c in layout.characters}
            for who in speakers[code]:
                assert who in shown, f"{tag} {code}: {who} speaks and is not in the frame"
                assert head_inside(shown[who].head(), width, height), f"{tag} {code}: {who}'s head leaves the frame"
            # 180 degrees: the camera stands on the side of the line the vertical frame's camera stands on
            before, after = vertical[code].camera, layout.camera
            assert math.copysign(1, _side(before.x, before.y, a, b)) == math.copysign(1, _side(after.x, after.y, a, b)), code
            # and the characters both frames show keep their order across the screen
            both = [c.id for c in vertical[code].characters if c.id in shown]
            order = lambda cs: sorted(both, key=lambda cid: next(c.face[0] for c in cs if c.id == cid))  # noqa: E731
            assert order(vertical[code].characters) == order(layout.characters), f"{tag} {code}"


def test_the_landscape_frame_is_solved_in_the_set_not_cropped_from_the_vertical_one(delivered: dict) -> None:
    layouts = _layouts(delivered["project"])
    layouts.pop("speakers")
    # the cameras are placed again for the frame (one held at a partner's shoulder may stand where it stood)
    assert any(wide.camera != layouts["9x16"][code].camera for code, wide in layouts["16x9"].items())
    for code, wide in layouts["16x9"].items():
        tall = layouts["9x16"][code]
        camera, other = wide.camera.camera(), tall.camera.camera()
        # the set at the landscape frame's left and right edges, 3 m out, lies outside the vertical frame's field
        right, up, forward = camera.basis()
        f = camera.focal(wide.frame_height)
        outside = 0
        for edge in (0.0, wide.frame_width):
            r = (edge - wide.frame_width / 2) / f
            point = [camera.__getattribute__(k) + 3.0 * (forward[i] + r * right[i]) for i, k in enumerate("xyz")]
            u, _v, depth = project_point(other, *point, tall.frame_width, tall.frame_height)
            outside += depth <= 0 or not 0 <= u <= tall.frame_width
        assert outside >= 1, f"{code}: everything the landscape frame shows across is inside the vertical frame"


def test_a_second_deliver_runs_no_step(delivered: dict) -> None:
    project = delivered["project"]
    folder = ProjectFolder.open(project)
    try:
        result = deliver(folder, folder.settings, ["9:16", "16:9", "1:1"])
    finally:
        folder.close()
    assert result.summary.ran == 0 and result.summary.failed == 0
    assert sorted(d.aspect for d in result.delivered) == ["16:9", "1:1", "9:16"]
    digest = hashlib.sha256((project / "deliveries" / "ep01" / "ep01.16x9.mp4").read_bytes()).hexdigest()
    assert digest == hashlib.sha256(result.delivered[1].files["episode.mp4"].read_bytes()).hexdigest()


def test_status_lists_the_frames_delivered_and_those_asked_for(delivered: dict) -> None:
    project = delivered["project"]
    status = mangaline("status", project, "--json")
    import json

    nodes = {(n["step"], n["entity"]): n["state"] for n in json.loads(status.stdout)["nodes"]}
    # every frame delivered before is reported without being asked for: its cut and each shot's nodes, all fresh
    cuts = {entity: state for (step, entity), state in nodes.items() if step == "edit.delivery"}
    assert cuts == {"ep01@9x16": "FRESH", "ep01@16x9": "FRESH", "ep01@1x1": "FRESH"}
    wide = {step for (step, entity), state in nodes.items() if entity.endswith("@16x9") and state == "FRESH"}
    assert {"layout.shot", "storyboard.keyframe", "animate.clip", "edit.segment", "edit.delivery"} <= wide
    assert all(state == "FRESH" for (_step, entity), state in nodes.items() if "@" in entity)
    # a frame asked for by name is reported too; --formats names exactly the frames to report
    folder = ProjectFolder.open(project)
    try:
        from mangaline.production import delivered_formats, status as project_status

        assert delivered_formats(folder) == ["9:16", "16:9", "1:1"]
        only = {(r.step, r.entity) for r in project_status(folder, folder.settings, ["16:9"]) if "@" in r.entity}
    finally:
        folder.close()
    assert ("edit.delivery", "ep01@16x9") in only and not any(entity.endswith(("@1x1", "@9x16")) for _, entity in only)
    table = mangaline("status", project, "--formats", "16:9").stdout
    assert "edit.delivery" in table


def test_bad_input_is_refused_by_name(delivered: dict) -> None:
    project = delivered["project"]
    unbuilt = delivered["unbuilt"]
    assert unbuilt.returncode == 2 and "not built yet" in unbuilt.stderr and "mangaline build" in unbuilt.stderr
    wrong = mangaline("deliver", project, "--formats", "16:9,4:3", check=False)
    assert wrong.returncode == 2 and "'4:3'" in wrong.stderr and "9:16, 16:9, 1:1" in wrong.stderr
    unknown = mangaline("deliver", project, "--formats", "16:9", "--episodes", "ep09", check=False)
    assert unknown.returncode == 2 and "ep09" in unknown.stderr and "ep01" in unknown.stderr


def test_a_paid_projects_delivery_paints_its_stills_again_and_reframes_its_model_clips(
    tmp_path: Path, small_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mangaline.breakdown import breakdown_source
    from mangaline.config import ProviderSettings, Settings
    from mangaline.design import design_bible
    from mangaline.model import Project
    from mangaline.model.delivery import aspect_frame
    from mangaline.production import build_graph, delivery_node, reframe_routes
    from mangaline.providers.catalogue import load_catalogue

    monkeypatch.setenv("MANGALINE_TEST_ARK", "k")
    script = breakdown_source(small_script).script
    settings = Settings(project=Project(name="small", tier="standard", budget=50.0),
                        providers={"ark": ProviderSettings(api_key_env="MANGALINE_TEST_ARK")})
    root = tmp_path / "drama"
    ProjectFolder.create(root, settings=settings).close()
    graph = build_graph(script, design_bible(script), settings.project, settings=settings, root=root)
    output = graph.outputs["ep01"]
    wide = aspect_frame("16:9", 1080, 1920)
    routes = reframe_routes([output], [wide], settings, load_catalogue())
    node = delivery_node(script.episodes[0], output, settings.project, wide, series=script.title, reframes=routes)
    kinds = set()
    for code, master in output.segments.items():
        segment = node.deps[f"segment:{code}"]
        assert segment.entity == f"{code}@16x9" and segment.params["frame"]["width"] == 1920
        moved = segment.deps["clip"]
        if master.deps["clip"].step.name == "animate.clip":  # a still with a camera move: painted again at 16:9
            painted = moved.deps["keyframe"]
            assert painted.step.name == "storyboard.paintover" and (painted.params["width"], painted.params["height"]) == (1280, 720)
            layout = painted.deps["keyframe"].deps["layout"]
            assert layout.entity == f"{code}@16x9" and layout.params["frame"]["width"] == 1920
        else:  # a model's clip: made again from itself by a model that reframes
            assert moved.step.name == "animate.reframe" and moved.deps["clip"] is master.deps["clip"]
            assert moved.params["model"].startswith("doubao-seedance-2-0") and moved.params["aspect"] == "16:9"
        kinds.add(moved.step.name)
    assert kinds == {"animate.clip", "animate.reframe"}, "the small script has an establishing still and model clips"
